import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  assignments,
  publicationOutbox,
  studioMembers,
  studioRoutes,
  studios,
  submissionClaims,
  submissionEdits,
  submissionNotes,
  submissions,
  users,
  type SubmissionRow,
} from '../../db/schema.js';

export interface QueueFilter {
  campaignId?: string;
  theme?: string;
  duplicate?: boolean;
  /** Only items routed to one of these studios, or (with includeUnrouted) routed nowhere. */
  studioIds?: string[];
  includeUnrouted?: boolean;
  limit: number;
}

/**
 * The studio a submission is routed to: a theme route wins over a whole-campaign route.
 * Written out in full because drizzle leaves columns unqualified in single-table selects,
 * which inside this subquery would silently bind to the routes table.
 */
const routedStudio = sql<string | null>`(
  SELECT r.studio_id FROM studio_routes r
  WHERE r.campaign_id = submissions.campaign_id AND (r.theme = submissions.theme OR r.theme IS NULL)
  ORDER BY r.theme NULLS LAST LIMIT 1)`;

export function createDeskRepository(db: Db) {
  return {
    async listQueue(f: QueueFilter, tx: Db = db): Promise<{ row: SubmissionRow; studioId: string | null }[]> {
      const conds: SQL[] = [eq(submissions.status, 'in_review')];
      if (f.campaignId) conds.push(eq(submissions.campaignId, f.campaignId));
      if (f.theme) conds.push(eq(submissions.theme, f.theme));
      if (f.duplicate === true) conds.push(isNotNull(submissions.duplicateOf));
      if (f.duplicate === false) conds.push(isNull(submissions.duplicateOf));
      if (f.studioIds) {
        const scope: SQL[] = [];
        if (f.studioIds.length)
          scope.push(
            sql`${routedStudio} IN (${sql.join(
              f.studioIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`,
          );
        if (f.includeUnrouted) scope.push(sql`${routedStudio} IS NULL`);
        conds.push(scope.length ? or(...scope)! : sql`false`);
      }
      const rows = await tx
        .select({ row: submissions, studioId: routedStudio })
        .from(submissions)
        .where(and(...conds))
        // Waiting time: the oldest finished processing first.
        .orderBy(asc(submissions.processedAt), asc(submissions.id))
        .limit(f.limit);
      return rows;
    },
    async studioOf(submissionId: string, tx: Db = db): Promise<string | null> {
      const [row] = await tx.select({ studioId: routedStudio }).from(submissions).where(eq(submissions.id, submissionId));
      return row?.studioId ?? null;
    },
    /** Studios the user belongs to or leads. */
    async studioIdsForUser(userId: string, tx: Db = db): Promise<string[]> {
      const member = await tx.select({ id: studioMembers.studioId }).from(studioMembers).where(eq(studioMembers.userId, userId));
      const lead = await tx.select({ id: studios.id }).from(studios).where(eq(studios.leadUserId, userId));
      return [...new Set([...member, ...lead].map((r) => r.id))];
    },
    /** Adopted and rejected counts per contributor. */
    async history(userIds: string[], tx: Db = db): Promise<Map<string, { adopted: number; rejected: number }>> {
      if (!userIds.length) return new Map();
      const rows = await tx
        .select({
          userId: submissions.userId,
          adopted: sql<number>`count(*) FILTER (WHERE ${submissions.status} = 'adopted')::int`,
          rejected: sql<number>`count(*) FILTER (WHERE ${submissions.status} = 'rejected' AND ${submissions.reviewedBy} IS NOT NULL)::int`,
        })
        .from(submissions)
        .where(inArray(submissions.userId, userIds))
        .groupBy(submissions.userId);
      return new Map(rows.map((r) => [r.userId, { adopted: r.adopted, rejected: r.rejected }]));
    },
    /** Titles of the field assignments (任务) videos were shot for, by assignment id. */
    async assignmentTitles(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await tx.select({ id: assignments.id, title: assignments.title }).from(assignments).where(inArray(assignments.id, ids));
      return new Map(rows.map((r) => [r.id, r.title]));
    },
    async userNames(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async listClaims(submissionIds: string[], now: Date, tx: Db = db) {
      if (!submissionIds.length) return [];
      return tx
        .select()
        .from(submissionClaims)
        .where(and(inArray(submissionClaims.submissionId, submissionIds), gt(submissionClaims.expiresAt, now)));
    },
    async getClaimForUpdate(submissionId: string, tx: Db) {
      const [row] = await tx.select().from(submissionClaims).where(eq(submissionClaims.submissionId, submissionId)).for('update');
      return row;
    },
    async upsertClaim(input: { submissionId: string; editorId: string; claimedAt: Date; expiresAt: Date }, tx: Db): Promise<void> {
      await tx
        .insert(submissionClaims)
        .values(input)
        .onConflictDoUpdate({
          target: submissionClaims.submissionId,
          set: { editorId: input.editorId, claimedAt: input.claimedAt, expiresAt: input.expiresAt },
        });
    },
    async deleteClaim(submissionId: string, tx: Db = db): Promise<void> {
      await tx.delete(submissionClaims).where(eq(submissionClaims.submissionId, submissionId));
    },

    async listNotes(submissionId: string, tx: Db = db) {
      return tx.select().from(submissionNotes).where(eq(submissionNotes.submissionId, submissionId)).orderBy(asc(submissionNotes.createdAt));
    },
    async createNote(input: { submissionId: string; authorId: string; body: string }, tx: Db = db) {
      const [row] = await tx.insert(submissionNotes).values(input).returning();
      return row!;
    },

    /** Written in the adoption's transaction; the same submission is never queued twice. */
    async enqueuePublication(submissionId: string, tx: Db): Promise<void> {
      await tx.insert(publicationOutbox).values({ kind: 'publish', submissionId }).onConflictDoNothing();
    },
    async listOutbox(tx: Db = db) {
      return tx.select().from(publicationOutbox).orderBy(asc(publicationOutbox.createdAt));
    },

    async createEdit(row: typeof submissionEdits.$inferInsert, tx: Db = db) {
      const [out] = await tx.insert(submissionEdits).values(row).returning();
      return out!;
    },
    async getEdit(id: string, tx: Db = db) {
      const [row] = await tx.select().from(submissionEdits).where(eq(submissionEdits.id, id));
      return row;
    },
    async listEdits(submissionId: string, tx: Db = db) {
      return tx.select().from(submissionEdits).where(eq(submissionEdits.submissionId, submissionId)).orderBy(desc(submissionEdits.createdAt));
    },
    async updateEdit(id: string, patch: Partial<Pick<typeof submissionEdits.$inferSelect, 'status' | 'outputs' | 'error'>>, tx: Db = db) {
      await tx
        .update(submissionEdits)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(submissionEdits.id, id));
    },

    async listStudios(tx: Db = db) {
      const all = await tx.select().from(studios).orderBy(asc(studios.name));
      const members = await tx
        .select({ studioId: studioMembers.studioId, id: users.id, name: users.name })
        .from(studioMembers)
        .innerJoin(users, eq(users.id, studioMembers.userId));
      const routes = await tx.select().from(studioRoutes);
      return all.map((s) => ({
        ...s,
        members: members.filter((m) => m.studioId === s.id).map((m) => ({ id: m.id, name: m.name })),
        routes: routes.filter((r) => r.studioId === s.id).map((r) => ({ campaignId: r.campaignId, theme: r.theme })),
      }));
    },
    async createStudio(input: { name: string; leadUserId: string | null }, tx: Db) {
      const [row] = await tx.insert(studios).values(input).returning();
      return row!;
    },
    async getStudio(id: string, tx: Db = db) {
      const [row] = await tx.select().from(studios).where(eq(studios.id, id));
      return row;
    },
    async updateStudio(id: string, patch: { name?: string; leadUserId?: string | null }, tx: Db) {
      const [row] = await tx.update(studios).set(patch).where(eq(studios.id, id)).returning();
      return row;
    },
    async getStudioForUpdate(id: string, tx: Db) {
      const [row] = await tx.select().from(studios).where(eq(studios.id, id)).for('update');
      return row;
    },
    /** True when the user was not a member before. */
    async addMember(studioId: string, userId: string, tx: Db): Promise<boolean> {
      const rows = await tx.insert(studioMembers).values({ studioId, userId }).onConflictDoNothing().returning({ userId: studioMembers.userId });
      return rows.length > 0;
    },
    /** True when the user was a member. */
    async removeMember(studioId: string, userId: string, tx: Db): Promise<boolean> {
      const rows = await tx
        .delete(studioMembers)
        .where(and(eq(studioMembers.studioId, studioId), eq(studioMembers.userId, userId)))
        .returning({ userId: studioMembers.userId });
      return rows.length > 0;
    },
    async isMember(studioId: string, userId: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx
        .select({ userId: studioMembers.userId })
        .from(studioMembers)
        .where(and(eq(studioMembers.studioId, studioId), eq(studioMembers.userId, userId)));
      return !!row;
    },
    async setMembers(studioId: string, userIds: string[], tx: Db): Promise<void> {
      await tx.delete(studioMembers).where(eq(studioMembers.studioId, studioId));
      if (userIds.length) await tx.insert(studioMembers).values(userIds.map((userId) => ({ studioId, userId })));
    },
    async setRoutes(studioId: string, routes: { campaignId: string; theme: string | null }[], tx: Db): Promise<void> {
      await tx.delete(studioRoutes).where(eq(studioRoutes.studioId, studioId));
      if (routes.length) await tx.insert(studioRoutes).values(routes.map((r) => ({ studioId, ...r })));
    },
  };
}
export type DeskRepository = ReturnType<typeof createDeskRepository>;
