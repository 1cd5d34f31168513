import { z } from 'zod';

/**
 * Red-packet rain (红包雨): timed sessions in which a campaign's contributors grab random
 * packets split from a fixed budget. Money is integer fen. See docs/rain.md.
 */
export const RAIN_SESSION_STATES = ['scheduled', 'open', 'ended', 'settled'] as const;
export const rainSessionStateSchema = z.enum(RAIN_SESSION_STATES);
export type RainSessionState = z.infer<typeof rainSessionStateSchema>;

export const rainEligibilitySchema = z.strictObject({
  /** Only contributors with at least one submission (past uploading) in the campaign may grab. */
  requireSubmission: z.boolean().default(false),
  /** One grab per contributor per session: the only value the engines implement. */
  maxGrabsPerContributor: z.literal(1).default(1),
});
export type RainEligibility = z.infer<typeof rainEligibilitySchema>;

const fen = z.number().int().positive().max(100_000_000_00);
const packetCount = z.number().int().min(1).max(10_000);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h, Asia/Shanghai)');

const budgetCoversPackets = (v: { budgetFen: number; packetCount: number }) => v.budgetFen >= v.packetCount;
const budgetMessage = { message: 'budgetFen must be at least packetCount (every packet holds ≥ 1 fen)', path: ['budgetFen'] };

/** A month (or any run of days) of sessions at the same Shanghai times each day. */
export const rainScheduleBody = z
  .strictObject({
    /** First day, Asia/Shanghai calendar date. */
    firstDay: z.iso.date(),
    days: z.number().int().min(1).max(62),
    times: z.array(hhmm).min(1).max(24),
    durationSeconds: z.number().int().min(10).max(3600).default(60),
    /** Per session. */
    budgetFen: fen,
    packetCount,
    eligibility: rainEligibilitySchema.default({ requireSubmission: false, maxGrabsPerContributor: 1 }),
  })
  .refine(budgetCoversPackets, budgetMessage);
export type RainScheduleInput = z.infer<typeof rainScheduleBody>;

export const rainSessionBody = z
  .strictObject({
    startsAt: z.iso.datetime({ offset: true }),
    durationSeconds: z.number().int().min(10).max(3600).default(60),
    budgetFen: fen,
    packetCount,
    eligibility: rainEligibilitySchema.default({ requireSubmission: false, maxGrabsPerContributor: 1 }),
  })
  .refine(budgetCoversPackets, budgetMessage);
export type RainSessionInput = z.infer<typeof rainSessionBody>;

export const rainSessionSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  budgetFen: z.number().int(),
  packetCount: z.number().int(),
  eligibility: rainEligibilitySchema,
  state: rainSessionStateSchema,
  /** Recorded in PostgreSQL (a win still only in Redis shows after reconciliation). */
  grantedFen: z.number().int(),
  grabbedCount: z.number().int(),
});
export type RainSession = z.infer<typeof rainSessionSchema>;

export const rainSessionsQuery = z.strictObject({ campaignId: z.uuid() });
export const rainSessionsReply = z.object({ sessions: z.array(rainSessionSchema) });
export const rainSessionReply = z.object({ session: rainSessionSchema });

export const rainTokenReply = z.object({
  /** Send as the `x-rain-token` header on grab. */
  token: z.string(),
  expiresAt: z.iso.datetime(),
});

// The device id's storage key lives in a zod-free module the web app can import.
export { RAIN_DEVICE_STORAGE_KEY } from './rain.keys.js';
export const rainDeviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 characters of A–Z, a–z, 0–9, _ and -');
export const rainFingerprintSchema = z.string().regex(/^[0-9a-f]{8,64}$/, '8–64 lower-case hex digits');

export const rainGrabHeaders = z.object({
  'x-rain-token': z.string().max(200).optional().describe('The session’s grab token from `GET /api/rain/sessions/:id/token`. Required.'),
  'x-rain-device': rainDeviceIdSchema
    .optional()
    .describe(
      'The rain page’s device id: random, kept in localStorage, the same for every account signed in on that browser. A win is held (`device_cluster`) when more than RAIN_MAX_WINS_PER_DEVICE accounts have won from one device in the session or the campaign.',
    ),
  'x-rain-fingerprint': rainFingerprintSchema
    .optional()
    .describe('A coarse hash of the browser (user agent, language, screen, time zone), logged with the attempt for review; never a reason to hold.'),
});

export const rainGrabReply = z.object({
  won: z.literal(true),
  amountFen: z.number().int().positive(),
  /** Everything this contributor has won in this campaign's rain, this grab included. */
  totalWonFen: z.number().int(),
  /** Held for review: paid once an admin releases it. */
  held: z.boolean(),
});
export type RainGrabResult = z.infer<typeof rainGrabReply>;

export const rainGrabSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  userId: z.uuid(),
  packetIdx: z.number().int(),
  amountFen: z.number().int(),
  wonAt: z.iso.datetime(),
  held: z.boolean(),
  holdReason: z.string().nullable(),
  releasedAt: z.iso.datetime().nullable(),
  transferId: z.uuid().nullable(),
  /** The rain page's device id the grab came with (null from clients that send none). */
  deviceId: z.string().nullable(),
  /** When an admin refused this held win (never paid); null otherwise. */
  refusedAt: z.iso.datetime().nullable(),
});
export const rainGrabReplyAdmin = z.object({ grab: rainGrabSchema });

/**
 * A contributor's own red-packet win (`GET /api/me/rain-wins`), kept after its session ends.
 * status: waiting (won; paid when the session ends), held (under review), paid, refused.
 */
export const myRainWinSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  campaignId: z.uuid(),
  amountFen: z.number().int(),
  wonAt: z.iso.datetime(),
  sessionEndsAt: z.iso.datetime(),
  status: z.enum(['waiting', 'held', 'paid', 'refused']),
});
export type MyRainWin = z.infer<typeof myRainWinSchema>;
export const myRainWinsReply = z.object({
  wins: z.array(myRainWinSchema),
  /** The sum of held wins (under review), integer fen: shown as pending on earnings. */
  heldFen: z.number().int().nonnegative(),
});
export const refuseRainGrabBody = z.strictObject({ reason: z.string().trim().max(200).optional() });
