import { z } from 'zod';
import { CHANNELS } from './packaging.limits.js';
import { submissionStatusSchema } from './submissions.js';

/**
 * Where an item stands for the desk (docs/desk.md, "Search"): the submission's own status, except
 * that an adopted item is `published` while it is live on at least one channel and `unpublished`
 * once it was published and is live on none.
 */
export const DESK_STAGES = ['uploading', 'processing', 'in_review', 'adopted', 'published', 'unpublished', 'rejected', 'withdrawn'] as const;
export const deskStageSchema = z.enum(DESK_STAGES);
export type DeskStage = z.infer<typeof deskStageSchema>;

/** The status filter: `adopted` also finds the published and unpublished ones (they were adopted). */
export const SEARCH_STATUSES = ['in_review', 'adopted', 'rejected', 'published', 'unpublished'] as const;
export const searchStatusSchema = z.enum(SEARCH_STATUSES);
export type SearchStatus = z.infer<typeof searchStatusSchema>;

export const SEARCH_SORTS = ['newest', 'oldest', 'views', 'title'] as const;
export const searchSortSchema = z.enum(SEARCH_SORTS);
export type SearchSort = z.infer<typeof searchSortSchema>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const searchQuerySchema = z.strictObject({
  /** Substring of title, description, packaged headline or tags; any characters are literal. */
  q: z.string().trim().max(100).optional(),
  status: searchStatusSchema.optional(),
  campaignId: z.uuid().optional(),
  theme: z.string().max(40).optional(),
  studioId: z.uuid().optional(),
  /** A contributor's id, or part of their name, email or phone. */
  contributor: z.string().trim().max(100).optional(),
  /** Submitted on or after this day, Asia/Shanghai. */
  from: day.optional(),
  /** Submitted on or before this day, Asia/Shanghai. */
  to: day.optional(),
  sort: searchSortSchema.default('newest'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchItemSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  status: submissionStatusSchema,
  stage: deskStageSchema,
  campaignId: z.uuid(),
  theme: z.string(),
  studioId: z.uuid().nullable(),
  studioName: z.string().nullable(),
  contributor: z.object({ id: z.uuid(), name: z.string() }),
  grade: z.string().nullable(),
  posterUrl: z.string().nullable(),
  /** Channels the item is live on now. */
  liveChannels: z.array(z.enum(CHANNELS)),
  /** Sum of views across channels (the latest figures). */
  views: z.number().int(),
  createdAt: z.iso.datetime(),
  /** When it was adopted, or rejected by an editor. */
  decidedAt: z.iso.datetime().nullable(),
});
export type SearchItem = z.infer<typeof searchItemSchema>;

export const searchReply = z.object({
  items: z.array(searchItemSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type SearchReply = z.infer<typeof searchReply>;

export const TIMELINE_KINDS = [
  'uploaded',
  'processed',
  'claimed',
  'adopted',
  'regraded',
  'rejected',
  'packaged',
  'daily_pick',
  'published',
  'publish_failed',
  'unpublished',
] as const;
export const timelineKindSchema = z.enum(TIMELINE_KINDS);
export type TimelineKind = z.infer<typeof timelineKindSchema>;

export const timelineEventSchema = z.object({
  at: z.iso.datetime(),
  kind: timelineKindSchema,
  actor: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  channel: z.enum(CHANNELS).nullable(),
  /** adopted: the grade; regraded: the new grade. */
  grade: z.string().nullable(),
  /** regraded: the grade before. */
  fromGrade: z.string().nullable(),
  /** adopted: the reward posted to the ledger, in fen. */
  rewardFen: z.number().int().nullable(),
  /** rejected: the reason in the reader's language. */
  reason: z.string().nullable(),
  /** published: the item's address on that channel. */
  url: z.string().nullable(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const timelineChannelSchema = z.object({
  channel: z.enum(CHANNELS),
  status: z.string(),
  url: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  unpublishedAt: z.iso.datetime().nullable(),
  views: z.number().int(),
  likes: z.number().int(),
  shares: z.number().int(),
  comments: z.number().int(),
  metricsAt: z.iso.datetime().nullable(),
});

export const timelineReply = z.object({
  id: z.uuid(),
  title: z.string(),
  stage: deskStageSchema,
  /** Oldest first. */
  events: z.array(timelineEventSchema),
  /** Per channel: where it is and its latest figures. */
  channels: z.array(timelineChannelSchema),
});
export type TimelineReply = z.infer<typeof timelineReply>;
