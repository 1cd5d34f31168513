import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dashboardChannelParams, dashboardIdParams, dashboardQuery, dashboardReply, type DashboardQuery } from '../../../contracts/charts.js';
import { errorBodySchema } from '../../../contracts/common.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';
import { dashboardCsv } from './dashboards.csv.js';
import type { DashboardScope } from './dashboards.repository.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const DESCRIPTION =
  "Reach (views over every channel) over time in hourly or daily buckets (Asia/Shanghai days), cumulative at the end of each bucket, in total and per channel; current figures by channel, the propagation index, and the videos behind them. Per publication the highest figure seen so far counts, so a platform reporting less than before lowers nothing. `format=csv` answers the same as text/csv (UTF-8 with BOM; cells that a spreadsheet would run as formulas are prefixed with `'`). 400: `dashboard.invalid_range`, `dashboard.range_too_long`.";

export function dashboardsRoutes(services: Services): FastifyPluginAsyncZod {
  async function answer(req: FastifyRequest, reply: FastifyReply, scope: DashboardScope, q: DashboardQuery) {
    const dashboard = await services.dashboards.get(req.user, scope, q);
    reply.header('cache-control', 'private, no-store');
    if (q.format !== 'csv') return reply.send({ dashboard });
    const name = scope.kind === 'channel' ? scope.channel : scope.id;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="paike-${scope.kind}-${name}-${q.bucket}.csv"`)
      .send(dashboardCsv(dashboard, requestLocale(req)));
  }
  const response = { 200: dashboardReply.describe('JSON, or text/csv with `format=csv`'), ...errors };
  const produces = ['application/json', 'text/csv'];

  return async (app) => {
    app.get(
      '/api/dashboards/videos/:id',
      {
        schema: {
          tags: ['dashboards'],
          summary: "A video's propagation dashboard (its contributor, editors, admins)",
          description: DESCRIPTION,
          params: dashboardIdParams,
          querystring: dashboardQuery,
          produces,
          response,
        },
      },
      async (req, reply) => answer(req, reply, { kind: 'video', id: req.params.id }, req.query),
    );
    app.get(
      '/api/dashboards/contributors/:id',
      {
        schema: {
          tags: ['dashboards'],
          summary: "A contributor's propagation dashboard over all their videos (themselves, editors, admins)",
          description: DESCRIPTION,
          params: dashboardIdParams,
          querystring: dashboardQuery,
          produces,
          response,
        },
      },
      async (req, reply) => answer(req, reply, { kind: 'contributor', id: req.params.id }, req.query),
    );
    app.get(
      '/api/dashboards/studios/:id',
      {
        schema: {
          tags: ['dashboards'],
          summary: "A studio's propagation dashboard over the videos routed to it (its members and lead, editors, admins)",
          description: DESCRIPTION,
          params: dashboardIdParams,
          querystring: dashboardQuery,
          produces,
          response,
        },
      },
      async (req, reply) => answer(req, reply, { kind: 'studio', id: req.params.id }, req.query),
    );
    app.get(
      '/api/dashboards/channels/:channel',
      {
        schema: {
          tags: ['dashboards'],
          summary: "A channel's propagation dashboard over every video on it (editors, admins)",
          description: DESCRIPTION,
          params: dashboardChannelParams,
          querystring: dashboardQuery,
          produces,
          response,
        },
      },
      async (req, reply) => answer(req, reply, { kind: 'channel', channel: req.params.channel }, req.query),
    );
  };
}
