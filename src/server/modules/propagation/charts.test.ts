import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notices, packages, weeklyChartEntries, weeklyCharts } from '../../db/schema.js';
import { createTestContext, fixedClock, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from './charts.fixtures.js';
import { chartsFreezeJob } from './jobs/charts-freeze.job.js';
import { propagationIndex } from './propagation.index.js';

// Wednesday of 2026-W52 (21–28 December 2026, Asia/Shanghai).
const clock = fixedClock('2026-12-23T12:00:00+08:00');
let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let admin: { cookie: string };

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  fx = propagationFixtures(ctx.runtime.services);
  admin = await staff(ctx, ['admin']);
});
afterAll(async () => {
  await ctx?.close();
});

const PRIZES = [200_000, 100_000, 100_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000, 50_000];
type Chart = {
  week: string;
  frozen: boolean;
  computedAt: string;
  startsAt: string;
  endsAt: string;
  rankBy: string;
  entries: {
    rank: number;
    submissionId: string;
    headline: string;
    contributor: { id: string; name: string };
    score: number;
    reach: number;
    prizeFen: number;
  }[];
};
const chart = async (campaignId: string, week?: string, lang = 'zh-CN') => {
  const res = await ctx.app.inject({
    method: 'GET',
    url: `/api/charts/weekly?campaignId=${campaignId}${week ? `&week=${week}` : ''}`,
    headers: { 'accept-language': lang },
  });
  return { status: res.statusCode, body: res.json() as { chart: Chart; error: { code: string; message: string } }, headers: res.headers };
};
const ids = (c: Chart) => c.entries.map((e) => e.submissionId);
const db = () => ctx.runtime.services.database.db;

