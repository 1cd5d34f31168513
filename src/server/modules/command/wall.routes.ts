import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { commandWallReply } from '../../../contracts/command.js';
import { openSseStream } from '../../lib/sse.js';
import type { Services } from '../../services.js';

const errors = { 401: errorBodySchema, 403: errorBodySchema };

const SCOPE =
  'Staff with `command.wall` (editors, chief editors, finance, admins). Desk staff see it as they see the desk: a studio-bound editor sees ' +
  "assignments of their studios and the central desk's (studio none); chief editors and admins all. Finance (the wall PC's account) works no desk " +
  'and sees all. 401 `auth.required`, 403 `auth.forbidden`.';

const SNAPSHOT_DESCRIPTION =
  "The command wall's snapshot (docs/command-wall.md): assignments by state (open states all, completed/cancelled today), overdue count and " +
  'the most urgent active ones; people sharing their location on an active assignment with last seen, battery and network (never their position); ' +
  'calls ringing or in progress (who, where, p2p/Janus, broadcast and audience); footage submitted against an assignment in the last 6 hours; ' +
  'reach of that footage in total and gained today (Asia/Shanghai). Read at most once per `COMMAND_WALL_INTERVAL_SECONDS` (5 s by default) ' +
  'for every wall together. ' +
  SCOPE;

const STREAM_DESCRIPTION =
  'Server-sent events (`text/event-stream`) for the command wall page. On connect: one `snapshot`. Then once per ' +
  "`COMMAND_WALL_INTERVAL_SECONDS`: a `snapshot` event when anything in the caller's view changed, otherwise a `heartbeat`. If reading fails, " +
  'a `: keep-alive` comment only: the page shows its stale marker after three intervals without a snapshot or heartbeat. Events:\n' +
  '- `snapshot`: `data` is the snapshot, the same object as `GET /api/command/wall` answers under `wall`.\n' +
  '- `heartbeat`: `data` is `{"checkedAt": ISO 8601}`: the last snapshot is still current.\n' +
  'A wall that stops reading (over 1 MiB queued) is disconnected; the page reconnects with backoff. The scope is fixed when the stream ' +
  'opens. 401 and 403 are answered as JSON before the stream starts. ' +
  SCOPE;

export function commandWallRoutes(services: Services): FastifyPluginAsyncZod {
  const wall = services.commandWall;
  return async (app) => {
    app.addHook('preClose', async () => wall.closeAll());

    app.get(
      '/api/command/wall',
      {
        schema: {
          tags: ['command'],
          summary: 'The command wall: the field at a glance',
          description: SNAPSHOT_DESCRIPTION,
          response: { 200: commandWallReply, ...errors },
        },
      },
      async (req, reply) => {
        const snapshot = await wall.snapshot(req.user);
        reply.header('cache-control', 'private, no-store');
        return { wall: snapshot };
      },
    );

    app.get(
      '/api/command/wall/stream',
      {
        schema: {
          tags: ['command'],
          summary: 'The command wall, live: server-sent events `snapshot` and `heartbeat`',
          description: STREAM_DESCRIPTION,
          produces: ['text/event-stream'],
          response: {
            200: z.string().describe('text/event-stream: `event: snapshot` (data: the wall snapshot) and `event: heartbeat` (data: `{checkedAt}`)'),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const scope = await wall.scopeOf(req.user);
        await openSseStream(req, reply, (client) => wall.subscribe(client, scope));
      },
    );
  };
}
