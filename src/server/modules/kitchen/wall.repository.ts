import { and, desc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaigns, studios } from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

// The studio a video is routed to is the desk's rule (desk.repository.ts): a theme route wins
// over a whole-campaign route. Here it runs once per (campaign, theme) group.

export interface FormStatusCount {
  form: string;
  status: string;
  n: number;
}
export interface PublicationStatusCount {
  channel: string;
  status: string;
  n: number;
}
/** Reach of the published videos per channel and studio (the publications' current figures). */
export interface ReachCell {
  channel: string;
  studioId: string | null;
  reach: number;
}
/** One publication with a sample in the window (the day so far, or the last hour when it began yesterday). */
export interface WindowPublication {
  publicationId: string;
  submissionId: string;
  channel: string;
  studioId: string | null;
  /** Highest views seen after the day's start / the hour's start, up to now (null when none). */
  sinceDay: number | null;
  sinceHour: number | null;
  /** Highest views seen after the day's start and at or before the hour's start (null when none). */
  dayBeforeHour: number | null;
  /** Only when the hour began before the day (00:00–01:00): the highest views at or before the hour's start. */
  beforeHour: number | null;
}

/**
 * The wall's reads: a handful of aggregate queries over the kitchen, the desk and the
 * propagation tables, each bounded by an index on its time column (migrations/0029).
 */
