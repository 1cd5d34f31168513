// Drizzle's view of the payout tables (migrations/0006_payouts.sql).
import { bigint, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { PAYOUT_METHODS, PAYOUT_STATUSES } from '../../contracts/payouts.js';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

type PayoutMethod = (typeof PAYOUT_METHODS)[number];
type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type PayoutBatchStatus = 'approved' | 'exported' | 'closed';

export const payoutBatches = pgTable('payout_batches', {
  id: uuid('id').primaryKey().defaultRandom(),
  channel: text('channel').$type<PayoutMethod>().notNull(),
  status: text('status').$type<PayoutBatchStatus>().notNull().default('approved'),
  totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  exportedAt: tstz('exported_at'),
  exportedBy: uuid('exported_by').references(() => users.id),
});
export type PayoutBatchRow = typeof payoutBatches.$inferSelect;

export const payouts = pgTable('payouts', {
  id: uuid('id').primaryKey(),
  requestId: uuid('request_id').notNull().unique(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  method: text('method').$type<PayoutMethod>().notNull(),
  detailsEnc: text('details_enc').notNull(),
  realNameMasked: text('real_name_masked').notNull(),
  accountMasked: text('account_masked').notNull(),
  bankName: text('bank_name'),
  requestHash: text('request_hash').notNull(),
  status: text('status').$type<PayoutStatus>().notNull().default('requested'),
  batchId: uuid('batch_id').references(() => payoutBatches.id),
  transferId: uuid('transfer_id'),
  settlementTransferId: uuid('settlement_transfer_id'),
  failureTransferId: uuid('failure_transfer_id'),
  providerRef: text('provider_ref'),
  failureReason: text('failure_reason'),
  requestedAt: tstz('requested_at').notNull().defaultNow(),
  exportedAt: tstz('exported_at'),
  paidAt: tstz('paid_at'),
  failedAt: tstz('failed_at'),
  /** WeChat payouts: the app id of the payee openid (0020_wechat.sql); null on a typed 微信号 from before. */
  payeeAppId: text('payee_app_id'),
});
export type PayoutRow = typeof payouts.$inferSelect;
