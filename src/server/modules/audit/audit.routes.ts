import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditQuery, auditReply } from '../../../contracts/backOffice.js';
import { errorBodySchema } from '../../../contracts/common.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

export function auditRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who did what and when, newest first, filtered by actor, action, object and date (chief editor, admin)',
          description:
            'Page with `page` (1-based, with `total`) or with `before` (the last `id` seen). `action` is a code or a domain; `from`/`to` take an ISO date-time or a YYYY-MM-DD day in Asia/Shanghai (`to` includes that day).',
          querystring: auditQuery,
          response: { 200: auditReply, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema },
        },
      },
      async (req) => services.auditLog.list(requireUser(req), req.query, requestLocale(req)),
    );
  };
}
