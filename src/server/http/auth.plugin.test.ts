import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signUp, type TestContext } from '../testing/harness.js';
import { routeNeedsSession } from './auth.plugin.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

const SUBMISSION = '00000000-0000-4000-8000-000000000001';

describe('authentication before validation', () => {
  it('answers an anonymous call to a session route 401 whatever is wrong with its request', async () => {
    const tries = [
      { method: 'POST', url: `/api/desk/submissions/${SUBMISSION}/adopt`, payload: { grade: 42, extra: true } },
      { method: 'POST', url: `/api/desk/submissions/not-a-uuid/adopt`, payload: {} },
      { method: 'POST', url: '/api/admin/campaigns', payload: '{"broken', headers: { 'content-type': 'application/json' } },
      { method: 'POST', url: '/api/me/payouts', payload: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'application/json' } },
      { method: 'PATCH', url: '/api/me', payload: 'plain text', headers: { 'content-type': 'text/plain' } },
      { method: 'GET', url: '/api/desk/queue?limit=oops' },
      { method: 'PUT', url: '/api/desk/daily-picks/yesterday', payload: {} },
    ] as const;
    for (const t of tries) {
      const res = await ctx.app.inject({
        method: t.method,
        url: t.url,
        payload: 'payload' in t ? t.payload : undefined,
        headers: 'headers' in t ? t.headers : {},
      });
      expect([t.url, res.statusCode, res.json().error.code]).toEqual([t.url, 401, 'auth.required']);
    }
  });

  it('still validates once the caller is known, and public routes validate for everyone', async () => {
    const u = await signUp(ctx.app);
    const signedIn = await ctx.app.inject({ method: 'PATCH', url: '/api/me', headers: { cookie: u.cookie }, payload: { name: 42 } });
    expect([signedIn.statusCode, signedIn.json().error.code]).toEqual([400, 'request.invalid']);
    const publicRoute = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: 'not an email' } });
    expect([publicRoute.statusCode, publicRoute.json().error.code]).toEqual([400, 'request.invalid']);
    // A CORS preflight carries no credentials and is not refused for lacking them.
    expect((await ctx.app.inject({ method: 'OPTIONS', url: '/api/uploads', headers: { 'tus-resumable': '1.0.0' } })).statusCode).not.toBe(401);
  });

  it('reads the rule from the route’s OpenAPI security', () => {
    expect(routeNeedsSession({ body: {} })).toBe(true);
    expect(routeNeedsSession({ security: [{ session: [] }] })).toBe(true);
    expect(routeNeedsSession({ security: [] })).toBe(false);
    expect(routeNeedsSession({ security: [{}, { session: [] }] })).toBe(false);
    expect(routeNeedsSession({ security: [{ kioskKey: [] }] })).toBe(false);
    expect(routeNeedsSession({ hide: true })).toBe(false);
    expect(routeNeedsSession(undefined)).toBe(false);
  });
});
