import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow, SessionRow } from '../db/schema.js';
import { AppError } from '../lib/errors.js';
import type { Services } from '../services.js';
import { assertCan, type Actor, type Permission } from '../modules/accounts/permissions.js';

export const SESSION_COOKIE = 'paike_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
    session: SessionRow | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type SecurityRequirement = Record<string, readonly string[]>;

/**
 * Whether a route needs a session, read from its OpenAPI `security` (the document clients
 * read is the rule the server applies). No `security` inherits the document's default, the
 * session; `security: []` is public; a list holding `{}` makes the session optional; a list
 * without `session` names another credential (a kiosk key) that the route checks itself.
 * Routes without a schema, or hidden from the document, are not API routes.
 */
export function routeNeedsSession(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as { hide?: boolean; security?: readonly SecurityRequirement[] };
  if (s.hide) return false;
  if (s.security === undefined) return true;
  return s.security.length > 0 && s.security.every((req) => Object.keys(req).length > 0) && s.security.some((req) => 'session' in req);
}

/**
 * Cookie sessions and CSRF protection.
 *
 * CSRF: a state-changing request that a browser sends cross-site is refused. Browsers mark
 * every request with Sec-Fetch-Site (and Origin on unsafe methods); non-browser clients send
 * neither and carry no ambient cookies to abuse. SameSite=Lax on the cookie is a second wall.
 */
export const authPlugin = fp<{ services: Services; publicOrigin: () => string }>(async (app, opts) => {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);

  // Authentication before anything about the request is read: an anonymous call to a route
  // that needs a session is 401 whatever its body, query or size (route-level onRequest hooks
  // run after the global one below that finds the session, and before parsing and validation).
  // OPTIONS is a CORS preflight, which never carries credentials.
  const requireSession = async (req: FastifyRequest) => {
    if (!req.user && req.method !== 'OPTIONS') throw new AppError('auth.required');
  };
  app.addHook('onRoute', (route) => {
    if (!routeNeedsSession(route.schema)) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [requireSession, ...own];
  });

  app.addHook('onRequest', async (req) => {
    if (!SAFE_METHODS.has(req.method)) {
      const site = req.headers['sec-fetch-site'];
      const origin = req.headers.origin;
      if (site !== undefined) {
        if (site !== 'same-origin' && site !== 'none') throw new AppError('request.cross_site', {}, { status: 403 });
      } else if (origin !== undefined) {
        const own = `${req.protocol}://${req.host}`;
        if (origin !== own && origin !== opts.publicOrigin()) throw new AppError('request.cross_site', {}, { status: 403 });
      }
    }
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const found = await opts.services.accounts.authenticate(token);
    if (found) {
      req.user = found.user;
      req.session = found.session;
    }
  });
});

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', path: '/' });
}

/** The signed-in user, or a 401. */
export function requireUser(req: FastifyRequest): UserRow & Actor {
  if (!req.user) throw new AppError('auth.required');
  return req.user;
}

/** The signed-in user holding a permission, or 401/403. */
export function requirePermission(req: FastifyRequest, permission: Permission): UserRow & Actor {
  const user = requireUser(req);
  assertCan(user, permission);
  return user;
}

export function requestMeta(req: FastifyRequest) {
  return { userAgent: req.headers['user-agent'] ?? null, ip: req.ip ?? null };
}
