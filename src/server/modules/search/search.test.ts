import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchReply, TimelineReply } from '../../../contracts/search.js';
import { publications, users } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';

// Desk search and timeline over HTTP on a real Paike (PGlite, or PostgreSQL with DATABASE_URL):
// what an editor finds, what another studio's editor does not, and an item's life in order.

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let chief: { cookie: string };
let food: { cookie: string; user: { id: string } };
let travel: { cookie: string; user: { id: string } };
let campaignId: string;
let otherCampaignId: string;
let foodStudioId: string;
const ids: Record<string, string> = {};
let rejectedOwner: { user: { id: string; name: string } };
const ID = (k: string) => ids[k]!;

const s = () => ctx.runtime.services;
type Who = { cookie: string };
const call = (who: Who, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie: who.cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });
const search = async (who: Who, params: Record<string, string | number>) => {
  const res = await call(who, 'GET', `/api/desk/submissions?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SearchReply;
};
const titles = (r: SearchReply) => r.items.map((i) => i.title).sort();

async function item(opts: { title: string; theme?: string; campaign?: string; description?: string; createdAt?: Date }) {
  const name = `拍客${Object.keys(ids).length}号`;
  const u = await signUp(ctx.app, { campaignId: opts.campaign ?? campaignId, name });
  const row = await processedSubmission(ctx, {
    userId: u.user.id,
    campaignId: opts.campaign ?? campaignId,
    at: clock.now(),
    theme: opts.theme ?? 'food',
    title: opts.title,
  });
  const patch: Record<string, unknown> = {};
  if (opts.description) patch.description = opts.description;
  // Uploaded before it was processed, a minute apart per item (the database's now() is not the test clock).
  patch.createdAt = opts.createdAt ?? new Date(clock.now().getTime() - (10 - Object.keys(ids).length) * 60_000);
  await s().submissionsRepo.update(row.id, patch);
  return { id: row.id, user: { id: u.user.id, name } };
}

const SPECIAL = `打折 100% 真_的 a\\b .*[x] ' ; end`;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  food = await staff(ctx, ['editor']);
  travel = await staff(ctx, ['editor']);
  campaignId = (await call(admin, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'search-a' })).json().campaign.id;
  otherCampaignId = (await call(admin, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'search-b' })).json().campaign.id;
  const f = await call(chief, 'POST', '/api/desk/studios', { name: '美食工作室', memberIds: [food.user.id], routes: [{ campaignId, theme: 'food' }] });
  foodStudioId = f.json().studio.id;
  await call(chief, 'POST', '/api/desk/studios', { name: '旅行工作室', memberIds: [travel.user.id], routes: [{ campaignId, theme: 'travel' }] });

  const home = await item({ title: '回家的路上' });
  ids.home = home.id;
  rejectedOwner = home;
  ids.newYear = (await item({ title: '春节回家过年', theme: 'travel' })).id;
  ids.street = (await item({ title: 'Street Food Festival', description: 'Night market in Chengdu' })).id;
  ids.special = (await item({ title: SPECIAL })).id;
  ids.old = (await item({ title: '秋天的银杏', campaign: otherCampaignId, createdAt: new Date('2026-10-01T02:00:00Z') })).id;

  expect((await call(food, 'POST', `/api/desk/submissions/${ids.home}/reject`, { reason: 'off_theme', note: '与主题无关' })).statusCode).toBe(200);
  expect((await call(food, 'POST', `/api/desk/submissions/${ids.street}/adopt`, { grade: 'C' })).statusCode).toBe(200);
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

