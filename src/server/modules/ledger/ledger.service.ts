import type { LedgerStatement, LedgerStatementQuery, LedgerTransferKind, Reconciliation, SystemAccountKind } from '../../../contracts/ledger.js';
import { LEDGER_TRANSFER_KINDS } from '../../../contracts/ledger.js';
import type { Db } from '../../db/client.js';
import type { LedgerAccountRow, LedgerTransferRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, pgErrorCode } from '../../lib/errors.js';
import { assertCan, assertOwnerOr, type Actor } from '../accounts/permissions.js';
import type { LedgerRepository, NewLedgerEntry } from './ledger.repository.js';

/**
 * The ledger: double-entry in integer fen. A transfer is a set of entries summing to zero,
 * written once per idempotency key; an account's balance is the sum of its entries (positive:
 * the account holds more; for a contributor, the platform owes them more). Contributor
 * balances never go below zero. The database refuses edits and unbalanced transfers on its
 * own (0004_ledger.sql); this service adds idempotency, the non-negative rule under
 * concurrency, and reads.
 */
export interface LedgerServiceDeps {
  db: Db;
  repo: LedgerRepository;
  clock: Clock;
}

export interface PostTransferInput {
  /** One key, one transfer: a retry with the same key and content returns the first transfer. */
  idempotencyKey: string;
  kind: LedgerTransferKind;
  /** Signed fen per account; at least two, none zero, summing to zero. */
  entries: NewLedgerEntry[];
  /** Links to what caused it, e.g. {submissionId, campaignId, grade}. Part of the content a retry must match. */
  refs?: Record<string, unknown>;
  memo?: string | null;
  actorId?: string | null;
  reversesTransferId?: string | null;
  /**
   * A claw-back: this transfer may take a contributor's balance below zero (a downward
   * regrade after the money was withdrawn). Only `grade_correction` may; the negative balance
   * is carried forward and every later credit settles it first (docs/ledger.md, "Claw-back").
   */
  mayOverdraw?: boolean;
}

export interface LedgerTransfer extends LedgerTransferRow {
  entries: NewLedgerEntry[];
  /** False when the key had been posted before and this is that transfer. */
  created: boolean;
}

export interface ReverseOptions {
  idempotencyKey: string;
  actorId?: string | null;
  memo?: string | null;
}

/** Far beyond any real amount, and keeps sums of 100 entries inside Number's exact range. */
export const MAX_ENTRY_FEN = 10_000_000_000_000;
export const MAX_ENTRIES = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRANSFER_KINDS = new Set<string>(LEDGER_TRANSFER_KINDS);

const SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

const invalid = (detail: string) => new AppError('ledger.invalid_transfer', { detail });

/** The rules a transfer must meet before it reaches the database (pure; unit-tested). */
export function validateTransfer(input: PostTransferInput): void {
  if (typeof input.idempotencyKey !== 'string' || input.idempotencyKey.length < 1 || input.idempotencyKey.length > 200)
    throw invalid('idempotency key must be 1–200 characters');
  if (!TRANSFER_KINDS.has(input.kind)) throw invalid(`unknown kind ${String(input.kind)}`);
  if ((input.kind === 'reversal') !== !!input.reversesTransferId) throw invalid('a reversal, and only a reversal, names the transfer it reverses');
  if (input.reversesTransferId && !UUID.test(input.reversesTransferId)) throw invalid('reversesTransferId is not a uuid');
  if (input.mayOverdraw && input.kind !== 'grade_correction') throw invalid('only a grade correction may overdraw a contributor');
  if (!Array.isArray(input.entries) || input.entries.length < 2) throw invalid('a transfer needs at least two entries');
  if (input.entries.length > MAX_ENTRIES) throw invalid(`a transfer has at most ${MAX_ENTRIES} entries`);
  let sum = 0;
  for (const e of input.entries) {
    if (typeof e.accountId !== 'string' || !UUID.test(e.accountId)) throw invalid('accountId is not a uuid');
    if (!Number.isSafeInteger(e.amountFen)) throw invalid('amounts are whole fen');
    if (e.amountFen === 0) throw invalid('an entry cannot be zero');
    if (Math.abs(e.amountFen) > MAX_ENTRY_FEN) throw invalid('amount out of range');
    sum += e.amountFen;
  }
  if (sum !== 0) throw invalid(`entries sum to ${sum}, not 0`);
  if (input.refs !== undefined && (input.refs === null || typeof input.refs !== 'object' || Array.isArray(input.refs))) throw invalid('refs must be an object');
}

