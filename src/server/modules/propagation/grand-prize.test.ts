import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, notices } from '../../db/schema.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from './charts.fixtures.js';
import { grandPrizeNominateJob } from './jobs/grand-prize-nominate.job.js';
import { grandPrizeRecheckJob } from './jobs/grand-prize-recheck.job.js';

const END = '2027-01-31T00:00:00+08:00';
const clock = fixedClock('2027-01-30T12:00:00+08:00');
let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let editor: { cookie: string; user: { id: string } };
let finance: { cookie: string };

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  fx = propagationFixtures(ctx.runtime.services);
  editor = await staff(ctx, ['editor']);
  finance = await staff(ctx, ['finance']);
});
afterAll(async () => {
  await ctx?.close();
});

const run = { jobId: 'test', attempt: 1, isLastAttempt: false };
type Nomination = {
  submissionId: string;
  status: string;
  reachAtNomination: number;
  reachAtRecheck: number | null;
  amountFen: number | null;
  transferId: string | null;
};
const list = async (campaignId: string, cookie = editor.cookie) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/desk/grand-prize?campaignId=${campaignId}`, headers: { cookie } });
  return { status: res.statusCode, body: res.json() };
};
const confirm = (campaignId: string, submissionId: string, amountFen: number, cookie = editor.cookie, lang = 'zh-CN') =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/desk/grand-prize/${campaignId}/${submissionId}/confirm`,
    headers: { cookie, 'accept-language': lang },
    payload: { amountFen },
  });