export function createWallRepository(db: Db) {
  return {
    /** Forms by form and status, of stories made today or with a form changed or published today. */
    async formCounts(dayStart: Date, tx: Db = db): Promise<{ rows: FormStatusCount[]; stories: number }> {
      const d = dayStart.toISOString();
      const r = await tx.execute(sql`
        WITH today AS (
          SELECT sf.story_id, sf.form, sf.status FROM story_forms sf JOIN stories st ON st.id = sf.story_id
          WHERE sf.updated_at >= ${d}::timestamptz OR sf.published_at >= ${d}::timestamptz OR st.created_at >= ${d}::timestamptz
        )
        SELECT form, status, count(*)::int AS n, NULL::int AS stories FROM today GROUP BY 1, 2
        UNION ALL
        SELECT NULL, NULL, NULL, (SELECT count(*)::int FROM (
          SELECT story_id FROM today UNION SELECT id FROM stories WHERE created_at >= ${d}::timestamptz) t)`);
      const rows = rowsOf<{ form: string | null; status: string | null; n: number | null; stories: number | null }>(r);
      return {
        rows: rows.filter((x) => x.form !== null).map((x) => ({ form: x.form!, status: x.status!, n: Number(x.n) })),
        stories: Number(rows.find((x) => x.form === null)?.stories ?? 0),
      };
    },

    /** Videos adopted today, and publications made or gone live today by channel and status. */
    async videosToday(dayStart: Date, tx: Db = db): Promise<{ adopted: number; publications: PublicationStatusCount[] }> {
      const d = dayStart.toISOString();
      const r = await tx.execute(sql`
        SELECT NULL AS channel, NULL AS status, count(*)::int AS n FROM submissions WHERE adopted_at >= ${d}::timestamptz
        UNION ALL
        SELECT channel, status, count(*)::int FROM publications
        WHERE created_at >= ${d}::timestamptz OR published_at >= ${d}::timestamptz GROUP BY 1, 2`);
      const rows = rowsOf<{ channel: string | null; status: string | null; n: number }>(r);
      return {
        adopted: Number(rows.find((x) => x.channel === null)?.n ?? 0),
        publications: rows.filter((x) => x.channel !== null).map((x) => ({ channel: x.channel!, status: x.status!, n: Number(x.n) })),
      };
    },

    /**
     * Reach per channel and studio: the publications' current figures, which the metrics
     * service keeps at the highest value any sample reported (metrics.service.ts, raiseFigures).
     */
    async reachCells(tx: Db = db): Promise<ReachCell[]> {
      // Summed per (channel, campaign, theme) first: the routing rule then runs once per group.
      const r = await tx.execute(sql`
        WITH g AS (
          SELECT p.channel, s.campaign_id, s.theme, sum(p.views) AS reach
          FROM publications p JOIN submissions s ON s.id = p.submission_id
          WHERE p.views > 0 GROUP BY 1, 2, 3
        )
        SELECT g.channel, (SELECT r.studio_id FROM studio_routes r
                 WHERE r.campaign_id = g.campaign_id AND (r.theme = g.theme OR r.theme IS NULL)
                 ORDER BY r.theme NULLS LAST LIMIT 1) AS studio_id,
               sum(g.reach)::float8 AS reach
        FROM g GROUP BY 1, 2`);
      return rowsOf<{ channel: string; studio_id: string | null; reach: number | string }>(r).map((x) => ({
        channel: x.channel,
        studioId: x.studio_id,
        reach: Number(x.reach),
      }));
    },

    /**
     * Publications with a sample in (since, now], since = the earlier of the day's and the
     * hour's start: only they can have gained reach. One pass over the window's samples by
     * `metric_samples_sampled_at_idx` (figures are "highest seen", as the charts and dashboards
     * count, so a platform reporting less than before gains nothing and loses nothing). The
     * studio is resolved once per (campaign, theme), not per publication.
     */
    async windowPublications(q: { dayStart: Date; hourStart: Date; now: Date }, tx: Db = db): Promise<WindowPublication[]> {
      const day = q.dayStart.toISOString();
      const hour = q.hourStart.toISOString();
      const hourFirst = q.hourStart < q.dayStart;
      const since = hourFirst ? hour : day;
      const beforeHour = hourFirst
        ? sql`(SELECT max(m.views) FROM metric_samples m WHERE m.publication_id = w.id AND m.sampled_at <= ${hour}::timestamptz)::float8`
        : sql`NULL::float8`;
      const r = await tx.execute(sql`
        WITH w AS (
          SELECT ms.publication_id AS id,
                 max(ms.views) FILTER (WHERE ms.sampled_at > ${day}::timestamptz) AS since_day,
                 max(ms.views) FILTER (WHERE ms.sampled_at > ${hour}::timestamptz) AS since_hour,
                 max(ms.views) FILTER (WHERE ms.sampled_at > ${day}::timestamptz AND ms.sampled_at <= ${hour}::timestamptz) AS day_before_hour
          FROM metric_samples ms
          WHERE ms.sampled_at > ${since}::timestamptz AND ms.sampled_at <= ${q.now.toISOString()}::timestamptz AND ms.views IS NOT NULL
          GROUP BY 1
        ), rows AS (
          SELECT w.*, p.submission_id, p.channel, s.campaign_id, s.theme, ${beforeHour} AS before_hour
          FROM w JOIN publications p ON p.id = w.id JOIN submissions s ON s.id = p.submission_id
        ), pairs AS (
          SELECT DISTINCT campaign_id, theme FROM rows
        ), routed AS (
          SELECT pairs.campaign_id, pairs.theme, (SELECT r.studio_id FROM studio_routes r
            WHERE r.campaign_id = pairs.campaign_id AND (r.theme = pairs.theme OR r.theme IS NULL)
            ORDER BY r.theme NULLS LAST LIMIT 1) AS studio_id
          FROM pairs
        )
        SELECT rows.id, rows.submission_id, rows.channel, routed.studio_id, rows.since_day::float8 AS since_day,
               rows.since_hour::float8 AS since_hour, rows.day_before_hour::float8 AS day_before_hour, rows.before_hour
        FROM rows JOIN routed ON routed.campaign_id = rows.campaign_id AND routed.theme = rows.theme`);
      type Raw = {
        id: string;
        submission_id: string;
        channel: string;
        studio_id: string | null;
        since_day: number | string | null;
        since_hour: number | string | null;
        day_before_hour: number | string | null;
        before_hour: number | string | null;
      };
      const num = (v: number | string | null) => (v === null ? null : Number(v));
      return rowsOf<Raw>(r).map((x) => ({
        publicationId: x.id,
        submissionId: x.submission_id,
        channel: x.channel,
        studioId: x.studio_id,
        sinceDay: num(x.since_day),
        sinceHour: num(x.since_hour),
        dayBeforeHour: num(x.day_before_hour),
        beforeHour: num(x.before_hour),
      }));
    },

    /** Per publication, the highest views seen at or before `at` (0 when none): one index probe each. */
    async maxViewsAt(publicationIds: string[], at: Date, tx: Db = db): Promise<Map<string, number>> {
      if (!publicationIds.length) return new Map();
      const r = await tx.execute(sql`
        SELECT x.id, coalesce((SELECT max(m.views) FROM metric_samples m WHERE m.publication_id = x.id AND m.sampled_at <= ${at.toISOString()}::timestamptz), 0)::float8 AS v
        FROM jsonb_array_elements_text(${JSON.stringify(publicationIds)}::jsonb) AS t(id_text), LATERAL (SELECT t.id_text::uuid AS id) x`);
      return new Map(rowsOf<{ id: string; v: number | string }>(r).map((x) => [x.id, Number(x.v)]));
    },

    async listStudios(tx: Db = db): Promise<{ id: string; name: string }[]> {
      return tx.select({ id: studios.id, name: studios.name }).from(studios).orderBy(studios.name);
    },

    /** Published campaigns running at `now`, the newest first. */
    async listRunningCampaigns(now: Date, limit: number, tx: Db = db) {
      return tx
        .select({ id: campaigns.id, title: campaigns.title })
        .from(campaigns)
        .where(and(eq(campaigns.published, true), lte(campaigns.startsAt, now), gt(campaigns.endsAt, now)))
        .orderBy(desc(campaigns.startsAt))
        .limit(limit);
    },
  };
}
export type WallRepository = ReturnType<typeof createWallRepository>;
