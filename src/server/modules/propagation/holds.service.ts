import type { PropagationHold } from '../../../contracts/propagation.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { StudioScope } from '../desk/desk.scope.js';
import type { HoldsRepository, NewPropagationHold, PropagationHoldRow, PropagationHoldStatus } from './holds.repository.js';

export interface HoldsServiceDeps {
  db: Db;
  repo: HoldsRepository;
  ledger: LedgerService;
  audit: AuditRepository;
  clock: Clock;
  /** The desk's studio scope (desk.scope.ts): an editor decides holds only on videos their studio may work on. */
  scope?: Pick<StudioScope, 'assertCovers'>;
}

export function presentHold(h: PropagationHoldRow): PropagationHold {
  return {
    id: h.id,
    kind: h.kind,
    status: h.status,
    campaignId: h.campaignId,
    submissionId: h.submissionId,
    title: h.title,
    userId: h.userId,
    contributorName: h.userName,
    amountFen: h.amountFen,
    ledgerKey: h.ledgerKey,
    refs: h.refs,
    reason: h.reason,
    createdAt: h.createdAt.toISOString(),
    decidedAt: h.decidedAt?.toISOString() ?? null,
    decidedBy: h.decidedBy,
    decidedByName: h.decidedByName,
    note: h.note,
    transferId: h.transferId,
  };
}

/**
 * Money held because the views behind it looked forged, the way the red-packet rain holds a
 * suspicious win: the payment is described (amount, ledger key) but not posted; an editor or
 * finance releases it (the transfer is posted under the key it would have had, so it can never
 * be paid twice) or rejects it (nothing is posted). Both are audit-logged.
 */
export function createHoldsService(deps: HoldsServiceDeps) {
  const { db, repo, ledger, clock } = deps;

  async function pay(h: PropagationHoldRow, actorId: string, tx: Db): Promise<string | null> {
    if (h.kind === 'grand_prize' || h.amountFen === null) return null;
    const [contributor, budget] = [await ledger.ensureContributorAccount(h.userId, tx), await ledger.systemAccount('campaign_budget', h.campaignId, tx)];
    const t = await ledger.post(
      {
        idempotencyKey: h.ledgerKey,
        kind: h.kind === 'weekly_prize' ? 'weekly_prize' : 'adoption_reward',
        entries: [
          { accountId: contributor.id, amountFen: h.amountFen },
          { accountId: budget.id, amountFen: -h.amountFen },
        ],
        refs: { ...h.refs, campaignId: h.campaignId, submissionId: h.submissionId, holdId: h.id },
        memo: null,
        actorId,
      },
      tx,
    );
    if (h.kind === 'weekly_prize') {
      await repo.setChartEntryTransfer({ campaignId: h.campaignId, week: String(h.refs.week), rank: Number(h.refs.rank), transferId: t.id }, tx);
    }
    return t.id;
  }

  async function decide(actor: Actor, id: string, to: 'released' | 'rejected', note: string | null): Promise<PropagationHold> {
    assertCan(actor, 'grand_prize.confirm');
    await db.transaction(async (tx) => {
      const h = await repo.getForUpdate(id, tx);
      if (!h) throw new AppError('propagation_hold.not_found');
      await deps.scope?.assertCovers(actor, { id: h.submissionId }, tx);
      // A double click (or a retry after a lost answer) is answered with the decision already made.
      if (h.status === to) return;
      if (h.status !== 'held') throw new AppError('propagation_hold.already_decided', { status: h.status });
      const transferId = to === 'released' ? await pay(h, actor.id, tx) : null;
      await repo.decide({ id, status: to, by: actor.id, at: clock.now(), note, transferId }, tx);
      await deps.audit.create(
        {
          actorId: actor.id,
          action: to === 'released' ? 'propagation_hold.release' : 'propagation_hold.reject',
          objectType: 'submission',
          objectId: h.submissionId,
          data: { holdId: h.id, kind: h.kind, ledgerKey: h.ledgerKey, amountFen: h.amountFen, transferId, note },
        },
        tx,
      );
    });
    return presentHold((await repo.get(id))!);
  }

  return {
    /** Records a held payment in the caller's transaction; once per ledger key. */
    hold: (h: NewPropagationHold, tx: Db) => repo.create(h, tx),
    /** The hold on a payment, if any (released: it may be paid). */
    byKey: (ledgerKey: string, tx?: Db) => repo.getByKey(ledgerKey, tx),

    async list(actor: Actor, q: { status?: PropagationHoldStatus; campaignId?: string }): Promise<PropagationHold[]> {
      assertCan(actor, 'grand_prize.confirm');
      const rows = await repo.list(q);
      if (!deps.scope) return rows.map(presentHold);
      // Editors see the holds on videos their studios may work on, as on the desk's queue.
      const visible: PropagationHoldRow[] = [];
      for (const h of rows) {
        const ok = await deps.scope.assertCovers(actor, { id: h.submissionId }).then(
          () => true,
          (err: unknown) => (err instanceof AppError && err.code === 'desk.out_of_scope' ? false : Promise.reject(err)),
        );
        if (ok) visible.push(h);
      }
      return visible.map(presentHold);
    },
    release: (actor: Actor, id: string) => decide(actor, id, 'released', null),
    reject: (actor: Actor, id: string, note?: string) => decide(actor, id, 'rejected', note ?? null),
  };
}
export type HoldsService = ReturnType<typeof createHoldsService>;
