import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallSnapshot } from '../../../contracts/kitchen.js';
import { publications, stories, storyForms } from '../../db/schema.js';
import { sseReader } from '../../testing/sse.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { insertForm, insertStory } from './testing/fixtures.js';
import { createWallService, type WallClient } from './wall.service.js';
import type { WallRepository } from './wall.repository.js';

// A Sunday noon in Shanghai: "today" began at 00:00 +08:00, the last hour at 11:00.
const NOW = '2027-01-10T12:00:00+08:00';
const clock = fixedClock(NOW);
let ctx: TestContext;
type Who = { cookie: string; user: { id: string } };
let chief: Who;
let finance: Who;
let contributor: Who;
let v1: string;
let v2: string;
let v3: string;
let wechatOfV2: string;
let weiboOfV1: string;
let studioFood: string;
let studioTravel: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ctx = await createTestContext({ clock, env: { WALL_INTERVAL_SECONDS: '1' } });
  const { services } = ctx.runtime;
  const { db } = services.database;
  const fx = propagationFixtures(services);
  chief = await staff(ctx, ['chief_editor']);
  finance = await staff(ctx, ['finance']);
  contributor = await signUp(ctx.app);
  const campaignId = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-03-01T00:00:00+08:00' })).id;
  const [u1, u2] = [await fx.user('林勇刚'), await fx.user('王芳')];
  v1 = await fx.video({ campaignId, userId: u1.id, adoptedAt: '2026-12-02T10:00:00+08:00', theme: 'food', title: '街头小吃' });
  v2 = await fx.video({ campaignId, userId: u2.id, adoptedAt: '2026-12-02T10:00:00+08:00', theme: 'travel', title: '回家的路' });
  v3 = await fx.video({ campaignId, userId: u1.id, adoptedAt: '2027-01-10T09:00:00+08:00', theme: 'food', title: '年夜饭' });
  const studio = async (name: string, theme: string) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/desk/studios',
      headers: { cookie: chief.cookie },
      payload: { name, memberIds: [], routes: [{ campaignId, theme }] },
    });
    expect(res.statusCode).toBe(201);
    return res.json().studio.id as string;
  };
  studioFood = await studio('美食工作室', 'food');
  studioTravel = await studio('旅行工作室', 'travel');

  // Figures go in as the metrics pipeline records them (sample kept, publication raised to the highest).
  const record = (pub: string, at: string, views: number) =>
    services.metrics.recordSample(pub, { views, likes: null, comments: null, shares: null }, new Date(at));
  const [weibo1, app1, toutiao3] = [await fx.publication(v1, 'weibo'), await fx.publication(v1, 'app'), await fx.publication(v3, 'toutiao')];
  wechatOfV2 = await fx.publication(v2, 'wechat');
  weiboOfV1 = weibo1;
  await record(weibo1, '2027-01-09T20:00:00+08:00', 1000);
  await record(weibo1, '2027-01-10T10:00:00+08:00', 1500);
  await record(weibo1, '2027-01-10T11:30:00+08:00', 2500);
  await record(app1, '2027-01-10T11:10:00+08:00', 300);
  await record(wechatOfV2, '2027-01-09T10:00:00+08:00', 5000);
  await record(wechatOfV2, '2027-01-10T11:50:00+08:00', 4800); // reported lower: gains nothing
  await record(toutiao3, '2027-01-10T11:20:00+08:00', 600);
  // v3 went out today: live on Toutiao, failed on Weibo.
  const today = new Date('2027-01-10T09:30:00+08:00');
  await db.update(publications).set({ createdAt: today, publishedAt: today }).where(eq(publications.id, toutiao3));
  await db.insert(publications).values({ submissionId: v3, channel: 'weibo', status: 'failed', idempotencyKey: `publish:${v3}:weibo`, createdAt: today });

  // Stories: two touched today, one only yesterday.
  const at = (s: string) => new Date(s);
  const a = await insertStory(db, { authorId: chief.user.id, studioId: studioFood, headline: '春运首日' });
  const b = await insertStory(db, { authorId: chief.user.id, studioId: null, headline: '侠客岛评论' });
  const c = await insertStory(db, { authorId: chief.user.id, studioId: studioTravel, headline: '昨天的稿子' });
  const formAt = async (storyId: string, form: 'web' | 'print', status: 'published' | 'in_review' | 'in_edit' | 'ready', when: string) => {
    const f = await insertForm(db, { storyId, form, status, content: {} });
    await db
      .update(storyForms)
      .set({ updatedAt: at(when), publishedAt: status === 'published' ? at(when) : null })
      .where(eq(storyForms.id, f.id));
  };
  await formAt(a.id, 'web', 'published', '2027-01-10T08:00:00+08:00');
  await formAt(a.id, 'print', 'in_review', '2027-01-10T09:00:00+08:00');
  await formAt(b.id, 'web', 'in_edit', '2027-01-10T10:00:00+08:00');
  await formAt(c.id, 'print', 'ready', '2027-01-09T18:00:00+08:00');
  await db.update(stories).set({ createdAt: at('2027-01-09T08:00:00+08:00') });
});
afterAll(async () => {
  await ctx?.close();
});

