import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  assignmentCancelSchema,
  assignmentCreateSchema,
  assignmentDetailSchema,
  assignmentListQuerySchema,
  assignmentPatchSchema,
  assignmentSchema,
} from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const one = z.object({ assignment: assignmentSchema });
const WHO =
  'Needs `command.assign` (editors, chief editors, admins). Editors work on assignments of the studios they belong to or lead and of the central desk (studio null); 403 `command.out_of_scope` otherwise; 404 `command.assignment_not_found`.';
const NOTICES = 'Everyone the change concerns (offered or accepted people) gets an `assignment_changed` notice in the same transaction.';

/** Assignments (任务) on the desk (docs/command.md). */
export function assignmentsRoutes(services: Services): FastifyPluginAsyncZod {
  const assignments = services.assignments;
  return async (app) => {
    app.get(
      '/api/command/assignments',
      {
        schema: {
          tags: ['command'],
          summary: 'Assignments in the desk’s scope, newest change first, with offers and overdue flags',
          description:
            'Needs `command.view`. Filters: `status`, `overdue` (`true`: deadline passed while `assigned` or `in_progress`), `studioId` (403 `command.out_of_scope` outside the editor’s studios), `q` (title or place name), `limit` (≤ 200).',
          querystring: assignmentListQuerySchema,
          response: { 200: z.object({ assignments: z.array(assignmentSchema) }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { assignments: await assignments.list(req.user, req.query) };
      },
    );
    app.post(
      '/api/command/assignments',
      {
        schema: {
          tags: ['command'],
          summary: 'Create an assignment, as a draft or dispatched at once (`send: true`)',
          description: `Title, brief, campaign (its footage goes there), theme (null: any of the campaign's), studio (null: the central desk), place {name, lat, lng, radiusM 50–500000}, startsAt (default now), deadlineAt (after startsAt), acceptMinutes (how long an offered person has to reply, 1–1440, default 30), rewardHintFen, wanted (people needed, 1–50) and dispatch: \`{mode:'nearest', n}\` (the n opted-in people nearest the place whose own travel distance reaches it, offered \`wanted\` at a time in order of distance), \`{mode:'radius'}\` (everyone opted in within radiusM, all at once), \`{mode:'named', userIds}\` (contributors or staff reporters in that order, \`wanted\` at a time). ${WHO} 400 \`command.assignment.unknown_theme\`, \`command.assignment.bad_times\`, \`command.assignment.bad_person\`; 404 \`campaign.not_found\`, \`studio.not_found\`; with send, 409 \`command.assignment.no_candidates\` (nothing is created).`,
          body: assignmentCreateSchema,
          response: { 201: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req, reply) => reply.status(201).send({ assignment: await assignments.create(req.user, req.body) }),
    );
    app.get(
      '/api/command/assignments/:id',
      {
        schema: {
          tags: ['command'],
          summary: 'One assignment: offers with distances, its history, the footage submitted',
          description: `Needs \`command.view\` and the studio in scope (403 \`command.out_of_scope\`). People in the field read their own view at \`/api/command/tasks/:id\` (here: 403).`,
          params: idParamSchema,
          response: { 200: assignmentDetailSchema, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return assignments.get(req.user, req.params.id);
      },
    );
    app.patch(
      '/api/command/assignments/:id',
      {
        schema: {
          tags: ['command'],
          summary: 'Change a draft assignment (optimistic: send the version you saw)',
          description: `Only the fields sent change. ${WHO} 409 \`command.assignment.stale\` when \`version\` is not the current one (reload and redo), \`command.assignment.not_draft\` once dispatched; the create route's 400/404s.`,
          params: idParamSchema,
          body: assignmentPatchSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ assignment: await assignments.patch(req.user, req.params.id, req.body) }),
    );
    app.post(
      '/api/command/assignments/:id/dispatch',
      {
        schema: {
          tags: ['command'],
          summary: 'Dispatch a draft: draft → assigned, offers go out',
          description: `${WHO} 409 \`command.assignment.bad_transition\` unless draft, \`command.assignment.no_candidates\` when nobody fits (it stays draft); 400 \`command.assignment.bad_person\`. Offered people get an \`assignment_offered\` notice.`,
          params: idParamSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ assignment: await assignments.dispatch(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/assignments/:id/submit',
      {
        schema: {
          tags: ['command'],
          summary: 'Mark the footage in: in_progress → submitted',
          description: `The desk says it has the footage it needs (the first upload against the assignment made it \`in_progress\`). Open and queued offers are withdrawn. ${NOTICES} ${WHO} 409 \`command.assignment.bad_transition\` from any other state.`,
          params: idParamSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ assignment: await assignments.submit(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/assignments/:id/complete',
      {
        schema: {
          tags: ['command'],
          summary: 'Complete: submitted (or, when the desk decides, assigned / in_progress) → completed',
          description: `Open and queued offers are withdrawn. ${NOTICES} ${WHO} 409 \`command.assignment.bad_transition\` from draft, completed or cancelled.`,
          params: idParamSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ assignment: await assignments.complete(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/assignments/:id/cancel',
      {
        schema: {
          tags: ['command'],
          summary: 'Cancel with a reason: any state but completed/cancelled → cancelled',
          description: `Open and queued offers are withdrawn. ${NOTICES} ${WHO} 409 \`command.assignment.bad_transition\` once completed or cancelled.`,
          params: idParamSchema,
          body: assignmentCancelSchema,
          response: { 200: one, ...errors, 409: errorBodySchema },
        },
      },
      async (req) => ({ assignment: await assignments.cancel(req.user, req.params.id, req.body.reason) }),
    );
  };
}
