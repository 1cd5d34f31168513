import type { PAYOUT_METHODS } from '../../../contracts/payouts.js';

export type PayoutMethod = (typeof PAYOUT_METHODS)[number];

export interface PayoutTransferRequest {
  /** Our payout id: the provider's idempotency key (e.g. WeChat Pay out_detail_no without dashes). */
  payoutId: string;
  amountFen: number;
  method: PayoutMethod;
  realName: string;
  account: string;
  bankName?: string | null;
}

export interface PayoutTransferResult {
  /** `pending`: accepted (or, for `manual`, handed to finance's CSV); the final state comes later. */
  status: 'paid' | 'failed' | 'pending';
  providerRef: string;
  failureReason?: string;
}

/**
 * Where money actually leaves: a bank, WeChat Pay 商家转账, Alipay 转账. `transfer` must be
 * idempotent on `payoutId` (a retry after a timeout pays once). An API provider is called from
 * a job outside any database transaction, and its result is recorded with
 * `PayoutsService.mark`; the `manual` provider below is what the CSV flow uses today.
 */
export interface PayoutProvider {
  readonly name: string;
  transfer(req: PayoutTransferRequest): Promise<PayoutTransferResult>;
}

/** Finance pays from the exported CSV in the bank's or wallet's console, then marks each payout. */
export const manualPayoutProvider: PayoutProvider = {
  name: 'manual',
  async transfer(req) {
    return { status: 'pending', providerRef: `manual:${req.payoutId}` };
  },
};