describe('the grand prize', () => {
  it('nominates at the end, rechecks after the hold-back, and confirms within the amount, each prize once', async () => {
    const s = ctx.runtime.services;
    const campaignId = (
      await fx.campaign({
        startsAt: '2026-11-01T00:00:00+08:00',
        endsAt: END,
        rules: { grandPrize: { thresholdReach: 1_000_000, amountFen: 1_000_000, holdBackDays: 7 } },
      })
    ).id;
    const users = [await fx.user('甲'), await fx.user('乙'), await fx.user('丙'), await fx.user('丁'), await fx.user('戊')];
    const video = (i: number) => fx.video({ campaignId, userId: users[i]!.id, adoptedAt: '2026-11-10T10:00:00+08:00' });
    // a: past the threshold over two channels. b: one view short. c: past it, then the platform takes
    // fake plays away. d: past it only after the end. e: far past it.
    const [a, b, c, d, e] = [await video(0), await video(1), await video(2), await video(3), await video(4)];
    await fx.sample(await fx.publication(a, 'weibo'), '2027-01-20T10:00:00+08:00', { views: 900_000 });
    await fx.sample(await fx.publication(a, 'toutiao'), '2027-01-20T10:00:00+08:00', { views: 600_000 });
    await fx.sample(await fx.publication(b, 'weibo'), '2027-01-20T10:00:00+08:00', { views: 999_999 });
    const pc = await fx.publication(c, 'penguin');
    await fx.sample(pc, '2027-01-20T10:00:00+08:00', { views: 2_000_000 });
    const pd = await fx.publication(d, 'app');
    await fx.sample(pd, '2027-01-20T10:00:00+08:00', { views: 500_000 });
    await fx.sample(pd, '2027-02-02T10:00:00+08:00', { views: 5_000_000 });
    await fx.sample(await fx.publication(e, 'wechat'), '2027-01-25T10:00:00+08:00', { views: 3_000_000 });

    // Before the end: nothing.
    expect((await s.grandPrize.nominateDue()).campaigns).toEqual([]);
    clock.set('2027-02-01T00:10:00+08:00');
    await Promise.all([grandPrizeNominateJob.handle({}, s, run), grandPrizeNominateJob.handle({}, s, run)]);
    expect((await s.grandPrize.nominateDue()).campaigns).toEqual([]);

    let l = (await list(campaignId)).body;
    expect(l).toMatchObject({ thresholdReach: 1_000_000, holdBackDays: 7, amountFen: 1_000_000, confirmedFen: 0, remainingFen: 1_000_000 });
    expect(l.nominatedAt).toBe(clock.now().toISOString());
    expect(l.nominations.map((n: Nomination) => [n.submissionId, n.status, n.reachAtNomination])).toEqual([
      [e, 'nominated', 3_000_000],
      [c, 'nominated', 2_000_000],
      [a, 'nominated', 1_500_000],
    ]);
    expect(l.nominations[0].recheckAfter).toBe(new Date('2027-02-07T00:00:00+08:00').toISOString());
    expect(l.nominations[2].contributor).toEqual({ id: users[0]!.id, name: '甲' });

    // Not before the recheck.
    const early = await confirm(campaignId, a, 500_000);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('grand_prize.not_confirmable');

    // The hold-back passes; the platform has revised c down meanwhile.
    await fx.sample(pc, '2027-02-05T10:00:00+08:00', { views: 800_000 });
    clock.set('2027-02-07T00:30:00+08:00');
    await Promise.all([grandPrizeRecheckJob.handle({}, s, run), grandPrizeRecheckJob.handle({}, s, run)]);
    l = (await list(campaignId)).body;
    expect(l.nominations.map((n: Nomination) => [n.submissionId, n.status, n.reachAtRecheck])).toEqual([
      [e, 'confirmable', 3_000_000],
      [c, 'below_threshold', 800_000],
      [a, 'confirmable', 1_500_000],
    ]);

    // Who may: contributors may not, anonymous must sign in.
    const contributor = await signUp(ctx.app);
    expect((await confirm(campaignId, a, 100_000, contributor.cookie)).statusCode).toBe(403);
    expect((await list(campaignId, contributor.cookie)).status).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/desk/grand-prize?campaignId=${campaignId}` })).statusCode).toBe(401);
    expect((await list(campaignId, finance.cookie)).status).toBe(200);

    // Over the amount on its own.
    const tooMuch = await confirm(campaignId, a, 1_000_001, editor.cookie, 'en');
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error).toMatchObject({
      code: 'grand_prize.over_cap',
      message: 'This exceeds the campaign’s grand-prize amount: 10000.00 yuan left.',
    });
    // Two confirmations at once that together pass the amount: one wins, the other is told what is left.
    const [ra, re] = await Promise.all([confirm(campaignId, a, 600_000), confirm(campaignId, e, 600_000)]);
    expect([ra.statusCode, re.statusCode].sort()).toEqual([201, 409]);
    const [won, lost] = ra.statusCode === 201 ? [a, e] : [e, a];
    expect((ra.statusCode === 201 ? re : ra).json().error.message).toBe('超出本活动终极大奖总额，剩余可发 4000.00 元。');
    // A double click on the other: one transfer, the same answer twice.
    const clicks = await Promise.all([confirm(campaignId, lost, 400_000), confirm(campaignId, lost, 400_000)]);
    expect(clicks.map((r) => r.statusCode).sort()).toEqual([200, 201]);
    expect(clicks[0]!.json().nomination.transferId).toBe(clicks[1]!.json().nomination.transferId);
    expect(clicks[0]!.json().remainingFen).toBe(0);
    const changed = await confirm(campaignId, lost, 300_000);
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('grand_prize.already_confirmed');
    expect((await confirm(campaignId, c, 1)).json().error.code).toBe('grand_prize.not_confirmable');
    expect((await confirm(campaignId, b, 1)).json().error.code).toBe('grand_prize.not_found');

    l = (await list(campaignId)).body;
    expect(l).toMatchObject({ confirmedFen: 1_000_000, remainingFen: 0 });
    const confirmed = new Map(l.nominations.filter((n: Nomination) => n.status === 'confirmed').map((n: Nomination) => [n.submissionId, n.amountFen]));
    expect(confirmed).toEqual(
      new Map([
        [won, 600_000],
        [lost, 400_000],
      ]),
    );

    // The ledger: each prize once, from the campaign budget.
    const grand = async (userId: string) => (await s.ledger.statement(userId)).entries.filter((x) => x.kind === 'grand_prize');
    const owner = (id: string) => users[[a, b, c, d, e].indexOf(id)]!.id;
    expect((await grand(owner(won))).map((x) => x.amountFen)).toEqual([600_000]);
    expect((await grand(owner(lost))).map((x) => [x.amountFen, x.refs])).toEqual([[400_000, { campaignId, submissionId: lost }]]);
    const r = await s.ledger.reconcile();
    expect(r.totalFen).toBe(0);
    expect(r.campaigns.find((x) => x.campaignId === campaignId)).toMatchObject({ spentFen: 1_000_000 });

    // A notice and an audit entry per confirmation.
    const db = s.database.db;
    const ns = await db
      .select()
      .from(notices)
      .where(and(eq(notices.kind, 'grand_prize'), eq(notices.userId, owner(lost))));
    expect(ns.map((n) => [n.dedupeKey, n.params.amountFen])).toEqual([[`grand:${campaignId}:${lost}`, 400_000]]);
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, 'grand_prize.confirm'));
    expect(audits.map((x) => [x.objectId, x.actorId, x.data.amountFen]).sort()).toEqual(
      [
        [won, editor.user.id, 600_000],
        [lost, editor.user.id, 400_000],
      ].sort(),
    );
  });

  it('records a round for a campaign where nothing qualified, so it is not looked at again', async () => {
    const s = ctx.runtime.services;
    const campaignId = (await fx.campaign({ startsAt: '2026-11-01T00:00:00+08:00', endsAt: '2027-01-15T00:00:00+08:00' })).id;
    const u = await fx.user();
    await fx.sample(
      await fx.publication(await fx.video({ campaignId, userId: u.id, adoptedAt: '2026-11-02T00:00:00+08:00' }), 'app'),
      '2027-01-01T00:00:00+08:00',
      {
        views: 9_999_999,
      },
    );
    expect((await s.grandPrize.nominateDue()).campaigns).toEqual([{ campaignId, nominated: 0 }]);
    expect((await s.grandPrize.nominateDue()).campaigns).toEqual([]);
    expect((await list(campaignId)).body).toMatchObject({ thresholdReach: 10_000_000, nominations: [] });
  });
});
