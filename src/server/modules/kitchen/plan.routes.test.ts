import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, storyForms, storyRevisions, stories } from '../../db/schema.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { insertForm, insertStory } from './testing/fixtures.js';

// 15:00 in Beijing on 10 March 2027 (a Wednesday).
const clock = fixedClock('2027-03-10T15:00:00+08:00');
const DAY = '2027-03-10';
let ctx: TestContext;
type Who = { cookie: string; user: { id: string } };
let chief: Who;
let editorA: Who; // member of 财经 (A)
let editorB: Who; // member of 侠客岛 (B)
let studioA: string;
let studioB: string;
let videoA: string; // in review, routed to A
let videoB: string; // in review, routed to B
let adoptedA: string;
let rejectedA: string;

const req = (method: 'GET' | 'POST' | 'PATCH', url: string, who?: Who, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, payload: payload as object, headers: { ...(who ? { cookie: who.cookie } : {}), 'accept-language': lang } });
const at = (local: string) => new Date(`${local}+08:00`).toISOString();

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const fx = propagationFixtures(ctx.runtime.services);
  chief = await staff(ctx, ['chief_editor']);
  editorA = await staff(ctx, ['editor']);
  editorB = await staff(ctx, ['editor']);
  const campaignId = (await fx.campaign({ startsAt: '2027-01-01T00:00:00+08:00', endsAt: '2027-06-01T00:00:00+08:00' })).id;
  const u = await signUp(ctx.app, { name: '林拍客' });
  videoA = await fx.video({
    campaignId,
    userId: u.user.id,
    adoptedAt: '2027-03-09T10:00:00+08:00',
    theme: 'money',
    title: '菜市场的物价',
    status: 'in_review',
  });
  videoB = await fx.video({ campaignId, userId: u.user.id, adoptedAt: '2027-03-09T10:00:00+08:00', theme: 'island', title: '海岛来信', status: 'in_review' });
  adoptedA = await fx.video({ campaignId, userId: u.user.id, adoptedAt: '2027-03-08T10:00:00+08:00', theme: 'money', title: '早市' });
  rejectedA = await fx.video({ campaignId, userId: u.user.id, adoptedAt: '2027-03-08T10:00:00+08:00', theme: 'money', title: '退稿' });
  await ctx.runtime.services.submissionsRepo.update(rejectedA, { status: 'rejected', adoptedAt: null, grade: null, rejectionCode: 'desk.reason.off_topic' });
  const weibo = await fx.publication(adoptedA, 'weibo');
  await fx.sample(weibo, '2027-03-09T12:00:00+08:00', { views: 1200, likes: 30, shares: 4 });
  const studio = async (name: string, theme: string, memberIds: string[]) => {
    const res = await req('POST', '/api/desk/studios', chief, { name, memberIds, routes: [{ campaignId, theme }] });
    expect(res.statusCode).toBe(201);
    return res.json().studio.id as string;
  };
  studioA = await studio('麻辣财经', 'money', [editorA.user.id]);
  studioB = await studio('侠客岛', 'island', [editorB.user.id]);
});
afterAll(async () => {
  await ctx?.close();
});

const idea = (over: Record<string, unknown> = {}) => ({
  title: '春耕里的金融活水',
  summary: '农村信贷如何落到田间。',
  studioId: studioA,
  day: DAY,
  deadline: at('2027-03-10T20:00:00'),
  slots: [
    { form: 'print', target: '第4版', dueAt: at('2027-03-10T22:00:00') },
    { form: 'web', target: '' },
    { form: 'weibo', target: '20:00' },
  ],
  ...over,
});

