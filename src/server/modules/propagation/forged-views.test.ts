import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, staff, type TestContext } from '../../testing/harness.js';
import { parseIsoWeek } from './charts.week.js';
import { propagationFixtures } from './propagation.fixtures.js';

// Wednesday of 2030-W27 (Monday 1 July 2030, Asia/Shanghai), noon in Shanghai.
const clock = fixedClock('2030-07-03T04:00:00Z');
const WEEK = '2030-W27';
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let campaignId: string;
let forger: string;
let honest: string;
let forged: string;
let real: string;
let forgedPub: string;
let realPub: string;
let finance: { cookie: string; user: { id: string } };
let admin: { cookie: string };

const services = () => ctx.runtime.services;

function beacon(submissionId: string, ip: string, cookie?: string) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/beacons/views',
    headers: { 'user-agent': CHROME, ...(cookie ? { cookie: `pk_vid=${cookie}` } : {}) },
    payload: { submissionId },
    remoteAddress: ip,
  });
}

async function inBatches<T>(items: T[], send: (t: T) => Promise<{ statusCode: number }>) {
  for (let i = 0; i < items.length; i += 50) {
    const answers = await Promise.all(items.slice(i, i + 50).map(send));
    expect(answers.every((r) => r.statusCode === 204)).toBe(true);
  }
}

/** What the own channel's metrics pull does: the counted views become the publication's sample. */
async function pull(publicationId: string, submissionId: string) {
  const views = await services().beacons.viewsOf(submissionId, 'app');
  await services().metrics.recordSample(publicationId, { views, likes: null, shares: null, comments: null }, clock.now());
  return views;
}

async function transfersKeyed(key: string) {
  return fx.query<{ id: string; amount: string }>(
    sql`SELECT t.id, (SELECT sum(amount_fen) FROM ledger_entries e WHERE e.transfer_id = t.id AND e.amount_fen > 0)::text AS amount
        FROM ledger_transfers t WHERE t.idempotency_key = ${key}`,
  );
}

async function holdsOf(submissionId: string) {
  const r = await ctx.app.inject({ method: 'GET', url: `/api/desk/propagation-holds?campaignId=${campaignId}`, headers: { cookie: finance.cookie } });
  expect(r.statusCode).toBe(200);
  return (
    r.json().holds as { id: string; kind: string; status: string; submissionId: string; amountFen: number | null; reason: Record<string, number> }[]
  ).filter((h) => h.submissionId === submissionId);
}

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  fx = propagationFixtures(ctx);
  campaignId = await fx.campaign({
    weeklyPrizes: [
      { rank: 1, amountFen: 200_000 },
      { rank: 2, amountFen: 100_000 },
    ],
    reachMultipliers: [{ reachAtLeast: 25, multiplierPercent: 150 }],
    grandPrize: { thresholdReach: 25, amountFen: 1_000_000, holdBackDays: 1 },
  });
  const [treasury, budget] = [await services().ledger.systemAccount('treasury'), await services().ledger.systemAccount('campaign_budget', campaignId)];
  await services().ledger.post({
    idempotencyKey: `budget:test:${campaignId}`,
    kind: 'budget_funding',
    entries: [
      { accountId: treasury.id, amountFen: -100_000_000 },
      { accountId: budget.id, amountFen: 100_000_000 },
    ],
    refs: { campaignId },
  });
  [forger, honest] = [await fx.contributor(), await fx.contributor()];
  for (const u of [forger, honest]) await fx.query(sql`INSERT INTO campaign_members (campaign_id, user_id) VALUES (${campaignId}, ${u})`);
  [forged, real] = [await fx.video({ userId: forger, campaignId }), await fx.video({ userId: honest, campaignId })];
  [forgedPub, realPub] = [await fx.publication({ submissionId: forged, channel: 'app' }), await fx.publication({ submissionId: real, channel: 'app' })];
  [finance, admin] = [await staff(ctx, ['finance']), await staff(ctx, ['admin'])];

  // The forger: hundreds of made-up ids from one address, and ids minted for real in bulk from two more.
  await inBatches(
    Array.from({ length: 200 }, () => randomBytes(16).toString('base64url')),
    (c) => beacon(forged, '10.66.0.1', c),
  );
  const minted: { ip: string; cookie: string }[] = [];
  for (const ip of ['10.66.0.2', '10.67.0.1']) {
    for (let i = 0; i < 30; i++) {
      const r = await beacon(forged, ip);
      minted.push({ ip, cookie: r.cookies.find((c) => c.name === 'pk_vid')!.value });
    }
  }
  // People: thirty viewers, each on a network of their own.
  await inBatches(
    Array.from({ length: 30 }, (_, i) => `10.${100 + i}.7.9`),
    (ip) => beacon(real, ip),
  );
  clock.advance(3600_000);
  await inBatches(minted, (m) => beacon(forged, m.ip, m.cookie));
}, 180_000);
afterAll(async () => {
  await ctx?.close();
});

