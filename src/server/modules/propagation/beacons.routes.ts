import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { viewBeaconBody } from '../../../contracts/propagation.js';
import type { Services } from '../../services.js';
import { VIEWER_COOKIE } from './beacons.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 429: errorBodySchema };
const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function beaconsRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    // navigator.sendBeacon(url, string) sends text/plain: accept JSON in it, for this plugin only.
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new SyntaxError('malformed JSON'), { statusCode: 400 }), undefined);
      }
    });

    app.post(
      '/api/beacons/views',
      {
        schema: {
          tags: ['propagation'],
          summary: 'Report one play of a video on the app/web or a kiosk screen',
          description:
            'Public. Counts one view per viewer per video per hour. The viewer: the signed-in user, else the `pk_vid` cookie when this server issued and signed it, else the client address. ' +
            'A beacon without a valid `pk_vid` (none, made up, unsigned, tampered) is answered 204 like any other, counts at most once per address per video per hour, and gets a new signed `pk_vid` (httpOnly, SameSite=Lax, 400 days) that identifies the viewer from the next hour on; clients only need to keep cookies. ' +
            'Counted views are capped per address (IPv4, IPv6 /64) and per network (IPv4 /24, IPv6 /48) per video per Asia/Shanghai day (`VIEWS_PER_ADDRESS_PER_DAY`, `VIEWS_PER_NETWORK_PER_DAY`); plays past a cap are answered 204 and not counted. ' +
            'Crawlers, link-preview fetchers, headless browsers and prefetches (`Sec-Purpose: prefetch`) are answered 204 and not counted. ' +
            'Kiosk plays (`channel: kiosk`) need the screen’s key in `x-kiosk-key` (401 `beacon.kiosk_key_required`, 403 `beacon.kiosk_key_invalid`). ' +
            '`occurredAt` (a late report) counts in the hour it names when at most 48 h old (400 `beacon.too_old`; more than 5 minutes ahead: 400 `beacon.in_future`). ' +
            '404 `beacon.not_live`: no such video live on that channel. Rate-limited per IP. The body may be sent as `text/plain` JSON (`navigator.sendBeacon`).',
          security: [],
          body: viewBeaconBody,
          headers: z.object({ 'x-kiosk-key': z.string().max(200).optional() }),
          response: { 204: z.null(), ...errors },
        },
        config: { rateLimit: { max: services.config.BEACON_RATE_PER_IP_PER_MINUTE, timeWindow: '1 minute' } },
      },
      async (req, reply) => {
        const out = await services.beacons.record({
          body: req.body,
          userId: req.user?.id ?? null,
          cookie: req.cookies[VIEWER_COOKIE],
          ip: req.ip,
          headers: {
            userAgent: req.headers['user-agent'],
            secPurpose: header(req.headers['sec-purpose']),
            purpose: header(req.headers.purpose),
            xPurpose: header(req.headers['x-purpose']),
            xMoz: header(req.headers['x-moz']),
            kioskKey: req.headers['x-kiosk-key'],
          },
        });
        if (out.newCookie) {
          reply.setCookie(VIEWER_COOKIE, out.newCookie, {
            httpOnly: true,
            sameSite: 'lax',
            secure: req.protocol === 'https',
            path: '/',
            maxAge: 400 * 24 * 3600,
          });
        }
        return reply.header('cache-control', 'no-store').status(204).send(null);
      },
    );
  };
}
