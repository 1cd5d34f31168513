import { z } from 'zod';
import { payoutBatchSchema, payoutSchema, payoutStatusSchema } from '../../../contracts/payouts.js';

/** Route-only shapes around the contracts in src/contracts/payouts.ts. */
export const myPayoutsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const financePayoutsQuery = z.strictObject({
  status: payoutStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const batchListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const payoutReply = z.object({ payout: payoutSchema });
export const batchReply = z.object({ batch: payoutBatchSchema });
export const batchListReply = z.object({ batches: z.array(payoutBatchSchema) });
