import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaignMembers, campaigns, ledgerAccounts, ledgerEntries, ledgerTransfers, submissions, type CampaignRow } from '../../db/schema.js';

const sumFen = (col: typeof ledgerEntries.amountFen) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);

export function createRewardsRepository(db: Db) {
  return {
    /**
     * Serialises bonus decisions for one contributor in one campaign until the transaction
     * ends: two adoptions committing at once would otherwise each count without the other
     * and both miss the tier they reach together.
     */
    async lockContributorCampaign(userId: string, campaignId: string, tx: Db): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`paike:bonus:${campaignId}:${userId}`}, 0))`);
    },
    async adoptedCount(userId: string, campaignId: string, tx: Db = db): Promise<number> {
      const [r] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(submissions)
        .where(and(eq(submissions.userId, userId), eq(submissions.campaignId, campaignId), eq(submissions.status, 'adopted')));
      return r?.n ?? 0;
    },
    async adoptedCounts(userId: string, tx: Db = db): Promise<Map<string, number>> {
      const rows = await tx
        .select({ campaignId: submissions.campaignId, n: sql<number>`count(*)::int` })
        .from(submissions)
        .where(and(eq(submissions.userId, userId), eq(submissions.status, 'adopted')))
        .groupBy(submissions.campaignId);
      return new Map(rows.map((r) => [r.campaignId, r.n]));
    },
    /** Every (contributor, campaign) with at least one adoption, optionally in one campaign. */
    async adoptionPairs(campaignId?: string, tx: Db = db): Promise<{ userId: string; campaignId: string }[]> {
      return tx
        .selectDistinct({ userId: submissions.userId, campaignId: submissions.campaignId })
        .from(submissions)
        .where(and(eq(submissions.status, 'adopted'), campaignId ? eq(submissions.campaignId, campaignId) : undefined));
    },
    async joinedCampaigns(userId: string, tx: Db = db): Promise<CampaignRow[]> {
      const rows = await tx
        .select({ c: campaigns })
        .from(campaignMembers)
        .innerJoin(campaigns, eq(campaigns.id, campaignMembers.campaignId))
        .where(eq(campaignMembers.userId, userId))
        .orderBy(campaigns.startsAt);
      return rows.map((r) => r.c);
    },
    /** Net cumulative bonuses credited to the user, per campaign (from the ledger, never stored). */
    async bonusesEarned(userId: string, tx: Db = db): Promise<Map<string, number>> {
      const rows = await tx
        .select({ campaignId: sql<string>`${ledgerTransfers.refs}->>'campaignId'`, total: sumFen(ledgerEntries.amountFen) })
        .from(ledgerEntries)
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(
          and(
            eq(ledgerAccounts.kind, 'contributor'),
            eq(ledgerAccounts.userId, userId),
            sql`(${ledgerTransfers.kind} = 'cumulative_bonus' OR (${ledgerTransfers.kind} = 'reversal' AND ${ledgerTransfers.refs}->>'reversedKind' = 'cumulative_bonus'))`,
          ),
        )
        .groupBy(sql`${ledgerTransfers.refs}->>'campaignId'`);
      return new Map(rows.map((r) => [r.campaignId, r.total]));
    },
    /** A posted transfer by its idempotency key (the adoption's, to find what it recorded). */
    async getTransferByKey(key: string, tx: Db = db): Promise<{ id: string; refs: Record<string, unknown> } | undefined> {
      const [row] = await tx
        .select({ id: ledgerTransfers.id, refs: ledgerTransfers.refs })
        .from(ledgerTransfers)
        .where(eq(ledgerTransfers.idempotencyKey, key));
      return row;
    },
  };
}
export type RewardsRepository = ReturnType<typeof createRewardsRepository>;
