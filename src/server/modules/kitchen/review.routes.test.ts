import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, staff, type TestContext } from '../../testing/harness.js';
import { insertStory } from './testing/fixtures.js';

const clock = fixedClock('2026-12-03T02:00:00Z');
let ctx: TestContext;
type User = { cookie: string; user: { id: string } };
let chief: User;
let writer: User;
let editor: User;
let editor2: User;
let lead: User;
let admin: User;
let outsider: User;
let studioId: string;

const req = (method: 'GET' | 'PUT' | 'PATCH' | 'POST', who: User, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie: who.cookie, 'accept-language': lang }, payload: payload as object });

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  chief = await staff(ctx, ['chief_editor']);
  writer = await staff(ctx, ['editor']);
  editor = await staff(ctx, ['editor']);
  editor2 = await staff(ctx, ['editor']);
  lead = await staff(ctx, ['editor']);
  outsider = await staff(ctx, ['editor']);
  admin = await staff(ctx, ['admin']);
  const s = await req('POST', chief, '/api/desk/studios', {
    name: '麻辣财经',
    leadUserId: lead.user.id,
    memberIds: [writer.user.id, editor.user.id, editor2.user.id, lead.user.id],
  });
  expect(s.statusCode).toBe(201);
  studioId = s.json().studio.id;
});
afterAll(async () => {
  await ctx?.close();
});

const db = () => ctx.runtime.services.database.db;
const base = (storyId: string, form: string) => `/api/kitchen/stories/${storyId}/forms/${form}`;
async function formInEdit(form = 'web', sid: string | null = studioId) {
  const s = await insertStory(db(), { authorId: writer.user.id, studioId: sid });
  expect((await req('PUT', writer, base(s.id, form), {})).statusCode).toBe(201);
  return s.id;
}
const act = (who: User, storyId: string, form: string, what: 'submit' | 'approve' | 'send-back', body: unknown = {}, lang = 'zh-CN') =>
  req('POST', who, `${base(storyId, form)}/${what}`, body, lang);
const forms = async (storyId: string, who: User = writer) =>
  (await req('GET', who, `/api/kitchen/stories/${storyId}/forms`)).json().forms as {
    form: string;
    status: string;
    version: number;
    reviewRound: number;
    reviewStep: number | null;
    holder: { role: string; user: { id: string } | null } | null;
    youMayAct: boolean;
    approvals: { actor: { id: string }; role: string }[];
    sendBackNote: { note: string; actor: { id: string } } | null;
    history: { action: string }[];
  }[];
const inbox = async (who: User) =>
  (await req('GET', who, '/api/kitchen/review/inbox')).json().items as {
    storyId: string;
    form: string;
    role: string;
    headline: string;
    studioName: string | null;
  }[];