describe('desk search', () => {
  it('an editor finds a rejected video by a Chinese word of its title', async () => {
    const r = await search(food, { q: '回家', status: 'rejected' });
    expect(r.items.map((i) => [i.title, i.stage])).toEqual([['回家的路上', 'rejected']]);
    expect(r.total).toBe(1);
    expect(r.items[0]!.studioName).toBe('美食工作室');
    expect(r.items[0]!.decidedAt).not.toBeNull();
    // A two-character word inside the title, not at its start.
    expect(titles(await search(food, { q: '路上' }))).toEqual(['回家的路上']);
  });

  it('keeps to the studio scope, exactly as the queue does', async () => {
    // The travel item is the food editor's nowhere; the chief sees both.
    expect(titles(await search(food, { q: '回家' }))).toEqual(['回家的路上']);
    expect(titles(await search(chief, { q: '回家' }))).toEqual(['回家的路上', '春节回家过年']);
    // Another studio's editor sees nothing of the food studio's rejected video, by any filter.
    expect((await search(travel, { q: '回家的路' })).total).toBe(0);
    expect((await search(travel, { status: 'rejected' })).total).toBe(0);
    const res = await call(travel, 'GET', `/api/desk/submissions?studioId=${foodStudioId}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('desk.out_of_scope');
    // Unrouted items (the other campaign) are everyone's, as on the queue.
    expect(titles(await search(travel, { campaignId: otherCampaignId }))).toEqual(['秋天的银杏']);
  });

  it('matches English case-insensitively, and treats SQL and regex characters as plain text', async () => {
    expect(titles(await search(food, { q: 'street FOOD' }))).toEqual(['Street Food Festival']);
    expect(titles(await search(food, { q: 'NIGHT market' }))).toEqual(['Street Food Festival']);
    for (const q of ['%', '_', '\\', '.*', '[x]', "'", ';', "' ;", '100%', 'a\\b']) {
      const r = await search(chief, { q });
      expect(titles(r), q).toEqual([SPECIAL]);
    }
    expect((await search(chief, { q: '_的 a%' })).total).toBe(0);
    expect((await search(chief, { q: "'; DROP TABLE submissions; --" })).total).toBe(0);
  });

  it('filters by status, campaign, theme, studio, contributor and date', async () => {
    expect(titles(await search(chief, { status: 'adopted' }))).toEqual(['Street Food Festival']);
    expect(titles(await search(chief, { status: 'in_review', campaignId }))).toEqual([SPECIAL, '春节回家过年'].sort());
    expect(titles(await search(chief, { campaignId: otherCampaignId }))).toEqual(['秋天的银杏']);
    expect(titles(await search(chief, { theme: 'travel' }))).toEqual(['春节回家过年']);
    expect(titles(await search(chief, { studioId: foodStudioId, status: 'rejected' }))).toEqual(['回家的路上']);
    expect(titles(await search(chief, { from: '2026-10-01', to: '2026-10-01' }))).toEqual(['秋天的银杏']);
    expect(titles(await search(chief, { to: '2026-09-30' }))).toEqual([]);
    expect(titles(await search(chief, { contributor: rejectedOwner.user.id }))).toEqual(['回家的路上']);
    expect(titles(await search(chief, { contributor: rejectedOwner.user.name, campaignId }))).toEqual(['回家的路上']);
    // A phone number as people type it finds the E.164 one.
    await s().database.db.update(users).set({ phone: '+8613900139001' }).where(eq(users.id, rejectedOwner.user.id));
    expect(titles(await search(chief, { contributor: '139 0013-9001' }))).toEqual(['回家的路上']);
  });

  it('pages newest first with a total count', async () => {
    const all = await search(chief, { pageSize: 100 });
    expect(all.total).toBe(5);
    const times = all.items.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.items.at(-1)!.title).toBe('秋天的银杏');
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const r = await search(chief, { pageSize: 2, page });
      expect(r.total).toBe(5);
      seen.push(...r.items.map((i) => i.id));
    }
    expect(seen).toEqual(all.items.map((i) => i.id));
    expect((await search(chief, { sort: 'oldest', pageSize: 1 })).items[0]!.title).toBe('秋天的银杏');
  });

  it('refuses bad input with 400 and anyone without the desk with 403', async () => {
    for (const qs of ['pageSize=1000', 'page=0', 'from=2026-1-1', 'status=lost', 'sort=random', 'studioId=nope']) {
      expect((await call(chief, 'GET', `/api/desk/submissions?${qs}`)).statusCode, qs).toBe(400);
    }
    const contributor = await signUp(ctx.app, { campaignId });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/desk/submissions', headers: { cookie: contributor.cookie } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/desk/submissions' })).statusCode).toBe(401);
  });
});

describe('timeline', () => {
  it('tells a published item’s life: adopted with grade and reward, packaged, published per channel with its link and figures, unpublished', async () => {
    const id = ID('street');
    const pkg = await call(food, 'PUT', `/api/desk/submissions/${id}/packages/weibo`, { headline: '成都夜市美食节', tags: ['夜市', '美食'] });
    expect(pkg.statusCode, pkg.body).toBe(200);
    // Tags and headlines are searchable as soon as they are saved.
    expect(titles(await search(food, { q: '夜市' }))).toEqual(['Street Food Festival']);

    // What the publishing job records once Weibo has taken the video (docs/distribution.md).
    const repo = s().distributionRepo;
    const key = `pub:${id}:weibo`;
    const existing = (await repo.listBySubmission(id)).find((p) => p.channel === 'weibo');
    const pub = existing ?? (await repo.createPublications([{ submissionId: id, channel: 'weibo', status: 'queued', idempotencyKey: key }]))[0]!;
    const liveAt = new Date(clock.now().getTime() + 3_600_000);
    await repo.update(pub.id, { status: 'live', url: 'https://weibo.example/v/123', publishedAt: liveAt });
    await s().database.db.update(publications).set({ views: 12_345, likes: 67, metricsAt: liveAt }).where(eq(publications.id, pub.id));
    await repo.addEvent({ publicationId: pub.id, status: 'live' });

    expect(titles(await search(food, { status: 'published' }))).toEqual(['Street Food Festival']);
    const found = (await search(food, { q: 'festival' })).items[0]!;
    expect(found).toMatchObject({ stage: 'published', liveChannels: ['weibo'], views: 12_345, grade: 'C' });

    const res = await call(food, 'GET', `/api/desk/submissions/${id}/timeline`);
    expect(res.statusCode, res.body).toBe(200);
    const t = res.json() as TimelineReply;
    expect(t.stage).toBe('published');
    const kinds = t.events.map((e) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(['uploaded', 'processed', 'adopted']);
    expect(kinds).toContain('packaged');
    expect(kinds.at(-1)).toBe('published');
    expect(t.events.find((e) => e.kind === 'adopted')).toMatchObject({ grade: 'C', rewardFen: 50_000, actor: { id: food.user.id } });
    expect(t.events.find((e) => e.kind === 'packaged')).toMatchObject({ channel: 'weibo' });
    expect(t.events.find((e) => e.kind === 'published')).toMatchObject({ channel: 'weibo', url: 'https://weibo.example/v/123' });
    expect(t.channels.find((c) => c.channel === 'weibo')).toMatchObject({ status: 'live', views: 12_345, likes: 67 });

    await repo.update(pub.id, { status: 'unpublished', unpublishedAt: new Date(liveAt.getTime() + 60_000) });
    await repo.addEvent({ publicationId: pub.id, status: 'unpublished', actorId: food.user.id });
    expect(titles(await search(food, { status: 'unpublished' }))).toEqual(['Street Food Festival']);
    const after = (await call(food, 'GET', `/api/desk/submissions/${id}/timeline`)).json() as TimelineReply;
    expect(after.stage).toBe('unpublished');
    expect(after.events.at(-1)).toMatchObject({ kind: 'unpublished', channel: 'weibo' });
  });

  it('gives a rejection’s reason in the reader’s language, and nothing to another studio', async () => {
    const zh = (await call(food, 'GET', `/api/desk/submissions/${ids.home}/timeline`)).json() as TimelineReply;
    const rejected = zh.events.find((e) => e.kind === 'rejected')!;
    expect(rejected.actor?.id).toBe(food.user.id);
    expect(rejected.reason).toContain('与主题无关');
    const en = (await call(food, 'GET', `/api/desk/submissions/${ids.home}/timeline`, undefined, 'en')).json() as TimelineReply;
    expect(en.events.find((e) => e.kind === 'rejected')!.reason).not.toBe(rejected.reason);
    const out = await call(travel, 'GET', `/api/desk/submissions/${ids.home}/timeline`);
    expect(out.statusCode).toBe(403);
    expect(out.json().error.code).toBe('desk.out_of_scope');
    expect((await call(food, 'GET', `/api/desk/submissions/00000000-0000-4000-8000-000000000000/timeline`)).statusCode).toBe(404);
  });
});
