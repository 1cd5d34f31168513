import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  rainGrabHeaders,
  rainGrabReply,
  rainGrabReplyAdmin,
  myRainWinsReply,
  rainGrabSchema,
  refuseRainGrabBody,
  rainScheduleBody,
  rainSessionBody,
  rainSessionReply,
  rainSessionsQuery,
  rainSessionsReply,
  rainTokenReply,
} from '../../../contracts/rain.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';
import { GRAB_WINDOW_MS } from './rain.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };

export function rainRoutes(services: Services): FastifyPluginAsyncZod {
  const rain = () => services.rain;
  const { config } = services;
  return async (app) => {
    app.post(
      '/api/admin/campaigns/:id/rain/schedule',
      {
        schema: {
          tags: ['rain'],
          summary: 'Schedule a run of red-packet rain sessions (admin)',
          description:
            'One session per day from `firstDay` for `days` days at each of `times` (Asia/Shanghai), each lasting `durationSeconds` with its own `budgetFen` split into `packetCount` packets. Times that already have a session are skipped.',
          params: idParamSchema,
          body: rainScheduleBody,
          response: { 201: rainSessionsReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ sessions: await rain().createSchedule(requireUser(req), req.params.id, req.body) }),
    );

    app.post(
      '/api/admin/campaigns/:id/rain/sessions',
      {
        schema: {
          tags: ['rain'],
          summary: 'Add one red-packet rain session (admin)',
          params: idParamSchema,
          body: rainSessionBody,
          response: { 201: rainSessionReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ session: await rain().createSession(requireUser(req), req.params.id, req.body) }),
    );

    app.get(
      '/api/rain/sessions',
      {
        schema: {
          tags: ['rain'],
          security: [],
          summary: 'A campaign’s rain sessions with their state (scheduled, open, ended, settled)',
          querystring: rainSessionsQuery,
          response: { 200: rainSessionsReply, ...errors },
        },
      },
      async (req) => ({ sessions: await rain().list(req.query.campaignId) }),
    );

    app.get(
      '/api/rain/sessions/:id',
      {
        schema: { tags: ['rain'], security: [], summary: 'One rain session', params: idParamSchema, response: { 200: rainSessionReply, ...errors } },
      },
      async (req) => ({ session: await rain().get(req.params.id) }),
    );

    app.get(
      '/api/rain/sessions/:id/token',
      {
        schema: {
          tags: ['rain'],
          summary: 'The signed grab token for this session (the rain page fetches it; send it as `x-rain-token`)',
          params: idParamSchema,
          response: { 200: rainTokenReply, ...errors },
        },
        config: { rateLimit: { max: config.RAIN_GRAB_RATE_PER_IP, timeWindow: GRAB_WINDOW_MS } },
      },
      async (req, reply) => reply.header('cache-control', 'no-store').send(await rain().issueToken(requireUser(req), req.params.id)),
    );

    app.post(
      '/api/rain/sessions/:id/grab',
      {
        schema: {
          tags: ['rain'],
          // The session cookie or, without it, the signed `x-rain-token` (checked by the service).
          security: [{}, { session: [] }],
          summary: 'Grab one red packet',
          description:
            'A contributor of the campaign with the session’s `x-rain-token`. The session cookie is optional: without it the token, signed for one contributor and one session, says who grabs (the rain page sends no cookie, which spares the cookie’s session lookup on the hottest route); with it, the token must be that user’s. 401 with neither. 409: `rain.no_packets_left`, `rain.already_grabbed`, `rain.not_open`. 403: `rain.bad_token`, `rain.account_too_new`, `rain.submission_required`. 429 (`request.rate_limited`, with Retry-After) past the per-account or per-IP rate or the per-address bad-token limit, on every path (the grab service counts them). A win may be `held` for review (paid once released): new account, IP cluster or device cluster (`x-rain-device`). 503 `rain.busy` (with Retry-After) without Redis when more grabs wait for the database than RAIN_MAX_WAITING_GRABS: tap again.',
          params: idParamSchema,
          headers: rainGrabHeaders,
          response: { 200: rainGrabReply, ...errors, 503: errorBodySchema },
        },
        // No rate-limit plugin here: the grab service counts the per-IP, per-account and
        // bad-token windows itself, so the fast path in front of Fastify meets the same limits.
      },
      async (req) =>
        rain().grab(req.user, req.params.id, {
          ip: req.ip ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          token: req.headers['x-rain-token'],
          deviceId: req.headers['x-rain-device'] ?? null,
          fingerprint: req.headers['x-rain-fingerprint'] ?? null,
        }),
    );

    app.get(
      '/api/admin/rain/sessions/:id/grabs',
      {
        schema: {
          tags: ['rain'],
          summary: 'A session’s wins, held (suspicious) ones first (admin)',
          params: idParamSchema,
          response: { 200: z.object({ grabs: z.array(rainGrabSchema) }), ...errors },
        },
      },
      async (req) => ({ grabs: await rain().adminGrabs(requireUser(req), req.params.id) }),
    );

    app.post(
      '/api/admin/rain/grabs/:id/release',
      {
        schema: { tags: ['rain'], summary: 'Release a held win for payment (admin)', params: idParamSchema, response: { 200: rainGrabReplyAdmin, ...errors } },
      },
      async (req) => ({ grab: await rain().release(requireUser(req), req.params.id) }),
    );

    app.post(
      '/api/admin/rain/grabs/:id/refuse',
      {
        schema: {
          tags: ['rain'],
          summary: 'Refuse a held win: it is never paid; its winner is told (admin)',
          description: '409 `rain.already_released` for a released win; refusing again answers the same. `rain.not_held` (400) for a win that was never held.',
          params: idParamSchema,
          body: refuseRainGrabBody,
          response: { 200: rainGrabReplyAdmin, ...errors },
        },
      },
      async (req) => ({ grab: await rain().refuse(requireUser(req), req.params.id, req.body) }),
    );

    app.get(
      '/api/me/rain-wins',
      {
        schema: {
          tags: ['me'],
          summary: 'My red-packet wins (newest 100), kept after their session ends; held wins are under review',
          response: { 200: myRainWinsReply, ...errors },
        },
      },
      async (req, reply) => reply.header('cache-control', 'no-store').send(await rain().myWins(requireUser(req))),
    );
  };
}