describe('the live weekly chart', () => {
  let campaignId: string;
  const v: Record<string, string> = {};
  let alice: { id: string };

  beforeAll(async () => {
    campaignId = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-02-01T00:00:00+08:00' })).id;
    alice = await fx.user('阿丽');
    const bob = await fx.user('Bob');
    // v1: a big back catalogue, 100,000 new views this week and nothing else.
    v.v1 = await fx.video({ campaignId, userId: alice.id, adoptedAt: '2026-12-01T10:00:00+08:00' });
    const p1 = await fx.publication(v.v1, 'weibo');
    await fx.sample(p1, '2026-12-20T10:00:00+08:00', { views: 1_000_000 });
    await fx.sample(p1, '2026-12-22T10:00:00+08:00', { views: 1_100_000 });
    // v2: fewer views but many likes and shares, on two channels.
    v.v2 = await fx.video({ campaignId, userId: bob.id, adoptedAt: '2026-12-02T10:00:00+08:00' });
    for (const ch of ['weibo', 'wechat'] as const)
      await fx.sample(await fx.publication(v.v2, ch), '2026-12-22T10:00:00+08:00', { views: 10_000, likes: 2_500, shares: 2_500 });
    // v3, v4, v5: the same index (rounded); v3 has one more view; v5 was adopted before v4.
    v.v3 = await fx.video({ campaignId, userId: bob.id, adoptedAt: '2026-12-05T10:00:00+08:00' });
    await fx.sample(await fx.publication(v.v3, 'app'), '2026-12-22T11:00:00+08:00', { views: 1_000_001 });
    v.v4 = await fx.video({ campaignId, userId: bob.id, adoptedAt: '2026-12-04T10:00:00+08:00' });
    await fx.sample(await fx.publication(v.v4, 'app'), '2026-12-22T11:00:00+08:00', { views: 1_000_000 });
    v.v5 = await fx.video({ campaignId, userId: bob.id, adoptedAt: '2026-12-03T10:00:00+08:00' });
    await fx.sample(await fx.publication(v.v5, 'app'), '2026-12-22T11:00:00+08:00', { views: 1_000_000 });
    // Off the chart: nothing new this week; not adopted; another campaign's video.
    v.quiet = await fx.video({ campaignId, userId: alice.id, adoptedAt: '2026-12-01T10:00:00+08:00' });
    await fx.sample(await fx.publication(v.quiet, 'app'), '2026-12-15T10:00:00+08:00', { views: 5_000_000 });
    v.inReview = await fx.video({ campaignId, userId: alice.id, adoptedAt: '2026-12-01T10:00:00+08:00', status: 'in_review' });
    await fx.sample(await fx.publication(v.inReview, 'app'), '2026-12-22T10:00:00+08:00', { views: 9_000_000 });
    const other = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-02-01T00:00:00+08:00' })).id;
    v.other = await fx.video({ campaignId: other, userId: alice.id, adoptedAt: '2026-12-01T10:00:00+08:00' });
    await fx.sample(await fx.publication(v.other, 'app'), '2026-12-22T10:00:00+08:00', { views: 9_000_000 });
    // The app package's headline is what the chart shows.
    await db().insert(packages).values({ submissionId: v.v1, channel: 'app', headline: '外滩夜景' });
  });

  it('ranks the week’s gains by the propagation index, breaking ties by reach and then by the earlier adoption', async () => {
    const { status, body, headers } = await chart(campaignId);
    expect(status).toBe(200);
    expect(headers['cache-control']).toBe('public, max-age=15');
    expect(headers['content-type']).toMatch(/^application\/json/);
    const c = body.chart;
    expect(c).toMatchObject({
      week: '2026-W52',
      frozen: false,
      rankBy: 'index',
      startsAt: new Date('2026-12-21T00:00:00+08:00').toISOString(),
      endsAt: new Date('2026-12-28T00:00:00+08:00').toISOString(),
      computedAt: clock.now().toISOString(),
    });
    expect(ids(c)).toEqual([v.v3, v.v5, v.v4, v.v2, v.v1]);
    expect(c.entries.map((e) => [e.rank, e.reach, e.prizeFen])).toEqual([
      [1, 1_000_001, 200_000],
      [2, 1_000_000, 100_000],
      [3, 1_000_000, 100_000],
      [4, 20_000, 50_000],
      [5, 100_000, 50_000],
    ]);
    expect(c.entries[0]!.score).toBe(c.entries[1]!.score);
    expect(c.entries[3]!.score).toBe(propagationIndex({ views: 20_000, likes: 5_000, comments: 0, shares: 5_000 }));
    expect(c.entries[4]).toEqual({
      rank: 5,
      submissionId: v.v1,
      headline: '外滩夜景',
      contributor: { id: alice.id, name: '阿丽' },
      score: propagationIndex({ views: 100_000, likes: 0, comments: 0, shares: 0 }),
      reach: 100_000,
      prizeFen: 50_000,
    });
    expect(c.entries[3]!.headline).toBe('街头小吃');
  });

  it('ranks by reach when the campaign says so', async () => {
    const current = (await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${campaignId}` })).json().campaign;
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/campaigns/${campaignId}`,
      headers: { cookie: admin.cookie },
      payload: { rules: { ...current.rules, propagation: { ...current.rules.propagation, rankBy: 'reach' } } },
    });
    expect(patched.statusCode).toBe(200);
    clock.advance(31_000); // past the live cache's lifetime and its stale-while-refreshing one
    const c = (await chart(campaignId)).body.chart;
    expect(c.rankBy).toBe('reach');
    expect(ids(c)).toEqual([v.v3, v.v5, v.v4, v.v1, v.v2]);
    expect(c.entries.map((e) => e.score)).toEqual([1_000_001, 1_000_000, 1_000_000, 100_000, 20_000]);
  });

  it('serves the live chart from a short cache, then shows a new sample', async () => {
    const before = (await chart(campaignId)).body.chart;
    const p = await fx.publication(await fx.video({ campaignId, userId: alice.id, adoptedAt: '2026-12-06T10:00:00+08:00' }), 'toutiao');
    await fx.sample(p, new Date(clock.now().getTime() - 1000), { views: 3_000_000 });
    clock.advance(5_000);
    const cached = (await chart(campaignId)).body.chart;
    expect(cached.computedAt).toBe(before.computedAt);
    expect(cached.entries[0]!.reach).toBe(1_000_001);
    // Expired: the previous chart is answered at once while one refresh runs; the next reads get the new one.
    clock.advance(11_000);
    const stale = (await chart(campaignId)).body.chart;
    expect(stale.computedAt).toBe(before.computedAt);
    let fresh = stale;
    for (let i = 0; i < 100 && fresh.computedAt === before.computedAt; i++) {
      await new Promise((r) => setTimeout(r, 20));
      fresh = (await chart(campaignId)).body.chart;
    }
    expect(fresh.computedAt).toBe(clock.now().toISOString());
    expect(fresh.entries[0]!.reach).toBe(3_000_000);
    expect(fresh.entries).toHaveLength(6);
    // Long unread: computed before answering, never older than two lifetimes.
    await fx.sample(p, new Date(clock.now().getTime() - 500), { views: 3_500_000 });
    clock.advance(31_000);
    const later = (await chart(campaignId)).body.chart;
    expect(later.computedAt).toBe(clock.now().toISOString());
    expect(later.entries[0]!.reach).toBe(3_500_000);
  });

  it('explains a bad week or campaign in the reader’s language', async () => {
    const bad = await chart(campaignId, '2026-52');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('chart.invalid_week');
    expect(bad.body.error.message).toContain('YYYY-Www');
    const en = await chart(campaignId, '2025-W53', 'en');
    expect(en.body.error).toEqual({
      code: 'chart.invalid_week',
      message: 'Week “2025-W53” is not valid: use an ISO week YYYY-Www (e.g. 2026-W48) that exists in that year.',
    });
    expect((await chart(campaignId, '2026-W53')).body.error.code).toBe('chart.week_not_started');
    expect((await chart(campaignId, '2026-W40')).body.error.code).toBe('chart.week_outside_campaign');
    expect((await chart('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const draft = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-02-01T00:00:00+08:00', published: false })).id;
    expect((await chart(draft)).body.error.code).toBe('campaign.not_found');
    const notUuid = await ctx.app.inject({ method: 'GET', url: '/api/charts/weekly?campaignId=abc' });
    expect(notUuid.statusCode).toBe(400);
    expect(notUuid.json().error.code).toBe('request.invalid');
  });
});

