import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  broadcastBody,
  broadcastPublicSchema,
  broadcastStateSchema,
  broadcastViewerBody,
  broadcastViewerReply,
  janusAnswerBody,
  janusBitrateBody,
  janusFeedsReply,
  janusPublishBody,
  janusPublishReply,
  janusSubscribeBody,
  janusSubscribeReply,
} from '../../../contracts/command.js';
import type { Services } from '../../services.js';

const errors = { 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };

const WHO =
  "Allowed to the call's participants (command_call_participants: the director and field guests), and to desk staff with `command.view` " +
  "covering the assignment's studio, who join as watchers (subscribe only). Anyone else: 404 `command.janus.call_not_found`. " +
  'The call must be a Janus call (409 `command.janus.not_janus`) and ringing or active (409 `command.janus.call_not_live`). ' +
  'Janus unreachable or slow: 503 `command.janus.unavailable`; Janus refused: 502 `command.janus.rejected`.';

const feedParams = z.strictObject({ id: z.uuid(), feed: z.coerce.number().int().positive() });
const hlsParams = z.strictObject({ id: z.uuid(), file: z.string().max(40) });

/** Browsers' negotiation with the call's Janus room, the director's bitrate cap, and broadcasts (docs/command-janus.md). */
export function janusRoutes(services: Services): FastifyPluginAsyncZod {
  const calls = services.janusCalls;
  const broadcasts = services.broadcasts;
  return async (app) => {
    app.addHook('onClose', async () => {
      await broadcasts.closeAll();
      await calls.closeAll();
      await services.janus?.close();
    });

    app.post(
      '/api/command/calls/:id/janus/publish',
      {
        schema: {
          tags: ['command'],
          summary: 'Publish camera and microphone into the call (SDP offer in, Janus answer out)',
          description:
            "The body is the browser's complete SDP offer (wait for ICE gathering to finish: no trickle), sendonly audio and video. " +
            "The answer is Janus's, with its candidates. Publishing again replaces the asker's previous feed. The room records every publisher. " +
            'Director and guests only; a watcher gets 403 `command.janus.watcher_cannot_publish`. ' +
            WHO,
          params: idParamSchema,
          body: janusPublishBody,
          response: { 200: janusPublishReply, 400: errorBodySchema, ...errors },
        },
      },
      async (req) => calls.publish(req.user, req.params.id, req.body.sdp),
    );

    app.get(
      '/api/command/calls/:id/janus/feeds',
      {
        schema: {
          tags: ['command'],
          summary: 'Who else is publishing in the call (long poll; it also keeps your handles alive)',
          description:
            'Every publisher but the asker: Janus feed id, user id and call role. With `wait` (seconds, 1–25) and `known` (the feed ids the ' +
            'browser has, comma-separated, empty for none) the answer waits until the set differs or `wait` passes: ask again at once. ' +
            'Without them it answers now. A browser that has not asked for 45 s loses its handles (its feed leaves the room). ' +
            WHO,
          params: idParamSchema,
          querystring: z.strictObject({
            wait: z.coerce.number().int().min(1).max(25).optional(),
            known: z
              .string()
              .max(400)
              .regex(/^(\d{1,20}(,\d{1,20}){0,15})?$/)
              .optional(),
          }),
          response: { 200: janusFeedsReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const { wait, known } = req.query;
        const waitFor = wait ? { seconds: wait, known: known ? known.split(',').map(Number) : [] } : undefined;
        return { feeds: await calls.feeds(req.user, req.params.id, waitFor) };
      },
    );

    app.post(
      '/api/command/calls/:id/janus/subscribe',
      {
        schema: {
          tags: ['command'],
          summary: "Receive one feed: Janus's SDP offer out; answer with …/subscribe/:feed/answer",
          description: 'Subscribing again to the same feed replaces the previous subscription. A feed that left: 404 `command.janus.feed_not_found`. ' + WHO,
          params: idParamSchema,
          body: janusSubscribeBody,
          response: { 200: janusSubscribeReply, 400: errorBodySchema, ...errors },
        },
      },
      async (req) => calls.subscribe(req.user, req.params.id, req.body.feed),
    );

    app.post(
      '/api/command/calls/:id/janus/subscribe/:feed/answer',
      {
        schema: {
          tags: ['command'],
          summary: "The browser's SDP answer to a subscription: media starts",
          description: "The browser's complete answer (ICE gathered). No subscription to that feed: 404 `command.janus.feed_not_found`. " + WHO,
          params: feedParams,
          body: janusAnswerBody,
          response: { 204: z.null(), 400: errorBodySchema, ...errors },
        },
      },
      async (req, reply) => {
        await calls.answer(req.user, req.params.id, req.params.feed, req.body.sdp);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/command/calls/:id/janus/leave',
      {
        schema: {
          tags: ['command'],
          summary: "Let go of the asker's Janus handles in the call",
          description: 'Idempotent; allowed after the call ended. Signed in only (401 `auth.required`).',
          params: idParamSchema,
          response: { 204: z.null(), 401: errorBodySchema },
        },
      },
      async (req, reply) => {
        await calls.leave(req.user, req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/command/calls/:id/janus/bitrate',
      {
        schema: {
          tags: ['command'],
          summary: "The director caps a participant's video bitrate at Janus",
          description:
            "Janus tells the person's browser (REMB) to send at most `maxBitrateKbps`. The call's director with `command.direct` only " +
            '(403 `command.janus.director_only`); the person must be publishing (404 `command.janus.not_publishing`). ' +
            WHO,
          params: idParamSchema,
          body: janusBitrateBody,
          response: { 204: z.null(), 400: errorBodySchema, ...errors },
        },
      },
      async (req, reply) => {
        await calls.setBitrate(req.user, req.params.id, req.body);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/command/calls/:id/broadcast',
      {
        schema: {
          tags: ['command'],
          summary: "A call's broadcast for the desk: on/off, audience now and its peak, the watch page",
          description: "The call's director and watchers, and desk staff with `command.view` covering the assignment's studio. Guests and others: 403/404.",
          params: idParamSchema,
          response: { 200: broadcastStateSchema, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return broadcasts.deskState(req.user, req.params.id);
      },
    );

    app.post(
      '/api/command/calls/:id/broadcast',
      {
        schema: {
          tags: ['command'],
          summary: "Turn a Janus call's broadcast on (whose picture) or off",
          description:
            "On: Janus forwards the chosen publisher's media (default: the first field guest publishing) to ffmpeg, which writes live HLS for " +
            '`/live/<callId>`; nobody publishing: 409 `command.broadcast.no_feed`. Turning it on again switches the picture. Off, or the call ' +
            "ending, stops it and the watch page 404s. The call's director with `command.direct` covering the assignment's studio only " +
            '(403 `command.janus.director_only`). ' +
            WHO,
          params: idParamSchema,
          body: broadcastBody,
          response: { 200: broadcastStateSchema, 400: errorBodySchema, ...errors },
        },
      },
      async (req) => broadcasts.set(req.user, req.params.id, req.body),
    );

    app.get(
      '/api/command/broadcasts/:id',
      {
        schema: {
          tags: ['command'],
          summary: 'Public: a broadcast that is on (title, audience, HLS playlist)',
          security: [],
          description:
            "No sign-in. 404 `command.broadcast.not_found` unless the call's broadcast is on and the call live. `playlist` is null until " +
            'ffmpeg has written the first segments (a few seconds): poll again.',
          params: idParamSchema,
          response: { 200: broadcastPublicSchema, 404: errorBodySchema },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return broadcasts.publicState(req.params.id);
      },
    );

    app.post(
      '/api/command/broadcasts/:id/viewers',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags: ['command'],
          summary: "Public: a viewer's heartbeat; answers the audience count",
          security: [],
          description:
            "No sign-in. The page sends a random `viewerId` (kept for the page's life) every ~10 s; the audience is the viewers heard from " +
            'in the last 30 s, and its peak is kept on the call. 404 unless the broadcast is on. 30 a minute per address.',
          params: idParamSchema,
          body: broadcastViewerBody,
          response: { 200: broadcastViewerReply, 400: errorBodySchema, 404: errorBodySchema },
        },
      },
      async (req) => ({ audience: await broadcasts.heartbeat(req.params.id, req.body.viewerId) }),
    );

    app.get(
      '/api/command/broadcasts/:id/hls/:file',
      {
        schema: {
          tags: ['command'],
          summary: 'Public: the live HLS playlist (index.m3u8) and its segments',
          security: [],
          description: 'No sign-in. Only while the broadcast is on; otherwise, and for any other name, 404 `command.broadcast.not_found`.',
          params: hlsParams,
          response: { 200: z.any(), 404: errorBodySchema },
        },
      },
      async (req, reply) => {
        const f = await broadcasts.file(req.params.id, req.params.file);
        reply.header('content-type', f.type);
        reply.header('cache-control', f.type.includes('mpegurl') ? 'no-store' : 'public, max-age=60');
        return reply.send(f.body);
      },
    );
  };
}