describe('三审: editor → studio lead → chief editor', () => {
  it('passes three different people and ends ready, each step in the audit log', async () => {
    const id = await formInEdit('web');
    expect((await act(writer, id, 'web', 'approve')).json().error.code).toBe('kitchen.form_not_in_review');
    const sub = await act(writer, id, 'web', 'submit');
    expect(sub.statusCode).toBe(200);
    expect(sub.json()).toMatchObject({ status: 'in_review', reviewStep: 0, holder: { role: 'editor', user: null }, youMayAct: false });
    expect((await act(writer, id, 'web', 'submit')).json().error.code).toBe('kitchen.form_not_in_edit');

    // The writer cannot approve their own submission, even as an editor of the studio.
    const self = await act(writer, id, 'web', 'approve', {}, 'en');
    expect(self.statusCode).toBe(403);
    expect(self.json().error.code).toBe('kitchen.self_approval');
    // Inbox: another editor of the studio holds it; neither the writer nor an editor of another studio sees it.
    expect((await inbox(editor)).map((i) => i.storyId)).toContain(id);
    expect((await inbox(writer)).map((i) => i.storyId)).not.toContain(id);
    expect((await inbox(outsider)).map((i) => i.storyId)).not.toContain(id);

    const e = await act(editor, id, 'web', 'approve', { round: 0, step: 0 });
    expect(e.statusCode).toBe(200);
    expect(e.json()).toMatchObject({ status: 'in_review', reviewStep: 1, holder: { role: 'studio_lead', user: { id: lead.user.id } } });
    // Wrong people for the studio lead step: another editor, the chief (the studio has a lead), an admin.
    for (const who of [editor2, chief, admin]) {
      const r = await act(who, id, 'web', 'approve', {}, 'en');
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('kitchen.not_your_step');
    }
    expect((await act(editor2, id, 'web', 'approve', {}, 'zh-CN')).json().error.message).toBe('当前这一步（工作室负责人复审）不由你审核。');
    const leadInbox = await inbox(lead);
    expect(leadInbox.find((i) => i.storyId === id)).toMatchObject({ form: 'web', role: 'studio_lead', studioName: '麻辣财经' });
    expect((await inbox(editor)).map((i) => i.storyId)).not.toContain(id);

    expect((await act(lead, id, 'web', 'approve')).statusCode).toBe(200);
    expect((await act(admin, id, 'web', 'approve')).json().error.code).toBe('kitchen.not_your_step');
    expect((await inbox(chief)).map((i) => i.storyId)).toContain(id);
    const done = await act(chief, id, 'web', 'approve');
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'ready', reviewStep: null, holder: null });
    expect(done.json().approvals.map((a: { actor: { id: string }; role: string }) => [a.role, a.actor.id])).toEqual([
      ['editor', editor.user.id],
      ['studio_lead', lead.user.id],
      ['chief_editor', chief.user.id],
    ]);
    expect((await inbox(chief)).map((i) => i.storyId)).not.toContain(id);

    const audit = (await ctx.runtime.services.audit.list(500)).filter((a) => (a.data as { storyId?: string }).storyId === id);
    expect(audit.map((a) => a.action).reverse()).toEqual([
      'kitchen.form_create',
      'kitchen.form_submit',
      'kitchen.form_approve',
      'kitchen.form_approve',
      'kitchen.form_approve',
    ]);
    expect(audit[0]!.actorId).toBe(chief.user.id);
  });

  it('sends back with a required note the author reads, and a resubmission starts a new round', async () => {
    const id = await formInEdit('weibo');
    await act(writer, id, 'weibo', 'submit');
    await act(editor, id, 'weibo', 'approve');
    const noNote = await act(lead, id, 'weibo', 'send-back', { note: '  ' });
    expect(noNote.statusCode).toBe(400);
    expect((await act(editor2, id, 'weibo', 'send-back', { note: '不是你' })).statusCode).toBe(403);
    const back = await act(lead, id, 'weibo', 'send-back', { note: '标题太长，请压到 20 字以内' });
    expect(back.statusCode).toBe(200);
    const f = (await forms(id)).find((x) => x.form === 'weibo')!;
    expect(f).toMatchObject({
      status: 'in_edit',
      holder: null,
      approvals: [],
      sendBackNote: { note: '标题太长，请压到 20 字以内', actor: { id: lead.user.id } },
    });
    expect((await act(writer, id, 'weibo', 'submit')).json()).toMatchObject({
      status: 'in_review',
      reviewRound: 1,
      reviewStep: 0,
      sendBackNote: null,
      approvals: [],
    });
    const audit = (await ctx.runtime.services.audit.list(500)).find(
      (a) => a.action === 'kitchen.form_send_back' && (a.data as { storyId: string }).storyId === id,
    );
    expect(audit?.data).toMatchObject({ note: '标题太长，请压到 20 字以内', role: 'studio_lead' });
  });

  it('restarts only the changed form’s chain after approval', async () => {
    const id = await formInEdit('web');
    expect((await req('PUT', writer, base(id, 'weibo'), {})).statusCode).toBe(201);
    for (const form of ['web', 'weibo']) {
      await act(writer, id, form, 'submit');
      for (const who of [editor, lead, chief]) expect((await act(who, id, form, 'approve')).statusCode).toBe(200);
    }
    const before = (await forms(id)).find((f) => f.form === 'web')!;
    expect(before.status).toBe('ready');
    const changed = await req('PATCH', writer, base(id, 'web'), { version: before.version, content: { headline: '改过的标题' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ status: 'in_edit', reviewRound: 1, approvals: [] });
    expect(
      changed
        .json()
        .history.map((h: { action: string }) => h.action)
        .at(-1),
    ).toBe('restart');
    expect((await forms(id)).find((f) => f.form === 'weibo')!.status).toBe('ready');
    // The new round needs all three steps again.
    await act(writer, id, 'web', 'submit');
    expect((await forms(id)).find((f) => f.form === 'web')).toMatchObject({ status: 'in_review', reviewRound: 1, reviewStep: 0 });
    const audit = await ctx.runtime.services.audit.list(500);
    expect(audit.some((a) => a.action === 'kitchen.form_restart' && (a.data as { storyId: string }).storyId === id)).toBe(true);
  });

  it('lets a chief editor take the studio lead step when the story has no studio', async () => {
    const id = await formInEdit('web', null);
    await act(writer, id, 'web', 'submit');
    await act(editor, id, 'web', 'approve');
    expect((await act(lead, id, 'web', 'approve')).statusCode).toBe(403);
    expect((await act(chief, id, 'web', 'approve')).statusCode).toBe(200);
    expect((await forms(id)).find((f) => f.form === 'web')).toMatchObject({ reviewStep: 2, holder: { role: 'chief_editor' } });
  });

  it('lets one of two approvals of the same step win; the other answers 409', async () => {
    const id = await formInEdit('web');
    await act(writer, id, 'web', 'submit');
    const [a, b] = await Promise.all([act(editor, id, 'web', 'approve', { round: 0, step: 0 }), act(editor2, id, 'web', 'approve', { round: 0, step: 0 })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.json().error.code).toBe('kitchen.review_moved');
    const f = (await forms(id)).find((x) => x.form === 'web')!;
    expect(f.reviewStep).toBe(1);
    expect(f.approvals).toHaveLength(1);
    // A stale step from a page left open is refused the same way.
    expect((await act(lead, id, 'web', 'approve', { round: 0, step: 0 })).json().error.code).toBe('kitchen.review_moved');
  });
});