describe('week boundaries and figures that go backwards', () => {
  it('counts a sample at Sunday 23:59:59 +08:00 in that week, and one a second after Monday 00:00 in the next; a lower sample lowers nothing', async () => {
    const campaignId = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-02-01T00:00:00+08:00' })).id;
    const u = await fx.user();
    const video = await fx.video({ campaignId, userId: u.id, adoptedAt: '2026-12-01T10:00:00+08:00' });
    const p = await fx.publication(video, 'weibo');
    await fx.sample(p, '2026-12-13T10:00:00+08:00', { views: 200 }); // W50
    await fx.sample(p, '2026-12-20T23:00:00+08:00', { views: 50 }); // W51, reported lower
    await fx.sample(p, '2026-12-20T23:59:59+08:00', { views: 400 }); // W51's last second
    await fx.sample(p, '2026-12-21T00:00:00+08:00', { views: 450 }); // the boundary itself: the figure at W51's end
    await fx.sample(p, '2026-12-21T00:00:01+08:00', { views: 500 }); // W52
    await fx.sample(p, '2026-12-22T00:00:00+08:00', { views: 300 }); // W52, reported lower

    const w51 = (await chart(campaignId, '2026-W51')).body.chart;
    expect(w51.frozen).toBe(false);
    expect(w51.entries.map((e) => e.reach)).toEqual([450 - 200]);
    const w52 = (await chart(campaignId, '2026-W52')).body.chart;
    expect(w52.entries.map((e) => e.reach)).toEqual([500 - 450]);
    expect((await chart(campaignId, '2026-W50')).body.chart.entries.map((e) => e.reach)).toEqual([200]);
    // W49: no samples, nothing on the chart.
    expect((await chart(campaignId, '2026-W49')).body.chart.entries).toEqual([]);
  });
});

