import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { LedgerAccountKind, LedgerTransferKind } from '../../../contracts/ledger.js';
import type { LocalizedText } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import { campaigns, ledgerAccounts, ledgerEntries, ledgerTransfers, payouts, submissions, users } from '../../db/schema.js';

/**
 * Read-only queries behind the finance ledger explorer. Every figure is computed from the
 * entries (balances are never stored); a period is [from, to) on the transfer's time, which is
 * also each of its entries' time.
 */
export interface AccountRow {
  id: string;
  kind: LedgerAccountKind;
  userId: string | null;
  campaignId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  campaignTitle: LocalizedText | null;
  balanceFen: number;
  entries: number;
  lastMovementAt: Date | null;
}

export interface LegRow {
  transferId: string;
  accountId: string;
  kind: LedgerAccountKind;
  userId: string | null;
  campaignId: string | null;
  name: string | null;
  campaignTitle: LocalizedText | null;
  amountFen: number;
}

export interface TransferRow {
  id: string;
  kind: LedgerTransferKind;
  createdAt: Date;
  memo: string | null;
  actorId: string | null;
  actorName: string | null;
  refs: Record<string, unknown>;
  reversesTransferId: string | null;
  reversedByTransferId: string | null;
}

export interface PeriodRow {
  accountId: string;
  openingFen: number;
  debitsFen: number;
  creditsFen: number;
  closingFen: number;
}

export interface Period {
  from?: Date;
  to?: Date;
}

const num = (s: SQL) => s.mapWith(Number);
const sumFen = (s: SQL) => num(sql`coalesce(sum(${s}), 0)`);

