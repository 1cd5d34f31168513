import { z } from 'zod';

/** Why an account cannot be deleted yet: money still open (docs/privacy.md, "What keeps an account open"). */
export const ERASURE_BLOCKERS = [
  'erasure.balance_positive',
  'erasure.balance_owed',
  'erasure.payout_open',
  'erasure.rain_unpaid',
  'erasure.reward_pending',
] as const;
export const erasureBlockerSchema = z.object({
  code: z.enum(ERASURE_BLOCKERS),
  /** In the request's language, ready to show. */
  message: z.string(),
  amountFen: z.number().int().optional(),
  count: z.number().int().optional(),
});
export type ErasureBlocker = z.infer<typeof erasureBlockerSchema>;

/** What the account page needs before asking for confirmation. */
export const erasureStatusReply = z.object({
  /** False for staff accounts (an admin removes those) and while money is open. */
  allowed: z.boolean(),
  staff: z.boolean(),
  blockers: z.array(erasureBlockerSchema),
  /**
   * How the deletion is confirmed: the current password; a fresh SMS code for a phone account
   * without one; or, for an account with neither (WeChat only), a sign-in made in the last
   * 10 minutes (sign out, sign in again with WeChat, then delete).
   */
  reauth: z.enum(['password', 'sms', 'recent_sign_in']),
  /** recent_sign_in only: until when this session's sign-in counts as fresh; null when it no longer does. */
  recentUntil: z.iso.datetime().nullable(),
  /** The masked phone the code goes to (sms only). */
  phoneMasked: z.string().nullable(),
});
export type ErasureStatus = z.infer<typeof erasureStatusReply>;

export const eraseAccountBody = z.strictObject({
  /** The explicit confirmation: the client sends it only after the user confirmed in a dialog. */
  confirm: z.literal(true),
  password: z.string().min(1).max(1024).optional(),
  code: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export type EraseAccountBody = z.infer<typeof eraseAccountBody>;

export const eraseAccountReply = z.object({ erased: z.literal(true) });

const rows = z.array(z.record(z.string(), z.unknown()));
/** The JSON file "export my data" downloads (docs/privacy.md, "Export"). */
export const myDataExport = z.object({
  format: z.string(),
  exportedAt: z.iso.datetime(),
  profile: z.record(z.string(), z.unknown()),
  campaignMemberships: rows,
  submissions: rows,
  ledger: z.object({ balanceFen: z.number().int(), owedFen: z.number().int(), entries: rows }),
  payouts: rows,
  rewardHolds: rows,
  notices: rows,
  rainWins: rows,
  sessions: rows,
});
