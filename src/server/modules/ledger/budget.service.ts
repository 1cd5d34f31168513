import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import type { LedgerService } from './ledger.service.js';

/** Campaign budgets: funded from the treasury by finance; rewards and prizes are paid out of them. */
export function createBudgetService(deps: { db: Db; ledger: LedgerService; campaigns: CampaignsRepository; audit: AuditRepository }) {
  const { db, ledger } = deps;
  return {
    /** Treasury → campaign budget, once per request id; audited in the same transaction. */
    async fund(actor: Actor, campaignId: string, input: { requestId: string; amountFen: number; memo?: string }) {
      assertCan(actor, 'budget.fund');
      if (!(await deps.campaigns.get(campaignId))) throw new AppError('campaign.not_found');
      return db.transaction(async (tx) => {
        const treasury = await ledger.systemAccount('treasury', null, tx);
        const budget = await ledger.systemAccount('campaign_budget', campaignId, tx);
        const t = await ledger.post(
          {
            idempotencyKey: `budget:${input.requestId}`,
            kind: 'budget_funding',
            entries: [
              { accountId: treasury.id, amountFen: -input.amountFen },
              { accountId: budget.id, amountFen: input.amountFen },
            ],
            refs: { campaignId },
            memo: input.memo ?? null,
            actorId: actor.id,
          },
          tx,
        );
        if (t.created)
          await deps.audit.create(
            { actorId: actor.id, action: 'budget.fund', objectType: 'campaign', objectId: campaignId, data: { amountFen: input.amountFen, transferId: t.id } },
            tx,
          );
        return t;
      });
    },
  };
}
export type BudgetService = ReturnType<typeof createBudgetService>;
