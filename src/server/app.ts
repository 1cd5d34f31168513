import { createServer, type ServerOptions } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { authPlugin } from './http/auth.plugin.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from './http/error-handler.js';
import { setSecurityHeaders } from './http/security-headers.js';
import { textInputPlugin } from './http/text-input.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { securityRoutes } from './modules/accounts/security.routes.js';
import { campaignsRoutes } from './modules/campaigns/campaigns.routes.js';
import { submissionsRoutes } from './modules/submissions/submissions.routes.js';
import { ledgerRoutes } from './modules/ledger/ledger.routes.js';
import { deskRoutes } from './modules/desk/desk.routes.js';
import { packagingRoutes } from './modules/packaging/packaging.routes.js';
import { payoutsRoutes } from './modules/payouts/payouts.routes.js';
import { rewardsRoutes } from './modules/rewards/rewards.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { rainRoutes } from './modules/rain/rain.routes.js';
import { createGrabFastPath } from './modules/rain/rain.fast-path.js';
import { chartsRoutes } from './modules/propagation/charts.routes.js';
import { grandPrizeRoutes } from './modules/propagation/grand-prize.routes.js';
import { holdsRoutes } from './modules/propagation/holds.routes.js';
import { dashboardsRoutes } from './modules/propagation/dashboards.routes.js';
import { beaconsRoutes } from './modules/propagation/beacons.routes.js';
import { noticesRoutes } from './modules/propagation/notices.routes.js';
import { distributionRoutes } from './modules/distribution/distribution.routes.js';
import { siteRoutes } from './modules/distribution/site.routes.js';
import { wechatRoutes } from './modules/wechat/wechat.routes.js';
import { apiCacheOnSend, compressOnSend } from './modules/web/web.compress.js';
import { registerWeb } from './modules/web/web.routes.js';
import { privacyRoutes } from './modules/privacy/privacy.routes.js';
import type { Services } from './services.js';
import { searchRoutes } from './modules/search/search.routes.js';
import { ledgerExplorerRoutes } from './modules/ledger/ledger.explorer.routes.js';
import { storiesRoutes } from './modules/kitchen/stories.routes.js';
import { kitchenFormsRoutes } from './modules/kitchen/forms.routes.js';
import { kitchenReviewRoutes } from './modules/kitchen/review.routes.js';
import { kitchenPublishRoutes } from './modules/kitchen/publish.routes.js';
import { planRoutes } from './modules/kitchen/plan.routes.js';
import { wallRoutes } from './modules/kitchen/wall.routes.js';
import { commandWallRoutes } from './modules/command/wall.routes.js';
import { kitchenPrintRoutes } from './modules/kitchen/print/print.routes.js';
// Issue 15, part map.
import { locationRoutes } from './modules/command/location.routes.js';
import { mapRoutes } from './modules/command/map.routes.js';
import { assignmentsRoutes } from './modules/command/assignments.routes.js';
import { offersRoutes } from './modules/command/offers.routes.js';
import { fieldProfileRoutes } from './modules/command/field-profile.routes.js';
import { janusRoutes } from './modules/command/janus.routes.js';
// Issue 15, part live.
import websocket from '@fastify/websocket';
import { hubRoutes } from './modules/command/hub.routes.js';
import { chatRoutes } from './modules/command/chat.routes.js';
import { callsRoutes } from './modules/command/calls.routes.js';
import { HUB_LIMITS } from './modules/command/hub.service.js';
import { kioskFleetRoutes } from './modules/kiosk/fleet.routes.js';
import { kioskScreenRoutes } from './modules/kiosk/screen.routes.js';
import { lendingRoutes } from './modules/lending/lending.routes.js';
import { studyRoutes } from './modules/study/study.routes.js';
import { epaperRoutes } from './modules/epaper/epaper.routes.js';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export interface BuildAppOptions {
  services: Services;
  logger?: FastifyBaseLogger;
  redis?: Redis;
  /** Serve the built web app from dist/web (when it exists). */
  serveWeb?: boolean;
  /** Where the built web app is; dist/web by default (tests point it at a small fixture). */
  webDir?: string;
}

