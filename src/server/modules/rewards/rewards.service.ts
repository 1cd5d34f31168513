import type { CampaignRules } from '../../../contracts/campaigns.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import type { LedgerService, LedgerTransfer } from '../ledger/ledger.service.js';
import type { RewardsRepository } from './rewards.repository.js';

/**
 * A contributor's reach (views across channels). The metrics module will provide the real one;
 * until then `zeroReach` answers 0, and tests hand in their own.
 */
export interface ReachSource {
  /** With `tx`, reads inside that transaction (the adoption's: on PGlite a read outside it would wait for it forever). */
  reachOf(q: { userId: string; campaignId: string }, tx?: Db): Promise<number>;
  /** The part of that reach that looked forged (views from a few networks), and why; absent: none. */
  suspectReachOf?(q: { userId: string; campaignId: string }, tx?: Db): Promise<{ suspect: number; anomalies: unknown[] }>;
}

/** Where the extra of a multiplier that rests on suspect reach waits for review (the propagation module's holds). */
export interface RewardHolds {
  hold(
    h: {
      kind: 'reach_multiplier';
      ledgerKey: string;
      campaignId: string;
      submissionId: string;
      userId: string;
      amountFen: number;
      refs: Record<string, unknown>;
      reason: Record<string, unknown>;
    },
    tx: Db,
  ): Promise<unknown>;
}
export const zeroReach: ReachSource = { reachOf: async () => 0 };

/** What the desk's adoption calls, inside its own transaction. */
export interface AdoptionRewards {
  /** The multiplier (percent) that applies to a new adoption reward now. */
  multiplierFor(q: { userId: string; campaignId: string }, tx: Db): Promise<number>;
  /** The adoption transfer already posted for a submission, and the multiplier it recorded. */
  recordedAdoption(submissionId: string, tx: Db): Promise<{ transferId: string; multiplierPercent: number } | undefined>;
  /**
   * Posts every bonus tier the contributor has reached in the campaign and not yet received;
   * with the adopted `submissionId`, holds for review what a multiplier would have added on reach that looked forged.
   */
  afterAdoption(q: { userId: string; campaignId: string; actorId: string | null; submissionId?: string }, tx: Db): Promise<void>;
}

export interface RewardsServiceDeps {
  db: Db;
  repo: RewardsRepository;
  ledger: LedgerService;
  campaigns: CampaignsRepository;
  audit: AuditRepository;
  reach: ReachSource;
  holds?: RewardHolds;
}

export const bonusKey = (campaignId: string, userId: string, tierAdoptedCount: number) => `bonus:${campaignId}:${userId}:${tierAdoptedCount}`;
/** The ledger key of a held multiplier's extra, once released. */
export const multiplierHoldKey = (submissionId: string) => `multiplier:${submissionId}`;

/** Multiplies in integer arithmetic; half a fen rounds up. */
export function applyMultiplier(fen: number, multiplierPercent: number): number {
  return Math.round((fen * multiplierPercent) / 100);
}

/** The multiplier reached at `reach` (100 below every threshold) and the next threshold above it. */
export function multiplierAt(rules: Pick<CampaignRules, 'reachMultipliers'>, reach: number) {
  const steps = [...(rules.reachMultipliers ?? [])].sort((a, b) => a.reachAtLeast - b.reachAtLeast);
  let multiplierPercent = 100;
  for (const s of steps) if (reach >= s.reachAtLeast) multiplierPercent = Math.max(multiplierPercent, s.multiplierPercent);
  const next = steps.find((s) => s.reachAtLeast > reach && s.multiplierPercent > multiplierPercent) ?? null;
  return { multiplierPercent, next };
}

/** Tiers reached at `adoptedCount` (ascending) and the next one. */
export function tiersAt(rules: Pick<CampaignRules, 'bonusTiers'>, adoptedCount: number) {
  const tiers = [...(rules.bonusTiers ?? [])].sort((a, b) => a.adoptedCount - b.adoptedCount);
  return { reached: tiers.filter((t) => t.adoptedCount <= adoptedCount), next: tiers.find((t) => t.adoptedCount > adoptedCount) ?? null };
}

