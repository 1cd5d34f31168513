import type { Locale } from '../../../contracts/common.js';
import type { LedgerTransferKind } from '../../../contracts/ledger.js';
import type {
  ExplorerAccount,
  ExplorerAccountPeriod,
  ExplorerAccountsQuery,
  ExplorerAccountsReply,
  ExplorerCause,
  ExplorerExportBody,
  ExplorerTransfer,
  ExplorerTransfersQuery,
  ExplorerTransfersReply,
} from '../../../contracts/ledgerExplorer.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { ledgerCsv, shanghai } from './ledger.explorer.csv.js';
import type { AccountRow, LedgerExplorerRepository, Period } from './ledger.explorer.repository.js';

/**
 * The finance ledger explorer: balances per account, transfers with their legs and causes, and
 * the period export. Read-only over the ledger (the export writes one audit row: it hands
 * personal names to a file). Every action asks for `ledger.read_all` (finance, admin) itself.
 */
export interface LedgerExplorerDeps {
  db: Db;
  repo: LedgerExplorerRepository;
  audit: AuditRepository;
}

/** A file stays one a spreadsheet opens: above this many legs, ask for a shorter period. */
export const EXPORT_MAX_ENTRIES = 200_000;
/** A year and a bit: a calendar year, a campaign, a fiscal year with margin. */
export const EXPORT_MAX_DAYS = 400;

