import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  campaigns,
  kioskScreens,
  metricSamples,
  noticeDeliveries,
  notices,
  publications,
  submissions,
  users,
  type KioskScreenRow,
  type MetricSampleRow,
  type NoticeDeliveryChannel,
  type NoticeDeliveryRow,
  type NoticeKind,
  type NoticeRow,
} from '../../db/schema.js';
import type { CampaignRules } from '../../../contracts/campaigns.js';
import type { Channel } from '../../../contracts/packaging.limits.js';
import type { PublicationStatus } from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

export type NewMetricSample = typeof metricSamples.$inferInsert;
export interface NewNotice {
  userId: string;
  kind: NoticeKind;
  submissionId: string | null;
  params: Record<string, string | number>;
  dedupeKey: string;
}
export interface FigureSums {
  views: number;
  likes: number;
  shares: number;
  comments: number;
}
export interface ChannelFigures extends FigureSums {
  channel: Channel;
  status: PublicationStatus;
  metricsAt: Date | null;
}
export interface BeaconRow {
  submissionId: string;
  channel: 'app' | 'kiosk';
  viewer: string;
  hour: Date;
  /** HMAC of the client address and of its network; null for kiosk plays (keyed by their screen). */
  addr?: string | null;
  net?: string | null;
}

/** Counted views are capped per address and per network, per video per Asia/Shanghai day. */
export interface ViewCaps {
  perAddressPerDay: number;
  perNetworkPerDay: number;
}

/** A video's capped app views in a window, and how they spread over networks. */
export interface NetworkSpread {
  views: number;
  networks: number;
  /** Views from the `top` networks with the most. */
  topViews: number;
}

/**
 * The capped view rows of one video on one channel (optionally within [from, to)): a row
 * without address or network (kiosk screens, rows from before they were kept) is its own
 * address and network, so it is never capped.
 */
function cappedNetworks(q: { submissionId: string; channel: 'app' | 'kiosk'; caps: ViewCaps; from?: Date; to?: Date }) {
  const window = sql.join(
    [
      sql`submission_id = ${q.submissionId}`,
      sql`channel = ${q.channel}`,
      ...(q.from ? [sql`hour >= ${q.from.toISOString()}::timestamptz`] : []),
      ...(q.to ? [sql`hour < ${q.to.toISOString()}::timestamptz`] : []),
    ],
    sql` AND `,
  );
  // China keeps +08:00 all year, so the Asia/Shanghai day is the UTC time plus 8 hours, truncated.
  return sql`b AS (
      SELECT coalesce(net, viewer || hour::text) AS net, coalesce(addr, viewer || hour::text) AS addr,
             date_trunc('day', hour + interval '8 hours') AS day
      FROM view_beacons WHERE ${window}
    ), per_addr AS (
      SELECT net, day, least(count(*), ${q.caps.perAddressPerDay}::bigint) AS n FROM b GROUP BY net, addr, day
    ), per_net AS (
      SELECT net, least(sum(n), ${q.caps.perNetworkPerDay}::bigint) AS n FROM per_addr GROUP BY net, day
    )`;
}
export interface LiveWindow {
  status: PublicationStatus;
  publishedAt: Date | null;
  unpublishedAt: Date | null;
}

/**
 * Reads and writes of the propagation tables: metric samples and the current figures on
 * publications, view beacons, kiosk screen keys, notices and their deliveries. Every method
 * takes the transaction it runs in (default: the pool); the services decide the boundaries.
 */
