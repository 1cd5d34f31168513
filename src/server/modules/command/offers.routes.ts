import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { fieldAssignmentSchema, offerDeclineSchema } from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const one = z.object({ task: fieldAssignmentSchema });
const WHO =
  'Needs `command.field` (contributors, staff reporters; others 403). Only assignments offered to or accepted by the person exist for them: anything else, a queued offer or a draft is 404 `command.assignment_not_found`.';

/** The field's side of assignments: my offers and the work I accepted (docs/command.md, "In the field"). */
export function offersRoutes(services: Services): FastifyPluginAsyncZod {
  const offers = services.offers;
  return async (app) => {
    app.get(
      '/api/command/tasks',
      {
        schema: {
          tags: ['command'],
          summary: 'My tasks: open offers and accepted assignments, newest offer first',
          description: `${WHO} Each carries my own offer (status, respondBy, distance from my home area) and how much footage I sent for it.`,
          response: { 200: z.object({ tasks: z.array(fieldAssignmentSchema) }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { tasks: await offers.tasks(req.user) };
      },
    );
    app.get(
      '/api/command/tasks/:id',
      {
        schema: {
          tags: ['command'],
          summary: 'One task as the person in the field sees it',
          description: WHO,
          params: idParamSchema,
          response: { 200: one, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { task: await offers.fieldView(req.user, req.params.id) };
      },
    );
    app.post(
      '/api/command/tasks/:id/accept',
      {
        schema: {
          tags: ['command'],
          summary: 'Accept an offered assignment',
          description: `${WHO} Accepting twice answers the same. 409 \`command.offer.filled\` when the places were taken first (two people racing for the last place: one wins, the other gets this), \`command.offer.expired\` after respondBy, \`command.offer.not_open\` after declining or expiry, \`command.assignment.not_active\` once the assignment ended. When the last place fills, everyone else's open offer is withdrawn.`,
          params: idParamSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ task: await offers.accept(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/tasks/:id/decline',
      {
        schema: {
          tags: ['command'],
          summary: 'Decline an offered assignment (the next queued person is offered it)',
          description: `${WHO} Optional reason (≤ 500 characters). 409 \`command.offer.not_open\` unless the offer is open, \`command.offer.filled\` when it was withdrawn because the places filled.`,
          params: idParamSchema,
          body: offerDeclineSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ task: await offers.decline(req.user, req.params.id, req.body.reason) }),
    );
  };
}
