import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries older than this entry id (the last `id` of the previous page). */
  before: z.coerce.number().int().positive().optional(),
});
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export const auditReply = z.object({ entries: z.array(auditEntrySchema) });

export function auditRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who did what and when, newest first (chief editor, admin)',
          querystring: auditQuery,
          response: { 200: auditReply, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema },
        },
      },
      async (req) => services.auditLog.list(requireUser(req), req.query),
    );
  };
}
