import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Channel } from '../../../contracts/packaging.limits.js';
import type { Db } from '../../db/client.js';
import {
  channelAccounts,
  chartAnnouncements,
  kioskScreens,
  packages,
  publicationEvents,
  publicationOutbox,
  publications,
  submissionEdits,
  submissions,
  users,
  weeklyCharts,
  type ChannelAccountRow,
  type ExternalChannel,
  type PublicationErrorClass,
  type PublicationRow,
  type PublicationStatus,
} from '../../db/schema.js';

export type PublicationPatch = Partial<
  Pick<
    PublicationRow,
    | 'status'
    | 'notBefore'
    | 'leaseUntil'
    | 'checkpoint'
    | 'externalId'
    | 'url'
    | 'attempts'
    | 'errorClass'
    | 'error'
    | 'publishedAt'
    | 'unpublishedAt'
    | 'metricsDueAt'
  >
>;

export interface NewEvent {
  publicationId: string;
  status: string;
  errorClass?: PublicationErrorClass | null;
  message?: string | null;
  actorId?: string | null;
}

/** A live own-channel video with what the site shows of it. */
export interface SiteRow {
  submission: typeof submissions.$inferSelect;
  contributorName: string;
  publishedAt: Date;
  views: number;
  headline: string | null;
  summary: string | null;
  tags: string[] | null;
  credit: string | null;
  coverKey: string | null;
}

