import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { createCampaignsRepository } from '../campaigns/campaigns.repository.js';
import { createDeskService } from '../desk/desk.service.js';
import { createRewardsRepository } from './rewards.repository.js';
import { applyMultiplier, createRewardsService, multiplierAt, tiersAt, type ReachSource } from './rewards.service.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let admin: { cookie: string };
let chief: { cookie: string; user: { id: string } };
let campaignId: string;
const rules = demoCampaign(new Date()).rules;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: 'rewards-test' },
  });
  campaignId = res.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

async function inReview(userId: string) {
  const row = await ctx.runtime.services.submissionsRepo.create({
    userId,
    campaignId,
    theme: 'food',
    title: '街头小吃',
    consentAt: clock.now(),
    status: 'in_review',
    progress: 100,
    uploadLength: 1000,
    originalFilename: 'a.mp4',
    durationSeconds: 75,
    width: 720,
    height: 1280,
    processedAt: clock.now(),
  });
  return row.id;
}
const adopt = (id: string, grade = 'D') =>
  ctx.app.inject({ method: 'POST', url: `/api/desk/submissions/${id}/adopt`, headers: { cookie: chief.cookie }, payload: { grade } });
const statement = async (cookie: string) =>
  (await ctx.app.inject({ method: 'GET', url: '/api/me/ledger?limit=500', headers: { cookie } })).json() as {
    balanceFen: number;
    entries: { kind: string; amountFen: number; refs: Record<string, unknown> }[];
  };
const progress = async (cookie: string) =>
  (await ctx.app.inject({ method: 'GET', url: '/api/me/rewards/progress', headers: { cookie } })).json().progress as Record<string, unknown>[];

describe('tiers and multipliers (pure)', () => {
  it('finds the reached tiers, the next tier and the multiplier at a reach', () => {
    expect(tiersAt(rules, 4)).toEqual({ reached: [{ adoptedCount: 3, bonusFen: 30_000 }], next: { adoptedCount: 5, bonusFen: 80_000 } });
    expect(tiersAt(rules, 10).next).toBeNull();
    expect(multiplierAt(rules, 0)).toEqual({ multiplierPercent: 100, next: { reachAtLeast: 100_000, multiplierPercent: 120 } });
    expect(multiplierAt(rules, 100_000).multiplierPercent).toBe(120);
    expect(multiplierAt(rules, 5_000_000)).toEqual({ multiplierPercent: 150, next: null });
    expect(applyMultiplier(10_001, 150)).toBe(15_002);
  });
});

