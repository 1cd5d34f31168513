import { z } from 'zod';
import { CHANNELS } from './packaging.limits.js';

/**
 * The weekly chart (风云榜·每周Top10), the grand prize (终极大奖) and the propagation
 * dashboards (docs/propagation.md). Money is integer fen; instants are ISO 8601 UTC; weeks
 * are ISO weeks `YYYY-Www` in Asia/Shanghai (Monday 00:00 +08:00 to the next Monday).
 */

export const rankBySchema = z.enum(['index', 'reach']);

export const weeklyChartQuery = z.object({
  campaignId: z.uuid(),
  week: z.string().max(16).optional().describe('ISO week in Asia/Shanghai, `YYYY-Www` (e.g. `2026-W48`); the current week when absent'),
});
export type WeeklyChartQuery = z.infer<typeof weeklyChartQuery>;

/** Public: what anyone may see of a contributor on the chart. */
export const publicContributorSchema = z.object({ id: z.uuid(), name: z.string() });

export const weeklyChartEntrySchema = z.object({
  rank: z.number().int().min(1).max(10),
  submissionId: z.uuid(),
  /** The app package's headline, or the contributor's title when the video has no package. */
  headline: z.string(),
  contributor: publicContributorSchema,
  /** The propagation index of the week's figures, or the week's reach when the campaign ranks by reach. */
  score: z.number(),
  /** Views gained during the week, summed over every channel. */
  reach: z.number().int().nonnegative(),
  /** The prize for this rank: posted to the ledger when frozen, the prospective prize while live. */
  prizeFen: z.number().int().nonnegative(),
});
export type WeeklyChartEntry = z.infer<typeof weeklyChartEntrySchema>;

export const weeklyChartSchema = z.object({
  campaignId: z.uuid(),
  week: z.string(),
  /** Monday 00:00 Asia/Shanghai (inclusive) and the next Monday 00:00 (exclusive). */
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  rankBy: rankBySchema,
  /** True once the Monday job has frozen the week; false for the live "this week so far" chart. */
  frozen: z.boolean(),
  frozenAt: z.iso.datetime().nullable(),
  /** When these figures were computed (the live chart is cached for a few seconds). */
  computedAt: z.iso.datetime(),
  entries: z.array(weeklyChartEntrySchema).max(10),
});
export type WeeklyChart = z.infer<typeof weeklyChartSchema>;
export const weeklyChartReply = z.object({ chart: weeklyChartSchema });

// ---- grand prize ----

export const GRAND_PRIZE_STATUSES = ['nominated', 'confirmable', 'below_threshold', 'confirmed'] as const;
export const grandPrizeStatusSchema = z.enum(GRAND_PRIZE_STATUSES);

export const grandPrizeQuery = z.object({ campaignId: z.uuid() });
export const grandPrizeParams = z.strictObject({ campaignId: z.uuid(), submissionId: z.uuid() });
export const grandPrizeConfirmBody = z.strictObject({
  /** What this video receives, in fen; all confirmations of a campaign together stay within its grand-prize amount. */
  amountFen: z.number().int().positive().max(100_000_000),
});
export type GrandPrizeConfirmInput = z.infer<typeof grandPrizeConfirmBody>;

export const grandPrizeNominationSchema = z.object({
  campaignId: z.uuid(),
  submissionId: z.uuid(),
  headline: z.string(),
  contributor: publicContributorSchema,
  /** Reach (views over every channel, highest figures seen) at the campaign's end. */
  reachAtNomination: z.number().int().nonnegative(),
  nominatedAt: z.iso.datetime(),
  recheckAfter: z.iso.datetime(),
  /** Reach as the platforms reported it at the recheck (after the hold-back), null before it. */
  reachAtRecheck: z.number().int().nonnegative().nullable(),
  status: grandPrizeStatusSchema,
  amountFen: z.number().int().nonnegative().nullable(),
  transferId: z.uuid().nullable(),
  confirmedBy: z.uuid().nullable(),
  confirmedAt: z.iso.datetime().nullable(),
});
export type GrandPrizeNomination = z.infer<typeof grandPrizeNominationSchema>;

export const grandPrizeListReply = z.object({
  campaignId: z.uuid(),
  /** When the nominate job handled the ended campaign; null before. */
  nominatedAt: z.iso.datetime().nullable(),
  thresholdReach: z.number().int().positive(),
  holdBackDays: z.number().int().nonnegative(),
  /** The campaign's grand-prize amount: the most all confirmations together may pay. */
  amountFen: z.number().int().nonnegative(),
  confirmedFen: z.number().int().nonnegative(),
  remainingFen: z.number().int(),
  nominations: z.array(grandPrizeNominationSchema),
});
export type GrandPrizeList = z.infer<typeof grandPrizeListReply>;
export const grandPrizeConfirmReply = z.object({
  nomination: grandPrizeNominationSchema,
  remainingFen: z.number().int(),
});

// ---- dashboards ----

export const dashboardChannelSchema = z.enum(CHANNELS);
export const dashboardQuery = z.object({
  /** Start of the range (default: 30 days before `to` for daily buckets, 48 hours for hourly). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** End of the range (default: now). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Hourly or daily buckets; days are Asia/Shanghai days. */
  bucket: z.enum(['hour', 'day']).default('day'),
  /** `csv`: the same figures as a spreadsheet (UTF-8 with BOM). */
  format: z.enum(['json', 'csv']).default('json'),
});
export type DashboardQuery = z.infer<typeof dashboardQuery>;

const count = z.number().int().nonnegative();
export const figuresSchema = z.object({ views: count, likes: count, comments: count, shares: count });
export const dashboardSchema = z.object({
  subject: z.object({ kind: z.enum(['video', 'contributor', 'studio', 'channel']), id: z.string(), name: z.string() }),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  bucket: z.enum(['hour', 'day']),
  timeZone: z.literal('Asia/Shanghai'),
  /** Highest figures seen up to `to`, summed over publications; reach = views; index = the propagation index of these figures. */
  totals: figuresSchema.extend({ reach: count, index: z.number() }),
  byChannel: z.array(figuresSchema.extend({ channel: dashboardChannelSchema, reach: count })),
  /** Reach at the end of each bucket (cumulative; `at` is the bucket's start), in total and per channel. */
  series: z.array(z.object({ at: z.iso.datetime(), reach: count, byChannel: z.record(z.string(), count) })),
  /** The videos behind the figures, highest reach first (at most 100); one for a video dashboard. */
  videos: z.array(z.object({ submissionId: z.uuid(), headline: z.string(), reach: count, index: z.number() })),
  videoCount: count,
});
export type Dashboard = z.infer<typeof dashboardSchema>;
export const dashboardReply = z.object({ dashboard: dashboardSchema });
export const dashboardIdParams = z.strictObject({ id: z.uuid() });
export const dashboardChannelParams = z.strictObject({ channel: dashboardChannelSchema });
