import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaigns, notices, packages, submissions, users, weeklyChartEntries, weeklyCharts, type CampaignRow, type NoticeKind } from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** One publication's figures (highest seen in a span), with the video it belongs to. */
export interface PublicationFigures {
  publicationId: string;
  submissionId: string;
  userId: string;
  adoptedAt: Date | null;
  channel: string;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}
interface RawFigures {
  publication_id: string;
  submission_id: string;
  user_id: string;
  adopted_at: Date | string | null;
  channel: string;
  views: number | string;
  likes: number | string;
  comments: number | string;
  shares: number | string;
}

/** One publication's highest figures seen by a week's start and by its end (or now). */
export interface WeekFigures {
  publicationId: string;
  submissionId: string;
  userId: string;
  adoptedAt: Date | null;
  channel: string;
  start: { views: number; likes: number; comments: number; shares: number };
  end: { views: number; likes: number; comments: number; shares: number };
}

export type WeeklyChartRow = typeof weeklyCharts.$inferSelect;
export type NewChartEntry = typeof weeklyChartEntries.$inferInsert;
export interface ChartEntryView {
  rank: number;
  submissionId: string;
  userId: string;
  userName: string;
  headline: string;
  score: number;
  reach: number;
  prizeFen: number;
  transferId: string | null;
}

export interface NewNotice {
  userId: string;
  kind: NoticeKind;
  submissionId: string | null;
  params: Record<string, string | number>;
  dedupeKey: string;
}

/** The headline a video goes by in public: its app package's, else the contributor's title. */
const headline = sql<string>`coalesce(${packages.headline}, ${submissions.title})`;

