import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  KIOSK_LIMITS,
  kioskCommandDoneBody,
  kioskCommandSchema,
  kioskHeartbeatReply,
  kioskKeyReply,
  kioskManifestReply,
  kioskOwnScheduleReply,
  kioskPairingReply,
  kioskPlaysBody,
  kioskPlaysReply,
  kioskPairingStatusReply,
  kioskReportSchema,
} from '../../../contracts/kiosk.js';
import { ifNoneMatch } from '../../http/conditional.js';
import { AppError } from '../../lib/errors.js';
import { openSseStream } from '../../lib/sse.js';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };
const tags = ['kiosk'];
const KEY = [{ kioskKey: [] }];
const KEY_RULE = 'The screen’s device key in `x-kiosk-key`; 401 `kiosk.key_invalid` for an unknown or revoked key (the screen then pairs again).';

const keyOf = (req: FastifyRequest) => {
  const k = req.headers['x-kiosk-key'];
  return typeof k === 'string' ? k : undefined;
};

/** The kiosk app's side (docs/kiosk.md): pairing, heartbeats, its event stream, its key and its schedule. */
/** `pairingRateLimit`: pairings a minute from one address (the sign-in limit, AUTH_RATE_LIMIT_PER_MINUTE). */
export function kioskScreenRoutes(services: Services, pairingRateLimit: number): FastifyPluginAsyncZod {
  const fleet = services.kioskFleet;
  return async (app) => {
    app.addHook('preClose', async () => {
      fleet.closeAll();
      await services.kioskBus.close();
    });

    // A screenshot is its raw bytes (this plugin only), checked against the limit before reading
    // when the screen says how large it is.
    app.addContentTypeParser(/^image\/(png|jpeg)$/, { parseAs: 'buffer', bodyLimit: KIOSK_LIMITS.screenshotMaxBytes }, (_req, body, done) => done(null, body));

    app.put(
      '/api/kiosk/screenshot',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen sends a screenshot (PNG or JPEG bytes, at most 2 MiB, at most 3840×2160)',
          description:
            'Body: the image itself with `content-type: image/png` or `image/jpeg`. Kept re-encoded as JPEG (long side ≤ 1920, no metadata); ' +
            'ends pending `screenshot` commands. 400 `kiosk.screenshot_invalid` for anything that is not a readable PNG or JPEG; 413 over ' +
            '2 MiB; 415 for another content type. ' +
            KEY_RULE,
          response: { 200: z.object({ screenshotAt: z.string(), bytes: z.number().int() }), ...errors, 413: errorBodySchema, 415: errorBodySchema },
        },
      },
      async (req) => {
        const screen = await fleet.screenFor(keyOf(req));
        if (!Buffer.isBuffer(req.body)) throw new AppError('kiosk.screenshot_invalid');
        return services.kioskScreenshots.upload(screen, req.body);
      },
    );

    app.post(
      '/api/kiosk/pairings',
      {
        config: { rateLimit: { max: pairingRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags,
          security: [],
          summary: 'A screen asks for a pairing code to show',
          description:
            'No credentials. The reply’s `code` is shown on the screen for an admin to claim; `secret` stays on the screen and goes back in ' +
            '`x-pairing-secret` when polling `GET /api/kiosk/pairings/:id` every `pollSeconds`. Codes last 10 minutes; ask again after. ' +
            '429 `request.rate_limited` past the sign-in limit from one address (`AUTH_RATE_LIMIT_PER_MINUTE`, 10 a minute by default).',
          response: { 201: kioskPairingReply, ...errors },
        },
      },
      async (_req, reply) => reply.status(201).send(await fleet.startPairing()),
    );

    app.get(
      '/api/kiosk/pairings/:id',
      {
        schema: {
          tags,
          security: [],
          summary: 'A waiting screen polls its pairing: waiting, expired, or paired with its device key',
          description:
            'Header `x-pairing-secret`. `paired` carries the device key, for `x-kiosk-key` from then on; if that reply is lost, polling again ' +
            'gives a new key that replaces it, until the screen has used one (then `expired`). 401 `kiosk.pairing_secret_invalid`; 404 ' +
            '`kiosk.pairing_not_found`.',
          params: idParamSchema,
          response: { 200: kioskPairingStatusReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const secret = req.headers['x-pairing-secret'];
        return fleet.pollPairing(req.params.id, typeof secret === 'string' ? secret : undefined);
      },
    );

    app.post(
      '/api/kiosk/heartbeat',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen reports itself (every 30 s): version, storage, what plays, its clock',
          description: 'Answers the server’s time (to correct the screen’s clock) and the commands not yet done. ' + KEY_RULE,
          body: kioskReportSchema,
          response: { 200: kioskHeartbeatReply, ...errors },
        },
      },
      async (req) => fleet.heartbeat(await fleet.screenFor(keyOf(req)), req.body),
    );

    app.get(
      '/api/kiosk/events',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen’s event stream (server-sent events): commands within a second',
          description:
            '`text/event-stream`, read with `fetch` (EventSource cannot send the key header). Events: `hello` `{serverTime, screen}` on ' +
            'connect; `command` `{id, kind, createdAt}` for each command not yet done (those pending first); `schedule` `{}` when the ' +
            'screen’s layers, hours or group changed (fetch `GET /api/kiosk/schedule`); `revoked` `{}` and the stream ends when the key is ' +
            'revoked. A `: keep-alive` comment every 25 s. Report each command with `POST /api/kiosk/commands/:id/done`. ' +
            KEY_RULE,
          response: { 200: z.string(), ...errors },
        },
      },
      async (req, reply) => {
        const screen = await fleet.screenFor(keyOf(req));
        await openSseStream(req, reply, (client) => fleet.attach(screen, client));
      },
    );

    app.post(
      '/api/kiosk/key',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'Rotate the screen’s own device key: the reply’s key replaces the one sent, which stops working',
          description: 'Done by the app when told (`rotate_key`) or on its own schedule. ' + KEY_RULE,
          response: { 200: kioskKeyReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return fleet.rotateKey(await fleet.screenFor(keyOf(req)));
      },
    );

    app.post(
      '/api/kiosk/commands/:id/done',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen reports a command done, with a short result',
          description: '404 `kiosk.command_not_found` for another screen’s command or one already done. ' + KEY_RULE,
          params: idParamSchema,
          body: kioskCommandDoneBody,
          response: { 200: kioskCommandSchema, ...errors },
        },
      },
      async (req) => fleet.commandDone(await fleet.screenFor(keyOf(req)), req.params.id, req.body.result),
    );

    app.post(
      '/api/kiosk/plays',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'Proof of play: the videos the screen played, each counted once into the kiosk channel’s views',
          description:
            'Body `{plays: [{id, submissionId, playedAt, durationMs}], sentAt?}` (1–500 plays). With `sentAt` (the screen’s own clock ' +
            'when sending), each `playedAt` is read on the screen’s own clock and shifted by the difference to the server’s: a screen ' +
            'with a wrong clock still reports when it played. Without it, `playedAt` must be on the server-corrected clock. `id` is a UUID the screen makes when the play begins and ' +
            'keeps until this route has answered for it: sending it again (a lost reply, after an outage) changes nothing. Each play’s `outcome`: `counted`, `duplicate` (already counted), or not counted: `too_short` (under ' +
            '3 s: skipped), `not_on_kiosk` (the video was not on the kiosk channel then), `in_future` (over 5 minutes ahead), `too_old` ' +
            '(over 7 days), `over_rate` (more than 720 in an hour from one screen). Drop every play that has an outcome. ' +
            KEY_RULE,
          body: kioskPlaysBody,
          response: { 200: kioskPlaysReply, ...errors },
        },
      },
      async (req) => services.kioskPlays.report(await fleet.screenFor(keyOf(req)), req.body.plays, req.body.sentAt),
    );

    app.get(
      '/api/kiosk/manifest',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen’s signed offline manifest: its schedule, its loop and every file to cache, with hashes and sizes',
          description:
            'What the kiosk app caches ahead to keep playing through an outage (docs/kiosk.md "Offline"). Send the last `version` in ' +
            '`If-None-Match` (quoted, as the `ETag` came): 304 with no body while nothing changed. The body is signed: header ' +
            '`paike-manifest-signature: hmac-sha256=<base64url>` is HMAC-SHA256 over the body’s exact bytes, keyed by the lowercase hex ' +
            'SHA-256 of the device key (as UTF-8 text). Keep a manifest only when it verifies. `assets` lists each file once, in the ' +
            'loop’s order, with `sha256` and `bytes`: cache them in that order while the total stays within `storageBudgetBytes` (and ' +
            'the browser’s quota), and keep a file only when its bytes hash to `sha256`. An item (`items[].offline`, ' +
            '`cards[].offline`) can play offline once all of its `assets` are cached; a video then plays `offline.hlsUrl`, one HLS ' +
            'rendition’s media playlist. `items[].offline` is null for a video with no files to keep. ' +
            KEY_RULE,
          response: { 200: kioskManifestReply, 304: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        const screen = await fleet.screenFor(keyOf(req));
        const m = await services.kioskManifests.forScreen(screen, (version) => ifNoneMatch(req.headers['if-none-match'], `"${version}"`));
        reply.header('etag', `"${m.version}"`).header('cache-control', 'private, no-cache');
        if (m.body === undefined) return reply.status(304).send(null);
        // The exact bytes signed: sent as they are (Fastify does not serialise a string body again).
        return reply
          .header('paike-manifest-signature', m.signature)
          .type('application/json; charset=utf-8')
          .send(m.body as never);
      },
    );

    app.get(
      '/api/kiosk/schedule',
      {
        schema: {
          tags,
          security: KEY,
          summary: 'The screen’s schedule layers and opening hours, to resolve itself, offline too',
          description:
            'Run the resolver of docs/kiosk.md (the server’s `src/contracts/kiosk.schedule.ts`) on `layers` and `power` with the clock ' +
            'corrected by `serverTime`. ' +
            KEY_RULE,
          response: { 200: kioskOwnScheduleReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return services.kioskSchedule.ownSchedule(await fleet.screenFor(keyOf(req)));
      },
    );
  };
}