const get = async (who?: Who) => ctx.app.inject({ method: 'GET', url: '/api/kitchen/wall', headers: who ? { cookie: who.cookie } : {} });
const wallOf = async (who: Who = chief): Promise<WallSnapshot> => {
  const res = await get(who);
  expect(res.statusCode).toBe(200);
  return res.json().wall;
};

describe('GET /api/kitchen/wall', () => {
  it("counts today's forms by form and status, and today's videos by channel", async () => {
    const w = await wallOf();
    expect(w.day).toBe('2027-01-10');
    expect(w.generatedAt).toBe(new Date(NOW).toISOString());
    expect(w.stories.total).toBe(2);
    const form = (f: string) => w.stories.byForm.find((x) => x.form === f)!.counts;
    expect(form('web')).toEqual({ planned: 0, in_edit: 1, in_review: 0, ready: 0, published: 1 });
    // The print form made ready yesterday is not today's.
    expect(form('print')).toEqual({ planned: 0, in_edit: 0, in_review: 1, ready: 0, published: 0 });
    expect(w.stories.byForm.map((x) => x.form)).toEqual(['print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen']);
    expect(w.videos).toEqual({
      adopted: 1,
      byChannel: [
        { channel: 'weibo', live: 0, pending: 0, failed: 1 },
        { channel: 'toutiao', live: 1, pending: 0, failed: 0 },
      ],
    });
  });

  it('sums reach by channel and by studio: in total (highest seen) and gained today', async () => {
    const w = await wallOf();
    expect(w.reach).toMatchObject({ total: 8400, today: 2400, lastHour: 1900 });
    expect(w.reach.byChannel).toEqual([
      { channel: 'app', reach: 300, today: 300 },
      { channel: 'weibo', reach: 2500, today: 1500 },
      { channel: 'wechat', reach: 5000, today: 0 },
      { channel: 'toutiao', reach: 600, today: 600 },
    ]);
    expect(w.reach.byStudio).toEqual([
      { studioId: studioTravel, name: '旅行工作室', reach: 5000, today: 0 },
      { studioId: studioFood, name: '美食工作室', reach: 3400, today: 2400 },
    ]);
  });

  it("ranks the last hour's movers by reach gained, never by a lower report, and shows the week's chart so far", async () => {
    const w = await wallOf();
    expect(w.movers).toEqual([
      { submissionId: v1, headline: '街头小吃', contributor: '林勇刚', gain: 1300, channels: ['app', 'weibo'] },
      { submissionId: v3, headline: '年夜饭', contributor: '林勇刚', gain: 600, channels: ['toutiao'] },
    ]);
    expect(w.weekly).toHaveLength(1);
    expect(w.weekly[0]!.week).toBe('2027-W01');
    expect(w.weekly[0]!.entries.map((e) => [e.rank, e.submissionId, e.reach])).toEqual([
      [1, v2, 5000],
      [2, v1, 2800],
      [3, v3, 600],
    ]);

    // 40 minutes on, the window starts at 11:40: only the lower WeChat report is in it.
    clock.set('2027-01-10T12:40:00+08:00');
    try {
      await sleep(1100); // the shared snapshot is at most one interval old
      const later = await wallOf();
      expect(later.movers).toEqual([]);
      expect(later.reach.lastHour).toBe(0);
      expect(later.reach.today).toBe(2400);
    } finally {
      clock.set(NOW);
      await sleep(1100);
    }
  });

  it('is for staff with kitchen.wall: finance yes, a contributor no, nobody signed in no', async () => {
    expect((await get(finance)).statusCode).toBe(200);
    const refused = await get(contributor);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('auth.forbidden');
    expect((await get()).statusCode).toBe(401);
    const stream = await ctx.app.inject({ method: 'GET', url: '/api/kitchen/wall/stream', headers: { cookie: contributor.cookie } });
    expect(stream.statusCode).toBe(403);
  });
});