/**
 * Cumulative rewards (累积奖励): bonus tiers on a contributor's adopted count in a campaign,
 * and reach multipliers on new adoption rewards. Bonuses are ledger transfers keyed
 * `bonus:<campaignId>:<userId>:<tier>`, so however often they are applied (on each adoption,
 * by the catch-up after tiers change, under retries and concurrent adoptions) each tier pays once.
 */
export function createRewardsService(deps: RewardsServiceDeps) {
  const { db, repo, ledger, campaigns } = deps;

  async function rulesOf(campaignId: string, tx: Db = db): Promise<CampaignRules> {
    const c = await campaigns.get(campaignId, tx);
    if (!c) throw new AppError('campaign.not_found');
    return c.rules;
  }

  /** Inside the caller's transaction; returns the bonus transfers newly posted. */
  async function applyBonuses(q: { userId: string; campaignId: string; actorId: string | null }, tx: Db): Promise<LedgerTransfer[]> {
    const rules = await rulesOf(q.campaignId, tx);
    if (!rules.bonusTiers?.length) return [];
    await repo.lockContributorCampaign(q.userId, q.campaignId, tx);
    const count = await repo.adoptedCount(q.userId, q.campaignId, tx);
    const { reached } = tiersAt(rules, count);
    if (!reached.length) return [];
    const [contributor, budget] = await Promise.all([ledger.ensureContributorAccount(q.userId, tx), ledger.systemAccount('campaign_budget', q.campaignId, tx)]);
    const posted: LedgerTransfer[] = [];
    for (const tier of reached) {
      try {
        const t = await ledger.post(
          {
            idempotencyKey: bonusKey(q.campaignId, q.userId, tier.adoptedCount),
            kind: 'cumulative_bonus',
            entries: [
              { accountId: contributor.id, amountFen: tier.bonusFen },
              { accountId: budget.id, amountFen: -tier.bonusFen },
            ],
            refs: { campaignId: q.campaignId, tierAdoptedCount: tier.adoptedCount },
            memo: null,
            actorId: q.actorId,
          },
          tx,
        );
        if (t.created) posted.push(t);
      } catch (err) {
        // The tier was paid before its amount was edited: it stays paid once, at the old amount.
        if (err instanceof AppError && err.code === 'ledger.idempotency_conflict') continue;
        throw err;
      }
    }
    return posted;
  }

  /** The multiplier on all reach, and on reach without the part that looked forged (what is paid at once). */
  async function multipliers(q: { userId: string; campaignId: string }, rules: CampaignRules, tx: Db) {
    const reach = await deps.reach.reachOf(q, tx);
    const full = multiplierAt(rules, reach).multiplierPercent;
    const { suspect, anomalies } = (await deps.reach.suspectReachOf?.(q, tx)) ?? { suspect: 0, anomalies: [] };
    const clean = suspect > 0 ? multiplierAt(rules, Math.max(0, reach - suspect)).multiplierPercent : full;
    return { reach, suspect, anomalies, full, clean };
  }

  /** Holds what the multiplier on all reach would add to the adoption reward over the one paid on clean reach. */
  async function holdSuspectMultiplier(q: { userId: string; campaignId: string; submissionId: string }, tx: Db): Promise<void> {
    if (!deps.holds) return;
    const rules = await rulesOf(q.campaignId, tx);
    if (!rules.reachMultipliers?.length) return;
    const m = await multipliers(q, rules, tx);
    if (m.full <= m.clean) return;
    const t = await repo.getTransferByKey(`adoption:${q.submissionId}`, tx);
    const grade = typeof t?.refs.grade === 'string' ? t.refs.grade : undefined;
    const paidPercent = typeof t?.refs.multiplierPercent === 'number' ? t.refs.multiplierPercent : 100;
    const base = rules.grades.find((g) => g.grade === grade)?.rewardFen;
    if (!t || base === undefined || paidPercent >= m.full) return;
    const extra = applyMultiplier(base, m.full) - applyMultiplier(base, paidPercent);
    if (extra <= 0) return;
    await deps.holds.hold(
      {
        kind: 'reach_multiplier',
        ledgerKey: multiplierHoldKey(q.submissionId),
        campaignId: q.campaignId,
        submissionId: q.submissionId,
        userId: q.userId,
        amountFen: extra,
        refs: { grade, multiplierPercent: m.full, paidMultiplierPercent: paidPercent, adoptionTransferId: t.id },
        reason: { reach: m.reach, suspectReach: m.suspect, anomalies: m.anomalies },
      },
      tx,
    );
  }

  const adoption: AdoptionRewards = {
    async multiplierFor(q, tx) {
      const rules = await rulesOf(q.campaignId, tx);
      if (!rules.reachMultipliers?.length) return 100;
      // Reach that looked forged lifts nothing now; what it would add is held (afterAdoption).
      return (await multipliers(q, rules, tx)).clean;
    },
    async recordedAdoption(submissionId, tx) {
      const t = await repo.getTransferByKey(`adoption:${submissionId}`, tx);
      if (!t) return undefined;
      const m = t.refs.multiplierPercent;
      return { transferId: t.id, multiplierPercent: typeof m === 'number' ? m : 100 };
    },
    async afterAdoption(q, tx) {
      await applyBonuses(q, tx);
      if (q.submissionId) await holdSuspectMultiplier({ userId: q.userId, campaignId: q.campaignId, submissionId: q.submissionId }, tx);
    },
  };

  return {
    adoption,
    applyBonuses,

    /**
     * Applies every tier reached by every contributor (in one campaign, or all), each pair in
     * its own transaction: for tiers added or lowered after adoptions. Safe to run any time.
     */
    async catchUp(actor: Actor | null, opts: { campaignId?: string } = {}) {
      if (actor) assertCan(actor, 'campaign.manage');
      if (opts.campaignId) await rulesOf(opts.campaignId);
      const pairs = await repo.adoptionPairs(opts.campaignId);
      let posted = 0;
      let totalFen = 0;
      for (const pair of pairs) {
        const made = await db.transaction((tx) => applyBonuses({ ...pair, actorId: actor?.id ?? null }, tx));
        posted += made.length;
        totalFen += made.reduce((s, t) => s + (t.entries.find((e) => e.amountFen > 0)?.amountFen ?? 0), 0);
      }
      if (actor && posted)
        await deps.audit.create({
          actorId: actor.id,
          action: 'rewards.catch_up',
          objectType: 'campaign',
          objectId: opts.campaignId ?? null,
          data: { posted, totalFen },
        });
      return { contributorsChecked: pairs.length, bonusesPosted: posted, totalFen };
    },

    /** For each campaign the contributor joined: adopted count, reach, bonuses, the next tier and multiplier. */
    async progress(actor: Actor) {
      assertCan(actor, 'account.self');
      const [joined, counts, earned] = await Promise.all([repo.joinedCampaigns(actor.id), repo.adoptedCounts(actor.id), repo.bonusesEarned(actor.id)]);
      const progress = await Promise.all(
        joined.map(async (c) => {
          const adoptedCount = counts.get(c.id) ?? 0;
          const reach = await deps.reach.reachOf({ userId: actor.id, campaignId: c.id });
          // The multiplier a new adoption gets now: reach that looked forged lifts it only once released.
          const suspect = c.rules.reachMultipliers?.length ? ((await deps.reach.suspectReachOf?.({ userId: actor.id, campaignId: c.id }))?.suspect ?? 0) : 0;
          const m = multiplierAt(c.rules, Math.max(0, reach - suspect));
          const next = tiersAt(c.rules, adoptedCount).next;
          return {
            campaignId: c.id,
            adoptedCount,
            reach,
            bonusesEarnedFen: earned.get(c.id) ?? 0,
            nextTier: next ? { adoptedCount: next.adoptedCount, bonusFen: next.bonusFen } : null,
            multiplierPercent: m.multiplierPercent,
            nextMultiplier: m.next ? { reachAtLeast: m.next.reachAtLeast, multiplierPercent: m.next.multiplierPercent } : null,
          };
        }),
      );
      return { progress };
    },
  };
}
export type RewardsService = ReturnType<typeof createRewardsService>;
