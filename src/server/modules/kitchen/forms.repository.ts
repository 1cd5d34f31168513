import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newspapers, stories, storyForms, storyImages, storyReviews, storyVideos, studios, users, type StoryFormRow } from '../../db/schema.js';
import type { Form, FormStatus, ReviewAction } from '../../../contracts/kitchen.js';

/**
 * The forms part's reads and writes (docs/kitchen-review.md). The story row is read directly
 * here: the story routes belong to another part, a form only needs its text, images and videos.
 */
export function createFormsRepository(db: Db) {
  return {
    async story(id: string, tx: Db = db) {
      const [row] = await tx
        .select({ story: stories, studioName: studios.name, leadUserId: studios.leadUserId })
        .from(stories)
        .leftJoin(studios, eq(studios.id, stories.studioId))
        .where(eq(stories.id, id));
      return row;
    },
    async imageIds(storyId: string, tx: Db = db): Promise<string[]> {
      const rows = await tx
        .select({ id: storyImages.id })
        .from(storyImages)
        .where(eq(storyImages.storyId, storyId))
        .orderBy(asc(storyImages.position), asc(storyImages.createdAt));
      return rows.map((r) => r.id);
    },
    async videoIds(storyId: string, tx: Db = db): Promise<string[]> {
      const rows = await tx
        .select({ id: storyVideos.submissionId })
        .from(storyVideos)
        .where(eq(storyVideos.storyId, storyId))
        .orderBy(asc(storyVideos.position));
      return rows.map((r) => r.id);
    },
    /** The newspaper a new print form is laid out for: the first one set up. */
    async defaultNewspaper(tx: Db = db) {
      const [row] = await tx.select().from(newspapers).orderBy(asc(newspapers.createdAt), asc(newspapers.name)).limit(1);
      return row;
    },
    async newspaper(id: string, tx: Db = db) {
      const [row] = await tx.select().from(newspapers).where(eq(newspapers.id, id));
      return row;
    },
    async forms(storyId: string, tx: Db = db): Promise<StoryFormRow[]> {
      return tx.select().from(storyForms).where(eq(storyForms.storyId, storyId)).orderBy(asc(storyForms.createdAt));
    },
    async form(storyId: string, form: Form, tx: Db = db, lock = false): Promise<StoryFormRow | undefined> {
      const q = tx
        .select()
        .from(storyForms)
        .where(and(eq(storyForms.storyId, storyId), eq(storyForms.form, form)));
      const [row] = lock ? await q.for('update') : await q;
      return row;
    },
    /** Null when the form already exists (a concurrent PUT). */
    async insertForm(
      v: { storyId: string; form: Form; status: FormStatus; content: Record<string, unknown>; newspaperId: string | null; updatedBy: string; at: Date },
      tx: Db,
    ): Promise<StoryFormRow | null> {
      const [row] = await tx
        .insert(storyForms)
        .values({ ...v, createdAt: v.at, updatedAt: v.at })
        .onConflictDoNothing()
        .returning();
      return row ?? null;
    },
    /**
     * A conditional update: applies only while the form is still at `expect` (status, version,
     * round and step as read). Null when someone else moved it first.
     */
    async updateForm(
      id: string,
      expect: { version: number; status?: FormStatus; reviewRound?: number; reviewStep?: number | null },
      patch: Partial<Pick<StoryFormRow, 'status' | 'content' | 'reviewRound' | 'reviewStep' | 'updatedBy' | 'updatedAt'>>,
      tx: Db,
    ): Promise<StoryFormRow | null> {
      const conds = [eq(storyForms.id, id), eq(storyForms.version, expect.version)];
      if (expect.status) conds.push(eq(storyForms.status, expect.status));
      if (expect.reviewRound !== undefined) conds.push(eq(storyForms.reviewRound, expect.reviewRound));
      if (typeof expect.reviewStep === 'number') conds.push(eq(storyForms.reviewStep, expect.reviewStep));
      const [row] = await tx
        .update(storyForms)
        .set({ ...patch, version: expect.version + 1 })
        .where(and(...conds))
        .returning();
      return row ?? null;
    },
    async addReview(v: { storyFormId: string; round: number; step: number; action: ReviewAction; note?: string | null; actorId: string; at: Date }, tx: Db) {
      await tx.insert(storyReviews).values({ ...v, note: v.note ?? null });
    },
    async reviews(formIds: string[], tx: Db = db) {
      if (!formIds.length) return [];
      return tx
        .select({ review: storyReviews, actorName: users.name })
        .from(storyReviews)
        .innerJoin(users, eq(users.id, storyReviews.actorId))
        .where(inArray(storyReviews.storyFormId, formIds))
        .orderBy(asc(storyReviews.at), asc(storyReviews.id));
    },
    async userNames(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      if (!unique.length) return new Map();
      const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, unique));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type FormsRepository = ReturnType<typeof createFormsRepository>;
