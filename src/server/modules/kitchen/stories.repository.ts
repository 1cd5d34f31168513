import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Form, FormStatus } from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import { stories, storyForms, storyImages, storyRevisions, storyVideos, studios, submissions, users, type StoryRow } from '../../db/schema.js';
import type { KitchenScope } from './kitchen.scope.js';

export interface StoryListFilter {
  scope: KitchenScope;
  studioId?: string;
  q?: string;
  tag?: string;
  forms: { form: Form; not: boolean; status: FormStatus }[];
  after?: { at: string; id: string };
  limit: number;
}

/** Newest first; the cursor is the last row's (updated_at to the millisecond, id). */
const updatedMs = sql`date_trunc('milliseconds', ${stories.updatedAt})`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The stories tables (migrations/0023_kitchen.sql); the service holds the rules. */
export function createStoriesRepository(db: Db) {
  return {
    async find(id: string, tx: Db = db): Promise<StoryRow | undefined> {
      const [row] = await tx.select().from(stories).where(eq(stories.id, id));
      return row;
    },
    /** The row, locked until the transaction ends: one save at a time per story. */
    async lock(id: string, tx: Db): Promise<StoryRow | undefined> {
      const [row] = await tx.select().from(stories).where(eq(stories.id, id)).for('update');
      return row;
    },
    async insert(values: typeof stories.$inferInsert, tx: Db = db): Promise<StoryRow> {
      const [row] = await tx.insert(stories).values(values).returning();
      return row!;
    },
    /** The save itself: only when the row is still at `version` (the lock makes this certain, the WHERE says it twice). */
    async update(id: string, version: number, values: Partial<typeof stories.$inferInsert>, tx: Db): Promise<StoryRow | undefined> {
      const [row] = await tx
        .update(stories)
        .set({ ...values, version: version + 1 })
        .where(and(eq(stories.id, id), eq(stories.version, version)))
        .returning();
      return row;
    },
    async insertRevision(row: StoryRow, tx: Db): Promise<void> {
      await tx.insert(storyRevisions).values({
        storyId: row.id,
        version: row.version,
        headline: row.headline,
        standfirst: row.standfirst,
        bodyHtml: row.bodyHtml,
        tags: row.tags,
        byline: row.byline,
        editorId: row.updatedBy,
        createdAt: row.updatedAt,
      });
    },
    async revisions(storyId: string, tx: Db = db) {
      return tx
        .select({ version: storyRevisions.version, headline: storyRevisions.headline, editorId: storyRevisions.editorId, createdAt: storyRevisions.createdAt })
        .from(storyRevisions)
        .where(eq(storyRevisions.storyId, storyId))
        .orderBy(desc(storyRevisions.version));
    },
    async revision(storyId: string, version: number, tx: Db = db) {
      const [row] = await tx
        .select()
        .from(storyRevisions)
        .where(and(eq(storyRevisions.storyId, storyId), eq(storyRevisions.version, version)));
      return row;
    },
    async list(f: StoryListFilter, tx: Db = db): Promise<StoryRow[]> {
      const where: SQL[] = [];
      if (!f.scope.all) {
        const ids = f.scope.studioIds;
        where.push(ids.length ? sql`(${stories.studioId} IS NULL OR ${inArray(stories.studioId, ids)})` : sql`${stories.studioId} IS NULL`);
      }
      if (f.studioId) where.push(eq(stories.studioId, f.studioId));
      if (f.tag) where.push(sql`${stories.tags} @> ARRAY[${f.tag}]::text[]`);
      if (f.q) {
        const like = `%${escapeLike(f.q)}%`;
        where.push(sql`(${stories.headline} ILIKE ${like} OR ${stories.standfirst} ILIKE ${like} OR ${stories.byline} ILIKE ${like})`);
      }
      for (const c of f.forms) {
        const exists = sql`EXISTS (SELECT 1 FROM ${storyForms} WHERE ${storyForms.storyId} = ${stories.id} AND ${storyForms.form} = ${c.form} AND ${storyForms.status} = ${c.status})`;
        where.push(c.not ? sql`NOT ${exists}` : exists);
      }
      if (f.after) where.push(sql`(${updatedMs}, ${stories.id}) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)`);
      return tx
        .select()
        .from(stories)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(updatedMs), desc(stories.id))
        .limit(f.limit);
    },
    async names(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      const uniq = [...new Set(ids)];
      if (!uniq.length) return new Map();
      const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, uniq));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    async studioNames(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      const uniq = [...new Set(ids)];
      if (!uniq.length) return new Map();
      const rows = await tx.select({ id: studios.id, name: studios.name }).from(studios).where(inArray(studios.id, uniq));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    async formsOf(storyIds: string[], tx: Db = db) {
      if (!storyIds.length) return [];
      return tx
        .select({ storyId: storyForms.storyId, form: storyForms.form, status: storyForms.status, url: storyForms.url })
        .from(storyForms)
        .where(inArray(storyForms.storyId, storyIds))
        .orderBy(asc(storyForms.form));
    },
    async isPublished(storyId: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx
        .select({ id: storyForms.id })
        .from(storyForms)
        .where(and(eq(storyForms.storyId, storyId), eq(storyForms.status, 'published')))
        .limit(1);
      return !!row;
    },
    async images(storyId: string, tx: Db = db) {
      return tx.select().from(storyImages).where(eq(storyImages.storyId, storyId)).orderBy(asc(storyImages.position), asc(storyImages.createdAt));
    },
    async image(imageId: string, tx: Db = db) {
      const [row] = await tx.select().from(storyImages).where(eq(storyImages.id, imageId));
      return row;
    },
    async insertImage(values: typeof storyImages.$inferInsert, tx: Db = db) {
      const [row] = await tx.insert(storyImages).values(values).returning();
      return row!;
    },
    async updateImage(imageId: string, values: Partial<typeof storyImages.$inferInsert>, tx: Db = db) {
      const [row] = await tx.update(storyImages).set(values).where(eq(storyImages.id, imageId)).returning();
      return row;
    },
    async deleteImage(imageId: string, tx: Db = db) {
      await tx.delete(storyImages).where(eq(storyImages.id, imageId));
    },
    async videos(storyId: string, tx: Db = db) {
      return tx
        .select({
          submissionId: storyVideos.submissionId,
          position: storyVideos.position,
          title: submissions.title,
          outputs: submissions.outputs,
          contributorId: users.id,
          contributorName: users.name,
        })
        .from(storyVideos)
        .innerJoin(submissions, eq(submissions.id, storyVideos.submissionId))
        .innerJoin(users, eq(users.id, submissions.userId))
        .where(eq(storyVideos.storyId, storyId))
        .orderBy(asc(storyVideos.position));
    },
    async submissionsByIds(ids: string[], tx: Db = db) {
      if (!ids.length) return [];
      return tx.select({ id: submissions.id, status: submissions.status, title: submissions.title }).from(submissions).where(inArray(submissions.id, ids));
    },
    async replaceVideos(storyId: string, submissionIds: string[], tx: Db) {
      await tx.delete(storyVideos).where(eq(storyVideos.storyId, storyId));
      if (submissionIds.length) await tx.insert(storyVideos).values(submissionIds.map((submissionId, position) => ({ storyId, submissionId, position })));
    },
    async studioExists(id: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx.select({ id: studios.id }).from(studios).where(eq(studios.id, id));
      return !!row;
    },
  };
}
export type StoriesRepository = ReturnType<typeof createStoriesRepository>;