/** Net amount per account (an account may appear in several entries). */
export function netByAccount(entries: NewLedgerEntry[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const e of entries) net.set(e.accountId, (net.get(e.accountId) ?? 0) + e.amountFen);
  return net;
}

/** JSON with sorted keys, so content read back from jsonb compares equal to what was sent. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const entriesKey = (entries: NewLedgerEntry[]) =>
  entries
    .map((e) => `${e.accountId.toLowerCase()}:${e.amountFen}`)
    .sort()
    .join('|');

export function createLedgerService(deps: LedgerServiceDeps) {
  const { db, repo, clock } = deps;
  // Accounts are immutable (a trigger refuses updates and deletes), so whether one may go
  // negative can be remembered; an id cached from a rolled-back transaction fails the
  // entries' foreign key instead.
  const mayGoNegative = new Map<string, boolean>();

  async function accountRules(ids: string[], tx: Db): Promise<Map<string, boolean>> {
    const missing = ids.filter((id) => !mayGoNegative.has(id));
    if (missing.length) {
      for (const a of await repo.listAccounts(missing, tx)) mayGoNegative.set(a.id, a.mayGoNegative);
      const unknown = missing.find((id) => !mayGoNegative.has(id));
      if (unknown) throw new AppError('ledger.account_not_found', { accountId: unknown });
    }
    return new Map(ids.map((id) => [id, mayGoNegative.get(id)!]));
  }

  async function existing(input: PostTransferInput, tx: Db): Promise<LedgerTransfer> {
    const found = await repo.getTransferByKey(input.idempotencyKey, tx);
    if (!found) {
      // The insert yielded to another unique constraint: the transfer it reverses is already reversed.
      if (input.reversesTransferId && (await repo.getReversalOf(input.reversesTransferId, tx))) {
        throw new AppError('ledger.already_reversed', { transferId: input.reversesTransferId });
      }
      throw new Error(`ledger: transfer ${input.idempotencyKey} conflicted but cannot be read (isolation above READ COMMITTED?)`);
    }
    const entries = (await repo.listEntries(found.id, tx)).map((e) => ({ accountId: e.accountId, amountFen: e.amountFen }));
    const same =
      found.kind === input.kind &&
      (found.reversesTransferId ?? null) === (input.reversesTransferId ?? null) &&
      canonical(found.refs) === canonical(input.refs ?? {}) &&
      entriesKey(entries) === entriesKey(input.entries);
    if (!same) throw new AppError('ledger.idempotency_conflict', { key: input.idempotencyKey }, { details: { transferId: found.id } });
    return { ...found, entries, created: false };
  }

  async function postIn(tx: Db, input: PostTransferInput): Promise<LedgerTransfer> {
    const net = netByAccount(input.entries);
    const rules = await accountRules([...net.keys()], tx);
    const now = clock.now();
    let row: LedgerTransferRow | undefined;
    try {
      row = await repo.createTransfer(
        {
          idempotencyKey: input.idempotencyKey,
          kind: input.kind,
          createdAt: now,
          actorId: input.actorId ?? null,
          memo: input.memo ?? null,
          refs: input.refs ?? {},
          reversesTransferId: input.reversesTransferId ?? null,
        },
        tx,
      );
    } catch (err) {
      if (pgErrorCode(err) === '23503') throw new AppError('ledger.invalid_transfer', { detail: 'unknown actor or reversed transfer' }, { cause: err });
      throw err;
    }
    if (!row) return existing(input, tx);

    const debited = [...net].filter(([id, n]) => n < 0 && !rules.get(id)).map(([id]) => id);
    if (debited.length) {
      // Serialises every transfer that takes money out of the same contributor: the balance
      // read below then sees all that committed before, and nothing can slip in until we commit.
      await repo.lockNonNegative(debited, tx);
      const balances = await repo.balances(debited, tx);
      // A claw-back still takes the lock (it serialises with payouts), and may go below zero.
      if (!input.mayOverdraw)
        for (const id of debited) {
          const balanceFen = balances.get(id) ?? 0;
          const amountFen = -net.get(id)!;
          if (balanceFen - amountFen < 0) throw new AppError('ledger.insufficient_funds', { balanceFen, amountFen }, { details: { accountId: id } });
        }
    }
    try {
      await repo.createEntries(row.id, input.entries, now, tx);
    } catch (err) {
      if (pgErrorCode(err) === '23503') throw new AppError('ledger.account_not_found', {}, { cause: err });
      throw err;
    }
    return { ...row, entries: input.entries.map((e) => ({ accountId: e.accountId, amountFen: e.amountFen })), created: true };
  }

  /** Runs in the caller's transaction under a savepoint (a refused transfer leaves it usable), or in its own. */
  const inTx = <T>(tx: Db | undefined, fn: (t: Db) => Promise<T>): Promise<T> => (tx ? tx.transaction(fn) : db.transaction(fn));

  async function getOrCreateAccount(
    key: { kind: LedgerAccountRow['kind']; userId: string | null; campaignId: string | null },
    tx: Db = db,
  ): Promise<LedgerAccountRow> {
    const found = await repo.getAccountByOwner(key, tx);
    if (found) return found;
    try {
      const made = (await repo.createAccount(key, tx)) ?? (await repo.getAccountByOwner(key, tx));
      if (!made) throw new Error('ledger: account vanished after a conflicting insert');
      return made;
    } catch (err) {
      if (pgErrorCode(err) === '23503') throw new AppError(key.userId ? 'user.not_found' : 'campaign.not_found', {}, { cause: err });
      throw err;
    }
  }

  async function statement(userId: string, opts: Partial<LedgerStatementQuery> = {}): Promise<LedgerStatement> {
    const account = await repo.getAccountByOwner({ kind: 'contributor', userId, campaignId: null });
    if (!account) return { balanceFen: 0, owedFen: 0, entries: [] };
    // One snapshot, so the balance is the sum of the entries listed (when they all fit the page).
    return db.transaction(async (tx) => {
      const balances = await repo.balances([account.id], tx);
      const rows = await repo.listStatement(account.id, { limit: opts.limit ?? 100, beforeId: opts.before }, tx);
      const balanceFen = balances.get(account.id) ?? 0;
      return {
        balanceFen,
        owedFen: Math.max(0, -balanceFen),
        entries: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          amountFen: r.amountFen,
          kind: r.kind,
          memo: r.memo,
          refs: r.refs,
          transferId: r.transferId,
        })),
      };
    }, SNAPSHOT);
  }

  async function reconcile(): Promise<Reconciliation> {
    // One snapshot on PostgreSQL: the figures agree with each other even while transfers are posted.
    return db.transaction(async (tx) => {
      const totals = await repo.totals(tx);
      // A contributor below zero is owed money back from a claw-back; below what claw-backs can
      // explain (their debits in total), something else overdrew it: a mismatch.
      const negative = await repo.listNegativeContributorAccounts(tx);
      const owedByContributors = negative
        .filter((a) => a.balanceFen >= -a.correctionsDebitedFen)
        .map((a) => ({ accountId: a.accountId, userId: a.userId, owedFen: -a.balanceFen }));
      const negativeContributorAccounts = negative
        .filter((a) => a.balanceFen < -a.correctionsDebitedFen)
        .map((a) => ({ accountId: a.accountId, userId: a.userId, balanceFen: a.balanceFen }));
      const unbalancedTransfers = await repo.listUnbalancedTransfers(tx);
      const budgets = await repo.listBudgets(tx);
      const campaigns = budgets.map((b) => {
        const remainingFen = b.fundedFen + b.otherFen;
        return { campaignId: b.campaignId, budgetFen: b.fundedFen, spentFen: -b.otherFen, remainingFen, overspent: remainingFen < 0 };
      });
      const mismatches = [
        ...(totals.totalFen !== 0 ? [`all entries sum to ${totals.totalFen} fen, not 0`] : []),
        ...negativeContributorAccounts.map((a) => `contributor account ${a.accountId} is negative beyond its claw-backs: ${a.balanceFen} fen`),
        ...unbalancedTransfers.map((t) => `transfer ${t.transferId} (${t.idempotencyKey}) has ${t.entries} entries summing to ${t.sumFen} fen`),
        ...campaigns.filter((c) => c.overspent).map((c) => `campaign ${c.campaignId} spent ${c.spentFen} fen of a ${c.budgetFen} fen budget`),
      ];
      return {
        ok: mismatches.length === 0,
        ...totals,
        negativeContributorAccounts,
        owedByContributors,
        owedTotalFen: owedByContributors.reduce((a, o) => a + o.owedFen, 0),
        unbalancedTransfers,
        campaigns,
        mismatches,
      };
    }, SNAPSHOT);
  }

  return {
    /** The user's own account (created on first use). Pass the caller's transaction when inside one. */
    ensureContributorAccount(userId: string, tx?: Db): Promise<LedgerAccountRow> {
      return getOrCreateAccount({ kind: 'contributor', userId, campaignId: null }, tx);
    },

    /** A system account: `campaign_budget` needs a campaign; treasury and payouts clearing are global; expense accounts either. */
    async systemAccount(kind: SystemAccountKind, campaignId?: string | null, tx?: Db): Promise<LedgerAccountRow> {
      if ((kind as string) === 'contributor') throw new Error('ledger: contributor accounts come from ensureContributorAccount');
      if (kind === 'campaign_budget' && !campaignId) throw new Error('ledger: a campaign budget needs a campaign');
      if ((kind === 'treasury' || kind === 'payouts_clearing') && campaignId) throw new Error(`ledger: ${kind} is not per campaign`);
      return getOrCreateAccount({ kind, userId: null, campaignId: campaignId ?? null }, tx);
    },

    /**
     * Posts a transfer exactly once per idempotency key. Inside a caller's transaction (`tx`)
     * it commits or rolls back with it; concurrent posts of one key yield one transfer that
     * every caller receives; the same key with different content is `ledger.idempotency_conflict`.
     */
    async post(input: PostTransferInput, tx?: Db): Promise<LedgerTransfer> {
      validateTransfer(input);
      return inTx(tx, (t) => postIn(t, input));
    },

    /** Posts the mirror image of a transfer, once: a second reversal under another key is `ledger.already_reversed`. */
    async reverse(transferId: string, opts: ReverseOptions, tx?: Db): Promise<LedgerTransfer> {
      if (!UUID.test(transferId)) throw new AppError('ledger.transfer_not_found');
      return inTx(tx, async (t) => {
        const original = await repo.getTransfer(transferId, t);
        if (!original) throw new AppError('ledger.transfer_not_found');
        if (original.kind === 'reversal') throw new AppError('ledger.not_reversible');
        const entries = (await repo.listEntries(transferId, t)).map((e) => ({ accountId: e.accountId, amountFen: -e.amountFen }));
        const input: PostTransferInput = {
          idempotencyKey: opts.idempotencyKey,
          kind: 'reversal',
          entries,
          refs: { ...original.refs, reversedKind: original.kind },
          memo: opts.memo ?? null,
          actorId: opts.actorId ?? null,
          reversesTransferId: transferId,
        };
        validateTransfer(input);
        return postIn(t, input);
      });
    },

    async balance(accountId: string, tx?: Db): Promise<number> {
      return (await repo.balances([accountId], tx)).get(accountId) ?? 0;
    },

    statement,

    /** A contributor's statement for its owner, or for finance and admins. */
    async statementFor(actor: Actor, userId: string, opts: Partial<LedgerStatementQuery> = {}): Promise<LedgerStatement> {
      assertOwnerOr(actor, userId, 'ledger.read_all');
      return statement(userId, opts);
    },

    reconcile,

    async reconcileFor(actor: Actor): Promise<Reconciliation> {
      assertCan(actor, 'finance.reconcile');
      return reconcile();
    },
  };
}
export type LedgerService = ReturnType<typeof createLedgerService>;