describe('cumulative bonuses', () => {
  it('pays each tier once as adoptions reach it, even when adoptions land at once, and shows progress', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const ids = await Promise.all(Array.from({ length: 6 }, () => inReview(u.user.id)));
    expect(await progress(u.cookie)).toEqual([
      {
        campaignId,
        adoptedCount: 0,
        reach: 0,
        bonusesEarnedFen: 0,
        nextTier: { adoptedCount: 3, bonusFen: 30_000 },
        multiplierPercent: 100,
        nextMultiplier: { reachAtLeast: 100_000, multiplierPercent: 120 },
      },
    ]);
    expect((await adopt(ids[0]!)).statusCode).toBe(200);
    expect((await adopt(ids[1]!)).statusCode).toBe(200);
    expect((await statement(u.cookie)).entries.filter((e) => e.kind === 'cumulative_bonus')).toEqual([]);
    // The 3rd, 4th and 5th adoption at once (and a double click on one of them).
    const results = await Promise.all([adopt(ids[2]!), adopt(ids[3]!), adopt(ids[4]!), adopt(ids[4]!)]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const s = await statement(u.cookie);
    const bonuses = s.entries.filter((e) => e.kind === 'cumulative_bonus');
    expect(bonuses.map((e) => [e.amountFen, e.refs.tierAdoptedCount]).sort()).toEqual([
      [30_000, 3],
      [80_000, 5],
    ]);
    expect(s.balanceFen).toBe(5 * 10_000 + 30_000 + 80_000);
    expect(await progress(u.cookie)).toEqual([
      expect.objectContaining({ adoptedCount: 5, bonusesEarnedFen: 110_000, nextTier: { adoptedCount: 10, bonusFen: 200_000 } }),
    ]);

    // Tiers added after the fact are caught up, once.
    const newRules = { ...rules, bonusTiers: [...rules.bonusTiers, { adoptedCount: 1, bonusFen: 5_000 }, { adoptedCount: 4, bonusFen: 7_000 }] };
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/campaigns/${campaignId}`,
      headers: { cookie: admin.cookie },
      payload: { rules: newRules },
    });
    expect(patched.statusCode).toBe(200);
    const applied = await ctx.app.inject({ method: 'POST', url: `/api/admin/campaigns/${campaignId}/bonuses/apply`, headers: { cookie: admin.cookie } });
    expect(applied.json()).toMatchObject({ bonusesPosted: 2, totalFen: 12_000 });
    const again = await ctx.app.inject({ method: 'POST', url: `/api/admin/campaigns/${campaignId}/bonuses/apply`, headers: { cookie: admin.cookie } });
    expect(again.json()).toMatchObject({ bonusesPosted: 0, totalFen: 0 });
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/campaigns/${campaignId}/bonuses/apply`, headers: { cookie: u.cookie } })).statusCode).toBe(
      403,
    );
    expect((await statement(u.cookie)).balanceFen).toBe(5 * 10_000 + 30_000 + 80_000 + 12_000);

    // A tier whose amount changes after it was paid stays paid once, at the old amount.
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/campaigns/${campaignId}`,
      headers: { cookie: admin.cookie },
      payload: { rules: { ...newRules, bonusTiers: newRules.bonusTiers.map((t) => ({ ...t, bonusFen: t.bonusFen + 1 })) } },
    });
    expect((await adopt(ids[5]!)).statusCode).toBe(200);
    expect((await statement(u.cookie)).balanceFen).toBe(6 * 10_000 + 30_000 + 80_000 + 12_000);
    await ctx.app.inject({ method: 'PATCH', url: `/api/admin/campaigns/${campaignId}`, headers: { cookie: admin.cookie }, payload: { rules } });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/finance/reconciliation', headers: { cookie: admin.cookie } })).json().totalFen).toBe(0);
  });
});

describe('reach multipliers', () => {
  it('multiplies the adoption reward by the contributor’s multiplier, records it, and keeps retries and corrections consistent', async () => {
    const s = ctx.runtime.services;
    const reach = new Map<string, number>();
    const reachSource: ReachSource = { reachOf: async ({ userId }) => reach.get(userId) ?? 0 };
    const campaignsRepo = createCampaignsRepository(s.database.db);
    const rewards = createRewardsService({
      db: s.database.db,
      repo: createRewardsRepository(s.database.db),
      ledger: s.ledger,
      campaigns: campaignsRepo,
      audit: s.audit,
      reach: reachSource,
    });
    const desk = createDeskService({
      db: s.database.db,
      repo: s.deskRepo,
      submissionsRepo: s.submissionsRepo,
      submissions: s.submissions,
      campaigns: campaignsRepo,
      ledger: s.ledger,
      audit: s.audit,
      clock,
      scope: s.studioScope,
      rewards: rewards.adoption,
    });
    const editor = { id: chief.user.id, roles: ['chief_editor' as const] };

    const u = await signUp(ctx.app, { campaignId });
    reach.set(u.user.id, 250_000);
    const id = await inReview(u.user.id);
    const first = await desk.adopt(editor, id, 'B', 'zh-CN');
    let st = await statement(u.cookie);
    expect(st.entries[0]).toMatchObject({ kind: 'adoption_reward', amountFen: 240_000, refs: { multiplierPercent: 120, grade: 'B' } });
    // Reach grows: a retry answers the same transfer; nothing more is paid.
    reach.set(u.user.id, 2_000_000);
    expect((await desk.adopt(editor, id, 'B', 'zh-CN')).transferId).toBe(first.transferId);
    // A grade change corrects at the adoption's multiplier: A (500,000) × 120% in all.
    await desk.regrade(editor, id, { grade: 'A', expectedGrade: 'B' }, 'zh-CN');
    st = await statement(u.cookie);
    expect(st.balanceFen).toBe(600_000);
    expect(st.entries[0]).toMatchObject({ kind: 'grade_correction', amountFen: 360_000, refs: { multiplierPercent: 120 } });
    // The next adoption takes the new multiplier.
    await desk.adopt(editor, await inReview(u.user.id), 'D', 'zh-CN');
    expect((await statement(u.cookie)).entries[0]).toMatchObject({ amountFen: 15_000, refs: { multiplierPercent: 150 } });
  });
});
