// Paired kiosk screens for the kiosk module's route tests: the way a real screen gets its key.
import { expect } from 'vitest';
import type { TestContext } from '../../../testing/harness.js';

/** A screen opens /kiosk: it gets a code and polls. */
export async function startPairing(ctx: TestContext) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/kiosk/pairings' });
  expect(res.statusCode).toBe(201);
  const p = res.json<{ id: string; code: string; secret: string; expiresAt: string; pollSeconds: number }>();
  const poll = () => ctx.app.inject({ method: 'GET', url: `/api/kiosk/pairings/${p.id}`, headers: { 'x-pairing-secret': p.secret } });
  return { ...p, poll };
}

let seq = 0;
/** A paired screen (claimed by `adminCookie`): its id and device key. */
export async function pairedScreen(ctx: TestContext, adminCookie: string, settings: Record<string, unknown> = {}) {
  const p = await startPairing(ctx);
  seq += 1;
  const claim = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/kiosk-screens/claim',
    headers: { cookie: adminCookie },
    payload: { code: p.code, name: `大厅阅报栏 ${seq} ${Math.random().toString(36).slice(2, 6)}`, ...settings },
  });
  expect(claim.statusCode).toBe(201);
  const paired = (await p.poll()).json<{ status: string; key: string; screen: { id: string } }>();
  expect(paired.status).toBe('paired');
  return { id: paired.screen.id, key: paired.key };
}
