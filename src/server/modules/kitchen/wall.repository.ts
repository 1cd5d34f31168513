import { and, desc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaigns, studios } from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/**
 * The studio a submission `s` is routed to: a theme route wins over a whole-campaign route.
 * The desk's rule (desk.repository.ts, dashboards.repository.ts), on the alias `s`.
 */
const routedStudio = sql`(SELECT r.studio_id FROM studio_routes r
  WHERE r.campaign_id = s.campaign_id AND (r.theme = s.theme OR r.theme IS NULL)
  ORDER BY r.theme NULLS LAST LIMIT 1)`;

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
/** One publication that has samples since `since`: its highest views by now and before the two marks. */
export interface RecentPublication {
  publicationId: string;
  submissionId: string;
  channel: string;
  studioId: string | null;
  /** Highest views seen at or before the day's start / the hour's start (0 when none). */
  beforeDay: number;
  beforeHour: number;
  /** Highest views seen after the day's start / the hour's start, up to now (null when none). */
  sinceDay: number | null;
  sinceHour: number | null;
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
      const r = await tx.execute(sql`
        SELECT p.channel, ${routedStudio} AS studio_id, sum(p.views)::float8 AS reach
        FROM publications p JOIN submissions s ON s.id = p.submission_id
        WHERE p.views > 0 GROUP BY 1, 2`);
      return rowsOf<{ channel: string; studio_id: string | null; reach: number | string }>(r).map((x) => ({
        channel: x.channel,
        studioId: x.studio_id,
        reach: Number(x.reach),
      }));
    },

    /**
     * Publications with a sample in (since, now]: only they can have gained reach since the
     * day's or the hour's start. Per publication the highest views before each mark and after
     * it ("highest seen", as the charts and dashboards count, so a platform reporting less than
     * before gains nothing and loses nothing). One pass over the window's samples by
     * `metric_samples_sampled_at_idx`, then two index probes per publication for the marks.
     */
    async recentPublications(q: { dayStart: Date; hourStart: Date; now: Date }, tx: Db = db): Promise<RecentPublication[]> {
      const day = q.dayStart.toISOString();
      const hour = q.hourStart.toISOString();
      const since = (q.dayStart < q.hourStart ? q.dayStart : q.hourStart).toISOString();
      const r = await tx.execute(sql`
        WITH recent AS (
          SELECT ms.publication_id AS id,
                 max(ms.views) FILTER (WHERE ms.sampled_at > ${day}::timestamptz) AS since_day,
                 max(ms.views) FILTER (WHERE ms.sampled_at > ${hour}::timestamptz) AS since_hour
          FROM metric_samples ms
          WHERE ms.sampled_at > ${since}::timestamptz AND ms.sampled_at <= ${q.now.toISOString()}::timestamptz AND ms.views IS NOT NULL
          GROUP BY 1
        )
        SELECT r.id, p.submission_id, p.channel, ${routedStudio} AS studio_id,
               r.since_day::float8 AS since_day, r.since_hour::float8 AS since_hour,
               coalesce((SELECT max(m.views) FROM metric_samples m WHERE m.publication_id = r.id AND m.sampled_at <= ${day}::timestamptz), 0)::float8 AS before_day,
               coalesce((SELECT max(m.views) FROM metric_samples m WHERE m.publication_id = r.id AND m.sampled_at <= ${hour}::timestamptz), 0)::float8 AS before_hour
        FROM recent r JOIN publications p ON p.id = r.id JOIN submissions s ON s.id = p.submission_id`);
      type Raw = {
        id: string;
        submission_id: string;
        channel: string;
        studio_id: string | null;
        since_day: number | string | null;
        since_hour: number | string | null;
        before_day: number | string;
        before_hour: number | string;
      };
      const num = (v: number | string | null) => (v === null ? null : Number(v));
      return rowsOf<Raw>(r).map((x) => ({
        publicationId: x.id,
        submissionId: x.submission_id,
        channel: x.channel,
        studioId: x.studio_id,
        beforeDay: Number(x.before_day),
        beforeHour: Number(x.before_hour),
        sinceDay: num(x.since_day),
        sinceHour: num(x.since_hour),
      }));
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
