import { z } from 'zod';

/** Withdrawals (提现): a contributor asks, finance approves in batches, exports, marks paid or failed. */
export const PAYOUT_METHODS = ['wechat', 'alipay', 'bank'] as const;
export const payoutMethodSchema = z.enum(PAYOUT_METHODS);
export const PAYOUT_STATUSES = ['requested', 'batched', 'exported', 'paid', 'failed'] as const;
export const payoutStatusSchema = z.enum(PAYOUT_STATUSES);

export const requestPayoutBody = z.strictObject({
  /** Chosen by the client once per request; a retry with the same id returns the same payout. */
  requestId: z.uuid(),
  amountFen: z.number().int().positive(),
  method: payoutMethodSchema,
  realName: z.string().trim().min(2).max(60),
  /**
   * Alipay account (phone or email) / bank card number. Not for WeChat: WeChat Pay 商家转账 pays
   * an openid, so a WeChat payout goes to the account's linked WeChat (公众号 openid), never a typed ID.
   */
  account: z.string().trim().min(3).max(64).optional(),
  /** Bank transfers only: the bank's name and branch. */
  bankName: z.string().trim().max(100).optional(),
});

export const payoutSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  amountFen: z.number().int(),
  method: payoutMethodSchema,
  realName: z.string(),
  /** Masked except in finance's export, e.g. "6222 **** **** 1234". */
  account: z.string(),
  bankName: z.string().nullable(),
  status: payoutStatusSchema,
  batchId: z.uuid().nullable(),
  failureReason: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  paidAt: z.iso.datetime().nullable(),
  /** A WeChat payout to a 微信号 typed before WeChat linking: WeChat Pay cannot pay it; link WeChat and ask again. */
  needsRelink: z.boolean(),
});
export const payoutListReply = z.object({ payouts: z.array(payoutSchema), minimumFen: z.number().int() });

export const payoutBatchSchema = z.object({
  id: z.uuid(),
  channel: payoutMethodSchema,
  status: z.enum(['approved', 'exported', 'closed']),
  payoutIds: z.array(z.uuid()),
  totalFen: z.number().int(),
  createdAt: z.iso.datetime(),
  exportedAt: z.iso.datetime().nullable(),
});
export const createBatchBody = z.strictObject({ channel: payoutMethodSchema, payoutIds: z.array(z.uuid()).min(1).max(1000) });
export const markPayoutBody = z.strictObject({ status: z.enum(['paid', 'failed']), reason: z.string().trim().max(500).optional() });

/** Cumulative rewards (累积奖励): what the contributor has reached and what comes next. */
export const rewardProgressSchema = z.object({
  campaignId: z.uuid(),
  adoptedCount: z.number().int(),
  reach: z.number().int(),
  bonusesEarnedFen: z.number().int(),
  nextTier: z.object({ adoptedCount: z.number().int(), bonusFen: z.number().int() }).nullable(),
  /** The multiplier (percent, 100 = none) applied to new adoption rewards now, and the next one. */
  multiplierPercent: z.number().int(),
  nextMultiplier: z.object({ reachAtLeast: z.number().int(), multiplierPercent: z.number().int() }).nullable(),
});
export const rewardProgressReply = z.object({ progress: z.array(rewardProgressSchema) });