/** Builds the HTTP app from the module routes; tests build it too and call `app.inject`. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { services } = opts;
  const { config } = services;
  const grabFastPath = createGrabFastPath({ rain: services.rain, logger: opts.logger ?? services.logger, trustProxy: config.TRUST_PROXY });
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    // Refusals made before a route or a request exists answer in the documented error shape too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // The server Fastify would make, with the rain grab's fast path in front (rain.fast-path.ts).
    serverFactory: (handler, options) => {
      // Fastify passes its resolved options; these are the ones it would set on its own server.
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const server = createServer((options.http as ServerOptions | undefined) ?? {}, (req, res) => {
        // Here, not in a Fastify hook: every answer gets them, the grab's fast path, hijacked
        // replies (tus, server-sent events) and static files included.
        setSecurityHeaders(req.url, res);
        if (!grabFastPath.handle(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = num(options.keepAliveTimeout) ?? server.keepAliveTimeout;
      server.requestTimeout = num(options.requestTimeout) ?? server.requestTimeout;
      server.setTimeout(num(options.connectionTimeout) ?? 0);
      const perSocket = num(options.maxRequestsPerSocket);
      if (perSocket) server.maxRequestsPerSocket = perSocket;
      return server;
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.addHook('preClose', async () => grabFastPath.close());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // Root hooks, before any route: every route, the static files and the not-found handler get
  // them. The cache default first, so compression sees the final headers.
  app.addHook('onSend', apiCacheOnSend);
  app.addHook('onSend', compressOnSend);

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    ...(opts.redis ? { redis: opts.redis, nameSpace: `paike:${config.DATABASE_SCHEMA}:rl:` } : {}),
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error('rate limited'), { statusCode: 429, retryAfter: ctx.after }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Paike API',
        version: '0.1.0',
        description:
          'The central kitchen and its contributors. Errors are {error: {code, message}} in the request’s language (Accept-Language: zh-CN or en), ' +
          'refusals made before a route runs included (400 request.malformed / request.malformed_url, 414 request.uri_too_long, ' +
          '431 request.headers_too_large, 416 request.range_not_satisfiable). Text rule for every route: no NUL and no unpaired UTF-16 surrogate ' +
          'in path parameters, the query string or any string or key of a JSON body (400 request.invalid_text, naming where); JSON nested ' +
          'deeper than 32 levels is refused (400 request.too_deep).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'paike_session' },
          // A kiosk screen's device key (docs/kiosk.md).
          kioskKey: { type: 'apiKey', in: 'header', name: 'x-kiosk-key' },
          // A study session's token (docs/study.md).
          studyToken: { type: 'apiKey', in: 'header', name: 'x-study-token' },
        },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });

  await app.register(textInputPlugin);
  await app.register(authPlugin, { services, publicOrigin: () => new URL(services.publicUrl()).origin });
  await app.register(accountsRoutes(services, config.AUTH_RATE_LIMIT_PER_MINUTE));
  await app.register(securityRoutes(services, config.AUTH_RATE_LIMIT_PER_MINUTE));
  await app.register(campaignsRoutes(services));
  await app.register(submissionsRoutes(services, services.uploads));
  await app.register(ledgerRoutes(services));
  await app.register(deskRoutes(services));
  await app.register(searchRoutes(services));
  await app.register(rewardsRoutes(services));
  await app.register(payoutsRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(packagingRoutes(services));
  await app.register(rainRoutes(services));
  await app.register(distributionRoutes(services));
  await app.register(siteRoutes(services));
  await app.register(chartsRoutes(services));
  await app.register(grandPrizeRoutes(services));
  await app.register(holdsRoutes(services));
  await app.register(dashboardsRoutes(services));
  await app.register(beaconsRoutes(services));
  await app.register(noticesRoutes(services));
  await app.register(privacyRoutes(services, config.AUTH_RATE_LIMIT_PER_MINUTE));
  await app.register(wechatRoutes(services, config.AUTH_RATE_LIMIT_PER_MINUTE));
  await app.register(ledgerExplorerRoutes(services));
  await app.register(storiesRoutes(services));
  await app.register(kitchenFormsRoutes(services));
  await app.register(kitchenReviewRoutes(services));
  await app.register(kitchenPublishRoutes(services));
  await app.register(planRoutes(services));
  await app.register(wallRoutes(services));
  await app.register(kitchenPrintRoutes(services));
  // Issue 15, part map (docs/command-map.md).
  await app.register(locationRoutes(services));
  await app.register(mapRoutes(services));
  // Issue 15, part assign (docs/command.md).
  await app.register(assignmentsRoutes(services));
  await app.register(offersRoutes(services));
  await app.register(fieldProfileRoutes(services));
  await app.register(commandWallRoutes(services));
  // Issue 16: kiosks (docs/kiosk.md).
  await app.register(kioskFleetRoutes(services));
  await app.register(kioskScreenRoutes(services, config.AUTH_RATE_LIMIT_PER_MINUTE));
  // Issue 16: e-book and periodical lending (docs/lending.md).
  await app.register(lendingRoutes(services));
  // Issue 16: political study (docs/study.md).
  await app.register(studyRoutes(services));
  // Issue 16: the e-paper (docs/epaper.md).
  await app.register(epaperRoutes(services));
  await app.register(janusRoutes(services));
  // Issue 15, part live: the hub's WebSocket (frames over 64 KiB close the socket), chat, calls.
  await app.register(websocket, { options: { maxPayload: HUB_LIMITS.maxMessageBytes } });
  await app.register(hubRoutes(services));
  await app.register(chatRoutes(services));
  await app.register(callsRoutes(services));

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const part = z.enum(['ok', 'error']);
  const queuePart = z.enum(['ok (working)', 'ok (send only)', 'error']);
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        security: [],
        summary: 'Database and job queue status',
        description:
          'Public, so it gives statuses only: `ok` or `error` per part, the queue also saying whether this process runs jobs (`ok (working)`: ' +
          '`paike start` or `paike worker`) or only sends them (`ok (send only)`: `paike serve`). Why a part failed is in the server log ' +
          '(`healthz: database`, `healthz: queue`), never in the answer.',
        response: {
          200: z.object({ status: z.literal('ok'), database: part, queue: queuePart }),
          503: z.object({ status: z.literal('degraded'), database: part, queue: queuePart }),
        },
      },
    },
    async (req, reply) => {
      const database = await services.database.sql
        .query('SELECT 1')
        .then(() => 'ok' as const)
        .catch((err: unknown) => {
          req.log.error({ err }, 'healthz: database');
          return 'error' as const;
        });
      const q = await services.jobs.health();
      if (!q.ok) req.log.error({ detail: q.detail }, 'healthz: queue');
      const queue = q.ok ? (q.working ? ('ok (working)' as const) : ('ok (send only)' as const)) : ('error' as const);
      if (database === 'ok' && q.ok) return { status: 'ok' as const, database, queue };
      return reply.status(503).send({ status: 'degraded' as const, database, queue });
    },
  );

  await registerWeb(app, services, { webDir: opts.webDir ?? WEB_DIR, serveWeb: opts.serveWeb !== false });

  return app;
}
