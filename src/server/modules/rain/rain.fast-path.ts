import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { rainDeviceIdSchema, rainFingerprintSchema } from '../../../contracts/rain.js';
import { appErrorAnswer, errorBody } from '../../http/error-handler.js';
import { AppError } from '../../lib/errors.js';
import { localeFromAcceptLanguage } from '../../lib/messages.js';
import type { RainService } from './rain.service.js';

const GRAB_PATH = /^\/api\/rain\/sessions\/([^/?#]+)\/grab$/;
const sessionId = z.uuid();
const trustAll = () => true;
const JSON_TYPE = 'application/json; charset=utf-8';

export interface GrabFastPathOptions {
  rain: RainService;
  logger: FastifyBaseLogger;
  /** TRUST_PROXY: the address is the client's in X-Forwarded-For, as Fastify's `req.ip` reads it. */
  trustProxy: boolean;
}

/**
 * `POST /api/rain/sessions/:id/grab` as the rain page sends it, answered ahead of Fastify.
 *
 * A rain session is a burst of every contributor at once on one route; through the app's
 * plugins (cookies, sessions, CSRF, validation, serialisation, a logger per request) each grab
 * cost about twice the server time of a bare Fastify route (docs/benchmarks.md, "Red-packet
 * rain"). This path takes only the ordinary request, which needs none of them, and hands every
 * other to Fastify's route, which stays the one documented in OpenAPI and the one that answers
 * anything unusual with its usual errors:
 *   - no Cookie header (a cookie names a session that must be looked up; Fastify does);
 *   - not cross-site: Sec-Fetch-Site `same-origin` or `none`, or, from a non-browser client,
 *     neither it nor Origin (a browser request that could be cross-site gets Fastify's check);
 *   - no body, a well-formed session id and well-formed `x-rain-*` headers (else Fastify's 400).
 * The grab itself is the same service call as the route's, and its refusals the same
 * `{error: {code, message}}` in the request's language.
 *
 * Returns a request handler that answers and returns true, or returns false without touching
 * the response.
 */
export function createGrabFastPath(opts: GrabFastPathOptions): { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): void } {
  let closing = false;
  const send = (res: ServerResponse, status: number, body: string, extra?: Record<string, string>) => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (closing || req.method !== 'POST') return false;
    const m = GRAB_PATH.exec(req.url ?? '');
    if (!m) return false;
    const h = req.headers;
    if (h.cookie !== undefined || h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')) return false;
    const site = h['sec-fetch-site'];
    if (site === undefined ? h.origin !== undefined : site !== 'same-origin' && site !== 'none') return false;
    const token = h['x-rain-token'];
    const device = h['x-rain-device'];
    const fingerprint = h['x-rain-fingerprint'];
    if (typeof token === 'string' && token.length > 200) return false;
    if (device !== undefined && (typeof device !== 'string' || !rainDeviceIdSchema.safeParse(device).success)) return false;
    if (fingerprint !== undefined && (typeof fingerprint !== 'string' || !rainFingerprintSchema.safeParse(fingerprint).success)) return false;
    const id = m[1]!;
    if (!sessionId.safeParse(id).success) return false;

    const ip = (opts.trustProxy ? proxyAddr(req, trustAll) : req.socket.remoteAddress) ?? null;
    opts.rain
      .grab(null, id, {
        ip,
        userAgent: h['user-agent'] ?? null,
        token: typeof token === 'string' ? token : undefined,
        deviceId: device ?? null,
        fingerprint: fingerprint ?? null,
      })
      .then(
        (won) => send(res, 200, JSON.stringify(won)),
        (err: unknown) => {
          const locale = localeFromAcceptLanguage(h['accept-language']) ?? 'zh-CN';
          if (err instanceof AppError) {
            if (err.isFailure) opts.logger.error({ err: err.cause ?? err, code: err.code, url: req.url }, 'service failure');
            const answer = appErrorAnswer(err, locale);
            return send(res, answer.status, JSON.stringify(answer.body), answer.headers);
          }
          opts.logger.error({ err, url: req.url }, 'unhandled error');
          send(res, 500, JSON.stringify(errorBody('server.internal', locale)));
        },
      )
      .catch((err: unknown) => opts.logger.error({ err, url: req.url }, 'rain: grab answer not sent'));
    return true;
  }

  return {
    handle,
    /** From now on every request goes to Fastify, which answers 503 while it closes. */
    close() {
      closing = true;
    },
  };
}
