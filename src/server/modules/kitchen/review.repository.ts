import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { reviewChains, stories, storyForms, storyReviews, studios, users } from '../../db/schema.js';
import type { ReviewStepRole } from '../../../contracts/kitchen.js';

/** Review chains per studio, and the forms waiting in review (docs/kitchen-review.md). */
export function createReviewRepository(db: Db) {
  return {
    async studio(id: string, tx: Db = db) {
      const [row] = await tx.select().from(studios).where(eq(studios.id, id));
      return row;
    },
    async chain(studioId: string, tx: Db = db) {
      const [row] = await tx
        .select({ chain: reviewChains, updatedByName: users.name })
        .from(reviewChains)
        .leftJoin(users, eq(users.id, reviewChains.updatedBy))
        .where(eq(reviewChains.studioId, studioId));
      return row;
    },
    async chains(studioIds: string[], tx: Db = db) {
      if (!studioIds.length) return [];
      return tx.select().from(reviewChains).where(inArray(reviewChains.studioId, studioIds));
    },
    async putChain(studioId: string, steps: ReviewStepRole[], updatedBy: string, at: Date, tx: Db) {
      await tx
        .insert(reviewChains)
        .values({ studioId, steps, updatedBy, updatedAt: at })
        .onConflictDoUpdate({ target: reviewChains.studioId, set: { steps, updatedBy, updatedAt: at } });
    },
    /** Every form in review with its story and studio, oldest waiting first. */
    async inReview(studioIds: string[] | null, tx: Db = db) {
      const conds = [eq(storyForms.status, 'in_review')];
      const rows = await tx
        .select({
          form: storyForms,
          headline: stories.headline,
          studioId: stories.studioId,
          studioName: studios.name,
          leadUserId: studios.leadUserId,
        })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .leftJoin(studios, eq(studios.id, stories.studioId))
        .where(and(...conds))
        .orderBy(asc(storyForms.updatedAt), asc(storyForms.id));
      if (studioIds === null) return rows;
      return rows.filter((r) => r.studioId === null || studioIds.includes(r.studioId));
    },
    /** Who submitted each form's given round (the last submit of that round). */
    async submitters(forms: { id: string; round: number }[], tx: Db = db): Promise<Map<string, { id: string; name: string }>> {
      if (!forms.length) return new Map();
      const rows = await tx
        .select({ formId: storyReviews.storyFormId, round: storyReviews.round, actorId: storyReviews.actorId, name: users.name })
        .from(storyReviews)
        .innerJoin(users, eq(users.id, storyReviews.actorId))
        .where(
          and(
            inArray(
              storyReviews.storyFormId,
              forms.map((f) => f.id),
            ),
            eq(storyReviews.action, 'submit'),
          ),
        )
        .orderBy(desc(storyReviews.at), desc(storyReviews.id));
      const want = new Map(forms.map((f) => [f.id, f.round]));
      const out = new Map<string, { id: string; name: string }>();
      for (const r of rows) if (want.get(r.formId) === r.round && !out.has(r.formId)) out.set(r.formId, { id: r.actorId, name: r.name });
      return out;
    },
    async hasSubmit(formId: string, round: number, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ id: storyReviews.id })
        .from(storyReviews)
        .where(and(eq(storyReviews.storyFormId, formId), eq(storyReviews.round, round), eq(storyReviews.action, 'submit')))
        .limit(1);
      return rows.length > 0;
    },
  };
}
export type ReviewRepository = ReturnType<typeof createReviewRepository>;
