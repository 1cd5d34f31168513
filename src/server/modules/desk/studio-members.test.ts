import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';

let ctx: TestContext;
let chief: { cookie: string; user: { id: string } };
let editor: { cookie: string; user: { id: string } };
let studioId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  chief = await staff(ctx, ['chief_editor']);
  editor = await staff(ctx, ['editor']);
  const created = await ctx.app.inject({ method: 'POST', url: '/api/desk/studios', headers: { cookie: chief.cookie }, payload: { name: '麻辣财经' } });
  studioId = created.json().studio.id;
});
afterAll(async () => {
  await ctx?.close();
});

const call = (method: 'POST' | 'DELETE' | 'PUT' | 'GET', url: string, cookie: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });
const auditOf = async () =>
  (await call('GET', `/api/audit?objectType=studio&objectId=${studioId}`, chief.cookie)).json().entries as {
    action: string;
    actorId: string;
    data: Record<string, unknown>;
  }[];

describe('chief editors staff their studios', () => {
  it('adds a member, makes them lead, removes them (the lead goes too), each change audited once', async () => {
    const add = await call('POST', `/api/desk/studios/${studioId}/members`, chief.cookie, { userId: editor.user.id });
    expect(add.statusCode).toBe(200);
    expect(add.json().studio.members.map((m: { id: string }) => m.id)).toEqual([editor.user.id]);
    // A retry changes nothing and writes no second row.
    expect((await call('POST', `/api/desk/studios/${studioId}/members`, chief.cookie, { userId: editor.user.id })).statusCode).toBe(200);
    const lead = await call('PUT', `/api/desk/studios/${studioId}/lead`, chief.cookie, { userId: editor.user.id });
    expect(lead.json().studio.leadUserId).toBe(editor.user.id);
    const removed = await call('DELETE', `/api/desk/studios/${studioId}/members/${editor.user.id}`, chief.cookie);
    expect(removed.json().studio).toMatchObject({ members: [], leadUserId: null });
    const rows = await auditOf();
    expect(rows.map((r) => r.action)).toEqual(['studio.member_remove', 'studio.lead_set', 'studio.member_add', 'studio.create']);
    expect(rows[0]).toMatchObject({ actorId: chief.user.id, data: { userId: editor.user.id, leadCleared: true } });
  });

  it('refuses a lead who is not a member, and a member who is not staff', async () => {
    const notMember = await call('PUT', `/api/desk/studios/${studioId}/lead`, chief.cookie, { userId: chief.user.id });
    expect(notMember.statusCode).toBe(409);
    expect(notMember.json().error.code).toBe('studio.lead_not_member');
    const contributor = await signUp(ctx.app);
    const notStaff = await call('POST', `/api/desk/studios/${studioId}/members`, chief.cookie, { userId: contributor.user.id });
    expect(notStaff.json().error).toEqual({ code: 'studio.member_not_staff', message: 'Only editors, chief editors and admins can be studio members.' });
    const nobody = await call('POST', `/api/desk/studios/${studioId}/members`, chief.cookie, { userId: '00000000-0000-4000-8000-000000000000' });
    expect(nobody.statusCode).toBe(400);
    const noStudio = await call('POST', `/api/desk/studios/00000000-0000-4000-8000-000000000000/members`, chief.cookie, { userId: editor.user.id });
    expect(noStudio.statusCode).toBe(404);
  });

  it('an editor cannot add, remove or set a lead, and nothing changes', async () => {
    const before = await auditOf();
    expect((await call('POST', `/api/desk/studios/${studioId}/members`, editor.cookie, { userId: editor.user.id })).statusCode).toBe(403);
    expect((await call('DELETE', `/api/desk/studios/${studioId}/members/${editor.user.id}`, editor.cookie)).statusCode).toBe(403);
    expect((await call('PUT', `/api/desk/studios/${studioId}/lead`, editor.cookie, { userId: null })).statusCode).toBe(403);
    expect((await call('GET', '/api/desk/staff', editor.cookie)).statusCode).toBe(403);
    expect(await auditOf()).toEqual(before);
  });

  it('the member picker searches enabled staff only, paged', async () => {
    for (let i = 0; i < 3; i++) {
      await ctx.runtime.services.accounts.createUser(null, {
        email: `picker${i}@example.test`,
        password: 'correct horse battery staple',
        name: `Picker ${i}`,
        roles: ['editor'],
      });
    }
    await signUp(ctx.app, { name: 'Picker Contributor' });
    const page = (await call('GET', '/api/desk/staff?q=picker&pageSize=2', chief.cookie)).json();
    expect(page).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(page.users.map((u: { name: string }) => u.name)).toEqual(['Picker 0', 'Picker 1']);
    expect(Object.keys(page.users[0]).sort()).toEqual(['email', 'id', 'name', 'roles']);
  });
});
