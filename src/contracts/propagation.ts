import { z } from 'zod';

/** The own channels that count their views with beacons. */
export const beaconChannelSchema = z.enum(['app', 'kiosk']);
export type BeaconChannel = z.infer<typeof beaconChannelSchema>;

/**
 * One play of a video on Paike's own site or app (`app`), or on a kiosk screen (`kiosk`, with
 * the screen's `x-kiosk-key`). `occurredAt` lets a client that was offline report a play late:
 * it counts in the hour it happened when that is at most 48 hours ago (docs/propagation.md).
 */
export const viewBeaconBody = z.strictObject({
  submissionId: z.uuid(),
  channel: beaconChannelSchema.default('app'),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type ViewBeaconInput = z.infer<typeof viewBeaconBody>;

/** Propagation kinds, then the decisions on a video, a payout and a held rain win (docs/notices.md). */
export const NOTICE_KINDS = [
  'reach',
  'chart',
  'grand_prize',
  'publication',
  'adopted',
  'rejected',
  'regraded',
  'payout_paid',
  'payout_failed',
  'rain_held',
  'rain_released',
  'rain_refused',
  'assignment_offered',
  'assignment_changed',
  'lending_offered',
] as const;
export const noticeKindSchema = z.enum(NOTICE_KINDS);
export type NoticeKind = z.infer<typeof noticeKindSchema>;

export const noticeSchema = z.object({
  id: z.uuid(),
  kind: noticeKindSchema,
  submissionId: z.uuid().nullable(),
  /** What the notice is about, by kind: reach {milestone, title}; chart {rank, week, title, prizeFen}; grand_prize {title}; publication {channel, title}; adopted {grade, rewardFen, title}; rejected {reasonCode, note, title}; regraded {from, to, diffFen, title}; payout_paid {amountFen}; payout_failed {amountFen, reason}; rain_held / rain_released / rain_refused {amountFen, sessionId}; assignment_offered {assignmentId, title, respondBy}; assignment_changed {assignmentId, title, change}; lending_offered {titleId, title, expiresText}. */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The notice as a sentence in the request's language. */
  text: z.string(),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable(),
});
export type Notice = z.infer<typeof noticeSchema>;

export const noticesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  /** Paging: the notices after this one in the list (the last `id` of the previous page). */
  before: z.uuid().optional(),
});
export const noticesReply = z.object({ notices: z.array(noticeSchema), unread: z.number().int().nonnegative() });
export const noticeReply = z.object({ notice: noticeSchema, unread: z.number().int().nonnegative() });

const base64url = (min: number, max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'URL-safe base64')
    .min(min)
    .max(max);
/** A browser's push subscription, as PushSubscription.toJSON() gives it (docs/notices.md, "Web Push"). */
export const pushSubscriptionBody = z.strictObject({
  endpoint: z.url().max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    /** The browser's P-256 public key (65 bytes uncompressed). */
    p256dh: base64url(86, 90),
    /** The 16-byte authentication secret. */
    auth: base64url(22, 24),
  }),
});
export const pushUnsubscribeBody = z.strictObject({ endpoint: z.url().max(2048) });
/** The server's VAPID public key for pushManager.subscribe; null when push is not configured (the app does not offer it). */
export const pushPublicKeyReply = z.object({ publicKey: z.string().nullable() });

/** Money held because the views behind it looked forged (docs/propagation.md, "Forged views"). */
export const PROPAGATION_HOLD_KINDS = ['weekly_prize', 'reach_multiplier', 'grand_prize'] as const;
export const propagationHoldStatusSchema = z.enum(['held', 'released', 'rejected']);
export const propagationHoldSchema = z.object({
  id: z.uuid(),
  /** weekly_prize: a chart rank's prize; reach_multiplier: what a reach multiplier added to an adoption reward; grand_prize: a nomination (its amount is set when confirmed). */
  kind: z.enum(PROPAGATION_HOLD_KINDS),
  status: propagationHoldStatusSchema,
  campaignId: z.uuid(),
  submissionId: z.uuid(),
  /** The video's title, as the contributor gave it. */
  title: z.string(),
  /** The contributor's id and name. */
  userId: z.uuid(),
  contributorName: z.string(),
  /** What release pays, integer fen; null for a grand-prize nomination. */
  amountFen: z.number().int().positive().nullable(),
  /** The ledger key the payment has once released. */
  ledgerKey: z.string(),
  /** e.g. {week, rank} or {grade, multiplierPercent, heldFromPercent}. */
  refs: z.record(z.string(), z.unknown()),
  /** The anomaly: views, appViews, networks, topNetworkViews, topNetworks, sharePercent, from, to. */
  reason: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  decidedBy: z.uuid().nullable(),
  /** The name of whoever decided it. */
  decidedByName: z.string().nullable(),
  note: z.string().nullable(),
  transferId: z.uuid().nullable(),
});
export type PropagationHold = z.infer<typeof propagationHoldSchema>;
export const propagationHoldsQuery = z.strictObject({
  status: propagationHoldStatusSchema.optional(),
  campaignId: z.uuid().optional(),
});
export const propagationHoldsReply = z.object({ holds: z.array(propagationHoldSchema) });
export const propagationHoldReply = z.object({ hold: propagationHoldSchema });
export const propagationHoldRejectBody = z.strictObject({ note: z.string().trim().min(1).max(500).optional() });
