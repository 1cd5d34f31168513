import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { createMetricsService } from './metrics.service.js';
import { propagationFixtures } from './propagation.fixtures.js';
import { createPropagationRepository } from './propagation.repository.js';
import { propagationIndex } from './propagation.index.js';

let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  fx = propagationFixtures(ctx);
  campaignId = await fx.campaign();
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

const metrics = () => ctx.runtime.services.metrics;
const at = (iso: string) => new Date(iso);
const sample = (views: number | null, rest: Partial<{ likes: number | null; shares: number | null; comments: number | null }> = {}) => ({
  views,
  likes: rest.likes ?? null,
  shares: rest.shares ?? null,
  comments: rest.comments ?? null,
});

async function samplesOf(publicationId: string) {
  return fx.query<{ views: string | null; likes: string | null; regressed: boolean; sampled_at: Date | string }>(
    sql`SELECT views::text, likes::text, regressed, sampled_at FROM metric_samples WHERE publication_id = ${publicationId} ORDER BY sampled_at`,
  );
}
async function currentOf(publicationId: string) {
  const [row] = await fx.query<{ views: string; likes: string; shares: string; comments: string; metrics_at: Date | string | null }>(
    sql`SELECT views::text, likes::text, shares::text, comments::text, metrics_at FROM publications WHERE id = ${publicationId}`,
  );
  return { views: Number(row!.views), likes: Number(row!.likes), shares: Number(row!.shares), comments: Number(row!.comments), metricsAt: row!.metrics_at };
}
async function reachNotices(submissionId: string) {
  return fx.query<{ dedupe_key: string; user_id: string; params: Record<string, unknown> }>(
    sql`SELECT dedupe_key, user_id, params FROM notices WHERE submission_id = ${submissionId} AND kind = 'reach' ORDER BY dedupe_key`,
  );
}
async function deliveryJobsFor(noticeKeys: string[]) {
  const schema = ctx.config.DATABASE_SCHEMA === 'public' ? 'pgboss' : `${ctx.config.DATABASE_SCHEMA}_pgboss`;
  const { rows } = await ctx.runtime.services.database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}.job j JOIN notices n ON n.id::text = j.data->>'noticeId' WHERE j.name = 'notices.deliver' AND n.dedupe_key = ANY($1::text[])`,
    [noticeKeys],
  );
  return rows[0]!.n;
}

describe('recordSample', () => {
  it('keeps every sample as reported and raises the publication’s figures', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId });
    const pub = await fx.publication({ submissionId: video, channel: 'weibo' });

    expect(
      await metrics().recordSample(pub, { ...sample(120, { likes: 4, shares: 2, comments: 1 }), extra: { favourites: 3 } }, at('2030-01-01T01:00:00Z')),
    ).toMatchObject({
      regressed: false,
      duplicate: false,
    });
    expect(await metrics().recordSample(pub, sample(300, { likes: 9 }), at('2030-01-01T02:00:00Z'))).toMatchObject({ regressed: false });

    expect(await samplesOf(pub)).toEqual([
      expect.objectContaining({ views: '120', likes: '4', regressed: false }),
      expect.objectContaining({ views: '300', likes: '9', regressed: false }),
    ]);
    const cur = await currentOf(pub);
    // A figure the platform did not report (null) keeps its last value.
    expect(cur).toMatchObject({ views: 300, likes: 9, shares: 2, comments: 1 });
    expect(new Date(cur.metricsAt!).toISOString()).toBe('2030-01-01T02:00:00.000Z');
    const [extra] = await fx.query<{ extra: Record<string, number> }>(
      sql`SELECT extra FROM metric_samples WHERE publication_id = ${pub} ORDER BY sampled_at LIMIT 1`,
    );
    expect(extra!.extra).toEqual({ favourites: 3 });
  });

  it('a figure that goes backwards is kept raw and marked regressed; the totals never go down', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId });
    const pub = await fx.publication({ submissionId: video, channel: 'toutiao' });
    await metrics().recordSample(pub, sample(5000, { likes: 50 }), at('2030-01-02T01:00:00Z'));
    const back = await metrics().recordSample(pub, sample(4200, { likes: 55 }), at('2030-01-02T02:00:00Z'));
    expect(back).toMatchObject({ regressed: true, duplicate: false });

    expect((await samplesOf(pub)).map((s) => [s.views, s.likes, s.regressed])).toEqual([
      ['5000', '50', false],
      ['4200', '55', true],
    ]);
    // Views stay at their highest; likes, which rose, rise.
    expect(await currentOf(pub)).toMatchObject({ views: 5000, likes: 55 });
    expect((await metrics().figuresOf(video)).reach).toBe(5000);
  });

  it('the same sample twice is one row and changes nothing the second time', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId });
    const pub = await fx.publication({ submissionId: video, channel: 'wechat' });
    const when = at('2030-01-03T05:00:00Z');
    await metrics().recordSample(pub, sample(800), when);
    const again = await metrics().recordSample(pub, sample(9_999_999), when);
    expect(again).toEqual({ regressed: false, duplicate: true, milestones: [] });
    expect(await samplesOf(pub)).toHaveLength(1);
    expect((await currentOf(pub)).views).toBe(800);
    // Concurrent duplicates (a job running twice at once): still one row, never an error.
    const results = await Promise.all(Array.from({ length: 4 }, () => metrics().recordSample(pub, sample(900), at('2030-01-03T06:00:00Z'))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await samplesOf(pub)).toHaveLength(2);
    expect((await currentOf(pub)).views).toBe(900);
  });

  it('refuses figures that are not counts', async () => {
    const userId = await fx.contributor();
    const pub = await fx.publication({ submissionId: await fx.video({ userId, campaignId }), channel: 'weibo' });
    await expect(metrics().recordSample(pub, sample(-1), at('2030-01-04T00:00:00Z'))).rejects.toMatchObject({ code: 'metrics.invalid_sample' });
    await expect(metrics().recordSample(pub, sample(1.5), at('2030-01-04T00:00:00Z'))).rejects.toMatchObject({ code: 'metrics.invalid_sample' });
    await expect(metrics().recordSample('00000000-0000-4000-8000-000000000000', sample(1), at('2030-01-04T00:00:00Z'))).rejects.toMatchObject({
      code: 'publication.not_found',
    });
    expect(await samplesOf(pub)).toHaveLength(0);
  });
});

describe('reach milestones', () => {
  it('notices each milestone a sample passes, once, with its delivery queued', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId, title: '回家的路' });
    const pub = await fx.publication({ submissionId: video, channel: 'weibo' });
    // Straight past two milestones at once.
    const r = await metrics().recordSample(pub, sample(150_000), at('2030-02-01T01:00:00Z'));
    expect(r.milestones).toEqual([10_000, 100_000]);
    // Going back under and up again, or staying above, notices nothing new.
    await metrics().recordSample(pub, sample(90_000), at('2030-02-01T02:00:00Z'));
    await metrics().recordSample(pub, sample(160_000), at('2030-02-01T03:00:00Z'));
    const notices = await reachNotices(video);
    expect(notices.map((n) => n.dedupe_key)).toEqual([`reach:${video}:10000`, `reach:${video}:100000`]);
    expect(notices.every((n) => n.user_id === userId)).toBe(true);
    expect(notices[0]!.params).toEqual({ milestone: 10_000, title: '回家的路' });
    expect(await deliveryJobsFor(notices.map((n) => n.dedupe_key))).toBe(2);
  });

  it('two channels passing a milestone together, in racing transactions, notice it exactly once', async () => {
    // A database slow between raising a figure and reading the reach back: the transactions
    // overlap for sure (on PostgreSQL; PGlite runs them one after another anyway).
    const { services } = ctx.runtime;
    const repo = createPropagationRepository(services.database.db);
    const slowRepo: typeof repo = {
      ...repo,
      raiseFigures: async (q, tx) => {
        await repo.raiseFigures(q, tx);
        await new Promise((r) => setTimeout(r, 40));
      },
    };
    const racing = createMetricsService({ db: services.database.db, repo: slowRepo, notices: services.notices });
    for (let round = 0; round < 3; round++) {
      const userId = await fx.contributor();
      const video = await fx.video({ userId, campaignId });
      const pubs = await Promise.all((['app', 'weibo', 'wechat', 'toutiao'] as const).map((channel) => fx.publication({ submissionId: video, channel })));
      // Each channel alone stays under 10,000; any three together pass it.
      const results = await Promise.all(pubs.map((p, i) => racing.recordSample(p, sample(3_400), at(`2030-03-0${round + 1}T0${i}:00:00Z`))));
      expect(results.flatMap((x) => x.milestones)).toEqual([10_000]);
      expect((await reachNotices(video)).map((n) => n.dedupe_key)).toEqual([`reach:${video}:10000`]);
      expect(await deliveryJobsFor([`reach:${video}:10000`])).toBe(1);
      expect((await metrics().figuresOf(video)).reach).toBe(13_600);
    }
  });

  it('samples of one publication racing past a milestone notice it once', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId });
    const pub = await fx.publication({ submissionId: video, channel: 'penguin' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => metrics().recordSample(pub, sample(10_000 + i), at(`2030-04-01T00:0${i}:00Z`))));
    expect(await reachNotices(video)).toHaveLength(1);
    expect(await deliveryJobsFor([`reach:${video}:10000`])).toBe(1);
    expect(await samplesOf(pub)).toHaveLength(6);
  });
});

describe('figures and reach', () => {
  it('sums a video over its channels, with its index by the campaign’s weights', async () => {
    const weighted = await fx.campaign({ propagation: { rankBy: 'reach', weights: { views: 1, likes: 0, comments: 0, shares: 0 } } });
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId: weighted });
    const a = await fx.publication({ submissionId: video, channel: 'app' });
    const w = await fx.publication({ submissionId: video, channel: 'weibo' });
    await metrics().recordSample(a, sample(1000, { likes: 10, shares: 1, comments: 2 }), at('2030-05-01T00:00:00Z'));
    await metrics().recordSample(w, sample(500, { likes: 5, shares: 3, comments: 0 }), at('2030-05-01T00:00:00Z'));
    const f = await metrics().figuresOf(video);
    expect(f).toMatchObject({ views: 1500, likes: 15, shares: 4, comments: 2, reach: 1500 });
    expect(f.index).toBe(propagationIndex(f, { views: 1, likes: 0, comments: 0, shares: 0 }));
    expect(f.channels.map((c) => [c.channel, c.views])).toEqual([
      ['app', 1000],
      ['weibo', 500],
    ]);
  });

  it('older campaign rows without propagation rules get the default (WCI) weights', async () => {
    const old = await fx.campaign();
    await ctx.runtime.services.database.db.execute(sql`UPDATE campaigns SET rules = rules - 'propagation' WHERE id = ${old}`);
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId: old });
    await metrics().recordSample(await fx.publication({ submissionId: video, channel: 'weibo' }), sample(999, { likes: 9 }), at('2030-05-02T00:00:00Z'));
    const f = await metrics().figuresOf(video);
    expect(f.index).toBe(propagationIndex({ views: 999, likes: 9, comments: 0, shares: 0 }));
  });

  it('a contributor’s reach is their videos’ views in the campaign, and reward multipliers read it inside the adoption transaction', async () => {
    const userId = await fx.contributor();
    const other = await fx.campaign();
    const v1 = await fx.video({ userId, campaignId });
    const v2 = await fx.video({ userId, campaignId });
    const elsewhere = await fx.video({ userId, campaignId: other });
    await metrics().recordSample(await fx.publication({ submissionId: v1, channel: 'weibo' }), sample(60_000), at('2030-06-01T00:00:00Z'));
    await metrics().recordSample(await fx.publication({ submissionId: v2, channel: 'app' }), sample(50_000), at('2030-06-01T00:00:00Z'));
    await metrics().recordSample(await fx.publication({ submissionId: elsewhere, channel: 'app' }), sample(7_000_000), at('2030-06-01T00:00:00Z'));
    expect(await metrics().reachOfContributor({ userId, campaignId })).toBe(110_000);
    // The demo campaign multiplies by 120 % from 100,000 reach. Read inside a transaction, as
    // adoption does: on PGlite a read outside it would wait for it forever.
    const { db } = ctx.runtime.services.database;
    const m = await db.transaction((tx) => ctx.runtime.services.rewards.adoption.multiplierFor({ userId, campaignId }, tx));
    expect(m).toBe(120);
  });
});
