import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { LedgerEntry, LedgerStatement, LedgerTransferKind, Reconciliation } from '../../contracts/ledger.js';
import type { payoutBatchSchema, payoutSchema, rewardProgressSchema } from '../../contracts/payouts.js';
import { currentLocale, i18next } from '../i18n/index.js';
import { api, ApiError } from './client.js';

export type Payout = z.infer<typeof payoutSchema>;
export type PayoutBatch = z.infer<typeof payoutBatchSchema>;
export type RewardProgress = z.infer<typeof rewardProgressSchema>;
export type PayoutMethod = Payout['method'];
export type PayoutStatus = Payout['status'];
export type { LedgerEntry, LedgerStatement, LedgerTransferKind, Reconciliation };

/** Mirrors PAYOUT_METHODS / PAYOUT_STATUSES in src/contracts/payouts.ts. */
export const PAYOUT_METHODS: readonly PayoutMethod[] = ['wechat', 'alipay', 'bank'];
export const PAYOUT_STATUSES: readonly PayoutStatus[] = ['requested', 'batched', 'exported', 'paid', 'failed'];

export const moneyKeys = {
  ledger: ['me', 'ledger'] as const,
  progress: ['me', 'rewards', 'progress'] as const,
  myPayouts: ['me', 'payouts'] as const,
  reconciliation: ['finance', 'reconciliation'] as const,
  financePayouts: (status: string) => ['finance', 'payouts', status] as const,
  batches: ['finance', 'batches'] as const,
};

/** A route another engineer is still building answers 404 until it lands: show "not available yet", not an error. */
export function isMissing(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && (e.code === 'request.not_found' || e.code === 'http.404');
}
const noRetryOn4xx = (n: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export function useLedger(enabled: boolean) {
  return useQuery({
    queryKey: moneyKeys.ledger,
    enabled,
    queryFn: () => api<LedgerStatement>('/api/me/ledger?limit=500'),
  });
}

export function useRewardProgress(enabled: boolean) {
  return useQuery({
    queryKey: moneyKeys.progress,
    enabled,
    retry: noRetryOn4xx,
    queryFn: async () => (await api<{ progress: RewardProgress[] }>('/api/me/rewards/progress')).progress,
  });
}

export function useMyPayouts(enabled: boolean) {
  return useQuery({
    queryKey: moneyKeys.myPayouts,
    enabled,
    retry: noRetryOn4xx,
    queryFn: () => api<{ payouts: Payout[]; minimumFen: number }>('/api/me/payouts'),
  });
}

export interface PayoutRequest {
  requestId: string;
  amountFen: number;
  method: PayoutMethod;
  realName: string;
  /** Not for WeChat: WeChat Pay pays the linked 公众号 openid (docs/wechat.md). */
  account?: string;
  bankName?: string;
}
export const requestPayout = async (body: PayoutRequest) => (await api<{ payout: Payout }>('/api/me/payouts', { method: 'POST', body })).payout;

export function useReconciliation() {
  return useQuery({ queryKey: moneyKeys.reconciliation, queryFn: () => api<Reconciliation>('/api/finance/reconciliation') });
}

export function useFinancePayouts(status: string) {
  return useQuery({
    queryKey: moneyKeys.financePayouts(status),
    retry: noRetryOn4xx,
    queryFn: async () => (await api<{ payouts: Payout[] }>(`/api/finance/payouts${status ? `?status=${encodeURIComponent(status)}` : ''}`)).payouts,
  });
}

export function useBatches() {
  return useQuery({
    queryKey: moneyKeys.batches,
    retry: noRetryOn4xx,
    queryFn: async () => (await api<{ batches: PayoutBatch[] }>('/api/finance/payout-batches')).batches,
  });
}

export const createBatch = async (channel: PayoutMethod, payoutIds: string[]) =>
  (await api<{ batch: PayoutBatch }>('/api/finance/payout-batches', { method: 'POST', body: { channel, payoutIds } })).batch;
export const markPayout = (id: string, status: 'paid' | 'failed', reason?: string) =>
  api<{ payout: Payout }>(`/api/finance/payouts/${encodeURIComponent(id)}/mark`, { method: 'POST', body: reason ? { status, reason } : { status } });
/**
 * The batch's CSV for the bank, WeChat Pay or Alipay. A POST (it moves the batch to exported), so
 * the browser's CSRF headers travel with it and another site cannot trigger it; the file comes back
 * as a Blob for the page to save.
 */
export async function exportBatchCsv(batchId: string): Promise<{ blob: Blob; filename: string | null }> {
  let res: Response;
  try {
    res = await fetch(`/api/finance/payout-batches/${encodeURIComponent(batchId)}/export.csv`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'text/csv', 'accept-language': currentLocale() },
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