describe('a forged-view flood moves no money', () => {
  it('counts the forger at most the per-address cap and every person once', async () => {
    const cap = ctx.config.VIEWS_PER_ADDRESS_PER_DAY;
    // 320 forged beacons: one view for the made-up ids' address, the cap for each minting address.
    expect(await pull(forgedPub, forged)).toBe(1 + 2 * cap);
    expect(await pull(realPub, real)).toBe(30);
    expect(1 + 2 * cap).toBeGreaterThan(30);
  });

  it('holds the reach multiplier an adoption would get from forged reach, and pays it on people’s reach', async () => {
    const adopt = async (userId: string) => {
      const id = randomUUID();
      await fx.query(sql`
        INSERT INTO submissions (id, user_id, campaign_id, theme, title, consent_at, status, upload_length, original_filename)
        VALUES (${id}, ${userId}, ${campaignId}, 'food', 'Next one', now(), 'in_review', 1000, 'v.mp4')`);
      const r = await ctx.app.inject({ method: 'POST', url: `/api/desk/submissions/${id}/adopt`, headers: { cookie: admin.cookie }, payload: { grade: 'D' } });
      expect(r.statusCode, r.body).toBe(200);
      return id;
    };
    // Grade D is 100 yuan: the forger's reach would make it 150, the part above 100 waits for review.
    const forgersNext = await adopt(forger);
    expect((await transfersKeyed(`adoption:${forgersNext}`))[0]?.amount).toBe('10000');
    const [held] = await holdsOf(forgersNext);
    expect(held).toMatchObject({ kind: 'reach_multiplier', status: 'held', amountFen: 5_000 });
    const honestNext = await adopt(honest);
    expect((await transfersKeyed(`adoption:${honestNext}`))[0]?.amount).toBe('15000');
    expect(await holdsOf(honestNext)).toEqual([]);
    const multiplierOf = async (id: string) =>
      (await services().rewards.progress({ id, roles: ['contributor'] })).progress.find((p) => p.campaignId === campaignId)?.multiplierPercent;
    expect([await multiplierOf(forger), await multiplierOf(honest)]).toEqual([100, 150]);

    // Rejected: never paid; a second decision the other way is refused.
    const rejected = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/propagation-holds/${held!.id}/reject`,
      headers: { cookie: finance.cookie },
      payload: { note: 'views from two networks' },
    });
    expect(rejected.json().hold).toMatchObject({ status: 'rejected', transferId: null, note: 'views from two networks' });
    // What the desk page shows beside it: the video, the contributor and who decided.
    const [contributor] = await fx.query<{ name: string }>(sql`SELECT name FROM users WHERE id = ${forger}`);
    expect(rejected.json().hold).toMatchObject({ title: 'Next one', contributorName: contributor!.name, decidedBy: finance.user.id, decidedByName: 'Staff' });
    const late = await ctx.app.inject({ method: 'POST', url: `/api/desk/propagation-holds/${held!.id}/release`, headers: { cookie: finance.cookie } });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('propagation_hold.already_decided');
    expect(await transfersKeyed(`multiplier:${forgersNext}`)).toEqual([]);

    // Released: the extra is paid once, as an adoption reward under its own key.
    const another = await adopt(forger);
    const [second] = await holdsOf(another);
    const release = () => ctx.app.inject({ method: 'POST', url: `/api/desk/propagation-holds/${second!.id}/release`, headers: { cookie: finance.cookie } });
    expect((await release()).json().hold).toMatchObject({ status: 'released' });
    expect((await release()).statusCode).toBe(200);
    expect((await transfersKeyed(`multiplier:${another}`)).map((t) => t.amount)).toEqual(['5000']);
  });

  it('ranks the forged video but holds its weekly prize; the people’s video is paid; a release pays once', async () => {
    clock.set(new Date('2030-07-08T00:00:00Z'));
    const chart = await services().charts.freezeWeek(campaignId, parseIsoWeek(WEEK)!);
    expect(chart!.entries.map((e) => [e.rank, e.submissionId])).toEqual([
      [1, forged],
      [2, real],
    ]);
    expect(await transfersKeyed(`weekly:${campaignId}:${WEEK}:1`)).toEqual([]);
    expect((await transfersKeyed(`weekly:${campaignId}:${WEEK}:2`))[0]?.amount).toBe('100000');
    const [held] = await holdsOf(forged);
    expect(held).toMatchObject({ kind: 'weekly_prize', status: 'held', amountFen: 200_000 });
    expect(held!.reason.sharePercent).toBe(100);
    expect(await holdsOf(real)).toEqual([]);

    // Contributors cannot see or decide holds.
    const anon = await ctx.app.inject({ method: 'POST', url: `/api/desk/propagation-holds/${held!.id}/release` });
    expect(anon.statusCode).toBe(401);

    const release = () => ctx.app.inject({ method: 'POST', url: `/api/desk/propagation-holds/${held!.id}/release`, headers: { cookie: finance.cookie } });
    const [a, b] = [await release(), await release()];
    expect(a.statusCode).toBe(200);
    expect(a.json().hold).toMatchObject({ status: 'released' });
    expect(b.json().hold.transferId).toBe(a.json().hold.transferId);
    const paid = await transfersKeyed(`weekly:${campaignId}:${WEEK}:1`);
    expect(paid).toEqual([{ id: a.json().hold.transferId, amount: '200000' }]);
    const [entry] = await fx.query<{ transfer_id: string }>(
      sql`SELECT transfer_id FROM weekly_chart_entries WHERE campaign_id = ${campaignId} AND week = ${WEEK} AND rank = 1`,
    );
    expect(entry?.transfer_id).toBe(paid[0]!.id);
    // Double entry: every transfer sums to zero.
    expect(await fx.query(sql`SELECT transfer_id FROM ledger_entries GROUP BY transfer_id HAVING sum(amount_fen) <> 0`)).toEqual([]);
  });

  it('holds a grand-prize nomination on forged reach until it is released', async () => {
    await fx.query(sql`UPDATE campaigns SET ends_at = ${new Date('2030-07-07T00:00:00Z')} WHERE id = ${campaignId}`);
    await services().grandPrize.nominateDue();
    clock.set(new Date('2030-07-09T00:00:00Z'));
    await services().grandPrize.recheckDue();
    const confirm = (submissionId: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/desk/grand-prize/${campaignId}/${submissionId}/confirm`,
        headers: { cookie: finance.cookie },
        payload: { amountFen: 100_000 },
      });
    const refused = await confirm(forged);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('grand_prize.held');
    expect((await confirm(real)).statusCode).toBe(201);
    const held = (await holdsOf(forged)).find((h) => h.kind === 'grand_prize');
    expect(held).toMatchObject({ status: 'held', amountFen: null });
    await ctx.app.inject({ method: 'POST', url: `/api/desk/propagation-holds/${held!.id}/release`, headers: { cookie: finance.cookie } });
    expect((await confirm(forged)).statusCode).toBe(201);
  });
});