describe('a review chain per studio', () => {
  it('is the default 三审 until a chief editor sets one, and is followed by the studio’s forms', async () => {
    const url = `/api/kitchen/studios/${studioId}/review-chain`;
    expect((await req('GET', editor, url)).json()).toMatchObject({ steps: ['editor', 'studio_lead', 'chief_editor'], isDefault: true, studioName: '麻辣财经' });
    expect((await req('PUT', editor, url, { steps: ['editor'] })).statusCode).toBe(403);
    expect((await req('PUT', chief, url, { steps: [] })).statusCode).toBe(400);
    expect((await req('PUT', chief, url, { steps: ['editor', 'editor', 'editor', 'editor', 'editor', 'editor'] })).statusCode).toBe(400);
    expect((await req('PUT', chief, url, { steps: ['janitor'] })).statusCode).toBe(400);
    expect((await req('GET', chief, '/api/kitchen/studios/00000000-0000-4000-8000-000000000000/review-chain')).statusCode).toBe(404);
    const set = await req('PUT', chief, url, { steps: ['studio_lead', 'editor'] });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ steps: ['studio_lead', 'editor'], isDefault: false, updatedBy: { id: chief.user.id } });

    const id = await formInEdit('wechat');
    const sub = await act(writer, id, 'wechat', 'submit');
    expect(sub.json()).toMatchObject({ chain: ['studio_lead', 'editor'], holder: { role: 'studio_lead' } });
    expect((await act(editor, id, 'wechat', 'approve')).statusCode).toBe(403);
    await act(lead, id, 'wechat', 'approve');
    expect((await act(editor2, id, 'wechat', 'approve')).json().status).toBe('ready');
    // Another studio keeps the default.
    const other = await req('POST', chief, '/api/desk/studios', { name: '侠客岛', memberIds: [outsider.user.id] });
    expect((await req('GET', outsider, `/api/kitchen/studios/${other.json().studio.id}/review-chain`)).json().isDefault).toBe(true);
    const audit = (await ctx.runtime.services.audit.list(500)).find((a) => a.action === 'kitchen.review_chain_set');
    expect(audit?.data).toMatchObject({ from: null, to: ['studio_lead', 'editor'] });
    await req('PUT', chief, url, { steps: ['editor', 'studio_lead', 'chief_editor'] });
  });
});

describe('the review inbox', () => {
  it('lists what I may approve now, oldest first, with story, studio, form and waiting time', async () => {
    const first = await formInEdit('web');
    const second = await formInEdit('print');
    await act(writer, first, 'web', 'submit');
    clock.advance(60_000);
    await act(writer, second, 'print', 'submit');
    const items = (await inbox(editor)).filter((i) => i.storyId === first || i.storyId === second);
    expect(items.map((i) => [i.storyId, i.form])).toEqual([
      [first, 'web'],
      [second, 'print'],
    ]);
    expect(items[0]).toMatchObject({ headline: '春运首日 返乡路上的年味', studioName: '麻辣财经', role: 'editor' });
    expect((await req('GET', { cookie: '', user: { id: '' } }, '/api/kitchen/review/inbox')).statusCode).toBe(401);
  });
});