describe('ideas (报题)', () => {
  it('adds an idea with slots, an owner and a feeding video, lists it on its day, and writes the audit log', async () => {
    const res = await req('POST', '/api/kitchen/ideas', chief, idea({ ownerId: editorA.user.id, feeds: [videoA] }));
    expect(res.statusCode).toBe(201);
    const i = res.json().idea;
    expect(i).toMatchObject({
      title: '春耕里的金融活水',
      studioName: '麻辣财经',
      day: DAY,
      status: 'proposed',
      ownerId: editorA.user.id,
      late: false,
      storyId: null,
    });
    expect(i.slots.map((s: { form: string; target: string }) => `${s.form}:${s.target}`)).toEqual(['print:第4版', 'web:', 'weibo:20:00']);
    expect(i.feeds).toEqual([{ submissionId: videoA, title: '菜市场的物价', status: 'in_review' }]);

    const list = await req('GET', `/api/kitchen/ideas?day=${DAY}`, chief);
    expect(list.json().ideas.map((x: { id: string }) => x.id)).toContain(i.id);
    expect((await req('GET', '/api/kitchen/ideas?day=2027-03-11', chief)).json().ideas).toEqual([]);

    const { db } = ctx.runtime.services.database;
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectId, i.id), eq(auditLog.action, 'kitchen.idea_create')));
    expect(entry).toMatchObject({ actorId: chief.user.id, objectType: 'story_idea' });
  });

  it('refuses a day that is not a date, an unknown form and a form twice, in Chinese and English', async () => {
    const badDay = await req('POST', '/api/kitchen/ideas', chief, idea({ day: '2027-02-30' }));
    expect(badDay.statusCode).toBe(400);
    expect(badDay.json().error).toMatchObject({ code: 'kitchen.invalid_day', message: expect.stringContaining('2027-02-30') });
    const badQuery = await req('GET', '/api/kitchen/board?day=10/03/2027', chief, undefined, 'en');
    expect(badQuery.json().error).toMatchObject({ code: 'kitchen.invalid_day', message: expect.stringContaining('YYYY-MM-DD') });

    const fax = await req('POST', '/api/kitchen/ideas', chief, idea({ slots: [{ form: 'fax' }] }), 'en');
    expect(fax.statusCode).toBe(400);
    expect(fax.json().error).toMatchObject({ code: 'kitchen.idea_unknown_form', message: expect.stringContaining('“fax”') });
    expect(fax.json().error.message).toContain('print, web, app');

    const twice = await req('POST', '/api/kitchen/ideas', chief, idea({ slots: [{ form: 'web' }, { form: 'web', target: 'x' }] }));
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toMatchObject({ code: 'kitchen.idea_duplicate_slot', message: expect.stringContaining('web') });

    const owner = await req('POST', '/api/kitchen/ideas', chief, idea({ ownerId: (await signUp(ctx.app)).user.id }));
    expect(owner.json().error.code).toBe('kitchen.idea_bad_owner');
    // Nothing half-written.
    expect((await req('GET', `/api/kitchen/ideas?day=2027-02-28`, chief)).json().ideas).toEqual([]);
  });

  it('accepts a deadline already past and shows the idea late at once', async () => {
    const res = await req(
      'POST',
      '/api/kitchen/ideas',
      chief,
      idea({ title: '补录：早间快讯', deadline: at('2027-03-10T09:00:00'), slots: [{ form: 'app' }] }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().idea).toMatchObject({ late: true, slots: [{ form: 'app', status: null, late: true }] });
  });

  it('keeps an editor to their studio: ideas, feeds and changes', async () => {
    const other = await req('POST', '/api/kitchen/ideas', editorA, idea({ studioId: studioB }));
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('kitchen.out_of_scope');

    const feedB = await req('POST', '/api/kitchen/ideas', editorA, idea({ feeds: [videoB] }));
    expect(feedB.statusCode).toBe(403);
    expect(feedB.json().error.code).toBe('desk.out_of_scope');
    const rejected = await req('POST', '/api/kitchen/ideas', editorA, idea({ feeds: [rejectedA] }));
    expect(rejected.statusCode).toBe(409);
    expect(rejected.json().error.code).toBe('kitchen.idea_feed_unusable');
    const missing = await req('POST', '/api/kitchen/ideas', editorA, idea({ feeds: ['00000000-0000-4000-8000-000000000000'] }));
    expect(missing.statusCode).toBe(404);

    const mine = await req('POST', '/api/kitchen/ideas', editorA, idea({ title: '财经早报', feeds: [adoptedA, videoA] }));
    expect(mine.statusCode).toBe(201);
    const central = await req('POST', '/api/kitchen/ideas', editorA, idea({ title: '中央厨房联动', studioId: null }));
    expect(central.statusCode).toBe(201);
    const bIdea = await req('POST', '/api/kitchen/ideas', editorB, idea({ title: '岛上来稿', studioId: studioB, feeds: [videoB] }));
    expect(bIdea.statusCode).toBe(201);

    const seenByA = (await req('GET', `/api/kitchen/ideas?day=${DAY}`, editorA)).json().ideas.map((x: { title: string }) => x.title);
    expect(seenByA).toContain('财经早报');
    expect(seenByA).toContain('中央厨房联动');
    expect(seenByA).not.toContain('岛上来稿');
    const seenByChief = (await req('GET', `/api/kitchen/ideas?day=${DAY}&studioId=${studioB}`, chief)).json().ideas;
    expect(seenByChief.map((x: { title: string }) => x.title)).toEqual(['岛上来稿']);

    const patchB = await req('PATCH', `/api/kitchen/ideas/${bIdea.json().idea.id}`, editorA, { title: '改' });
    expect(patchB.statusCode).toBe(403);
    const moveAway = await req('PATCH', `/api/kitchen/ideas/${mine.json().idea.id}`, editorA, { studioId: studioB });
    expect(moveAway.json().error.code).toBe('kitchen.out_of_scope');

    const changed = await req('PATCH', `/api/kitchen/ideas/${mine.json().idea.id}`, editorA, {
      status: 'accepted',
      slots: [{ form: 'screen', target: '大屏' }],
      feeds: [adoptedA],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().idea).toMatchObject({ status: 'accepted', slots: [{ form: 'screen', target: '大屏' }], feeds: [{ submissionId: adoptedA }] });
    expect((await req('GET', '/api/kitchen/ideas', await signUp(ctx.app))).statusCode).toBe(403);
  });

  it('makes a story from an idea: headline, standfirst, revision 1 and a planned form per slot, once', async () => {
    const created = await req('POST', '/api/kitchen/ideas', editorA, idea({ title: '两会财经观察', summary: '代表委员谈消费。' }));
    const id = created.json().idea.id as string;
    const res = await req('POST', `/api/kitchen/ideas/${id}/story`, editorA);
    expect(res.statusCode).toBe(201);
    const i = res.json().idea;
    expect(i).toMatchObject({ status: 'accepted', storyHeadline: '两会财经观察' });
    expect(i.slots.map((s: { form: string; status: string }) => `${s.form}:${s.status}`)).toEqual(['print:planned', 'web:planned', 'weibo:planned']);

    const { db } = ctx.runtime.services.database;
    const [story] = await db.select().from(stories).where(eq(stories.id, i.storyId));
    expect(story).toMatchObject({ headline: '两会财经观察', standfirst: '代表委员谈消费。', studioId: studioA, authorId: editorA.user.id, version: 1 });
    expect(await db.select({ v: storyRevisions.version }).from(storyRevisions).where(eq(storyRevisions.storyId, i.storyId))).toEqual([{ v: 1 }]);
    expect((await db.select().from(storyForms).where(eq(storyForms.storyId, i.storyId))).every((f) => f.status === 'planned')).toBe(true);

    const again = await req('POST', `/api/kitchen/ideas/${id}/story`, editorA);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('kitchen.idea_has_story');
    expect((await req('POST', `/api/kitchen/ideas/${id}/story`, editorB)).statusCode).toBe(403);
  });

  it('attaches only a story the editor may work on', async () => {
    const { db } = ctx.runtime.services.database;
    const theirs = await insertStory(db, { authorId: editorB.user.id, studioId: studioB, headline: '岛上的稿' });
    const mine = await insertStory(db, { authorId: editorA.user.id, studioId: studioA, headline: '我的稿' });
    const created = await req('POST', '/api/kitchen/ideas', editorA, idea({ title: '挂靠稿件' }));
    const id = created.json().idea.id as string;
    const refused = await req('PATCH', `/api/kitchen/ideas/${id}`, editorA, { storyId: theirs.id }, 'en');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('kitchen.out_of_scope');
    const ok = await req('PATCH', `/api/kitchen/ideas/${id}`, editorA, { storyId: mine.id });
    expect(ok.json().idea).toMatchObject({ storyId: mine.id, storyHeadline: '我的稿' });
    const gone = await req('PATCH', '/api/kitchen/ideas/00000000-0000-4000-8000-000000000000', editorA, { title: 'x' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('kitchen.idea_not_found');
  });
});

describe('the board', () => {
  it('shows each studio’s ideas with their forms’ status, and flags what is late by the newsroom clock', async () => {
    const { db } = ctx.runtime.services.database;
    const story = await insertStory(db, { authorId: chief.user.id, studioId: studioB, headline: '海岛春运' });
    await insertForm(db, { storyId: story.id, form: 'web', status: 'published', content: {} });
    await insertForm(db, { storyId: story.id, form: 'print', status: 'in_edit', content: {} });
    await insertForm(db, { storyId: story.id, form: 'weibo', status: 'ready', content: {} });
    const created = await req('POST', '/api/kitchen/ideas', chief, {
      title: '海岛春运',
      studioId: studioB,
      day: '2027-03-11',
      deadline: at('2027-03-11T18:00:00'),
      slots: [
        { form: 'print', target: 'A1', dueAt: at('2027-03-11T12:00:00') },
        { form: 'web', dueAt: at('2027-03-11T09:00:00') },
        { form: 'weibo' },
        { form: 'screen' },
      ],
    });
    const id = created.json().idea.id as string;
    expect((await req('PATCH', `/api/kitchen/ideas/${id}`, chief, { storyId: story.id })).statusCode).toBe(200);

    const board = async (who: Who, t: string) => {
      clock.set(at(t));
      const res = await req('GET', '/api/kitchen/board?day=2027-03-11', who);
      expect(res.statusCode).toBe(200);
      return res.json().board;
    };
    // 10:00 next morning: nothing is due yet.
    let b = await board(chief, '2027-03-11T10:00:00');
    expect(b.studios.map((s: { name: string | null }) => s.name)).toEqual(['侠客岛', '麻辣财经']);
    const island = () => b.studios.find((s: { studioId: string }) => s.studioId === studioB);
    expect(island().ideas[0].slots).toEqual([
      { form: 'print', target: 'A1', dueAt: at('2027-03-11T12:00:00'), status: 'in_edit', url: null, late: false },
      { form: 'web', target: '', dueAt: at('2027-03-11T09:00:00'), status: 'published', url: null, late: false },
      { form: 'weibo', target: '', dueAt: null, status: 'ready', url: null, late: false },
      { form: 'screen', target: '', dueAt: null, status: null, url: null, late: false },
    ]);
    expect(island().counts).toEqual({ print: { in_edit: 1 }, web: { published: 1 }, weibo: { ready: 1 }, screen: { none: 1 } });
    expect(b.late).toEqual([]);

    // 12:30: print's page was due at noon and is still being edited.
    b = await board(chief, '2027-03-11T12:30:00');
    expect(
      island()
        .ideas[0].slots.filter((s: { late: boolean }) => s.late)
        .map((s: { form: string }) => s.form),
    ).toEqual(['print']);
    expect(b.late).toEqual([{ ideaId: id, title: '海岛春运', studioId: studioB, forms: ['print'], deadline: false }]);
    expect(island().late).toBe(1);

    // 18:30: past the idea's deadline, the screen card (no own due time) is late too; ready and published forms never are.
    b = await board(chief, '2027-03-11T18:30:00');
    expect(b.late).toEqual([{ ideaId: id, title: '海岛春运', studioId: studioB, forms: ['print', 'screen'], deadline: true }]);

    // Dropped: nothing is late any more.
    await req('PATCH', `/api/kitchen/ideas/${id}`, chief, { status: 'dropped' });
    b = await board(chief, '2027-03-11T18:30:00');
    expect(b.late).toEqual([]);
    expect(island().counts).toEqual({});

    // An editor of the other studio sees neither the idea nor the studio.
    b = await board(editorA, '2027-03-11T18:30:00');
    expect(b.studios.map((s: { name: string | null }) => s.name)).toEqual(['麻辣财经']);
    clock.set(at('2027-03-10T15:00:00'));
  });

  it('defaults to today in Beijing, also just after midnight Beijing time', async () => {
    clock.set('2027-03-10T16:30:00Z'); // 00:30 on the 11th in Beijing
    expect((await req('GET', '/api/kitchen/board', chief)).json().board.day).toBe('2027-03-11');
    clock.set(at('2027-03-10T15:00:00'));
    expect((await req('GET', '/api/kitchen/board', chief)).json().board.day).toBe(DAY);
  });
});

describe('the studios', () => {
  it('puts all studios side by side for the chief editor: queue, stages, channels, figures, late', async () => {
    const { db } = ctx.runtime.services.database;
    const s = await insertStory(db, { authorId: chief.user.id, studioId: studioA, headline: '财经快评' });
    const web = await insertForm(db, { storyId: s.id, form: 'web', status: 'published', content: {} });
    await db
      .update(storyForms)
      .set({ publishedAt: new Date(at('2027-03-10T08:00:00')), url: 'http://paike.test/stories/x' })
      .where(eq(storyForms.id, web.id));
    const wb = await insertForm(db, { storyId: s.id, form: 'weibo', status: 'published', content: {} });
    await db
      .update(storyForms)
      .set({ publishedAt: new Date(at('2027-03-08T08:00:00')) })
      .where(eq(storyForms.id, wb.id)); // Monday
    await insertForm(db, { storyId: s.id, form: 'print', status: 'in_review', content: {} });

    const res = await req('GET', '/api/kitchen/studios', chief);
    expect(res.statusCode).toBe(200);
    const all = res.json().studios;
    expect(all.map((x: { name: string }) => x.name)).toEqual(['侠客岛', '麻辣财经']);
    const a = all.find((x: { id: string }) => x.id === studioA);
    expect(a.queue).toBe(1); // videoA waits; the adopted and rejected ones do not
    expect(a.stages).toMatchObject({ published: 2, in_review: 1 });
    expect(a.channels).toEqual([
      { form: 'web', today: 1, week: 1 },
      { form: 'weibo', today: 0, week: 1 },
    ]);
    expect(a.figures).toMatchObject({ views: 1200, likes: 30, shares: 4, reach: 1200 });
    // From the first test: the idea at 09:00 with an app slot is late today.
    expect(a.late).toBeGreaterThanOrEqual(1);

    const mine = await req('GET', '/api/kitchen/studios', editorB);
    expect(mine.json().studios.map((x: { name: string }) => x.name)).toEqual(['侠客岛']);
  });

  it('opens one studio with its lists, and keeps other studios’ editors out', async () => {
    const res = await req('GET', `/api/kitchen/studios/${studioA}`, editorA);
    expect(res.statusCode).toBe(200);
    const st = res.json().studio;
    expect(st.queueItems).toEqual([{ submissionId: videoA, title: '菜市场的物价', processedAt: expect.any(String) }]);
    expect(st.reviewQueue).toEqual([expect.objectContaining({ headline: '财经快评', form: 'print' })]);
    expect(st.stories.find((x: { headline: string }) => x.headline === '财经快评').forms.map((f: { form: string }) => f.form)).toEqual([
      'print',
      'web',
      'weibo',
    ]);
    expect(st.ideas.every((i: { studioId: string }) => i.studioId === studioA)).toBe(true);
    expect(st.ideas.length).toBeGreaterThan(0);

    const out = await req('GET', `/api/kitchen/studios/${studioA}`, editorB, undefined, 'en');
    expect(out.statusCode).toBe(403);
    expect(out.json().error).toMatchObject({ code: 'kitchen.out_of_scope' });
    expect((await req('GET', '/api/kitchen/studios/00000000-0000-4000-8000-000000000000', chief)).statusCode).toBe(404);
  });
});
