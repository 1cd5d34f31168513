import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { LedgerAccountKind } from '../../../contracts/ledger.js';
import type { Db } from '../../db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerTransfers, type LedgerAccountRow, type LedgerEntryRow, type LedgerTransferRow } from '../../db/schema.js';

export type NewLedgerTransfer = Omit<typeof ledgerTransfers.$inferInsert, 'id'>;
export interface NewLedgerEntry {
  accountId: string;
  amountFen: number;
}

export interface StatementRow {
  id: number;
  at: Date;
  amountFen: number;
  kind: LedgerTransferRow['kind'];
  memo: string | null;
  refs: Record<string, unknown>;
  transferId: string;
}

/** `sum()` of a bigint is numeric, which drivers hand back as a string. */
const sumFen = (col: SQL | typeof ledgerEntries.amountFen) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);

export function createLedgerRepository(db: Db) {
  return {
    async getAccount(id: string, tx: Db = db): Promise<LedgerAccountRow | undefined> {
      const [row] = await tx.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, id));
      return row;
    },
    async listAccounts(ids: string[], tx: Db = db): Promise<LedgerAccountRow[]> {
      if (!ids.length) return [];
      return tx.select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, ids));
    },
    async getAccountByOwner(
      key: { kind: LedgerAccountKind; userId?: string | null; campaignId?: string | null },
      tx: Db = db,
    ): Promise<LedgerAccountRow | undefined> {
      const [row] = await tx
        .select()
        .from(ledgerAccounts)
        .where(
          and(
            eq(ledgerAccounts.kind, key.kind),
            key.userId ? eq(ledgerAccounts.userId, key.userId) : isNull(ledgerAccounts.userId),
            key.campaignId ? eq(ledgerAccounts.campaignId, key.campaignId) : isNull(ledgerAccounts.campaignId),
          ),
        );
      return row;
    },
    /** Inserts unless the (kind, user, campaign) identity exists; returns undefined then. */
    async createAccount(
      input: { kind: LedgerAccountKind; userId: string | null; campaignId: string | null },
      tx: Db = db,
    ): Promise<LedgerAccountRow | undefined> {
      const [row] = await tx
        .insert(ledgerAccounts)
        .values({ ...input, mayGoNegative: input.kind !== 'contributor' })
        .onConflictDoNothing()
        .returning();
      return row;
    },
    /**
     * Row-locks the given accounts that may not go negative, in id order so two transfers
     * touching the same accounts cannot deadlock. NO KEY UPDATE rather than UPDATE: it still
     * serialises debits of one account, but does not block the KEY SHARE locks that the
     * entries' foreign key takes, so credits to the account go on meanwhile.
     */
    async lockNonNegative(ids: string[], tx: Db): Promise<string[]> {
      if (!ids.length) return [];
      const rows = await tx
        .select({ id: ledgerAccounts.id })
        .from(ledgerAccounts)
        .where(and(inArray(ledgerAccounts.id, ids), eq(ledgerAccounts.mayGoNegative, false)))
        .orderBy(asc(ledgerAccounts.id))
        .for('no key update');
      return rows.map((r) => r.id);
    },
    async balances(accountIds: string[], tx: Db = db): Promise<Map<string, number>> {
      const out = new Map<string, number>(accountIds.map((id) => [id, 0]));
      if (!accountIds.length) return out;
      const rows = await tx
        .select({ accountId: ledgerEntries.accountId, total: sumFen(ledgerEntries.amountFen) })
        .from(ledgerEntries)
        .where(inArray(ledgerEntries.accountId, accountIds))
        .groupBy(ledgerEntries.accountId);
      for (const r of rows) out.set(r.accountId, r.total);
      return out;
    },
    /**
     * Inserts the transfer unless its idempotency key (or the transfer it reverses) is already
     * taken; returns undefined then. No conflict target: a concurrent duplicate waits for the
     * first writer and then yields nothing instead of aborting the caller's transaction.
     */
    async createTransfer(input: NewLedgerTransfer, tx: Db): Promise<LedgerTransferRow | undefined> {
      const [row] = await tx.insert(ledgerTransfers).values(input).onConflictDoNothing().returning();
      return row;
    },
    async getTransfer(id: string, tx: Db = db): Promise<LedgerTransferRow | undefined> {
      const [row] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.id, id));
      return row;
    },
    async getTransferByKey(key: string, tx: Db = db): Promise<LedgerTransferRow | undefined> {
      const [row] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, key));
      return row;
    },
    async getReversalOf(transferId: string, tx: Db = db): Promise<LedgerTransferRow | undefined> {
      const [row] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.reversesTransferId, transferId));
      return row;
    },
    async createEntries(transferId: string, entries: NewLedgerEntry[], at: Date, tx: Db): Promise<void> {
      await tx.insert(ledgerEntries).values(entries.map((e) => ({ transferId, accountId: e.accountId, amountFen: e.amountFen, createdAt: at })));
    },
    async listEntries(transferId: string, tx: Db = db): Promise<LedgerEntryRow[]> {
      return tx.select().from(ledgerEntries).where(eq(ledgerEntries.transferId, transferId)).orderBy(asc(ledgerEntries.id));
    },
    /** An account's entries with their transfer, newest first. */
    async listStatement(accountId: string, opts: { limit: number; beforeId?: number }, tx: Db = db): Promise<StatementRow[]> {
      return tx
        .select({
          id: ledgerEntries.id,
          at: ledgerEntries.createdAt,
          amountFen: ledgerEntries.amountFen,
          kind: ledgerTransfers.kind,
          memo: ledgerTransfers.memo,
          refs: ledgerTransfers.refs,
          transferId: ledgerTransfers.id,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(and(eq(ledgerEntries.accountId, accountId), opts.beforeId ? lt(ledgerEntries.id, opts.beforeId) : undefined))
        .orderBy(desc(ledgerEntries.id))
        .limit(opts.limit);
    },

    // Reconciliation reads: whole-ledger aggregates.
    async totals(tx: Db = db): Promise<{ totalFen: number; accounts: number; transfers: number }> {
      const [e] = await tx.select({ total: sumFen(ledgerEntries.amountFen) }).from(ledgerEntries);
      const [a] = await tx.select({ n: sql<number>`count(*)::int` }).from(ledgerAccounts);
      const [t] = await tx.select({ n: sql<number>`count(*)::int` }).from(ledgerTransfers);
      return { totalFen: e?.total ?? 0, accounts: a?.n ?? 0, transfers: t?.n ?? 0 };
    },
    /** Contributor accounts below zero, with what grade corrections have debited them in total (the most a claw-back can explain). */
    async listNegativeContributorAccounts(tx: Db = db): Promise<{ accountId: string; userId: string; balanceFen: number; correctionsDebitedFen: number }[]> {
      const rows = await tx
        .select({
          accountId: ledgerAccounts.id,
          userId: ledgerAccounts.userId,
          balanceFen: sumFen(ledgerEntries.amountFen),
          correctionsDebitedFen: sql<string>`coalesce(-sum(${ledgerEntries.amountFen}) FILTER (WHERE ${ledgerEntries.amountFen} < 0 AND ${ledgerTransfers.kind} = 'grade_correction'), 0)::text`,
        })
        .from(ledgerAccounts)
        .innerJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(eq(ledgerAccounts.kind, 'contributor'))
        .groupBy(ledgerAccounts.id, ledgerAccounts.userId)
        .having(sql`sum(${ledgerEntries.amountFen}) < 0`);
      return rows.map((r) => ({ accountId: r.accountId, userId: r.userId!, balanceFen: r.balanceFen, correctionsDebitedFen: Number(r.correctionsDebitedFen) }));
    },
    /** Transfers with fewer than two entries or a non-zero sum (the commit trigger makes these impossible). */
    async listUnbalancedTransfers(tx: Db = db): Promise<{ transferId: string; idempotencyKey: string; entries: number; sumFen: number }[]> {
      const rows = await tx
        .select({
          transferId: ledgerTransfers.id,
          idempotencyKey: ledgerTransfers.idempotencyKey,
          entries: sql<number>`count(${ledgerEntries.id})::int`,
          sumFen: sumFen(ledgerEntries.amountFen),
        })
        .from(ledgerTransfers)
        .leftJoin(ledgerEntries, eq(ledgerEntries.transferId, ledgerTransfers.id))
        .groupBy(ledgerTransfers.id, ledgerTransfers.idempotencyKey)
        .having(sql`count(${ledgerEntries.id}) < 2 OR coalesce(sum(${ledgerEntries.amountFen}), 0) <> 0`);
      return rows;
    },
    /** Per campaign budget account: net funding in, and the rest of its movements. */
    async listBudgets(tx: Db = db): Promise<{ campaignId: string; fundedFen: number; otherFen: number }[]> {
      const original = sql`(SELECT o.kind FROM ${ledgerTransfers} o WHERE o.id = ${ledgerTransfers.reversesTransferId})`;
      const isFunding = sql`(${ledgerTransfers.kind} = 'budget_funding' OR ${original} = 'budget_funding')`;
      const rows = await tx
        .select({
          campaignId: ledgerAccounts.campaignId,
          fundedFen: sumFen(sql`CASE WHEN ${isFunding} THEN ${ledgerEntries.amountFen} END`),
          otherFen: sumFen(sql`CASE WHEN ${isFunding} THEN NULL ELSE ${ledgerEntries.amountFen} END`),
        })
        .from(ledgerAccounts)
        .leftJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
        .leftJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(eq(ledgerAccounts.kind, 'campaign_budget'))
        .groupBy(ledgerAccounts.campaignId)
        .orderBy(asc(ledgerAccounts.campaignId));
      return rows.map((r) => ({ campaignId: r.campaignId!, fundedFen: r.fundedFen, otherFen: r.otherFen }));
    },
  };
}
export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
