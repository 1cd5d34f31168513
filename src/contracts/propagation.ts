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

export const NOTICE_KINDS = ['reach', 'chart', 'grand_prize', 'publication'] as const;
export const noticeKindSchema = z.enum(NOTICE_KINDS);
export type NoticeKind = z.infer<typeof noticeKindSchema>;

export const noticeSchema = z.object({
  id: z.uuid(),
  kind: noticeKindSchema,
  submissionId: z.uuid().nullable(),
  /** What the notice is about, by kind: reach {milestone, title}; chart {rank, week, title}; grand_prize {title}; publication {channel, title}. */
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