export function createDistributionRepository(db: Db) {
  const siteSelect = {
    submission: submissions,
    contributorName: users.name,
    publishedAt: sql<Date>`${publications.publishedAt}`.mapWith(publications.publishedAt),
    views: publications.views,
    headline: packages.headline,
    summary: packages.summary,
    tags: packages.tags,
    credit: packages.credit,
    coverKey: packages.coverKey,
  };
  /** Live publications on one of Paike's own channels, with that channel's package if any. */
  const liveOn = (channel: 'app' | 'kiosk', tx: Db) =>
    tx
      .select(siteSelect)
      .from(publications)
      .innerJoin(submissions, eq(submissions.id, publications.submissionId))
      .innerJoin(users, eq(users.id, submissions.userId))
      .leftJoin(packages, and(eq(packages.submissionId, publications.submissionId), eq(packages.channel, channel)))
      .$dynamic();

  return {
    // ---- platform accounts ----
    async listAccounts(tx: Db = db): Promise<ChannelAccountRow[]> {
      return tx.select().from(channelAccounts).orderBy(asc(channelAccounts.channel));
    },
    async getAccount(channel: ExternalChannel, tx: Db = db): Promise<ChannelAccountRow | undefined> {
      const [row] = await tx.select().from(channelAccounts).where(eq(channelAccounts.channel, channel));
      return row;
    },
    /** Locks the account row, so two workers never refresh one token at once. */
    async lockAccount(channel: ExternalChannel, tx: Db): Promise<ChannelAccountRow | undefined> {
      const [row] = await tx.select().from(channelAccounts).where(eq(channelAccounts.channel, channel)).for('update');
      return row;
    },
    async upsertAccount(row: typeof channelAccounts.$inferInsert, tx: Db = db): Promise<ChannelAccountRow> {
      const [saved] = await tx
        .insert(channelAccounts)
        .values(row)
        .onConflictDoUpdate({ target: channelAccounts.channel, set: { ...row, updatedAt: sql`now()` } })
        .returning();
      return saved!;
    },
    async updateAccount(channel: ExternalChannel, patch: Partial<typeof channelAccounts.$inferInsert>, tx: Db = db): Promise<void> {
      await tx
        .update(channelAccounts)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(channelAccounts.channel, channel));
    },
    /** Connected accounts whose access (or refresh) token ends before `until`. */
    async accountsExpiringBefore(until: Date, tx: Db = db): Promise<ChannelAccountRow[]> {
      return tx
        .select()
        .from(channelAccounts)
        .where(
          and(
            eq(channelAccounts.status, 'connected'),
            or(lt(channelAccounts.accessExpiresAt, until), lt(channelAccounts.refreshExpiresAt, until), isNull(channelAccounts.accessExpiresAt)),
          ),
        );
    },

    // ---- publications ----
    async createPublications(rows: (typeof publications.$inferInsert)[], tx: Db = db): Promise<PublicationRow[]> {
      if (!rows.length) return [];
      return tx.insert(publications).values(rows).onConflictDoNothing().returning();
    },
    async get(id: string, tx: Db = db): Promise<PublicationRow | undefined> {
      const [row] = await tx.select().from(publications).where(eq(publications.id, id));
      return row;
    },
    async getForUpdate(id: string, tx: Db): Promise<PublicationRow | undefined> {
      const [row] = await tx.select().from(publications).where(eq(publications.id, id)).for('update');
      return row;
    },
    async listBySubmission(submissionId: string, tx: Db = db): Promise<PublicationRow[]> {
      return tx.select().from(publications).where(eq(publications.submissionId, submissionId)).orderBy(asc(publications.channel));
    },
    async bySubmissionAndChannel(submissionId: string, channel: Channel, tx: Db = db): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .select()
        .from(publications)
        .where(and(eq(publications.submissionId, submissionId), eq(publications.channel, channel)));
      return row;
    },
    async update(id: string, patch: PublicationPatch, tx: Db = db): Promise<PublicationRow> {
      const [row] = await tx
        .update(publications)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(publications.id, id))
        .returning();
      return row!;
    },
    /** Compare-and-set on status: the transition happens only from one of `from`. */
    async transition(id: string, from: PublicationStatus[], patch: PublicationPatch, tx: Db = db): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .update(publications)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(and(eq(publications.id, id), inArray(publications.status, from)))
        .returning();
      return row;
    },
    /**
     * Takes the publication for one worker: only from `from`, and only when no other worker's
     * lease is running (two copies of one job, or a job and an editor's retry, never overlap).
     */
    async claim(id: string, from: PublicationStatus[], now: Date, leaseUntil: Date, patch: PublicationPatch, tx: Db = db): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .update(publications)
        .set({ ...patch, leaseUntil, attempts: sql`${publications.attempts} + 1`, updatedAt: sql`now()` })
        .where(and(eq(publications.id, id), inArray(publications.status, from), or(isNull(publications.leaseUntil), lt(publications.leaseUntil, now))))
        .returning();
      return row;
    },
    /** Publications a crashed worker left mid-flight (their lease ran out). */
    async staleLeases(now: Date, limit: number, tx: Db = db): Promise<PublicationRow[]> {
      return tx
        .select()
        .from(publications)
        .where(and(inArray(publications.status, ['publishing', 'unpublishing']), lt(publications.leaseUntil, now)))
        .limit(limit);
    },
    /** Merges step results into the checkpoint (jsonb ||), committed before the adapter's next step. */
    async saveCheckpoint(id: string, patch: Record<string, string | number>, tx: Db = db): Promise<Record<string, string | number>> {
      const [row] = await tx
        .update(publications)
        .set({ checkpoint: sql`${publications.checkpoint} || ${JSON.stringify(patch)}::jsonb`, updatedAt: sql`now()` })
        .where(eq(publications.id, id))
        .returning({ checkpoint: publications.checkpoint });
      return row!.checkpoint;
    },
    async addEvent(e: NewEvent, tx: Db = db): Promise<void> {
      await tx.insert(publicationEvents).values({
        publicationId: e.publicationId,
        status: e.status,
        errorClass: e.errorClass ?? null,
        message: e.message ?? null,
        actorId: e.actorId ?? null,
      });
    },
    async listEvents(publicationIds: string[], perPublication: number, tx: Db = db) {
      if (!publicationIds.length) return [];
      const rows = await tx
        .select()
        .from(publicationEvents)
        .where(inArray(publicationEvents.publicationId, publicationIds))
        .orderBy(desc(publicationEvents.id));
      const seen = new Map<string, number>();
      return rows.filter((r) => {
        const n = (seen.get(r.publicationId) ?? 0) + 1;
        seen.set(r.publicationId, n);
        return n <= perPublication;
      });
    },
    /** Live publications whose figures are due, moved on to `until` (their pull job resets it). */
    async claimDueMetrics(now: Date, until: Date, limit: number, tx: Db = db): Promise<{ id: string }[]> {
      const due = tx
        .select({ id: publications.id })
        .from(publications)
        .where(and(eq(publications.status, 'live'), lte(publications.metricsDueAt, now)))
        .orderBy(asc(publications.metricsDueAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      return tx.update(publications).set({ metricsDueAt: until }).where(inArray(publications.id, due)).returning({ id: publications.id });
    },
    /** Failed for want of a connection: queued again once an admin reconnects the channel. */
    async failedForAuth(channel: ExternalChannel, tx: Db = db): Promise<PublicationRow[]> {
      return tx
        .select()
        .from(publications)
        .where(and(eq(publications.channel, channel), eq(publications.status, 'failed'), eq(publications.errorClass, 'auth_expired')));
    },
    /** Queued publications whose time has come but whose job may have been lost (sweeper). */
    async queuedDue(now: Date, limit: number, tx: Db = db): Promise<PublicationRow[]> {
      return tx
        .select()
        .from(publications)
        .where(and(eq(publications.status, 'queued'), or(isNull(publications.notBefore), lte(publications.notBefore, now))))
        .orderBy(asc(publications.createdAt))
        .limit(limit);
    },

    // ---- outbox ----
    async pendingOutbox(limit: number, tx: Db = db) {
      return tx.select().from(publicationOutbox).where(isNull(publicationOutbox.processedAt)).orderBy(asc(publicationOutbox.createdAt)).limit(limit);
    },
    async lockOutboxFor(submissionId: string, tx: Db) {
      const [row] = await tx
        .select()
        .from(publicationOutbox)
        .where(and(eq(publicationOutbox.submissionId, submissionId), eq(publicationOutbox.kind, 'publish')))
        .for('update');
      return row;
    },
    async markOutboxProcessed(id: string, tx: Db): Promise<void> {
      await tx
        .update(publicationOutbox)
        .set({ processedAt: sql`now()` })
        .where(eq(publicationOutbox.id, id));
    },

    // ---- own channels: the site and the kiosks ----
    async siteFeed(q: { before?: { at: Date; id: string }; limit: number; campaignId?: string; userId?: string }, tx: Db = db): Promise<SiteRow[]> {
      const conds = [eq(publications.channel, 'app'), eq(publications.status, 'live')];
      if (q.campaignId) conds.push(eq(submissions.campaignId, q.campaignId));
      if (q.userId) conds.push(eq(submissions.userId, q.userId));
      if (q.before)
        conds.push(sql`(${publications.publishedAt}, ${publications.submissionId}) < (${q.before.at.toISOString()}::timestamptz, ${q.before.id}::uuid)`);
      return liveOn('app', tx)
        .where(and(...conds))
        .orderBy(desc(publications.publishedAt), desc(publications.submissionId))
        .limit(q.limit);
    },
    async siteVideo(submissionId: string, tx: Db = db): Promise<SiteRow | undefined> {
      const [row] = await liveOn('app', tx).where(
        and(eq(publications.channel, 'app'), eq(publications.status, 'live'), eq(publications.submissionId, submissionId)),
      );
      return row;
    },
    async kioskPlaylist(campaignId: string | null, limit: number, tx: Db = db): Promise<SiteRow[]> {
      const conds = [eq(publications.channel, 'kiosk'), eq(publications.status, 'live')];
      if (campaignId) conds.push(eq(submissions.campaignId, campaignId));
      // The id breaks ties: the kiosks' manifest version hashes this order.
      return liveOn('kiosk', tx)
        .where(and(...conds))
        .orderBy(desc(publications.publishedAt), desc(publications.id))
        .limit(limit);
    },
    /** Whether a video is out in public on Paike's own channels (its media may then be served to anyone). */
    async isLiveOwn(submissionId: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx
        .select({ id: publications.id })
        .from(publications)
        .where(and(eq(publications.submissionId, submissionId), inArray(publications.channel, ['app', 'kiosk']), eq(publications.status, 'live')))
        .limit(1);
      return Boolean(row);
    },
    // ---- the weekly chart on the platforms ----
    async createAnnouncements(rows: (typeof chartAnnouncements.$inferInsert)[], tx: Db = db) {
      if (!rows.length) return [];
      return tx.insert(chartAnnouncements).values(rows).onConflictDoNothing().returning();
    },
    async listAnnouncements(campaignId: string, week: string, tx: Db = db) {
      return tx
        .select()
        .from(chartAnnouncements)
        .where(and(eq(chartAnnouncements.campaignId, campaignId), eq(chartAnnouncements.week, week)))
        .orderBy(asc(chartAnnouncements.channel));
    },
    /** Takes an announcement for one worker (no other lease running), counting the attempt. */
    async claimAnnouncement(key: { campaignId: string; week: string; channel: ExternalChannel }, now: Date, leaseUntil: Date, tx: Db = db) {
      const [row] = await tx
        .update(chartAnnouncements)
        .set({ status: 'posting', leaseUntil, attempts: sql`${chartAnnouncements.attempts} + 1`, updatedAt: sql`now()` })
        .where(
          and(
            eq(chartAnnouncements.campaignId, key.campaignId),
            eq(chartAnnouncements.week, key.week),
            eq(chartAnnouncements.channel, key.channel),
            inArray(chartAnnouncements.status, ['queued', 'posting']),
            or(isNull(chartAnnouncements.leaseUntil), lt(chartAnnouncements.leaseUntil, now)),
          ),
        )
        .returning();
      return row;
    },
    async updateAnnouncement(
      key: { campaignId: string; week: string; channel: ExternalChannel },
      patch: Partial<Pick<typeof chartAnnouncements.$inferInsert, 'status' | 'leaseUntil' | 'externalId' | 'url' | 'error'>>,
      tx: Db = db,
    ): Promise<void> {
      await tx
        .update(chartAnnouncements)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(and(eq(chartAnnouncements.campaignId, key.campaignId), eq(chartAnnouncements.week, key.week), eq(chartAnnouncements.channel, key.channel)));
    },
    async saveAnnouncementCheckpoint(key: { campaignId: string; week: string; channel: ExternalChannel }, patch: Record<string, string | number>, tx: Db = db) {
      const [row] = await tx
        .update(chartAnnouncements)
        .set({ checkpoint: sql`${chartAnnouncements.checkpoint} || ${JSON.stringify(patch)}::jsonb` })
        .where(and(eq(chartAnnouncements.campaignId, key.campaignId), eq(chartAnnouncements.week, key.week), eq(chartAnnouncements.channel, key.channel)))
        .returning({ checkpoint: chartAnnouncements.checkpoint });
      return row!.checkpoint;
    },

    /** The desk's newest ready edit of a video: what goes out instead of the original. */
    async newestReadyEdit(submissionId: string, tx: Db = db) {
      const [row] = await tx
        .select({ id: submissionEdits.id, outputs: submissionEdits.outputs })
        .from(submissionEdits)
        .where(and(eq(submissionEdits.submissionId, submissionId), eq(submissionEdits.status, 'ready')))
        .orderBy(desc(submissionEdits.createdAt))
        .limit(1);
      return row;
    },
    /** Weekly charts frozen since `since`, newest first (one campaign's, or all). */
    async recentFrozenCharts(since: Date, campaignId?: string | null, tx: Db = db) {
      const conds = [gte(weeklyCharts.frozenAt, since)];
      if (campaignId) conds.push(eq(weeklyCharts.campaignId, campaignId));
      return tx
        .select({ campaignId: weeklyCharts.campaignId, week: weeklyCharts.week, frozenAt: weeklyCharts.frozenAt })
        .from(weeklyCharts)
        .where(and(...conds))
        .orderBy(desc(weeklyCharts.frozenAt), desc(weeklyCharts.week))
        .limit(20);
    },
    async contributor(userId: string, tx: Db = db) {
      const [row] = await tx.select({ id: users.id, name: users.name, createdAt: users.createdAt }).from(users).where(eq(users.id, userId));
      return row;
    },

    async listScreens(tx: Db = db) {
      return tx.select().from(kioskScreens).orderBy(asc(kioskScreens.name));
    },
    async createScreen(row: typeof kioskScreens.$inferInsert, tx: Db = db) {
      const [saved] = await tx.insert(kioskScreens).values(row).onConflictDoNothing().returning();
      return saved;
    },
    async deleteScreen(id: string, tx: Db = db): Promise<boolean> {
      const rows = await tx.delete(kioskScreens).where(eq(kioskScreens.id, id)).returning({ id: kioskScreens.id });
      return rows.length > 0;
    },
    async screenByKeyHash(keyHash: string, tx: Db = db) {
      const [row] = await tx.select().from(kioskScreens).where(eq(kioskScreens.keyHash, keyHash));
      return row;
    },
    async touchScreen(id: string, tx: Db = db): Promise<void> {
      await tx
        .update(kioskScreens)
        .set({ lastSeenAt: sql`now()` })
        .where(eq(kioskScreens.id, id));
    },
  };
}
export type DistributionRepository = ReturnType<typeof createDistributionRepository>;
