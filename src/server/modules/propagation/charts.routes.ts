import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { weeklyChartQuery, weeklyChartReply } from '../../../contracts/charts.js';
import { errorBodySchema } from '../../../contracts/common.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 404: errorBodySchema };

export function chartsRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/charts/weekly',
      {
        schema: {
          tags: ['charts'],
          summary: 'The weekly Top 10 (风云榜): frozen for past weeks, live "this week so far" for the current one (public)',
          description:
            "Weeks are ISO weeks in Asia/Shanghai (Monday 00:00 +08:00 to the next Monday). A week's figures are, per video, the highest figures seen by its end minus those seen by its start, over every channel; the score is the propagation index with the campaign's weights, or the week's reach when the campaign ranks by reach; ties go to the higher reach, then the earlier adoption. A frozen chart (`frozen: true`) is fixed and its prizes are posted; a live one is computed up to now and cached for a few seconds (`computedAt`). 400: `chart.invalid_week` (not `YYYY-Www`, or no such week), `chart.week_not_started`, `chart.week_outside_campaign`; 404: `campaign.not_found` (also for unpublished campaigns).",
          security: [],
          querystring: weeklyChartQuery,
          response: { 200: weeklyChartReply, ...errors },
        },
      },
      async (req, reply) => {
        const { chart, json } = await services.charts.weeklyReply(req.query);
        // Frozen charts never change; live ones a few seconds at a time. The body was serialized
        // (from the same schema-typed object) once, when the chart was computed.
        return reply
          .header('cache-control', chart.frozen ? 'public, max-age=3600' : `public, max-age=${services.config.CHART_LIVE_CACHE_SECONDS}`)
          .type('application/json; charset=utf-8')
          .serializer(() => json)
          .send({ chart });
      },
    );
  };
}