export function createChartsRepository(db: Db) {
  return {
    /**
     * Per publication of the campaign's adopted videos: the highest figure of each kind among
     * its samples taken at or before `upTo` (and after `after`, when given). Figures are
     * cumulative and platforms sometimes report less than before, so "the figure at an instant"
     * is the highest seen up to it, never the last sample.
     */
    async publicationFigures(q: { campaignId: string; upTo: Date; after?: Date }, tx: Db = db): Promise<PublicationFigures[]> {
      const after = q.after ? sql`AND ms.sampled_at > ${q.after.toISOString()}::timestamptz` : sql``;
      const r = await tx.execute(sql`
        SELECT p.id AS publication_id, s.id AS submission_id, s.user_id, s.adopted_at, p.channel,
               f.views, f.likes, f.comments, f.shares
        FROM submissions s
        JOIN publications p ON p.submission_id = s.id
        CROSS JOIN LATERAL (
          SELECT coalesce(max(ms.views), 0)::float8 AS views, coalesce(max(ms.likes), 0)::float8 AS likes,
                 coalesce(max(ms.comments), 0)::float8 AS comments, coalesce(max(ms.shares), 0)::float8 AS shares
          FROM metric_samples ms
          WHERE ms.publication_id = p.id AND ms.sampled_at <= ${q.upTo.toISOString()}::timestamptz ${after}
        ) f
        WHERE s.campaign_id = ${q.campaignId}::uuid AND s.status = 'adopted'`);
      return rowsOf<RawFigures>(r).map((x) => ({
        publicationId: x.publication_id,
        submissionId: x.submission_id,
        userId: x.user_id,
        adoptedAt: x.adopted_at === null ? null : new Date(x.adopted_at),
        channel: x.channel,
        views: Number(x.views),
        likes: Number(x.likes),
        comments: Number(x.comments),
        shares: Number(x.shares),
      }));
    },

    /**
     * Per publication of the campaign's adopted videos, in one pass over its samples up to
     * `upTo`: the highest figures seen at or before `start` and at or before `upTo` (a week's
     * gain is the difference; see publicationFigures for why "highest seen").
     */
    async weekFigures(q: { campaignId: string; start: Date; upTo: Date }, tx: Db = db): Promise<WeekFigures[]> {
      const start = q.start.toISOString();
      const r = await tx.execute(sql`
        SELECT p.id AS publication_id, s.id AS submission_id, s.user_id, s.adopted_at, p.channel, f.*
        FROM submissions s
        JOIN publications p ON p.submission_id = s.id
        CROSS JOIN LATERAL (
          SELECT coalesce(max(ms.views) FILTER (WHERE ms.sampled_at <= ${start}::timestamptz), 0)::float8 AS views0,
                 coalesce(max(ms.likes) FILTER (WHERE ms.sampled_at <= ${start}::timestamptz), 0)::float8 AS likes0,
                 coalesce(max(ms.comments) FILTER (WHERE ms.sampled_at <= ${start}::timestamptz), 0)::float8 AS comments0,
                 coalesce(max(ms.shares) FILTER (WHERE ms.sampled_at <= ${start}::timestamptz), 0)::float8 AS shares0,
                 coalesce(max(ms.views), 0)::float8 AS views1, coalesce(max(ms.likes), 0)::float8 AS likes1,
                 coalesce(max(ms.comments), 0)::float8 AS comments1, coalesce(max(ms.shares), 0)::float8 AS shares1
          FROM metric_samples ms
          WHERE ms.publication_id = p.id AND ms.sampled_at <= ${q.upTo.toISOString()}::timestamptz
        ) f
        WHERE s.campaign_id = ${q.campaignId}::uuid AND s.status = 'adopted'`);
      return rowsOf<RawFigures & Record<string, number | string>>(r).map((x) => ({
        publicationId: x.publication_id,
        submissionId: x.submission_id,
        userId: x.user_id,
        adoptedAt: x.adopted_at === null ? null : new Date(x.adopted_at),
        channel: x.channel,
        start: { views: Number(x.views0), likes: Number(x.likes0), comments: Number(x.comments0), shares: Number(x.shares0) },
        end: { views: Number(x.views1), likes: Number(x.likes1), comments: Number(x.comments1), shares: Number(x.shares1) },
      }));
    },

    /** Public names for videos: headline and the contributor's display name (nothing private). */
    async describe(submissionIds: string[], tx: Db = db): Promise<Map<string, { headline: string; userId: string; userName: string }>> {
      if (!submissionIds.length) return new Map();
      const rows = await tx
        .select({ id: submissions.id, headline, userId: submissions.userId, userName: users.name })
        .from(submissions)
        .innerJoin(users, eq(users.id, submissions.userId))
        .leftJoin(packages, and(eq(packages.submissionId, submissions.id), eq(packages.channel, 'app')))
        .where(inArray(submissions.id, submissionIds));
      return new Map(rows.map((r) => [r.id, { headline: r.headline, userId: r.userId, userName: r.userName }]));
    },

    async getCampaign(id: string, tx: Db = db): Promise<CampaignRow | undefined> {
      const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id));
      return row;
    },

    /** Published campaigns running at some point in [from, to). */
    async listCampaignsActive(from: Date, to: Date, tx: Db = db): Promise<CampaignRow[]> {
      return tx
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.published, true), lt(campaigns.startsAt, to), gt(campaigns.endsAt, from)))
        .orderBy(asc(campaigns.startsAt));
    },

    async getChart(campaignId: string, week: string, tx: Db = db): Promise<WeeklyChartRow | undefined> {
      const [row] = await tx
        .select()
        .from(weeklyCharts)
        .where(and(eq(weeklyCharts.campaignId, campaignId), eq(weeklyCharts.week, week)));
      return row;
    },

    async listFrozenWeeks(campaignId: string, tx: Db = db): Promise<Set<string>> {
      const rows = await tx.select({ week: weeklyCharts.week }).from(weeklyCharts).where(eq(weeklyCharts.campaignId, campaignId));
      return new Set(rows.map((r) => r.week));
    },

    /** Claims the (campaign, week): undefined when it is frozen already (or being frozen by a transaction that then commits). */
    async createChart(row: typeof weeklyCharts.$inferInsert, tx: Db): Promise<WeeklyChartRow | undefined> {
      const [made] = await tx.insert(weeklyCharts).values(row).onConflictDoNothing().returning();
      return made;
    },

    async createEntries(rows: NewChartEntry[], tx: Db): Promise<void> {
      if (rows.length) await tx.insert(weeklyChartEntries).values(rows);
    },

    async listEntries(campaignId: string, week: string, tx: Db = db): Promise<ChartEntryView[]> {
      return tx
        .select({
          rank: weeklyChartEntries.rank,
          submissionId: weeklyChartEntries.submissionId,
          userId: weeklyChartEntries.userId,
          userName: users.name,
          headline,
          score: weeklyChartEntries.score,
          reach: weeklyChartEntries.reach,
          prizeFen: weeklyChartEntries.prizeFen,
          transferId: weeklyChartEntries.transferId,
        })
        .from(weeklyChartEntries)
        .innerJoin(submissions, eq(submissions.id, weeklyChartEntries.submissionId))
        .innerJoin(users, eq(users.id, weeklyChartEntries.userId))
        .leftJoin(packages, and(eq(packages.submissionId, submissions.id), eq(packages.channel, 'app')))
        .where(and(eq(weeklyChartEntries.campaignId, campaignId), eq(weeklyChartEntries.week, week)))
        .orderBy(asc(weeklyChartEntries.rank));
    },

    /**
     * An in-app notice, once per dedupe key (a second call is a no-op). The same contract as
     * the notices service's `notify`; true when this call created it.
     */
    async createNotice(n: NewNotice, tx: Db = db): Promise<boolean> {
      const made = await tx.insert(notices).values(n).onConflictDoNothing({ target: notices.dedupeKey }).returning({ id: notices.id });
      return made.length > 0;
    },
  };
}
export type ChartsRepository = ReturnType<typeof createChartsRepository>;