// One snapshot: the balances, the legs and the totals agree even while transfers are posted.
const SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function period(q: { from?: string; to?: string }): Period {
  const p: Period = { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
  if (p.from && p.to && p.from.getTime() >= p.to.getTime()) throw new AppError('ledger.invalid_period');
  return p;
}

/** What caused a transfer, from the refs each flow records (docs/ledger.md, "Transfer kinds"). A reversal carries its original's refs. */
export function causeOf(kind: LedgerTransferKind, refs: Record<string, unknown>): Omit<ExplorerCause, 'title' | 'batchId'> | null {
  const id = (k: string) => (typeof refs[k] === 'string' && UUID.test(refs[k]) ? refs[k] : null);
  const campaignId = id('campaignId');
  const original = kind === 'reversal' && typeof refs.reversedKind === 'string' ? refs.reversedKind : kind;
  const payoutId = id('payoutId');
  if (payoutId) return { type: 'payout', id: payoutId, campaignId: null, week: null };
  const sessionId = id('sessionId');
  if (sessionId) return { type: 'rain_session', id: sessionId, campaignId, week: null };
  if (original === 'weekly_prize' && campaignId && typeof refs.week === 'string') return { type: 'weekly_chart', id: campaignId, campaignId, week: refs.week };
  const submissionId = id('submissionId');
  if (original === 'grand_prize' && submissionId) return { type: 'grand_prize', id: submissionId, campaignId, week: null };
  if (submissionId) return { type: 'submission', id: submissionId, campaignId, week: null };
  if (campaignId) return { type: 'campaign', id: campaignId, campaignId, week: null };
  return null;
}

const presentAccount = (r: AccountRow): ExplorerAccount => ({
  id: r.id,
  kind: r.kind,
  userId: r.userId,
  campaignId: r.campaignId,
  name: r.name,
  email: r.email,
  phone: r.phone,
  campaignTitle: r.campaignTitle,
  balanceFen: r.balanceFen,
  entries: r.entries,
  lastMovementAt: r.lastMovementAt ? r.lastMovementAt.toISOString() : null,
});

export function createLedgerExplorerService(deps: LedgerExplorerDeps) {
  const { db, repo } = deps;

  /** Titles and batches for the causes of a page of transfers, in two queries. */
  async function causes(rows: { kind: LedgerTransferKind; refs: Record<string, unknown> }[], tx: Db): Promise<(ExplorerCause | null)[]> {
    const raw = rows.map((r) => causeOf(r.kind, r.refs));
    const submissionIds = raw.filter((c) => c && (c.type === 'submission' || c.type === 'grand_prize')).map((c) => c!.id);
    const payoutIds = raw.filter((c) => c?.type === 'payout').map((c) => c!.id);
    const [titles, batches] = await Promise.all([repo.submissionTitles([...new Set(submissionIds)], tx), repo.payoutBatches([...new Set(payoutIds)], tx)]);
    return raw.map((c) => (c ? { ...c, title: titles.get(c.id) ?? null, batchId: c.type === 'payout' ? (batches.get(c.id) ?? null) : null } : null));
  }

  async function accountOr404(id: string, tx: Db): Promise<AccountRow> {
    const a = await repo.getAccount(id, tx);
    if (!a) throw new AppError('ledger.account_not_found');
    return a;
  }

  return {
    async accounts(actor: Actor, q: ExplorerAccountsQuery): Promise<ExplorerAccountsReply> {
      assertCan(actor, 'ledger.read_all');
      return db.transaction(async (tx) => {
        const { rows, total } = await repo.listAccounts(q, tx);
        return { accounts: rows.map(presentAccount), total, totals: await repo.totalsByKind(tx) };
      }, SNAPSHOT);
    },

    async transfers(actor: Actor, q: ExplorerTransfersQuery): Promise<ExplorerTransfersReply> {
      assertCan(actor, 'ledger.read_all');
      const p = period(q);
      return db.transaction(async (tx) => {
        const account = q.accountId ? await accountOr404(q.accountId, tx) : null;
        if (q.before && !(await repo.getTransferTime(q.before, tx))) throw new AppError('ledger.transfer_not_found');
        const rows = await repo.listTransfers({ ...p, accountId: q.accountId, kind: q.kind, before: q.before, limit: q.limit + 1 }, tx);
        const page = rows.slice(0, q.limit);
        const legs = await repo.listLegs(
          page.map((t) => t.id),
          tx,
        );
        const why = await causes(page, tx);
        const transfers: ExplorerTransfer[] = page.map((t, i) => {
          const own = legs.filter((l) => l.transferId === t.id);
          return {
            id: t.id,
            kind: t.kind,
            createdAt: t.createdAt.toISOString(),
            memo: t.memo,
            actorId: t.actorId,
            actorName: t.actorName,
            amountFen: own.reduce((s, l) => s + Math.max(0, l.amountFen), 0),
            legs: own.map(({ transferId: _t, ...leg }) => leg),
            refs: t.refs,
            cause: why[i] ?? null,
            reversesTransferId: t.reversesTransferId,
            reversedByTransferId: t.reversedByTransferId,
          };
        });
        let summary: ExplorerAccountPeriod | null = null;
        if (account) {
          const [b] = await repo.periodBalances({ ...p, accountId: account.id }, tx);
          summary = {
            account: presentAccount(account),
            from: p.from?.toISOString() ?? null,
            to: p.to?.toISOString() ?? null,
            openingFen: b?.openingFen ?? 0,
            debitsFen: b?.debitsFen ?? 0,
            creditsFen: b?.creditsFen ?? 0,
            closingFen: b?.closingFen ?? 0,
          };
        }
        return { transfers, nextBefore: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null, summary };
      }, SNAPSHOT);
    },

    /** The period as a CSV (ledger.explorer.csv.ts), audited as `ledger.export`. */
    async exportCsv(actor: Actor, body: ExplorerExportBody, locale: Locale): Promise<{ filename: string; csv: string }> {
      assertCan(actor, 'ledger.read_all');
      const p = period(body) as Required<Period>;
      if (p.to.getTime() - p.from.getTime() > EXPORT_MAX_DAYS * 86_400_000) throw new AppError('ledger.export_too_long', { days: EXPORT_MAX_DAYS });
      const csv = await db.transaction(async (tx) => {
        if (body.accountId) await accountOr404(body.accountId, tx);
        const q = { ...p, accountId: body.accountId };
        const n = await repo.countPeriodEntries(q, tx);
        if (n > EXPORT_MAX_ENTRIES) throw new AppError('ledger.export_too_large', { count: n, max: EXPORT_MAX_ENTRIES });
        const entries = await repo.listPeriodEntries(q, tx);
        const balances = await repo.periodBalances(q, tx);
        const why = await causes(entries, tx);
        const ids = [...new Set([...entries.map((e) => e.accountId), ...balances.map((b) => b.accountId)])];
        const accounts = await repo.describeAccounts(ids, tx);
        return ledgerCsv(
          {
            from: p.from,
            to: p.to,
            accounts,
            legs: entries.map((e, i) => ({ ...e, cause: why[i] ?? null })),
            balances,
          },
          locale,
        );
      }, SNAPSHOT);
      // Outside the read-only snapshot: the file is made; who took which period is recorded.
      await deps.audit.create({
        actorId: actor.id,
        action: 'ledger.export',
        objectType: body.accountId ? 'ledger_account' : 'ledger',
        objectId: body.accountId ?? null,
        data: { from: p.from.toISOString(), to: p.to.toISOString() },
      });
      const day = (d: Date) => shanghai(d).slice(0, 10).replace(/-/g, '');
      return { filename: `paike-ledger-${day(p.from)}-${day(new Date(p.to.getTime() - 1))}.csv`, csv };
    },
  };
}
export type LedgerExplorerService = ReturnType<typeof createLedgerExplorerService>;