export function createPropagationRepository(db: Db) {
  return {
    async getPublication(id: string, tx: Db = db) {
      const [row] = await tx
        .select({
          id: publications.id,
          submissionId: publications.submissionId,
          channel: publications.channel,
          views: publications.views,
          likes: publications.likes,
          shares: publications.shares,
          comments: publications.comments,
          metricsAt: publications.metricsAt,
        })
        .from(publications)
        .where(eq(publications.id, id));
      return row;
    },

    async getPublicationForUpdate(id: string, tx: Db) {
      const [row] = await tx
        .select({ views: publications.views, likes: publications.likes, shares: publications.shares, comments: publications.comments })
        .from(publications)
        .where(eq(publications.id, id))
        .for('update');
      return row;
    },

    /**
     * Serialises everything that changes one video's reach, until the transaction ends: two
     * channels' samples landing together must not both miss a milestone they pass together.
     */
    async lockSubmissionFigures(submissionId: string, tx: Db): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`paike:figures:${submissionId}`}, 0))`);
    },

    /** Inserts the sample unless one exists at the same instant; returns it only when inserted. */
    async createSample(row: NewMetricSample, tx: Db = db): Promise<MetricSampleRow | undefined> {
      const [made] = await tx.insert(metricSamples).values(row).onConflictDoNothing().returning();
      return made;
    },

    async getSample(publicationId: string, sampledAt: Date, tx: Db = db): Promise<MetricSampleRow | undefined> {
      const [row] = await tx
        .select()
        .from(metricSamples)
        .where(and(eq(metricSamples.publicationId, publicationId), eq(metricSamples.sampledAt, sampledAt)));
      return row;
    },

    /** Raises the current figures to the sample's where it is higher (null leaves a figure as it is). */
    async raiseFigures(q: { publicationId: string; figures: { [K in keyof FigureSums]: number | null }; at: Date }, tx: Db): Promise<void> {
      const f = q.figures;
      // Explicit casts: PostgreSQL cannot type a bare NULL parameter inside coalesce/greatest.
      await tx
        .update(publications)
        .set({
          views: sql`greatest(${publications.views}, coalesce(${f.views}::bigint, ${publications.views}))`,
          likes: sql`greatest(${publications.likes}, coalesce(${f.likes}::bigint, ${publications.likes}))`,
          shares: sql`greatest(${publications.shares}, coalesce(${f.shares}::bigint, ${publications.shares}))`,
          comments: sql`greatest(${publications.comments}, coalesce(${f.comments}::bigint, ${publications.comments}))`,
          metricsAt: sql`greatest(coalesce(${publications.metricsAt}, ${q.at}::timestamptz), ${q.at}::timestamptz)`,
        })
        .where(eq(publications.id, q.publicationId));
    },

    /** The video's figures on every channel it has been published to (or tried). */
    async channelFigures(submissionId: string, tx: Db = db): Promise<ChannelFigures[]> {
      return tx
        .select({
          channel: publications.channel,
          status: publications.status,
          views: publications.views,
          likes: publications.likes,
          shares: publications.shares,
          comments: publications.comments,
          metricsAt: publications.metricsAt,
        })
        .from(publications)
        .where(eq(publications.submissionId, submissionId))
        .orderBy(publications.channel);
    },

    async reachOfSubmission(submissionId: string, tx: Db = db): Promise<number> {
      const r = await tx.execute(sql`SELECT coalesce(sum(views), 0)::text AS reach FROM publications WHERE submission_id = ${submissionId}`);
      return Number(rowsOf<{ reach: string }>(r)[0]?.reach ?? 0);
    },

    async reachOfContributor(q: { userId: string; campaignId: string }, tx: Db = db): Promise<number> {
      const r = await tx.execute(
        sql`SELECT coalesce(sum(p.views), 0)::text AS reach FROM publications p JOIN submissions s ON s.id = p.submission_id
            WHERE s.user_id = ${q.userId} AND s.campaign_id = ${q.campaignId}`,
      );
      return Number(rowsOf<{ reach: string }>(r)[0]?.reach ?? 0);
    },

    /** The contributor's videos in the campaign that have any views, each with its reach. */
    async reachPerVideo(q: { userId: string; campaignId: string }, tx: Db = db): Promise<{ submissionId: string; reach: number }[]> {
      const r = await tx.execute(
        sql`SELECT p.submission_id, sum(p.views)::text AS reach FROM publications p JOIN submissions s ON s.id = p.submission_id
            WHERE s.user_id = ${q.userId} AND s.campaign_id = ${q.campaignId} GROUP BY p.submission_id HAVING sum(p.views) > 0`,
      );
      return rowsOf<{ submission_id: string; reach: string }>(r).map((x) => ({ submissionId: x.submission_id, reach: Number(x.reach) }));
    },

    async getSubmissionInfo(
      submissionId: string,
      tx: Db = db,
    ): Promise<{ userId: string; title: string; campaignId: string; rules: CampaignRules } | undefined> {
      const [row] = await tx
        .select({ userId: submissions.userId, title: submissions.title, campaignId: submissions.campaignId, rules: campaigns.rules })
        .from(submissions)
        .innerJoin(campaigns, eq(campaigns.id, submissions.campaignId))
        .where(eq(submissions.id, submissionId));
      return row;
    },

    // -- beacons ------------------------------------------------------------------------------

    async getLiveWindow(submissionId: string, channel: 'app' | 'kiosk', tx: Db = db): Promise<LiveWindow | undefined> {
      const [row] = await tx
        .select({ status: publications.status, publishedAt: publications.publishedAt, unpublishedAt: publications.unpublishedAt })
        .from(publications)
        .where(and(eq(publications.submissionId, submissionId), eq(publications.channel, channel)));
      return row;
    },

    /** Many beacons in one statement (one JSON parameter); duplicates are skipped. Returns how many were new. */
    async createBeacons(rows: BeaconRow[], tx: Db = db): Promise<number> {
      if (!rows.length) return 0;
      const json = JSON.stringify(rows.map((r) => [r.submissionId, r.channel, r.viewer, r.hour.toISOString(), r.addr ?? null, r.net ?? null]));
      const r = await tx.execute(
        sql`INSERT INTO view_beacons (submission_id, channel, viewer, hour, addr, net)
            SELECT (x->>0)::uuid, x->>1, x->>2, (x->>3)::timestamptz, x->>4, x->>5 FROM jsonb_array_elements(${json}::jsonb) x
            ON CONFLICT DO NOTHING RETURNING 1 AS n`,
      );
      return rowsOf(r).length;
    },

    /** Counted views: beacon rows with the per-address and per-network daily caps applied. */
    async countBeacons(q: { submissionId: string; channel: 'app' | 'kiosk'; caps: ViewCaps }, tx: Db = db): Promise<number> {
      const r = await tx.execute(sql`WITH ${cappedNetworks(q)} SELECT coalesce(sum(n), 0)::text AS n FROM per_net`);
      return Number(rowsOf<{ n: string }>(r)[0]?.n ?? 0);
    },

    /** How a video's counted app views in [from, to) spread over networks. */
    async networkSpread(q: { submissionId: string; caps: ViewCaps; top: number; from?: Date; to?: Date }, tx: Db = db): Promise<NetworkSpread> {
      const r = await tx.execute(
        sql`WITH ${cappedNetworks({ ...q, channel: 'app' })}, nets AS (SELECT net, sum(n) AS n FROM per_net GROUP BY net)
            SELECT (SELECT coalesce(sum(n), 0) FROM nets)::text AS views, (SELECT count(*) FROM nets)::text AS networks,
                   (SELECT coalesce(sum(n), 0) FROM (SELECT n FROM nets ORDER BY n DESC LIMIT ${q.top}) t)::text AS top`,
      );
      const row = rowsOf<{ views: string; networks: string; top: string }>(r)[0];
      return { views: Number(row?.views ?? 0), networks: Number(row?.networks ?? 0), topViews: Number(row?.top ?? 0) };
    },

    async getKioskScreenByKeyHash(keyHash: string, tx: Db = db): Promise<KioskScreenRow | undefined> {
      const [row] = await tx.select().from(kioskScreens).where(eq(kioskScreens.keyHash, keyHash));
      return row;
    },

    async touchKioskScreen(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(kioskScreens).set({ lastSeenAt: at }).where(eq(kioskScreens.id, id));
    },

    // -- notices ------------------------------------------------------------------------------

    /** Creates the notice unless its dedupe key exists; returns it only when created. */
    async createNotice(n: NewNotice, tx: Db = db): Promise<NoticeRow | undefined> {
      const [made] = await tx.insert(notices).values(n).onConflictDoNothing({ target: notices.dedupeKey }).returning();
      return made;
    },

    async getNotice(id: string, tx: Db = db): Promise<NoticeRow | undefined> {
      const [row] = await tx.select().from(notices).where(eq(notices.id, id));
      return row;
    },

    /** Newest first; `before` (a notice id) pages on: notices created in one transaction share a time, so the id breaks ties. */
    async listNotices(q: { userId: string; limit: number; before?: string }, tx: Db = db): Promise<NoticeRow[]> {
      const after = q.before ? sql`(${notices.createdAt}, ${notices.id}) < (SELECT n.created_at, n.id FROM notices n WHERE n.id = ${q.before})` : undefined;
      return tx
        .select()
        .from(notices)
        .where(and(eq(notices.userId, q.userId), after))
        .orderBy(desc(notices.createdAt), desc(notices.id))
        .limit(q.limit);
    },

    async countUnread(userId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
        .from(notices)
        .where(and(eq(notices.userId, userId), isNull(notices.readAt)));
      return row?.n ?? 0;
    },

    /** Marks the user's own notice read (keeps the first read time); undefined when it is not theirs. */
    async markRead(q: { id: string; userId: string; at: Date }, tx: Db = db): Promise<NoticeRow | undefined> {
      const [row] = await tx
        .update(notices)
        .set({ readAt: sql`coalesce(${notices.readAt}, ${q.at}::timestamptz)` })
        .where(and(eq(notices.id, q.id), eq(notices.userId, q.userId)))
        .returning();
      return row;
    },

    async getRecipient(userId: string, tx: Db = db) {
      const [row] = await tx
        .select({ id: users.id, email: users.email, phone: users.phone, name: users.name, locale: users.locale, disabled: users.disabled })
        .from(users)
        .where(eq(users.id, userId));
      return row;
    },

    // -- deliveries ---------------------------------------------------------------------------

    /**
     * Takes the right to send one notice on one channel: a first claim, or a claim of a
     * delivery waiting to be retried. Undefined when another job holds it or it is finished.
     */
    async claimDelivery(q: { noticeId: string; channel: NoticeDeliveryChannel; at: Date }, tx: Db = db): Promise<NoticeDeliveryRow | undefined> {
      const [row] = await tx
        .insert(noticeDeliveries)
        .values({ noticeId: q.noticeId, channel: q.channel, status: 'sending', attempts: 1, claimedAt: q.at })
        .onConflictDoUpdate({
          target: [noticeDeliveries.noticeId, noticeDeliveries.channel],
          set: { status: 'sending', attempts: sql`${noticeDeliveries.attempts} + 1`, claimedAt: q.at },
          setWhere: eq(noticeDeliveries.status, 'retry'),
        })
        .returning();
      return row;
    },

    async getDelivery(noticeId: string, channel: NoticeDeliveryChannel, tx: Db = db): Promise<NoticeDeliveryRow | undefined> {
      const [row] = await tx
        .select()
        .from(noticeDeliveries)
        .where(and(eq(noticeDeliveries.noticeId, noticeId), eq(noticeDeliveries.channel, channel)));
      return row;
    },

    async listDeliveries(noticeId: string, tx: Db = db): Promise<NoticeDeliveryRow[]> {
      return tx.select().from(noticeDeliveries).where(eq(noticeDeliveries.noticeId, noticeId));
    },

    /** Records how a claimed send ended; only the claim (status 'sending') is changed. */
    async finishDelivery(
      q: { noticeId: string; channel: NoticeDeliveryChannel; status: 'sent' | 'retry' | 'failed' | 'unknown'; at: Date; error?: string | null },
      tx: Db = db,
    ): Promise<void> {
      await tx
        .update(noticeDeliveries)
        .set({ status: q.status, sentAt: q.status === 'sent' ? q.at : null, error: q.error ?? null })
        .where(and(eq(noticeDeliveries.noticeId, q.noticeId), eq(noticeDeliveries.channel, q.channel), eq(noticeDeliveries.status, 'sending')));
    },
  };
}

export type PropagationRepository = ReturnType<typeof createPropagationRepository>;
