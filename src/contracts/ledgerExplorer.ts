import { z } from 'zod';
import { localizedTextSchema } from './common.js';
import { ledgerAccountKindSchema, ledgerTransferKindSchema } from './ledger.js';

/**
 * The finance ledger explorer (docs/ledger.md, "Ledger explorer"): read-only views of every
 * account and transfer. Money is signed integer fen: + credits an account (it holds more), −
 * debits it. A period is [from, to): `from` inclusive, `to` exclusive, ISO 8601 with an offset.
 */
const signedFen = z.number().int();
const instant = z.iso.datetime({ offset: true });

export const explorerAccountSchema = z.object({
  id: z.uuid(),
  kind: ledgerAccountKindSchema,
  userId: z.uuid().nullable(),
  campaignId: z.uuid().nullable(),
  /** The contributor's name (contributor accounts only). */
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** The campaign's title (campaign budget and per-campaign expense accounts). */
  campaignTitle: localizedTextSchema.nullable(),
  /** The sum of all the account's entries, now. */
  balanceFen: signedFen,
  entries: z.number().int(),
  lastMovementAt: z.iso.datetime().nullable(),
});
export type ExplorerAccount = z.infer<typeof explorerAccountSchema>;

export const explorerAccountsQuery = z.strictObject({
  /** Name, email or phone of a contributor, a campaign's title or slug, or an account id. */
  q: z.string().trim().max(100).optional(),
  kind: ledgerAccountKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ExplorerAccountsQuery = z.infer<typeof explorerAccountsQuery>;

export const explorerAccountsReply = z.object({
  /** System accounts first (treasury, clearing, budgets, expenses), then contributors by balance, highest first. */
  accounts: z.array(explorerAccountSchema),
  /** How many accounts match the search (for paging with `offset`). */
  total: z.number().int(),
  /** The whole ledger per account kind, whatever the search: these sum to zero. */
  totals: z.array(z.object({ kind: ledgerAccountKindSchema, accounts: z.number().int(), balanceFen: signedFen })),
});
export type ExplorerAccountsReply = z.infer<typeof explorerAccountsReply>;

export const explorerLegSchema = z.object({
  accountId: z.uuid(),
  kind: ledgerAccountKindSchema,
  userId: z.uuid().nullable(),
  campaignId: z.uuid().nullable(),
  name: z.string().nullable(),
  campaignTitle: localizedTextSchema.nullable(),
  amountFen: signedFen,
});
export type ExplorerLeg = z.infer<typeof explorerLegSchema>;

export const CAUSE_TYPES = ['submission', 'payout', 'rain_session', 'weekly_chart', 'grand_prize', 'campaign'] as const;
/** What made a transfer, read from its refs: a video, a withdrawal, a rain session, a week's chart… */
export const explorerCauseSchema = z.object({
  type: z.enum(CAUSE_TYPES),
  id: z.uuid(),
  campaignId: z.uuid().nullable(),
  /** The chart's week (`weekly_chart`). */
  week: z.string().nullable(),
  /** The video's title (`submission`, `grand_prize`). */
  title: z.string().nullable(),
  /** The payout's batch, once it has one (`payout`). */
  batchId: z.uuid().nullable(),
});
export type ExplorerCause = z.infer<typeof explorerCauseSchema>;

export const explorerTransferSchema = z.object({
  id: z.uuid(),
  kind: ledgerTransferKindSchema,
  createdAt: z.iso.datetime(),
  memo: z.string().nullable(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  /** What the transfer moved: the sum of its credits (= the sum of its debits). */
  amountFen: z.number().int(),
  /** Its double-entry legs, summing to zero. */
  legs: z.array(explorerLegSchema),
  refs: z.record(z.string(), z.unknown()),
  cause: explorerCauseSchema.nullable(),
  reversesTransferId: z.uuid().nullable(),
  reversedByTransferId: z.uuid().nullable(),
});
export type ExplorerTransfer = z.infer<typeof explorerTransferSchema>;

export const explorerTransfersQuery = z.strictObject({
  accountId: z.uuid().optional(),
  kind: ledgerTransferKindSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Transfers older than this one (the previous page's `nextBefore`). */
  before: z.uuid().optional(),
});
export type ExplorerTransfersQuery = z.infer<typeof explorerTransfersQuery>;

/** One account over a period: closing = opening + credits − debits. */
export const explorerAccountPeriodSchema = z.object({
  account: explorerAccountSchema,
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  openingFen: signedFen,
  /** Money out of the account in the period (a positive figure). */
  debitsFen: z.number().int(),
  /** Money into the account in the period. */
  creditsFen: z.number().int(),
  closingFen: signedFen,
});
export type ExplorerAccountPeriod = z.infer<typeof explorerAccountPeriodSchema>;

export const explorerTransfersReply = z.object({
  /** Newest first. */
  transfers: z.array(explorerTransferSchema),
  /** Pass as `before` for the next page; null on the last. */
  nextBefore: z.uuid().nullable(),
  /** With `accountId`: the account's opening and closing balance over the period asked for. */
  summary: explorerAccountPeriodSchema.nullable(),
});
export type ExplorerTransfersReply = z.infer<typeof explorerTransfersReply>;

export const explorerExportBody = z.strictObject({
  from: instant,
  to: instant,
  /** Only the transfers touching this account (all their legs), and its balance alone at the foot. */
  accountId: z.uuid().optional(),
});
export type ExplorerExportBody = z.infer<typeof explorerExportBody>;