describe('GET /api/kitchen/wall/stream', () => {
  it('sends a snapshot at once, heartbeats while nothing changes, and a new snapshot when the figures move', async () => {
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/kitchen/wall/stream`, { headers: { cookie: chief.cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const next = sseReader(res);
    try {
      const first = await next();
      expect(first.event).toBe('snapshot');
      expect((first.data as WallSnapshot).reach.total).toBe(8400);
      const beat = await next();
      expect(beat.event).toBe('heartbeat');
      expect(beat.data).toMatchObject({ generatedAt: (first.data as WallSnapshot).generatedAt });

      // The travel video takes off on WeChat.
      await ctx.runtime.services.metrics.recordSample(
        wechatOfV2,
        { views: 9000, likes: null, comments: null, shares: null },
        new Date('2027-01-10T11:58:00+08:00'),
      );
      let e = await next();
      while (e.event === 'heartbeat') e = await next();
      expect(e.event).toBe('snapshot');
      const w = e.data as WallSnapshot;
      expect(w.reach.total).toBe(12400);
      expect(w.movers[0]).toMatchObject({ submissionId: v2, gain: 4000, channels: ['wechat'] });
      expect(w.reach.byStudio[0]).toMatchObject({ studioId: studioTravel, reach: 9000, today: 4000 });
    } finally {
      controller.abort();
    }
  });
});

describe('just after midnight', () => {
  it("counts the last hour across midnight from the day before, and today's gain from 00:00", async () => {
    await ctx.runtime.services.metrics.recordSample(
      weiboOfV1,
      { views: 2700, likes: null, comments: null, shares: null },
      new Date('2027-01-11T00:10:00+08:00'),
    );
    clock.set('2027-01-11T00:30:00+08:00');
    try {
      await sleep(1100);
      const w = await wallOf();
      expect(w.day).toBe('2027-01-11');
      expect(w.reach).toMatchObject({ today: 200, lastHour: 200 });
      expect(w.movers).toEqual([{ submissionId: v1, headline: '街头小吃', contributor: '林勇刚', gain: 200, channels: ['weibo'] }]);
      // Yesterday's stories are not today's.
      expect(w.stories.total).toBe(0);
    } finally {
      clock.set(NOW);
    }
  });
});

describe('the wall hub', () => {
  const snapshotRepo = (): WallRepository & { calls: number; views: number } => {
    const repo = {
      calls: 0,
      views: 100,
      formCounts: async () => ({ rows: [], stories: 0 }),
      videosToday: async () => ({ adopted: 0, publications: [] }),
      reachCells: async () => {
        repo.calls += 1;
        return [{ channel: 'app', studioId: null, reach: repo.views }];
      },
      windowPublications: async () => [],
      maxViewsAt: async () => new Map(),
      listStudios: async () => [],
      listRunningCampaigns: async () => [],
    };
    return repo as unknown as WallRepository & { calls: number; views: number };
  };
  const client = () => {
    const frames: string[] = [];
    const c: WallClient & { frames: string[] } = { frames, write: (f) => void frames.push(f), backlog: () => 0, close: () => {} };
    return c;
  };

  it('computes once per interval for all walls together and pushes only changes', async () => {
    const repo = snapshotRepo();
    const wall = createWallService({
      repo,
      chartsRepo: { describe: async () => new Map() },
      charts: { weekly: async () => ({}) as never },
      clock,
      intervalSeconds: 1,
    });
    const walls = Array.from({ length: 20 }, client);
    const offs = await Promise.all(walls.map((c) => wall.subscribe(c)));
    expect(repo.calls).toBe(1);
    await sleep(1400);
    repo.views = 250;
    await sleep(1000);
    // Two ticks for twenty walls: two computations, not forty.
    expect(repo.calls).toBe(3);
    for (const c of walls) {
      expect(c.frames.map((f) => f.split('\n')[0])).toEqual(['event: snapshot', 'event: heartbeat', 'event: snapshot']);
      expect(c.frames[2]).toContain('"total":250');
    }
    offs.forEach((off) => off());
    expect(wall.clientCount()).toBe(0);
  });

  it('drops a wall that stopped reading', async () => {
    const repo = snapshotRepo();
    const wall = createWallService({
      repo,
      chartsRepo: { describe: async () => new Map() },
      charts: { weekly: async () => ({}) as never },
      clock,
      intervalSeconds: 1,
    });
    let closed = false;
    const stuck: WallClient = { write: () => {}, backlog: () => 2 * 1024 * 1024, close: () => void (closed = true) };
    await wall.subscribe(stuck);
    repo.views = 999;
    await sleep(1150);
    expect(closed).toBe(true);
    expect(wall.clientCount()).toBe(0);
  });
});