describe('freezing', () => {
  it('freezes each ended week once and posts each prize once: run twice, concurrently, and after three missed Mondays across the year boundary', async () => {
    const s = ctx.runtime.services;
    const campaignId = (await fx.campaign({ startsAt: '2026-12-07T00:00:00+08:00', endsAt: '2027-03-01T00:00:00+08:00' })).id;
    const [u1, u2, u3] = [await fx.user('一'), await fx.user('二'), await fx.user('三')];
    const x1 = await fx.video({ campaignId, userId: u1.id, adoptedAt: '2026-12-08T10:00:00+08:00' });
    const x2 = await fx.video({ campaignId, userId: u2.id, adoptedAt: '2026-12-08T11:00:00+08:00' });
    const x3 = await fx.video({ campaignId, userId: u3.id, adoptedAt: '2026-12-08T12:00:00+08:00' });
    const [p1, p2, p3] = [await fx.publication(x1, 'app'), await fx.publication(x2, 'weibo'), await fx.publication(x3, 'wechat')];
    // 2026-W52
    await fx.sample(p1, '2026-12-22T10:00:00+08:00', { views: 30_000 });
    await fx.sample(p2, '2026-12-22T10:00:00+08:00', { views: 20_000 });
    await fx.sample(p3, '2026-12-23T10:00:00+08:00', { views: 10_000 });

    // Now (W52): W50 and W51 have ended, with nothing on them. Three runs at once freeze each once.
    const runs = await Promise.all([s.charts.freezeDue(), s.charts.freezeDue(), s.charts.freezeDue()]);
    const frozenNow = runs.flatMap((r) => r.frozen).filter((f) => f.campaignId === campaignId);
    expect(frozenNow.map((f) => f.week).sort()).toEqual(['2026-W50', '2026-W51']);
    // The scheduled job (the same function) afterwards: nothing left to do.
    await chartsFreezeJob.handle({}, s, { jobId: 'test', attempt: 1, isLastAttempt: false });
    expect((await chart(campaignId, '2026-W51')).body.chart).toMatchObject({ frozen: true, entries: [] });

    // 2026-W53 and 2027-W01, while no job ran (the worker was down from 27 December to 12 January).
    await fx.sample(p1, '2026-12-29T10:00:00+08:00', { views: 35_000 });
    await fx.sample(p2, '2026-12-30T10:00:00+08:00', { views: 70_000 });
    await fx.sample(p2, '2026-12-31T10:00:00+08:00', { views: 65_000 }); // reported lower: still 70,000
    await fx.sample(p1, '2027-01-05T10:00:00+08:00', { views: 35_500 });
    await fx.sample(p3, '2027-01-06T10:00:00+08:00', { views: 11_000 });
    clock.set('2027-01-12T09:00:00+08:00');

    const late = await Promise.all([
      s.charts.freezeDue(),
      s.charts.freezeDue(),
      chartsFreezeJob.handle({}, s, { jobId: 'test', attempt: 1, isLastAttempt: false }).then(() => ({ frozen: [] })),
    ]);
    // Each week is reported by the run that froze it, once; the job's share is in the tables below.
    const reported = late.flatMap((r) => r.frozen).filter((f) => f.campaignId === campaignId);
    expect(new Set(reported.map((f) => f.week)).size).toBe(reported.length);
    expect((await s.charts.freezeDue()).frozen).toEqual([]);

    const weeks = await db().select({ week: weeklyCharts.week }).from(weeklyCharts).where(eq(weeklyCharts.campaignId, campaignId));
    expect(weeks.map((w) => w.week).sort()).toEqual(['2026-W50', '2026-W51', '2026-W52', '2026-W53', '2027-W01']);
    const entries = await db()
      .select({
        week: weeklyChartEntries.week,
        rank: weeklyChartEntries.rank,
        submissionId: weeklyChartEntries.submissionId,
        prizeFen: weeklyChartEntries.prizeFen,
      })
      .from(weeklyChartEntries)
      .where(eq(weeklyChartEntries.campaignId, campaignId))
      .orderBy(weeklyChartEntries.week, weeklyChartEntries.rank);
    expect(entries.map((e) => [e.week, e.rank, e.submissionId, e.prizeFen])).toEqual([
      ['2026-W52', 1, x1, PRIZES[0]],
      ['2026-W52', 2, x2, PRIZES[1]],
      ['2026-W52', 3, x3, PRIZES[2]],
      ['2026-W53', 1, x2, PRIZES[0]],
      ['2026-W53', 2, x1, PRIZES[1]],
      ['2027-W01', 1, x3, PRIZES[0]],
      ['2027-W01', 2, x1, PRIZES[1]],
    ]);

    // The ledger: each prize once, from the campaign's budget to the contributor.
    const prizesOf = async (userId: string) => (await s.ledger.statement(userId)).entries.filter((e) => e.kind === 'weekly_prize');
    expect((await prizesOf(u1.id)).map((e) => e.amountFen).sort()).toEqual([100_000, 100_000, 200_000]);
    expect((await s.ledger.statement(u1.id)).balanceFen).toBe(400_000);
    expect((await s.ledger.statement(u2.id)).balanceFen).toBe(300_000);
    expect((await s.ledger.statement(u3.id)).balanceFen).toBe(300_000);
    expect((await prizesOf(u3.id)).map((e) => e.refs)).toContainEqual({ campaignId, week: '2027-W01', rank: 1, submissionId: x3 });
    const reconciliation = await s.ledger.reconcile();
    expect(reconciliation.totalFen).toBe(0);
    expect(reconciliation.campaigns.find((c) => c.campaignId === campaignId)).toMatchObject({ spentFen: 1_000_000, overspent: false });
    expect(reconciliation.ok).toBe(true);

    // One "entered the chart" notice per video and week.
    const chartNotices = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(notices)
      .where(and(eq(notices.kind, 'chart'), sql`${notices.dedupeKey} LIKE ${`chart:${campaignId}:%`}`));
    expect(chartNotices[0]!.n).toBe(7);

    // The frozen chart is what the API serves from now on, whatever arrives late.
    await fx.sample(p3, '2026-12-31T12:00:00+08:00', { views: 900_000 });
    clock.advance(60_000);
    const w53 = (await chart(campaignId, '2026-W53')).body.chart;
    expect(w53).toMatchObject({ week: '2026-W53', frozen: true, computedAt: new Date('2027-01-12T09:00:00+08:00').toISOString() });
    expect(w53.entries.map((e) => [e.submissionId, e.reach, e.prizeFen])).toEqual([
      [x2, 50_000, 200_000],
      [x1, 5_000, 100_000],
    ]);
    expect(w53.entries[0]!.contributor).toEqual({ id: u2.id, name: '二' });
    expect((await chart(campaignId, '2026-W53')).headers['cache-control']).toBe('public, max-age=3600');
    expect(await s.charts.frozen(campaignId, '2026-W53')).toEqual(w53);
  });
});
