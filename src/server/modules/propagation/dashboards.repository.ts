import { eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Channel } from '../../../contracts/packaging.limits.js';
import type { Db } from '../../db/client.js';
import { campaigns, studioMembers, studios, submissions, users, type CampaignRow, type SubmissionRow } from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** Whose figures a dashboard shows. */
export type DashboardScope =
  { kind: 'video'; id: string } | { kind: 'contributor'; id: string } | { kind: 'studio'; id: string } | { kind: 'channel'; channel: Channel };

/** A condition on `s` (submissions) and `p` (publications). */
function scopeSql(scope: DashboardScope): SQL {
  switch (scope.kind) {
    case 'video':
      return sql`s.id = ${scope.id}::uuid`;
    case 'contributor':
      return sql`s.user_id = ${scope.id}::uuid`;
    case 'studio':
      // The desk's routing: a theme route wins over a whole-campaign route (desk.repository.ts).
      return sql`(SELECT r.studio_id FROM studio_routes r
                  WHERE r.campaign_id = s.campaign_id AND (r.theme = s.theme OR r.theme IS NULL)
                  ORDER BY r.theme NULLS LAST LIMIT 1) = ${scope.id}::uuid`;
    case 'channel':
      return sql`p.channel = ${scope.channel}`;
  }
}

export interface VideoChannelFigures {
  submissionId: string;
  campaignId: string;
  channel: Channel;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

export interface ReachDelta {
  channel: Channel;
  /** The bucket's start; null for the reach already reached before the first bucket. */
  bucket: Date | null;
  views: number;
}

export function createDashboardsRepository(db: Db) {
  return {
    /** Per publication in scope: the highest figures seen at or before `to`. */
    async figures(scope: DashboardScope, to: Date, tx: Db = db): Promise<VideoChannelFigures[]> {
      const r = await tx.execute(sql`
        SELECT s.id AS submission_id, s.campaign_id, p.channel, f.views, f.likes, f.comments, f.shares
        FROM submissions s
        JOIN publications p ON p.submission_id = s.id
        CROSS JOIN LATERAL (
          SELECT coalesce(max(ms.views), 0)::float8 AS views, coalesce(max(ms.likes), 0)::float8 AS likes,
                 coalesce(max(ms.comments), 0)::float8 AS comments, coalesce(max(ms.shares), 0)::float8 AS shares
          FROM metric_samples ms WHERE ms.publication_id = p.id AND ms.sampled_at <= ${to.toISOString()}::timestamptz
        ) f
        WHERE ${scopeSql(scope)}`);
      return rowsOf<Record<string, string | number>>(r).map((x) => ({
        submissionId: String(x.submission_id),
        campaignId: String(x.campaign_id),
        channel: x.channel as Channel,
        views: Number(x.views),
        likes: Number(x.likes),
        comments: Number(x.comments),
        shares: Number(x.shares),
      }));
    },

    /**
     * How much reach each channel gained in each bucket of [from, to], and what it had before
     * `from` (bucket null). Per publication the running maximum of its views is taken first,
     * so a sample lower than an earlier one adds nothing (and takes nothing away); only the
     * increases are returned, summed per channel, so the answer stays small however many
     * videos are in scope. `origin` is any bucket boundary (a Shanghai midnight for days).
     */
    async reachDeltas(q: { scope: DashboardScope; from: Date; to: Date; step: '1 hour' | '1 day'; origin: Date }, tx: Db = db): Promise<ReachDelta[]> {
      const from = q.from.toISOString();
      const to = q.to.toISOString();
      const r = await tx.execute(sql`
        WITH pubs AS (
          SELECT p.id, p.channel FROM submissions s JOIN publications p ON p.submission_id = s.id WHERE ${scopeSql(q.scope)}
        ), base AS (
          SELECT pubs.id, coalesce((SELECT max(ms.views) FROM metric_samples ms WHERE ms.publication_id = pubs.id AND ms.sampled_at < ${from}::timestamptz), 0) AS v
          FROM pubs
        ), b AS (
          SELECT ms.publication_id AS id, date_bin(${q.step}::interval, ms.sampled_at, ${q.origin.toISOString()}::timestamptz) AS bucket, max(ms.views) AS v
          FROM metric_samples ms JOIN pubs ON pubs.id = ms.publication_id
          WHERE ms.sampled_at >= ${from}::timestamptz AND ms.sampled_at <= ${to}::timestamptz AND ms.views IS NOT NULL
          GROUP BY 1, 2
        ), run AS (
          SELECT b.id, b.bucket, base.v AS base, greatest(base.v, max(b.v) OVER (PARTITION BY b.id ORDER BY b.bucket)) AS runmax
          FROM b JOIN base ON base.id = b.id
        ), d AS (
          SELECT id, bucket, runmax - coalesce(lag(runmax) OVER (PARTITION BY id ORDER BY bucket), base) AS delta FROM run
        )
        SELECT pubs.channel, d.bucket, sum(d.delta)::float8 AS views FROM d JOIN pubs ON pubs.id = d.id WHERE d.delta <> 0 GROUP BY 1, 2
        UNION ALL
        SELECT pubs.channel, NULL, sum(base.v)::float8 FROM base JOIN pubs ON pubs.id = base.id GROUP BY 1`);
      return rowsOf<{ channel: string; bucket: Date | string | null; views: number | string }>(r).map((x) => ({
        channel: x.channel as Channel,
        bucket: x.bucket === null ? null : new Date(x.bucket),
        views: Number(x.views),
      }));
    },

    async getSubmission(id: string, tx: Db = db): Promise<SubmissionRow | undefined> {
      const [row] = await tx.select().from(submissions).where(eq(submissions.id, id));
      return row;
    },
    async getUserName(id: string, tx: Db = db): Promise<string | undefined> {
      const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, id));
      return row?.name;
    },
    async getStudio(id: string, tx: Db = db): Promise<{ id: string; name: string; leadUserId: string | null } | undefined> {
      const [row] = await tx.select({ id: studios.id, name: studios.name, leadUserId: studios.leadUserId }).from(studios).where(eq(studios.id, id));
      return row;
    },
    /** Members of the studio, and its lead. */
    async isStudioMember(studioId: string, userId: string, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ id: studios.id })
        .from(studios)
        .leftJoin(studioMembers, eq(studioMembers.studioId, studios.id))
        .where(sql`${studios.id} = ${studioId}::uuid AND ${or(eq(studios.leadUserId, userId), eq(studioMembers.userId, userId))}`)
        .limit(1);
      return rows.length > 0;
    },
    async campaignRules(ids: string[], tx: Db = db): Promise<Map<string, CampaignRow['rules']>> {
      if (!ids.length) return new Map();
      const rows = await tx.select({ id: campaigns.id, rules: campaigns.rules }).from(campaigns).where(inArray(campaigns.id, ids));
      return new Map(rows.map((r) => [r.id, r.rules]));
    },
  };
}
export type DashboardsRepository = ReturnType<typeof createDashboardsRepository>;
