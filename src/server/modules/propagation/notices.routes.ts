import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { noticeReply, noticesQuery, noticesReply } from '../../../contracts/propagation.js';
import { requirePermission } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

export function noticesRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/notices',
      {
        schema: {
          tags: ['me'],
          summary: 'My notices (“你火了”: reach milestones, the weekly chart, the grand prize, publications), newest first, with the unread count',
          querystring: noticesQuery,
          response: { 200: noticesReply, ...errors },
        },
      },
      async (req, reply) =>
        reply.header('cache-control', 'no-store').send(await services.notices.list(requirePermission(req, 'account.self'), req.query, requestLocale(req))),
    );

    app.post(
      '/api/me/notices/:id/read',
      {
        schema: {
          tags: ['me'],
          summary: 'Mark one of my notices read (another user’s notice: 404)',
          params: idParamSchema,
          response: { 200: noticeReply, ...errors },
        },
      },
      async (req) => services.notices.markRead(requirePermission(req, 'account.self'), req.params.id, requestLocale(req)),
    );
  };
}
