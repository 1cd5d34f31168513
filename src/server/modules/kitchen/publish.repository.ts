import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Form } from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import {
  stories,
  studios,
  storyFormPublications,
  storyForms,
  storyImages,
  storyVideos,
  submissions,
  users,
  type StoryFormPublicationRow,
  type StoryFormRow,
  type StoryImageRow,
  type StoryRow,
  type SubmissionRow,
} from '../../db/schema.js';

export interface StoryVideoRef {
  submission: SubmissionRow;
  contributorName: string;
}

type FormPatch = Partial<Pick<StoryFormRow, 'status' | 'url' | 'externalId' | 'lastError' | 'publishedAt' | 'updatedBy'>>;
type PublicationPatch = Partial<Pick<StoryFormPublicationRow, 'status' | 'leaseUntil' | 'error' | 'checkpoint' | 'generation'>>;

/** The kitchen's publishing reads and writes (story_forms outcome columns, story_form_publications). */
export function createKitchenPublishRepository(db: Db) {
  return {
    async story(id: string, tx: Db = db): Promise<StoryRow | undefined> {
      const [row] = await tx.select().from(stories).where(eq(stories.id, id));
      return row;
    },
    async form(storyId: string, form: Form, tx: Db = db): Promise<StoryFormRow | undefined> {
      const [row] = await tx
        .select()
        .from(storyForms)
        .where(and(eq(storyForms.storyId, storyId), eq(storyForms.form, form)));
      return row;
    },
    async formById(id: string, tx: Db = db): Promise<StoryFormRow | undefined> {
      const [row] = await tx.select().from(storyForms).where(eq(storyForms.id, id));
      return row;
    },
    /** The form row under a row lock: the status checked is the status written against. */
    async lockForm(id: string, tx: Db): Promise<StoryFormRow | undefined> {
      const [row] = await tx.select().from(storyForms).where(eq(storyForms.id, id)).for('update');
      return row;
    },
    async updateForm(id: string, patch: FormPatch, tx: Db = db): Promise<void> {
      await tx
        .update(storyForms)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(storyForms.id, id));
    },
    async publication(storyFormId: string, tx: Db = db): Promise<StoryFormPublicationRow | null> {
      const [row] = await tx.select().from(storyFormPublications).where(eq(storyFormPublications.storyFormId, storyFormId));
      return row ?? null;
    },
    /**
     * Queued for an attempt. A failed attempt keeps its checkpoint (what was uploaded is reused,
     * and a post whose reply was lost is looked up, not made again); after a live post (the form
     * was edited and approved again) the next generation starts with an empty one.
     */
    async queuePublication(storyFormId: string, existing: StoryFormPublicationRow | null, tx: Db): Promise<void> {
      if (!existing) {
        await tx.insert(storyFormPublications).values({ storyFormId, status: 'queued' });
        return;
      }
      // Live means the form was edited and approved again since that post: this is a new post.
      const fresh = existing.status === 'live' ? { generation: existing.generation + 1, checkpoint: {} } : {};
      await tx
        .update(storyFormPublications)
        .set({ status: 'queued', attempts: 0, error: null, leaseUntil: null, ...fresh, updatedAt: sql`now()` })
        .where(eq(storyFormPublications.storyFormId, storyFormId));
    },
    async updatePublication(storyFormId: string, patch: PublicationPatch, tx: Db = db): Promise<void> {
      await tx
        .update(storyFormPublications)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(storyFormPublications.storyFormId, storyFormId));
    },
    /** Merges into the checkpoint and returns the whole of it (committed before the adapter's next step). */
    async saveCheckpoint(storyFormId: string, patch: Record<string, string | number>): Promise<Record<string, string | number>> {
      const [row] = await db
        .update(storyFormPublications)
        .set({ checkpoint: sql`${storyFormPublications.checkpoint} || ${JSON.stringify(patch)}::jsonb`, updatedAt: sql`now()` })
        .where(eq(storyFormPublications.storyFormId, storyFormId))
        .returning({ checkpoint: storyFormPublications.checkpoint });
      return row?.checkpoint ?? {};
    },
    /**
     * Takes the publication for one attempt under a lease. A row left `publishing` by a worker
     * that died is taken again once its lease has run out, and resumes from its checkpoint.
     */
    async claim(storyFormId: string, now: Date, leaseUntil: Date): Promise<StoryFormPublicationRow | null> {
      const [row] = await db
        .update(storyFormPublications)
        .set({
          status: sql`CASE WHEN ${storyFormPublications.status} = 'queued' THEN 'publishing' ELSE ${storyFormPublications.status} END`,
          attempts: sql`${storyFormPublications.attempts} + CASE WHEN ${storyFormPublications.status} = 'pending' THEN 0 ELSE 1 END`,
          leaseUntil,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(storyFormPublications.storyFormId, storyFormId),
            inArray(storyFormPublications.status, ['queued', 'publishing', 'pending', 'unpublishing']),
            or(isNull(storyFormPublications.leaseUntil), lt(storyFormPublications.leaseUntil, now)),
          ),
        )
        .returning();
      return row ?? null;
    },
    /** Embedded adopted videos in the story's order, with their contributor's name. */
    async videos(storyId: string, tx: Db = db): Promise<StoryVideoRef[]> {
      const rows = await tx
        .select({ submission: submissions, contributorName: users.name })
        .from(storyVideos)
        .innerJoin(submissions, eq(submissions.id, storyVideos.submissionId))
        .innerJoin(users, eq(users.id, submissions.userId))
        .where(and(eq(storyVideos.storyId, storyId), eq(submissions.status, 'adopted')))
        .orderBy(asc(storyVideos.position), asc(storyVideos.submissionId));
      return rows;
    },
    async images(storyId: string, tx: Db = db): Promise<StoryImageRow[]> {
      return tx.select().from(storyImages).where(eq(storyImages.storyId, storyId)).orderBy(asc(storyImages.position), asc(storyImages.createdAt));
    },
    async submission(id: string, tx: Db = db): Promise<SubmissionRow | undefined> {
      const [row] = await tx.select().from(submissions).where(eq(submissions.id, id));
      return row;
    },
    /** Published web forms, newest first, with the story's first image. */
    async publishedWeb(limit: number, tx: Db = db) {
      const rows = await tx
        .select({ story: stories, form: storyForms })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .where(and(eq(storyForms.form, 'web'), eq(storyForms.status, 'published')))
        .orderBy(desc(storyForms.publishedAt), desc(storyForms.id))
        .limit(limit);
      if (!rows.length) return [];
      const images = await tx
        .select({ id: storyImages.id, storyId: storyImages.storyId, position: storyImages.position })
        .from(storyImages)
        .where(
          inArray(
            storyImages.storyId,
            rows.map((r) => r.story.id),
          ),
        )
        .orderBy(asc(storyImages.position), asc(storyImages.createdAt));
      return rows.map((r) => ({ ...r, imageId: images.find((i) => i.storyId === r.story.id)?.id ?? null }));
    },
    async publishedScreens(limit: number, tx: Db = db) {
      return tx
        .select({ story: stories, form: storyForms, studio: studios.name })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .leftJoin(studios, eq(studios.id, stories.studioId))
        .where(and(eq(storyForms.form, 'screen'), eq(storyForms.status, 'published')))
        .orderBy(desc(storyForms.publishedAt), desc(storyForms.id))
        .limit(limit);
    },
  };
}
export type KitchenPublishRepository = ReturnType<typeof createKitchenPublishRepository>;
