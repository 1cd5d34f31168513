import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { wallSnapshotReply } from '../../../contracts/kitchen.js';
import { openSseStream } from '../../lib/sse.js';
import type { Services } from '../../services.js';

const errors = { 401: errorBodySchema, 403: errorBodySchema };

const SNAPSHOT_DESCRIPTION =
  "The newsroom wall's one snapshot (docs/wall.md): today's stories by form × status and today's videos (adopted, publications by channel), " +
  'reach in total, today and in the last hour, by channel and by the studio a video is routed to, the running weekly chart (top 10) of every ' +
  'published campaign running now, and the top 10 movers of the last 60 minutes. "Today" is Asia/Shanghai. Computed at most once per ' +
  '`WALL_INTERVAL_SECONDS` (10 s by default) and shared with every wall. Staff with `kitchen.wall` (editors, chief editors, finance, admins); ' +
  'the wall is newsroom-wide, not studio-scoped. 401 `auth.required`, 403 `auth.forbidden`.';

const STREAM_DESCRIPTION =
  'Server-sent events (`text/event-stream`) for the wall page. On connect: one `snapshot` event. Then once per `WALL_INTERVAL_SECONDS` ' +
  '(one computation shared by every connected wall): a `snapshot` event when anything on the wall changed, otherwise a `heartbeat` event. ' +
  'If the computation fails, a `: keep-alive` comment only, so the page shows its stale marker. Events:\n' +
  '- `snapshot`: `data` is the snapshot, the same object as `GET /api/kitchen/wall` answers under `wall`.\n' +
  '- `heartbeat`: `data` is `{"checkedAt": ISO 8601, "generatedAt": ISO 8601}`: the snapshot of `generatedAt` is still current at `checkedAt`.\n' +
  'A wall that stops reading (over 1 MiB queued) is disconnected; the page reconnects with backoff. ' +
  '401 and 403 are answered as JSON before the stream starts.';

export function wallRoutes(services: Services): FastifyPluginAsyncZod {
  const wall = services.kitchenWall;
  return async (app) => {
    app.addHook('preClose', async () => wall.closeAll());

    app.get(
      '/api/kitchen/wall',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The 传播力 wall: one snapshot of today, reach and the weekly chart',
          description: SNAPSHOT_DESCRIPTION,
          response: { 200: wallSnapshotReply, ...errors },
        },
      },
      async (req, reply) => {
        const snapshot = await services.kitchenWall.snapshot(req.user);
        reply.header('cache-control', 'private, no-store');
        return { wall: snapshot };
      },
    );

    app.get(
      '/api/kitchen/wall/stream',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The 传播力 wall, live: server-sent events `snapshot` and `heartbeat`',
          description: STREAM_DESCRIPTION,
          produces: ['text/event-stream'],
          response: {
            200: z
              .string()
              .describe(
                'text/event-stream: `event: snapshot` (data: the wall snapshot) and `event: heartbeat` (data: `{checkedAt, generatedAt}`), each `data:` line one JSON object',
              ),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        wall.authorize(req.user);
        await openSseStream(req, reply, (client) => wall.subscribe(client));
      },
    );
  };
}
