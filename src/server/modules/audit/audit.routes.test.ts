import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';

let ctx: TestContext;
let admin: { cookie: string; user: { id: string } };
let other: { cookie: string; user: { id: string } };
let target: { user: { id: string } };

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await staff(ctx, ['admin']);
  other = await staff(ctx, ['admin']);
  target = await signUp(ctx.app, { name: 'Audited Person' });
  const patch = (cookie: string, payload: object) =>
    ctx.app.inject({ method: 'PATCH', url: `/api/admin/users/${target.user.id}`, headers: { cookie }, payload });
  await patch(admin.cookie, { roles: ['contributor', 'editor'] });
  await patch(other.cookie, { disabled: true });
  await patch(admin.cookie, { disabled: false });
  await ctx.app.inject({ method: 'POST', url: '/api/desk/studios', headers: { cookie: admin.cookie }, payload: { name: 'Audit Studio' } });
});
afterAll(async () => {
  await ctx?.close();
});

type Page = {
  entries: { id: number; action: string; actorId: string | null; actorName: string | null; objectName: string | null; objectType: string }[];
  total: number;
};
const list = async (query: string, cookie = admin.cookie) =>
  (await ctx.app.inject({ method: 'GET', url: `/api/audit?${query}`, headers: { cookie } })).json() as Page;

describe('audit log filters', () => {
  it('filters by actor, action code or domain, and object, with a total', async () => {
    const byOther = await list(`actorId=${other.user.id}`);
    expect(byOther.entries.map((e) => e.action)).toEqual(['user.disable']);
    expect((await list(`actor=${encodeURIComponent('Staff')}&objectId=${target.user.id}`)).total).toBe(3);
    const users = await list(`action=user&objectType=user&objectId=${target.user.id}`);
    expect(users.entries.map((e) => e.action)).toEqual(['user.enable', 'user.disable', 'user.roles_change']);
    expect(users.entries[0]).toMatchObject({ objectName: 'Audited Person', actorName: 'Staff' });
    expect((await list('action=user.roles_change')).entries.every((e) => e.action === 'user.roles_change')).toBe(true);
    expect((await list('objectType=studio')).entries[0]).toMatchObject({ action: 'studio.create', objectName: 'Audit Studio' });
  });

  it('filters by date range (a day is a day in Asia/Shanghai) and pages', async () => {
    expect((await list('from=2000-01-01&to=2000-01-02')).total).toBe(0);
    const all = await list('from=2000-01-01');
    expect(all.total).toBeGreaterThanOrEqual(6);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await list(`from=${today}&to=${today}`)).total).toBe(all.total);
    const p1 = await list('limit=2&page=1');
    const p2 = await list('limit=2&page=2');
    expect(p1.total).toBe(all.total);
    expect(p2.entries).toHaveLength(2);
    expect(Math.max(...p2.entries.map((e) => e.id))).toBeLessThan(Math.min(...p1.entries.map((e) => e.id)));
  });

  it('refuses a malformed filter, and contributors and editors', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/audit?action=DROP%20TABLE', headers: { cookie: admin.cookie } })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/audit?from=yesterday', headers: { cookie: admin.cookie } })).statusCode).toBe(400);
    const editor = await staff(ctx, ['editor']);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/audit', headers: { cookie: editor.cookie } })).statusCode).toBe(403);
  });
});
