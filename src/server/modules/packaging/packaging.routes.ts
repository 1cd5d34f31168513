import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  channelSchema,
  coversReply,
  dailyPickBody,
  dailyPickListReply,
  dailyPickSchema,
  daySchema,
  packageBody,
  packageSchema,
  packagesReply,
} from '../../../contracts/packaging.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function packagingRoutes(services: Services): FastifyPluginAsyncZod {
  const p = () => services.packaging;
  return async (app) => {
    app.get(
      '/api/desk/submissions/:id/packages',
      {
        schema: { tags: ['desk'], summary: 'Per-channel packaging of an adopted video', params: idParamSchema, response: { 200: packagesReply, ...errors } },
      },
      async (req) => ({ packages: await p().list(requireUser(req), req.params.id) }),
    );

    app.put(
      '/api/desk/submissions/:id/packages/:channel',
      {
        schema: {
          tags: ['desk'],
          summary: 'Save one channel’s headline, summary, tags, cover and credit, within that channel’s length limits',
          params: z.strictObject({ id: z.uuid(), channel: channelSchema }),
          body: packageBody,
          response: { 200: z.object({ package: packageSchema }), ...errors },
        },
      },
      async (req) => ({ package: await p().save(requireUser(req), req.params.id, req.params.channel, req.body) }),
    );

    app.get(
      '/api/desk/submissions/:id/covers',
      {
        schema: { tags: ['desk'], summary: 'Candidate cover frames (made on first request)', params: idParamSchema, response: { 200: coversReply, ...errors } },
      },
      async (req) => ({ covers: await p().covers(requireUser(req), req.params.id) }),
    );

    app.get(
      '/api/desk/daily-picks',
      {
        schema: {
          tags: ['desk'],
          summary: 'The daily-pick schedule between two days (Asia/Shanghai), future days included',
          querystring: z.strictObject({ from: daySchema, to: daySchema }),
          response: { 200: dailyPickListReply, ...errors },
        },
      },
      async (req) => ({ picks: await p().schedule(requireUser(req), req.query.from, req.query.to) }),
    );

    app.put(
      '/api/desk/daily-picks/:day',
      {
        schema: {
          tags: ['desk'],
          summary: 'Choose (or change) the daily pick for a day, today or ahead',
          params: z.strictObject({ day: daySchema }),
          body: dailyPickBody,
          response: { 200: z.object({ pick: dailyPickSchema }), ...errors },
        },
      },
      async (req) => ({ pick: await p().setDailyPick(requireUser(req), req.params.day, req.body) }),
    );

    app.delete(
      '/api/desk/daily-picks/:day',
      {
        schema: {
          tags: ['desk'],
          summary: 'Clear a day’s pick (today or ahead)',
          params: z.strictObject({ day: daySchema }),
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await p().clearDailyPick(requireUser(req), req.params.day);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/daily-picks',
      {
        schema: {
          tags: ['public'],
          security: [],
          summary: '拍客·每日必看: the daily picks up to today, newest first',
          querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(7) }),
          response: { 200: dailyPickListReply },
        },
      },
      async (req) => ({ picks: await p().published(req.query.days) }),
    );
  };
}
