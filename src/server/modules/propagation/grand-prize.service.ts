import type { FastifyBaseLogger } from 'fastify';
import type { GrandPrizeConfirmInput, GrandPrizeList, GrandPrizeNomination } from '../../../contracts/charts.js';
import type { Db } from '../../db/client.js';
import type { CampaignRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { ChartsRepository, NewNotice } from './charts.repository.js';
import { grandPrizeRulesOf } from './charts.rules.js';
import type { GrandPrizeRepository, NominationView } from './grand-prize.repository.js';
import type { HoldsService } from './holds.service.js';
import type { ViewGuard } from './view-guard.js';

export interface GrandPrizeServiceDeps {
  db: Db;
  repo: GrandPrizeRepository;
  charts: ChartsRepository;
  ledger: LedgerService;
  audit: AuditRepository;
  clock: Clock;
  /** The notices service's `notify` (once per dedupe key, in the caller's transaction); the bare notices row when absent. */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
  logger?: FastifyBaseLogger;
  /** With both, a nomination whose reach looks forged is held for review before it can be confirmed. */
  guard?: ViewGuard;
  holds?: Pick<HoldsService, 'hold' | 'byKey'>;
  /** The desk's studio scope (desk.scope.ts): an editor confirms prizes only for videos their studio may work on. */
  assertInScope?: (actor: Actor, submissionId: string) => Promise<void>;
}

const DAY_MS = 86_400_000;
const yuan = (fen: number) => (fen / 100).toFixed(2);
export const grandPrizeKey = (campaignId: string, submissionId: string) => `grand:${campaignId}:${submissionId}`;

export function presentNomination(n: NominationView): GrandPrizeNomination {
  return {
    campaignId: n.campaignId,
    submissionId: n.submissionId,
    headline: n.headline,
    contributor: { id: n.userId, name: n.userName },
    reachAtNomination: n.reachAtNomination,
    nominatedAt: n.nominatedAt.toISOString(),
    recheckAfter: n.recheckAfter.toISOString(),
    reachAtRecheck: n.reachAtRecheck,
    status: n.status,
    amountFen: n.amountFen,
    transferId: n.transferId,
    confirmedBy: n.confirmedBy,
    confirmedAt: n.confirmedAt?.toISOString() ?? null,
  };
}

/**
 * 终极大奖: at a campaign's end every adopted video whose reach passed the threshold is
 * nominated; after the hold-back its figures are checked again; an editor then confirms a
 * prize for each one still past the threshold, within the campaign's amount, exactly once.
 */
export function createGrandPrizeService(deps: GrandPrizeServiceDeps) {
  const { db, repo, ledger, clock } = deps;
  const notify = deps.notify ?? ((n: NewNotice, tx: Db) => deps.charts.createNotice(n, tx));

  /** Nominates one ended campaign's videos, once (the round row's key makes a second run a no-op). */
  async function nominate(campaign: CampaignRow): Promise<number | undefined> {
    const rules = grandPrizeRulesOf(campaign.rules);
    const now = clock.now();
    return db.transaction(async (tx) => {
      if (!(await repo.createRound({ campaignId: campaign.id, nominatedAt: now, thresholdReach: rules.thresholdReach, nominatedCount: 0 }, tx)))
        return undefined;
      // Reach at the campaign's end: per publication the highest views seen by then, summed per video.
      const figures = await deps.charts.publicationFigures({ campaignId: campaign.id, upTo: campaign.endsAt }, tx);
      const reach = new Map<string, { userId: string; reach: number }>();
      for (const f of figures) {
        const r = reach.get(f.submissionId) ?? { userId: f.userId, reach: 0 };
        r.reach += f.views;
        reach.set(f.submissionId, r);
      }
      const recheckAfter = new Date(campaign.endsAt.getTime() + rules.holdBackDays * DAY_MS);
      const rows = [...reach]
        .filter(([, r]) => r.reach >= rules.thresholdReach)
        .map(([submissionId, r]) => ({
          campaignId: campaign.id,
          submissionId,
          userId: r.userId,
          reachAtNomination: r.reach,
          nominatedAt: now,
          recheckAfter,
          status: 'nominated' as const,
        }));
      const count = await repo.createNominations(rows, tx);
      await repo.updateRound(campaign.id, { nominatedCount: count }, tx);
      await deps.audit.create(
        {
          actorId: null,
          action: 'grand_prize.nominate',
          objectType: 'campaign',
          objectId: campaign.id,
          data: { nominated: count, thresholdReach: rules.thresholdReach, recheckAfter: recheckAfter.toISOString() },
        },
        tx,
      );
      return count;
    });
  }

  /** A confirmable nomination whose views up to the campaign's end came mostly from a few networks waits for review. */
  async function holdIfForged(n: { campaignId: string; submissionId: string; userId: string }, reach: number, tx: Db): Promise<void> {
    if (!deps.guard || !deps.holds) return;
    const campaign = await deps.charts.getCampaign(n.campaignId, tx);
    const anomaly = await deps.guard.check({ submissionId: n.submissionId, views: reach, to: campaign?.endsAt }, tx);
    if (!anomaly) return;
    await deps.holds.hold(
      {
        kind: 'grand_prize',
        ledgerKey: grandPrizeKey(n.campaignId, n.submissionId),
        campaignId: n.campaignId,
        submissionId: n.submissionId,
        userId: n.userId,
        amountFen: null,
        refs: {},
        reason: { ...anomaly },
      },
      tx,
    );
  }

  async function listFor(campaignId: string, submissionId?: string): Promise<GrandPrizeNomination[]> {
    return (await repo.list(campaignId, submissionId)).map(presentNomination);
  }

  return {
    nominate,

    /** The daily job: every published campaign that has ended and has no round yet. */
    async nominateDue(): Promise<{ campaigns: { campaignId: string; nominated: number }[] }> {
      const out: { campaignId: string; nominated: number }[] = [];
      for (const c of await repo.listEndedWithoutRound(clock.now())) {
        const n = await nominate(c);
        if (n !== undefined) out.push({ campaignId: c.id, nominated: n });
      }
      return { campaigns: out };
    },

    /**
     * The daily job: nominations past their hold-back are checked against the figures the
     * platforms report now. Still at or past the round's threshold: confirmable; else below_threshold.
     */
    async recheckDue(): Promise<{ confirmable: number; belowThreshold: number }> {
      const now = clock.now();
      let confirmable = 0;
      let belowThreshold = 0;
      for (const n of await repo.listDueForRecheck(now)) {
        const round = await repo.getRound(n.campaignId);
        const threshold = round?.thresholdReach ?? grandPrizeRulesOf((await deps.charts.getCampaign(n.campaignId))?.rules).thresholdReach;
        const reach = await repo.latestReach(n.submissionId);
        const status = reach >= threshold ? 'confirmable' : 'below_threshold';
        const updated = await db.transaction(async (tx) => {
          if (
            !(await repo.updateNomination({ campaignId: n.campaignId, submissionId: n.submissionId, from: 'nominated' }, { status, reachAtRecheck: reach }, tx))
          )
            return false;
          if (status === 'confirmable') await holdIfForged(n, reach, tx);
          return true;
        });
        if (updated) {
          if (status === 'confirmable') confirmable++;
          else belowThreshold++;
        }
      }
      return { confirmable, belowThreshold };
    },

    async list(actor: Actor, campaignId: string): Promise<GrandPrizeList> {
      assertCan(actor, 'desk.access');
      const campaign = await deps.charts.getCampaign(campaignId);
      if (!campaign) throw new AppError('campaign.not_found');
      const rules = grandPrizeRulesOf(campaign.rules);
      const [round, confirmedFen, nominations] = [await repo.getRound(campaignId), await repo.confirmedFen(campaignId), await listFor(campaignId)];
      return {
        campaignId,
        nominatedAt: round?.nominatedAt.toISOString() ?? null,
        thresholdReach: round?.thresholdReach ?? rules.thresholdReach,
        holdBackDays: rules.holdBackDays,
        amountFen: rules.amountFen,
        confirmedFen,
        remainingFen: rules.amountFen - confirmedFen,
        nominations,
      };
    },

    /**
     * Confirms a prize for a confirmable nomination and posts it (key `grand:<campaign>:<submission>`).
     * Confirmations of one campaign queue on its round row, so the cap holds under concurrency;
     * a repeat with the same amount (a double click) answers the first confirmation.
     */
    async confirm(actor: Actor, q: { campaignId: string; submissionId: string }, input: GrandPrizeConfirmInput) {
      assertCan(actor, 'grand_prize.confirm');
      await deps.assertInScope?.(actor, q.submissionId);
      const now = clock.now();
      const created = await db.transaction(async (tx) => {
        const round = await repo.getRoundForUpdate(q.campaignId, tx);
        const n = round && (await repo.getForUpdate(q.campaignId, q.submissionId, tx));
        if (!n) throw new AppError('grand_prize.not_found');
        if (n.status === 'confirmed') {
          if (n.amountFen === input.amountFen) return false;
          throw new AppError('grand_prize.already_confirmed', { amountYuan: yuan(n.amountFen ?? 0) }, { details: { amountFen: n.amountFen } });
        }
        if (n.status !== 'confirmable') throw new AppError('grand_prize.not_confirmable', { status: n.status });
        const hold = await deps.holds?.byKey(grandPrizeKey(q.campaignId, q.submissionId), tx);
        if (hold && hold.status !== 'released') throw new AppError('grand_prize.held', {}, { details: { holdId: hold.id, status: hold.status } });
        const campaign = await deps.charts.getCampaign(q.campaignId, tx);
        const cap = grandPrizeRulesOf(campaign?.rules).amountFen;
        const confirmed = await repo.confirmedFen(q.campaignId, tx);
        if (confirmed + input.amountFen > cap) {
          throw new AppError('grand_prize.over_cap', { remainingYuan: yuan(cap - confirmed) }, { details: { remainingFen: cap - confirmed, amountFen: cap } });
        }
        const [contributor, budget] = [await ledger.ensureContributorAccount(n.userId, tx), await ledger.systemAccount('campaign_budget', q.campaignId, tx)];
        const t = await ledger.post(
          {
            idempotencyKey: grandPrizeKey(q.campaignId, q.submissionId),
            kind: 'grand_prize',
            entries: [
              { accountId: contributor.id, amountFen: input.amountFen },
              { accountId: budget.id, amountFen: -input.amountFen },
            ],
            refs: { campaignId: q.campaignId, submissionId: q.submissionId },
            memo: null,
            actorId: actor.id,
          },
          tx,
        );
        await repo.updateNomination(
          { campaignId: q.campaignId, submissionId: q.submissionId, from: 'confirmable' },
          { status: 'confirmed', amountFen: input.amountFen, transferId: t.id, confirmedBy: actor.id, confirmedAt: now },
          tx,
        );
        await notify(
          {
            userId: n.userId,
            kind: 'grand_prize',
            submissionId: q.submissionId,
            params: { campaignId: q.campaignId, amountFen: input.amountFen, amountYuan: yuan(input.amountFen) },
            dedupeKey: grandPrizeKey(q.campaignId, q.submissionId),
          },
          tx,
        );
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'grand_prize.confirm',
            objectType: 'submission',
            objectId: q.submissionId,
            data: { campaignId: q.campaignId, amountFen: input.amountFen, transferId: t.id, reachAtRecheck: n.reachAtRecheck },
          },
          tx,
        );
        return true;
      });
      const [nomination] = await listFor(q.campaignId, q.submissionId);
      const campaign = await deps.charts.getCampaign(q.campaignId);
      const remainingFen = grandPrizeRulesOf(campaign?.rules).amountFen - (await repo.confirmedFen(q.campaignId));
      return { nomination: nomination!, remainingFen, created };
    },
  };
}
export type GrandPrizeService = ReturnType<typeof createGrandPrizeService>;
