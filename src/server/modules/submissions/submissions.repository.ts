import { and, desc, eq, inArray, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { submissionClips, submissions, uploadQuota, users, type SubmissionClipRow, type SubmissionRow } from '../../db/schema.js';

export type NewSubmission = Omit<typeof submissions.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;
export type SubmissionPatch = Partial<Omit<SubmissionRow, 'id' | 'userId' | 'campaignId' | 'createdAt'>>;

export function createSubmissionsRepository(db: Db) {
  return {
    async get(id: string, tx: Db = db): Promise<SubmissionRow | undefined> {
      const [row] = await tx.select().from(submissions).where(eq(submissions.id, id));
      return row;
    },
    async getForUpdate(id: string, tx: Db): Promise<SubmissionRow | undefined> {
      const [row] = await tx.select().from(submissions).where(eq(submissions.id, id)).for('update');
      return row;
    },
    async getByUploadId(uploadId: string, tx: Db = db): Promise<SubmissionRow | undefined> {
      const [row] = await tx.select().from(submissions).where(eq(submissions.uploadId, uploadId));
      return row;
    },
    async listByUser(userId: string, tx: Db = db): Promise<SubmissionRow[]> {
      return tx.select().from(submissions).where(eq(submissions.userId, userId)).orderBy(desc(submissions.createdAt));
    },
    /** The newest change among a user's submissions, for live updates. */
    async lastChangeForUser(userId: string, tx: Db = db): Promise<Date | null> {
      const [row] = await tx
        .select({ at: sql<Date | null>`max(${submissions.updatedAt})` })
        .from(submissions)
        .where(eq(submissions.userId, userId));
      return row?.at ? new Date(row.at) : null;
    },
    /** Serialises one user's upload starts, so limits hold under concurrent requests. */
    async lockUser(userId: string, tx: Db): Promise<void> {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    },
    async countUploading(userId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(submissions)
        .where(and(eq(submissions.userId, userId), eq(submissions.status, 'uploading')));
      return row?.n ?? 0;
    },
    /** Bytes declared today by a user, cancelled and expired uploads included. */
    async quotaUsed(userId: string, dayStart: Date, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ bytes: uploadQuota.bytes })
        .from(uploadQuota)
        .where(and(eq(uploadQuota.userId, userId), eq(uploadQuota.dayStart, dayStart)));
      return row?.bytes ?? 0;
    },
    async addQuotaUse(userId: string, dayStart: Date, bytes: number, tx: Db = db): Promise<void> {
      await tx
        .insert(uploadQuota)
        .values({ userId, dayStart, bytes })
        .onConflictDoUpdate({ target: [uploadQuota.userId, uploadQuota.dayStart], set: { bytes: sql`${uploadQuota.bytes} + ${bytes}` } });
    },
    /** Bytes a user's unfinished uploads have declared: the disk they may come to hold. */
    async openUploadBytes(userId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<string>`coalesce(sum(${submissions.uploadLength}), 0)::bigint` })
        .from(submissions)
        .where(and(eq(submissions.userId, userId), eq(submissions.status, 'uploading')));
      return Number(row?.n ?? 0);
    },
    async create(input: NewSubmission, tx: Db = db): Promise<SubmissionRow> {
      const [row] = await tx.insert(submissions).values(input).returning();
      return row!;
    },
    async update(id: string, patch: SubmissionPatch, tx: Db = db): Promise<SubmissionRow | undefined> {
      const [row] = await tx
        .update(submissions)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(submissions.id, id))
        .returning();
      return row;
    },
    /** Moves progress forward only while the status is still `status` (a withdrawal wins). */
    async setProgress(id: string, status: SubmissionRow['status'], progress: number, tx: Db = db): Promise<void> {
      await tx
        .update(submissions)
        .set({ progress, updatedAt: new Date() })
        .where(and(eq(submissions.id, id), eq(submissions.status, status), lt(submissions.progress, progress)));
    },
    async delete(id: string, tx: Db = db): Promise<void> {
      await tx.delete(submissions).where(eq(submissions.id, id));
    },
    async createClips(rows: (typeof submissionClips.$inferInsert)[], tx: Db = db): Promise<void> {
      if (rows.length) await tx.insert(submissionClips).values(rows);
    },
    async listClips(submissionId: string, tx: Db = db): Promise<SubmissionClipRow[]> {
      return tx.select().from(submissionClips).where(eq(submissionClips.submissionId, submissionId)).orderBy(submissionClips.idx);
    },
    async getClipByUploadId(uploadId: string, tx: Db = db): Promise<SubmissionClipRow | undefined> {
      const [row] = await tx.select().from(submissionClips).where(eq(submissionClips.uploadId, uploadId));
      return row;
    },
    async getClipForUpdate(submissionId: string, idx: number, tx: Db): Promise<SubmissionClipRow | undefined> {
      const [row] = await tx
        .select()
        .from(submissionClips)
        .where(and(eq(submissionClips.submissionId, submissionId), eq(submissionClips.idx, idx)))
        .for('update');
      return row;
    },
    async updateClip(
      submissionId: string,
      idx: number,
      patch: Partial<Pick<SubmissionClipRow, 'uploadId' | 'uploadedBytes' | 'stored'>>,
      tx: Db = db,
    ): Promise<void> {
      await tx
        .update(submissionClips)
        .set(patch)
        .where(and(eq(submissionClips.submissionId, submissionId), eq(submissionClips.idx, idx)));
    },
    async userName(userId: string, tx: Db = db): Promise<string> {
      const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
      return row?.name ?? '';
    },
    /** Uploads nobody has touched since `before`. */
    async listStaleUploads(before: Date, tx: Db = db): Promise<SubmissionRow[]> {
      return tx
        .select()
        .from(submissions)
        .where(and(eq(submissions.status, 'uploading'), lt(submissions.updatedAt, before)));
    },
    /** Earlier processed submissions with fingerprints, newest first, to look for duplicates. */
    async listFingerprinted(
      excludeId: string,
      limit: number,
      tx: Db = db,
    ): Promise<Pick<SubmissionRow, 'id' | 'fingerprint' | 'durationSeconds' | 'userId' | 'campaignId'>[]> {
      return tx
        .select({
          id: submissions.id,
          fingerprint: submissions.fingerprint,
          durationSeconds: submissions.durationSeconds,
          userId: submissions.userId,
          campaignId: submissions.campaignId,
        })
        .from(submissions)
        .where(and(isNotNull(submissions.fingerprint), ne(submissions.id, excludeId), inArray(submissions.status, ['in_review', 'adopted', 'rejected'])))
        .orderBy(desc(submissions.createdAt))
        .limit(limit);
    },
  };
}
export type SubmissionsRepository = ReturnType<typeof createSubmissionsRepository>;
