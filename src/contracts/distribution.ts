import { z } from 'zod';
import { weeklyChartSchema } from './charts.js';
import { channelSchema } from './packaging.js';
import { kioskStoryCardSchema } from './kitchen.js';

export const externalChannelSchema = z.enum(['weibo', 'wechat', 'toutiao', 'penguin']);
export type ExternalChannelName = z.infer<typeof externalChannelSchema>;

export const publicationStatusSchema = z.enum(['queued', 'publishing', 'pending', 'live', 'failed', 'unpublishing', 'unpublished']);
export const errorClassSchema = z.enum(['auth_expired', 'rate_limited', 'content_rejected', 'transient']);

export const publicationEventSchema = z.object({
  at: z.iso.datetime(),
  status: z.string(),
  errorClass: errorClassSchema.nullable(),
  message: z.string().nullable(),
  actorId: z.uuid().nullable(),
});

/** One channel's state for one adopted video, as the desk shows it. */
export const publicationSchema = z.object({
  id: z.uuid(),
  submissionId: z.uuid(),
  channel: channelSchema,
  status: publicationStatusSchema,
  /** When the publication may go out (editors schedule by moving it); null = as soon as possible. */
  notBefore: z.iso.datetime().nullable(),
  url: z.string().nullable(),
  externalId: z.string().nullable(),
  attempts: z.number().int(),
  errorClass: errorClassSchema.nullable(),
  /** The reason, in the desk's words (the platform's code and message, never a token). */
  error: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  unpublishedAt: z.iso.datetime().nullable(),
  figures: z.object({ views: z.number(), likes: z.number(), shares: z.number(), comments: z.number(), at: z.iso.datetime().nullable() }),
  events: z.array(publicationEventSchema),
});
export type Publication = z.infer<typeof publicationSchema>;

export const channelStateSchema = z.object({
  channel: channelSchema,
  /** `not_connected`: the platform's account is not set up (or disabled), so nothing is queued there. */
  connected: z.boolean(),
  publication: publicationSchema.nullable(),
});
export const publicationsReply = z.object({ channels: z.array(channelStateSchema) });

export const scheduleBody = z.strictObject({
  /** ISO instant with offset; null publishes as soon as possible. */
  at: z.iso.datetime({ offset: true }).nullable(),
});

export const channelAccountSchema = z.object({
  channel: externalChannelSchema,
  status: z.enum(['connected', 'reconnect', 'disconnected']),
  enabled: z.boolean(),
  /** Whether the platform connects by OAuth (an admin signs in on the platform) or by app secret alone. */
  oauth: z.boolean(),
  appId: z.string().nullable(),
  accountId: z.string().nullable(),
  accessExpiresAt: z.iso.datetime().nullable(),
  refreshExpiresAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export const channelAccountsReply = z.object({ accounts: z.array(channelAccountSchema) });
export const channelAccountBody = z.strictObject({
  appId: z.string().trim().min(1).max(200),
  /** Write-only: never returned. Omit to keep the stored one. */
  appSecret: z.string().trim().min(1).max(500).optional(),
  accountId: z.string().trim().max(200).optional(),
  extra: z.record(z.string().max(40), z.string().max(500)).optional(),
  enabled: z.boolean().default(true),
});
export const authorizeReply = z.object({ url: z.string() });

export const kioskScreenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  campaignId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().nullable(),
});
export const kioskScreenBody = z.strictObject({ name: z.string().trim().min(1).max(80), campaignId: z.uuid().nullable().default(null) });
export const kioskScreenCreatedReply = z.object({ screen: kioskScreenSchema, key: z.string() });

export const kioskItemSchema = z.object({
  submissionId: z.uuid(),
  headline: z.string(),
  summary: z.string(),
  credit: z.string(),
  hlsUrl: z.string(),
  posterUrl: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  publishedAt: z.iso.datetime(),
});
export const kioskPlaylistReply = z.object({
  screen: z.string(),
  generatedAt: z.iso.datetime(),
  items: z.array(kioskItemSchema),
  /** Screen cards (屏) of published kitchen stories: headline, subline, image or video poster, QR to the story. */
  cards: z.array(kioskStoryCardSchema),
  /** The screen's campaign's latest frozen weekly chart (风云榜), to show between videos; null when none yet. */
  chart: weeklyChartSchema.nullable(),
});

/** A video on Paike's own site and app. */
export const feedItemSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  headline: z.string(),
  summary: z.string(),
  tags: z.array(z.string()),
  credit: z.string(),
  contributor: z.object({ id: z.uuid(), name: z.string() }),
  campaignId: z.uuid(),
  hlsUrl: z.string(),
  posterUrl: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  /** The video's display size (rotation applied), so a player can take its shape before loading; null when unknown. */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  publishedAt: z.iso.datetime(),
  views: z.number().int(),
});
export type FeedItem = z.infer<typeof feedItemSchema>;
export const feedReply = z.object({ items: z.array(feedItemSchema), nextCursor: z.string().nullable() });
export const videoReply = z.object({ video: feedItemSchema });
export const profileReply = z.object({
  contributor: z.object({ id: z.uuid(), name: z.string(), joinedAt: z.iso.datetime(), videoCount: z.number().int(), reach: z.number().int() }),
  items: z.array(feedItemSchema),
});
