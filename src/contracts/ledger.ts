import { z } from 'zod';

/**
 * The ledger's closed sets. Money is integer fen. An account's balance is the sum of its
 * entries; a positive entry increases what the account holds (for a contributor: what the
 * platform owes them). Every transfer's entries sum to zero.
 */
export const LEDGER_ACCOUNT_KINDS = [
  'contributor',
  'campaign_budget',
  'treasury',
  'rewards_expense',
  'prizes_expense',
  'red_packet_expense',
  'payouts_clearing',
] as const;
export const ledgerAccountKindSchema = z.enum(LEDGER_ACCOUNT_KINDS);
export type LedgerAccountKind = z.infer<typeof ledgerAccountKindSchema>;
/** Every account kind but `contributor`: these may go negative. */
export type SystemAccountKind = Exclude<LedgerAccountKind, 'contributor'>;

export const LEDGER_TRANSFER_KINDS = [
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
] as const;
export const ledgerTransferKindSchema = z.enum(LEDGER_TRANSFER_KINDS);
export type LedgerTransferKind = z.infer<typeof ledgerTransferKindSchema>;

/** Signed fen: + credits the account, − debits it. */
const signedFen = z.number().int();

export const ledgerEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  amountFen: signedFen,
  kind: ledgerTransferKindSchema,
  memo: z.string().nullable(),
  refs: z.record(z.string(), z.unknown()),
  transferId: z.uuid(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const ledgerStatementQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries older than this entry id (the last `id` of the previous page). */
  before: z.coerce.number().int().positive().optional(),
});
export type LedgerStatementQuery = z.infer<typeof ledgerStatementQuery>;

export const ledgerStatementReply = z.object({
  /**
   * The whole balance, whatever page of entries is returned. Negative only after a claw-back (a
   * downward regrade after the money was withdrawn): later earnings settle it first, and no
   * withdrawal can be requested until it is positive again.
   */
  balanceFen: signedFen,
  /** What the contributor owes back from claw-backs: −balanceFen when negative, else 0. */
  owedFen: z.number().int().min(0),
  /** Newest first. */
  entries: z.array(ledgerEntrySchema),
});
export type LedgerStatement = z.infer<typeof ledgerStatementReply>;

export const reconciliationReply = z.object({
  /** True when every check below found nothing. */
  ok: z.boolean(),
  /** Sum of every entry in the ledger: always 0. */
  totalFen: signedFen,
  accounts: z.number().int(),
  transfers: z.number().int(),
  /** Contributor accounts below zero beyond what claw-backs explain (must be none). */
  negativeContributorAccounts: z.array(z.object({ accountId: z.uuid(), userId: z.uuid(), balanceFen: signedFen })),
  /** Contributors who owe money back after a claw-back (their balance is negative by that much; later earnings settle it). */
  owedByContributors: z.array(z.object({ accountId: z.uuid(), userId: z.uuid(), owedFen: z.number().int().positive() })),
  owedTotalFen: z.number().int().min(0),
  unbalancedTransfers: z.array(z.object({ transferId: z.uuid(), idempotencyKey: z.string(), entries: z.number().int(), sumFen: signedFen })),
  /**
   * Per campaign budget account: budget = net funding in (budget_funding transfers and their
   * reversals), spent = everything paid out of it net of reversals, remaining = the balance.
   */
  campaigns: z.array(
    z.object({
      campaignId: z.uuid(),
      budgetFen: signedFen,
      spentFen: signedFen,
      remainingFen: signedFen,
      overspent: z.boolean(),
    }),
  ),
  /** Human-readable list of everything wrong (empty when ok). */
  mismatches: z.array(z.string()),
});
export type Reconciliation = z.infer<typeof reconciliationReply>;
