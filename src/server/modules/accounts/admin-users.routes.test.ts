import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, GOOD_PASSWORD, sessionCookie, signUp, staff, uniqueEmail, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let admin: { cookie: string; user: { id: string } };
const PHONE = '+8613900139001';
let phoneUserId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
  await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: PHONE } });
  const signedIn = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/phone',
    payload: { phone: PHONE, code: ctx.sms.sent.at(-1)!.code, name: '手机拍客' },
  });
  phoneUserId = signedIn.json().user.id;
});
afterAll(async () => {
  await ctx?.close();
});

const get = (url: string, cookie = admin.cookie) => ctx.app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'en' } });
const patch = (id: string, payload: object, cookie = admin.cookie) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/admin/users/${id}`, headers: { cookie, 'accept-language': 'en' }, payload });
const search = async (q: string) =>
  (await get(`/api/admin/users?q=${encodeURIComponent(q)}`)).json() as { users: { id: string; name: string }[]; total: number };
const auditOf = async (id: string) =>
  (await get(`/api/audit?objectType=user&objectId=${id}`)).json().entries as { action: string; actorId: string; data: Record<string, unknown> }[];

describe('admin user search', () => {
  it('pages on the server with a total, in a stable order', async () => {
    for (let i = 0; i < 7; i++) await signUp(ctx.app, { name: `Paging Person ${i}`, email: uniqueEmail('paging') });
    const first = (await get('/api/admin/users?q=paging%20person&pageSize=3&sort=name')).json();
    expect(first.total).toBe(7);
    expect(first.users.map((u: { name: string }) => u.name)).toEqual(['Paging Person 0', 'Paging Person 1', 'Paging Person 2']);
    const last = (await get('/api/admin/users?q=paging%20person&pageSize=3&page=3&sort=name')).json();
    expect(last).toMatchObject({ total: 7, page: 3, pageSize: 3 });
    expect(last.users.map((u: { name: string }) => u.name)).toEqual(['Paging Person 6']);
  });

  it('finds a phone however it is typed, matched against E.164', async () => {
    for (const typed of ['139 0013 9001', '139-0013-9001', '+86 139 0013 9001', '0086 13900139001', '9001']) {
      const found = await search(typed);
      expect(
        found.users.map((u) => u.id),
        typed,
      ).toContain(phoneUserId);
    }
    expect((await search('139 0013 9002')).users.map((u) => u.id)).not.toContain(phoneUserId);
  });

  it('finds by email and role, and treats % _ \\ as the characters themselves', async () => {
    const odd = await signUp(ctx.app, { name: '100%_off\\deal', email: uniqueEmail('odd') });
    await signUp(ctx.app, { name: '100xyoff-deal', email: uniqueEmail('odd') });
    expect((await search('100%_off\\')).users.map((u) => u.name)).toEqual(['100%_off\\deal']);
    expect((await search('%')).users.map((u) => u.name)).toEqual(['100%_off\\deal']);
    expect((await search('_')).total).toBe(1);
    expect((await search(odd.user.email.toUpperCase())).users.map((u) => u.id)).toEqual([odd.user.id]);
    const editors = (await get('/api/admin/users?role=editor&pageSize=100')).json();
    expect(editors.users.every((u: { roles: string[] }) => u.roles.includes('editor'))).toBe(true);
  });

  it('is for admins only', async () => {
    const chief = await staff(ctx, ['chief_editor']);
    expect((await get('/api/admin/users', chief.cookie)).statusCode).toBe(403);
    expect((await get(`/api/admin/users/${phoneUserId}`, chief.cookie)).statusCode).toBe(403);
  });
});

describe('role editor', () => {
  it('needs confirmation to grant admin, and audits the change with what was added', async () => {
    const u = await signUp(ctx.app, { name: 'Future Admin' });
    const unconfirmed = await patch(u.user.id, { roles: ['contributor', 'admin'] });
    expect(unconfirmed.statusCode).toBe(409);
    expect(unconfirmed.json().error.code).toBe('user.confirm_admin');
    expect((await get(`/api/admin/users/${u.user.id}`)).json().user.roles).toEqual(['contributor']);
    const ok = await patch(u.user.id, { roles: ['admin', 'contributor'], confirm: true });
    expect(ok.json().user.roles).toEqual(['contributor', 'admin']);
    const [row] = await auditOf(u.user.id);
    expect(row).toMatchObject({ action: 'user.roles_change', actorId: admin.user.id, data: { added: ['admin'], removed: [] } });
    // Editing another's roles without admin involved needs no confirmation.
    expect((await patch(u.user.id, { roles: ['admin', 'editor'] })).statusCode).toBe(200);
  });

  it('never leaves the system without an enabled admin, and asks before removing your own admin', async () => {
    const me = await staff(ctx, ['admin']);
    const admins = (await get('/api/admin/users?role=admin&status=active&pageSize=100')).json().users as { id: string }[];
    for (const a of admins.filter((x) => x.id !== me.user.id))
      expect((await patch(a.id, { roles: ['editor'], confirm: true }, me.cookie)).statusCode).toBe(200);
    const last = await patch(me.user.id, { roles: ['editor'], confirm: true }, me.cookie);
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toEqual({ code: 'user.last_admin', message: 'The last admin cannot be removed.' });
    expect((await patch(me.user.id, { disabled: true }, me.cookie)).json().error.code).toBe('user.last_admin');
    // With a second admin, dropping one's own admin is allowed once confirmed.
    const other = await signUp(ctx.app, { name: 'Second Admin' });
    expect((await patch(other.user.id, { roles: ['admin'], confirm: true }, me.cookie)).statusCode).toBe(200);
    expect((await patch(me.user.id, { roles: ['editor'] }, me.cookie)).json().error.code).toBe('user.confirm_admin');
    expect((await patch(me.user.id, { roles: ['editor'], confirm: true }, me.cookie)).json().user.roles).toEqual(['editor']);
    admin = await staff(ctx, ['admin']);
  });

  it('shows a user’s details: how they sign in and their live sessions', async () => {
    const res = await get(`/api/admin/users/${phoneUserId}`);
    expect(res.json().user).toMatchObject({ id: phoneUserId, phone: PHONE, hasPassword: false, activeSessions: 1, disabled: false });
    expect((await get('/api/admin/users/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('reset sign-in', () => {
  it('ends every session, clears the password, and is audited with the reason', async () => {
    const u = await signUp(ctx.app, { name: 'Locked Out' });
    const second = sessionCookie(
      await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: u.user.email, password: GOOD_PASSWORD } }),
    );
    expect((await get('/api/me', u.cookie)).statusCode).toBe(200);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${u.user.id}/reset-sign-in`,
      headers: { cookie: admin.cookie },
      payload: { reason: 'Phone stolen, reported by the contributor on the hotline' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sessionsRevoked: 2, user: { hasPassword: false, activeSessions: 0 } });
    expect((await get('/api/me', u.cookie)).statusCode).toBe(401);
    expect((await get('/api/me', second)).statusCode).toBe(401);
    const signIn = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: u.user.email, password: GOOD_PASSWORD } });
    expect(signIn.json().error.code).toBe('auth.invalid_credentials');
    const [row] = await auditOf(u.user.id);
    expect(row).toMatchObject({
      action: 'user.reset_sign_in',
      data: { reason: 'Phone stolen, reported by the contributor on the hotline', sessionsRevoked: 2, hadPassword: true },
    });
  });

  it('is refused for yourself, without a reason, and for non-admins', async () => {
    const self = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${admin.user.id}/reset-sign-in`,
      headers: { cookie: admin.cookie, 'accept-language': 'zh-CN' },
      payload: { reason: 'x' },
    });
    expect(self.statusCode).toBe(409);
    expect(self.json().error).toMatchObject({ code: 'user.reset_self' });
    expect((await get('/api/me')).statusCode).toBe(200);
    const blank = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${phoneUserId}/reset-sign-in`,
      headers: { cookie: admin.cookie },
      payload: { reason: '  ' },
    });
    expect(blank.statusCode).toBe(400);
    const chief = await staff(ctx, ['chief_editor']);
    const denied = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${phoneUserId}/reset-sign-in`,
      headers: { cookie: chief.cookie },
      payload: { reason: 'x' },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('disable and enable are audited as such', async () => {
    const u = await signUp(ctx.app, { name: 'Switch' });
    await patch(u.user.id, { disabled: true });
    await patch(u.user.id, { disabled: false });
    expect((await auditOf(u.user.id)).map((r) => r.action)).toEqual(['user.enable', 'user.disable']);
    expect((await patch(admin.user.id, { disabled: true })).json().error.code).toBe('user.disable_self');
  });
});