/** System accounts first, in the order finance reads them; contributors (the many) last. */
const KIND_ORDER = sql`CASE ${ledgerAccounts.kind} WHEN 'treasury' THEN 0 WHEN 'payouts_clearing' THEN 1 WHEN 'campaign_budget' THEN 2 WHEN 'rewards_expense' THEN 3 WHEN 'prizes_expense' THEN 4 WHEN 'red_packet_expense' THEN 5 ELSE 6 END`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `q` as a literal ILIKE pattern: `%`, `_` and `\` typed by finance match themselves (backslash is PostgreSQL's default LIKE escape). */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const inPeriod = (p: Period): SQL =>
  and(p.from ? gte(ledgerTransfers.createdAt, p.from) : undefined, p.to ? lt(ledgerTransfers.createdAt, p.to) : undefined) ?? sql`true`;

/** Who or what an account is, as every listing and the export name it (joined users, campaigns). */
const ACCOUNT_COLUMNS = {
  id: ledgerAccounts.id,
  kind: ledgerAccounts.kind,
  userId: ledgerAccounts.userId,
  campaignId: ledgerAccounts.campaignId,
  name: users.name,
  email: users.email,
  phone: users.phone,
  campaignTitle: campaigns.title,
};

export function createLedgerExplorerRepository(db: Db) {
  /** Per account: balance, entry count, last movement (an aggregate over every entry). */
  const sums = (tx: Db) =>
    tx
      .select({
        accountId: ledgerEntries.accountId,
        balance: sql<string>`sum(${ledgerEntries.amountFen})`.as('balance'),
        n: sql<number>`count(*)::int`.as('n'),
        last: sql<Date>`max(${ledgerEntries.createdAt})`.as('last'),
      })
      .from(ledgerEntries)
      .groupBy(ledgerEntries.accountId)
      .as('sums');

  function accountFilter(q: { q?: string; kind?: LedgerAccountKind }): SQL | undefined {
    const text = q.q?.trim();
    let search: SQL | undefined;
    if (text && UUID.test(text)) {
      search = or(eq(ledgerAccounts.id, text), eq(ledgerAccounts.userId, text), eq(ledgerAccounts.campaignId, text));
    } else if (text) {
      const p = containing(text);
      search = or(
        sql`${users.name} ILIKE ${p}`,
        sql`${users.email} ILIKE ${p}`,
        sql`${users.phone} ILIKE ${p}`,
        sql`${campaigns.slug} ILIKE ${p}`,
        sql`${campaigns.title}->>'zh-CN' ILIKE ${p}`,
        sql`${campaigns.title}->>'en' ILIKE ${p}`,
      );
    }
    return and(q.kind ? eq(ledgerAccounts.kind, q.kind) : undefined, search);
  }

  return {
    async listAccounts(
      q: { q?: string; kind?: LedgerAccountKind; limit: number; offset: number },
      tx: Db = db,
    ): Promise<{ rows: AccountRow[]; total: number }> {
      const s = sums(tx);
      const where = accountFilter(q);
      const balance = num(sql`coalesce(${s.balance}, 0)`);
      const rows = await tx
        .select({
          ...ACCOUNT_COLUMNS,
          balanceFen: balance,
          entries: sql<number>`coalesce(${s.n}, 0)`.mapWith(Number),
          lastMovementAt: sql<Date | null>`${s.last}`.mapWith(ledgerEntries.createdAt),
        })
        .from(ledgerAccounts)
        .leftJoin(s, eq(s.accountId, ledgerAccounts.id))
        .leftJoin(users, eq(users.id, ledgerAccounts.userId))
        .leftJoin(campaigns, eq(campaigns.id, ledgerAccounts.campaignId))
        .where(where)
        .orderBy(KIND_ORDER, desc(sql`coalesce(${s.balance}, 0)`), asc(ledgerAccounts.id))
        .limit(q.limit)
        .offset(q.offset);
      const [count] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(ledgerAccounts)
        .leftJoin(users, eq(users.id, ledgerAccounts.userId))
        .leftJoin(campaigns, eq(campaigns.id, ledgerAccounts.campaignId))
        .where(where);
      return { rows, total: count?.n ?? 0 };
    },

    async getAccount(id: string, tx: Db = db): Promise<AccountRow | undefined> {
      const { rows } = await this.listAccounts({ q: id, limit: 1, offset: 0 }, tx);
      return rows.find((r) => r.id === id);
    },

    /** The whole ledger per account kind. */
    async totalsByKind(tx: Db = db): Promise<{ kind: LedgerAccountKind; accounts: number; balanceFen: number }[]> {
      return tx
        .select({
          kind: ledgerAccounts.kind,
          accounts: sql<number>`count(DISTINCT ${ledgerAccounts.id})::int`,
          balanceFen: sumFen(sql`${ledgerEntries.amountFen}`),
        })
        .from(ledgerAccounts)
        .leftJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
        .groupBy(ledgerAccounts.kind)
        .orderBy(asc(ledgerAccounts.kind));
    },

    async getTransferTime(id: string, tx: Db = db): Promise<Date | undefined> {
      const [row] = await tx.select({ at: ledgerTransfers.createdAt }).from(ledgerTransfers).where(eq(ledgerTransfers.id, id));
      return row?.at;
    },

    /** Newest first, keyset-paged on (time, id) so equal times never skip or repeat a transfer. */
    async listTransfers(q: Period & { accountId?: string; kind?: LedgerTransferKind; before?: string; limit: number }, tx: Db = db): Promise<TransferRow[]> {
      const reversal = sql`(SELECT r.id FROM ${ledgerTransfers} r WHERE r.reverses_transfer_id = ${ledgerTransfers.id})`;
      return tx
        .select({
          id: ledgerTransfers.id,
          kind: ledgerTransfers.kind,
          createdAt: ledgerTransfers.createdAt,
          memo: ledgerTransfers.memo,
          actorId: ledgerTransfers.actorId,
          actorName: users.name,
          refs: ledgerTransfers.refs,
          reversesTransferId: ledgerTransfers.reversesTransferId,
          reversedByTransferId: sql<string | null>`${reversal}`,
        })
        .from(ledgerTransfers)
        .leftJoin(users, eq(users.id, ledgerTransfers.actorId))
        .where(
          and(
            q.kind ? eq(ledgerTransfers.kind, q.kind) : undefined,
            inPeriod(q),
            q.accountId
              ? sql`EXISTS (SELECT 1 FROM ${ledgerEntries} WHERE ${ledgerEntries.transferId} = ${ledgerTransfers.id} AND ${ledgerEntries.accountId} = ${q.accountId})`
              : undefined,
            q.before
              ? sql`(${ledgerTransfers.createdAt}, ${ledgerTransfers.id}) < (SELECT b.created_at, b.id FROM ${ledgerTransfers} b WHERE b.id = ${q.before})`
              : undefined,
          ),
        )
        .orderBy(desc(ledgerTransfers.createdAt), desc(ledgerTransfers.id))
        .limit(q.limit);
    },

    async listLegs(transferIds: string[], tx: Db = db): Promise<LegRow[]> {
      if (!transferIds.length) return [];
      return tx
        .select({
          transferId: ledgerEntries.transferId,
          accountId: ledgerEntries.accountId,
          kind: ledgerAccounts.kind,
          userId: ledgerAccounts.userId,
          campaignId: ledgerAccounts.campaignId,
          name: users.name,
          campaignTitle: campaigns.title,
          amountFen: ledgerEntries.amountFen,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
        .leftJoin(users, eq(users.id, ledgerAccounts.userId))
        .leftJoin(campaigns, eq(campaigns.id, ledgerAccounts.campaignId))
        .where(inArray(ledgerEntries.transferId, transferIds))
        .orderBy(asc(ledgerEntries.id));
    },

    async submissionTitles(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      const valid = ids.filter((id) => UUID.test(id));
      if (!valid.length) return new Map();
      const rows = await tx.select({ id: submissions.id, title: submissions.title }).from(submissions).where(inArray(submissions.id, valid));
      return new Map(rows.map((r) => [r.id, r.title]));
    },

    async payoutBatches(ids: string[], tx: Db = db): Promise<Map<string, string | null>> {
      const valid = ids.filter((id) => UUID.test(id));
      if (!valid.length) return new Map();
      const rows = await tx.select({ id: payouts.id, batchId: payouts.batchId }).from(payouts).where(inArray(payouts.id, valid));
      return new Map(rows.map((r) => [r.id, r.batchId]));
    },

    /**
     * Opening balance (before `from`), debits and credits inside [from, to), closing balance
     * (before `to`) per account; only accounts with a balance or a movement, or the one asked for.
     */
    async periodBalances(p: Period & { accountId?: string }, tx: Db = db): Promise<PeriodRow[]> {
      // No `from`: the period starts with the ledger (opening 0); no `to`: it runs to now.
      const before = (d: Date | undefined, unbounded: boolean) => (d ? lt(ledgerTransfers.createdAt, d) : sql.raw(unbounded ? 'true' : 'false'));
      const period = inPeriod(p);
      const rows = await tx
        .select({
          accountId: ledgerEntries.accountId,
          openingFen: num(sql`coalesce(sum(${ledgerEntries.amountFen}) FILTER (WHERE ${before(p.from, false)}), 0)`),
          debitsFen: num(sql`coalesce(-sum(${ledgerEntries.amountFen}) FILTER (WHERE ${period} AND ${ledgerEntries.amountFen} < 0), 0)`),
          creditsFen: num(sql`coalesce(sum(${ledgerEntries.amountFen}) FILTER (WHERE ${period} AND ${ledgerEntries.amountFen} > 0), 0)`),
          closingFen: num(sql`coalesce(sum(${ledgerEntries.amountFen}) FILTER (WHERE ${before(p.to, true)}), 0)`),
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
        .where(and(p.accountId ? eq(ledgerEntries.accountId, p.accountId) : undefined, p.to ? lt(ledgerTransfers.createdAt, p.to) : undefined))
        .groupBy(ledgerEntries.accountId, ledgerAccounts.kind)
        .orderBy(KIND_ORDER, asc(ledgerEntries.accountId));
      const out = rows.filter((r) => r.openingFen || r.debitsFen || r.creditsFen || r.closingFen || r.accountId === p.accountId);
      if (p.accountId && !out.length) out.push({ accountId: p.accountId, openingFen: 0, debitsFen: 0, creditsFen: 0, closingFen: 0 });
      return out;
    },

    /** How many entries an export of the period would write. */
    async countPeriodEntries(p: Period & { accountId?: string }, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(and(inPeriod(p), p.accountId ? touches(p.accountId) : undefined));
      return row?.n ?? 0;
    },

    /** Every leg of every transfer in the period (touching the account, if given), oldest first. */
    async listPeriodEntries(p: Period & { accountId?: string }, tx: Db = db) {
      return tx
        .select({
          transferId: ledgerTransfers.id,
          kind: ledgerTransfers.kind,
          createdAt: ledgerTransfers.createdAt,
          memo: ledgerTransfers.memo,
          refs: ledgerTransfers.refs,
          accountId: ledgerEntries.accountId,
          amountFen: ledgerEntries.amountFen,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .where(and(inPeriod(p), p.accountId ? touches(p.accountId) : undefined))
        .orderBy(asc(ledgerTransfers.createdAt), asc(ledgerTransfers.id), asc(ledgerEntries.id));
    },

    /** Names for the accounts of an export. */
    async describeAccounts(ids: string[], tx: Db = db) {
      if (!ids.length) return new Map<string, Omit<AccountRow, 'balanceFen' | 'entries' | 'lastMovementAt'>>();
      const rows = await tx
        .select(ACCOUNT_COLUMNS)
        .from(ledgerAccounts)
        .leftJoin(users, eq(users.id, ledgerAccounts.userId))
        .leftJoin(campaigns, eq(campaigns.id, ledgerAccounts.campaignId))
        .where(inArray(ledgerAccounts.id, ids));
      return new Map(rows.map((r) => [r.id, r]));
    },
  };
}

const touches = (accountId: string) =>
  sql`EXISTS (SELECT 1 FROM ${ledgerEntries} x WHERE x.transfer_id = ${ledgerTransfers.id} AND x.account_id = ${accountId})`;

export type LedgerExplorerRepository = ReturnType<typeof createLedgerExplorerRepository>;
