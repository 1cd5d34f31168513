import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { LedgerAccountKind, LedgerTransferKind } from '../../contracts/ledger.js';
import type {
  ExplorerAccount,
  ExplorerAccountsReply,
  ExplorerCause,
  ExplorerExportBody,
  ExplorerLeg,
  ExplorerTransfer,
  ExplorerTransfersReply,
} from '../../contracts/ledgerExplorer.js';
import { currentLocale, i18next } from '../i18n/index.js';
import { api, ApiError } from './client.js';

export type { ExplorerAccount, ExplorerCause, ExplorerLeg, ExplorerTransfer, LedgerAccountKind, LedgerTransferKind };

/** Mirrors LEDGER_ACCOUNT_KINDS / LEDGER_TRANSFER_KINDS in src/contracts/ledger.ts (the web bundle does not import zod values). */
export const ACCOUNT_KINDS: readonly LedgerAccountKind[] = [
  'treasury',
  'payouts_clearing',
  'campaign_budget',
  'rewards_expense',
  'prizes_expense',
  'red_packet_expense',
  'contributor',
];
export const TRANSFER_KINDS: readonly LedgerTransferKind[] = [
  'budget_funding',
  'adoption_reward',
  'grade_correction',
  'cumulative_bonus',
  'weekly_prize',
  'grand_prize',
  'red_packet',
  'payout',
  'payout_settlement',
  'reversal',
];

export interface TransferFilters {
  accountId?: string;
  kind?: LedgerTransferKind;
  /** ISO instants: [from, to). */
  from?: string;
  to?: string;
}

const qs = (o: Record<string, string | number | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

export const explorerKeys = {
  accounts: (q: string, kind: string, offset: number, limit: number) => ['finance', 'ledger', 'accounts', q, kind, offset, limit] as const,
  transfers: (f: TransferFilters) => ['finance', 'ledger', 'transfers', f] as const,
};

export function useLedgerAccounts(q: { q: string; kind?: LedgerAccountKind; offset: number; limit: number }) {
  return useQuery({
    queryKey: explorerKeys.accounts(q.q, q.kind ?? '', q.offset, q.limit),
    // The next page (or a new search) keeps the table in place until its answer arrives.
    placeholderData: keepPreviousData,
    queryFn: () => api<ExplorerAccountsReply>(`/api/finance/ledger/accounts?${qs({ q: q.q.trim(), kind: q.kind, offset: q.offset, limit: q.limit })}`),
  });
}

export function useLedgerTransfers(f: TransferFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: explorerKeys.transfers(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api<ExplorerTransfersReply>(`/api/finance/ledger/transfers?${qs({ ...f, limit, before: pageParam })}`),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}

/**
 * The period as CSV. A POST like the payout file (docs/ledger.md): the browser's CSRF headers
 * travel with it and nothing caches personal names; the file comes back as a Blob to save.
 */
export async function exportLedgerCsv(body: ExplorerExportBody): Promise<{ blob: Blob; filename: string | null }> {
  let res: Response;
  try {
    res = await fetch('/api/finance/ledger/export.csv', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'text/csv', 'content-type': 'application/json', 'accept-language': currentLocale() },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: i18next.t('common.network') });
  }
  if (!res.ok) {
    const err = ((await res.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError({
      status: res.status,
      code: typeof err?.code === 'string' ? err.code : `http.${res.status}`,
      message: typeof err?.message === 'string' && err.message ? err.message : i18next.t('common.error'),
    });
  }
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { blob: await res.blob(), filename };
}

/** Saves a Blob as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A Beijing-time day (`YYYY-MM-DD`) as the instant it starts; `nextDay` for an inclusive end. */
export function shanghaiDayStart(day: string, nextDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const t = Date.parse(`${day}T00:00:00+08:00`);
  if (Number.isNaN(t)) return undefined;
  return new Date(t + (nextDay ? 86_400_000 : 0)).toISOString();
}

/** Today and the first of this month in Beijing time, `YYYY-MM-DD`. */
export function shanghaiToday(now = new Date()): { today: string; monthStart: string } {
  const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  return { today, monthStart: `${today.slice(0, 8)}01` };
}
