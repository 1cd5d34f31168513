import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { CALL_RING_SECONDS, iceServersReply, liveCallSchema, startCallSchema } from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const callReply = z.object({ call: liveCallSchema });
const WHO =
  'Desk staff covering the assignment (403 `command.out_of_scope` for another studio’s) and people who accepted it; a person in the field sees only calls they are on ' +
  '(404 `command.call.not_found` otherwise).';

/** Calls (连线): start, answer, decline, hang up; and the ICE servers a browser needs. */
export function callsRoutes(services: Services): FastifyPluginAsyncZod {
  const calls = services.commandCalls;
  return async (app) => {
    app.post(
      '/api/command/assignments/:id/calls',
      {
        schema: {
          tags: ['command'],
          summary: 'Call the other side of an assignment (desk → a person working it, or field → the desk)',
          description:
            'From the desk (`command.direct`): `calleeId` names a person who accepted the assignment (400 `command.call.callee_required`; 409 ' +
            '`command.call.callee_not_working`); it rings every page they have open. From the field: no `calleeId` (400 `command.call.callee_not_allowed`); it rings ' +
            'the desk staff who have the assignment’s thread open. Nobody connected to ring: 409 `command.call.offline` (对方不在线) at once. The assignment must be ' +
            '`assigned` or `in_progress` (409 `command.call.assignment_not_active`); one ringing or active call per assignment (409 `command.call.busy`). ' +
            'Media: `janus` when the media server answers its health check (the room is opened and recorded), else `p2p`, with `fallbackReason: "janus_down"` ' +
            `when Janus is configured but not answering. A call rings ${CALL_RING_SECONDS} s (\`ringsUntil\`), then is \`missed\`. ` +
            'Everyone concerned gets a hub `call` message. The reply carries the assignment’s campaign and theme, which the phone’s own recording is filed under.',
          params: idParamSchema,
          body: startCallSchema,
          response: { 201: callReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ call: await calls.start(req.user, req.params.id, req.body) }),
    );
    app.get(
      '/api/command/assignments/:id/calls',
      {
        schema: {
          tags: ['command'],
          summary: 'Ringing and active calls of an assignment, and whom one could call now',
          description:
            `What a contact page shows when it opens (a ring that began before it connected). \`people\`: for the desk, the people who accepted the assignment and ` +
            `whether each has Paike open (\`online\`); empty for the field. \`deskOnline\`: for the field, whether desk staff have the thread open (always true for the desk). \`assignment\`: its title, campaign, theme and status. ${WHO}`,
          params: idParamSchema,
          response: {
            200: z.object({
              calls: z.array(liveCallSchema),
              people: z.array(z.object({ userId: z.uuid(), name: z.string(), online: z.boolean() })),
              deskOnline: z.boolean(),
              assignment: liveCallSchema.shape.assignment,
            }),
            ...errors,
          },
        },
      },
      async (req) => calls.contacts(req.user, req.params.id),
    );
    app.get(
      '/api/command/calls/:id',
      {
        schema: {
          tags: ['command'],
          summary: 'One call with its people',
          description: WHO,
          params: idParamSchema,
          response: { 200: callReply, ...errors },
        },
      },
      async (req) => ({ call: await calls.get(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/calls/:id/answer',
      {
        schema: {
          tags: ['command'],
          summary: 'Answer a ringing call',
          description:
            'The person it rings (desk → field), or any desk staff with `command.direct` covering the assignment (field → desk; they become its director). ' +
            '403 `command.call.not_callee`; 409 `command.call.not_ringing` when it was answered, declined or missed meanwhile. The call turns `active` and ' +
            'the director’s page makes the peer-to-peer offer.',
          params: idParamSchema,
          response: { 200: callReply, ...errors },
        },
      },
      async (req) => ({ call: await calls.answer(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/calls/:id/decline',
      {
        schema: {
          tags: ['command'],
          summary: 'Decline a ringing call',
          description: 'Whoever may answer it. 403 `command.call.not_callee`; 409 `command.call.not_ringing`.',
          params: idParamSchema,
          response: { 200: callReply, ...errors },
        },
      },
      async (req) => ({ call: await calls.decline(req.user, req.params.id) }),
    );
    app.post(
      '/api/command/calls/:id/hang-up',
      {
        schema: {
          tags: ['command'],
          summary: 'End a call (or cancel it while it rings)',
          description:
            'Any of its people (403 `command.call.not_participant`). A Janus call’s room is closed and its recording queued for the desk (`recordingStatus: pending`). ' +
            '409 `command.call.ended` when it is already over.',
          params: idParamSchema,
          response: { 200: callReply, ...errors },
        },
      },
      async (req) => ({ call: await calls.hangUp(req.user, req.params.id) }),
    );
    app.get(
      '/api/command/ice',
      {
        schema: {
          tags: ['command'],
          summary: 'STUN and TURN servers for a call (RTCConfiguration.iceServers)',
          description:
            'From ICE_STUN_URLS and TURN_URLS. TURN credentials are coturn REST credentials made for the caller: username `<expiry unix>:<userId>`, ' +
            'credential base64(HMAC-SHA1(TURN_SECRET, username)), valid for TURN_CREDENTIAL_TTL_SECONDS (`expiresAt`); fetch again before a call after that. ' +
            'Desk staff (`command.view`) and people in the field (`command.field`); 403 `auth.forbidden` for others.',
          response: { 200: iceServersReply, 401: errorBodySchema, 403: errorBodySchema },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return services.commandIce.servers(req.user);
      },
    );
  };
}
