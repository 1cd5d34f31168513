import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Form, FormStatus } from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import {
  stories,
  storyForms,
  storyIdeaFeeds,
  storyIdeas,
  storyIdeaSlots,
  storyRevisions,
  studios,
  submissions,
  users,
  type StoryIdeaRow,
} from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** The studio a submission is routed to: the desk's rule (desk.repository.ts), a theme route wins over a whole-campaign route. */
const routedStudio = sql`(SELECT r.studio_id FROM studio_routes r
  WHERE r.campaign_id = s.campaign_id AND (r.theme = s.theme OR r.theme IS NULL)
  ORDER BY r.theme NULLS LAST LIMIT 1)`;

/** Which studios' rows: all, or these (and, with `central`, rows of no studio). */
export type StudioFilter = { all: true } | { all: false; studioIds: string[]; central: boolean };

function studioCond(col: typeof storyIdeas.studioId | typeof stories.studioId, f: StudioFilter): SQL | undefined {
  if (f.all) return undefined;
  const parts: SQL[] = [];
  if (f.studioIds.length) parts.push(inArray(col, f.studioIds));
  if (f.central) parts.push(isNull(col));
  return parts.length ? or(...parts) : sql`false`;
}
const ids = (xs: string[]) =>
  sql.join(
    xs.map((x) => sql`${x}::uuid`),
    sql`, `,
  );

export interface IdeaListRow extends StoryIdeaRow {
  studioName: string | null;
  ownerName: string | null;
  storyHeadline: string | null;
}

/** The planning tables (story_ideas, story_idea_slots, story_idea_feeds) and the reads the board and the studio pages need. */
export function createPlanRepository(db: Db) {
  const ideaColumns = {
    idea: storyIdeas,
    studioName: studios.name,
    ownerName: users.name,
    storyHeadline: stories.headline,
  };
  async function selectIdeas(where: SQL | undefined, tx: Db): Promise<IdeaListRow[]> {
    const rows = await tx
      .select(ideaColumns)
      .from(storyIdeas)
      .leftJoin(studios, eq(studios.id, storyIdeas.studioId))
      .leftJoin(users, eq(users.id, storyIdeas.ownerId))
      .leftJoin(stories, eq(stories.id, storyIdeas.storyId))
      .where(where)
      .orderBy(asc(studios.name), asc(storyIdeas.deadline), asc(storyIdeas.createdAt), asc(storyIdeas.id));
    return rows.map((r) => ({ ...r.idea, studioName: r.studioName, ownerName: r.ownerName, storyHeadline: r.storyHeadline }));
  }

  return {
    async listIdeas(f: { day?: string; studioId?: string | null; scope: StudioFilter }, tx: Db = db): Promise<IdeaListRow[]> {
      const conds: (SQL | undefined)[] = [studioCond(storyIdeas.studioId, f.scope)];
      if (f.day) conds.push(eq(storyIdeas.day, f.day));
      if (f.studioId !== undefined) conds.push(f.studioId === null ? isNull(storyIdeas.studioId) : eq(storyIdeas.studioId, f.studioId));
      return selectIdeas(and(...conds), tx);
    },
    async getIdea(id: string, tx: Db = db): Promise<IdeaListRow | undefined> {
      const [row] = await selectIdeas(eq(storyIdeas.id, id), tx);
      return row;
    },
    async lockIdea(id: string, tx: Db): Promise<StoryIdeaRow | undefined> {
      const [row] = await tx.select().from(storyIdeas).where(eq(storyIdeas.id, id)).for('update');
      return row;
    },
    async insertIdea(values: typeof storyIdeas.$inferInsert, tx: Db): Promise<StoryIdeaRow> {
      const [row] = await tx.insert(storyIdeas).values(values).returning();
      return row!;
    },
    async updateIdea(id: string, patch: Partial<typeof storyIdeas.$inferInsert>, tx: Db): Promise<void> {
      await tx.update(storyIdeas).set(patch).where(eq(storyIdeas.id, id));
    },
    async slots(ideaIds: string[], tx: Db = db) {
      if (!ideaIds.length) return [];
      return tx.select().from(storyIdeaSlots).where(inArray(storyIdeaSlots.ideaId, ideaIds));
    },
    async replaceSlots(ideaId: string, slots: { form: Form; target: string; dueAt: Date | null }[], tx: Db): Promise<void> {
      await tx.delete(storyIdeaSlots).where(eq(storyIdeaSlots.ideaId, ideaId));
      if (slots.length) await tx.insert(storyIdeaSlots).values(slots.map((s) => ({ ideaId, ...s })));
    },
    async feeds(ideaIds: string[], tx: Db = db) {
      if (!ideaIds.length) return [];
      return tx
        .select({ ideaId: storyIdeaFeeds.ideaId, submissionId: storyIdeaFeeds.submissionId, title: submissions.title, status: submissions.status })
        .from(storyIdeaFeeds)
        .innerJoin(submissions, eq(submissions.id, storyIdeaFeeds.submissionId))
        .where(inArray(storyIdeaFeeds.ideaId, ideaIds))
        .orderBy(asc(submissions.title));
    },
    async replaceFeeds(ideaId: string, submissionIds: string[], tx: Db): Promise<void> {
      await tx.delete(storyIdeaFeeds).where(eq(storyIdeaFeeds.ideaId, ideaId));
      if (submissionIds.length) await tx.insert(storyIdeaFeeds).values(submissionIds.map((submissionId) => ({ ideaId, submissionId })));
    },
    /** The forms of these stories: status and link. */
    async formsOf(storyIds: string[], tx: Db = db): Promise<{ storyId: string; form: Form; status: FormStatus; url: string | null }[]> {
      if (!storyIds.length) return [];
      return tx
        .select({ storyId: storyForms.storyId, form: storyForms.form, status: storyForms.status, url: storyForms.url })
        .from(storyForms)
        .where(inArray(storyForms.storyId, storyIds));
    },
    async getStory(id: string, tx: Db = db) {
      const [row] = await tx.select({ id: stories.id, studioId: stories.studioId }).from(stories).where(eq(stories.id, id));
      return row;
    },
    async getStudio(id: string, tx: Db = db) {
      const [row] = await tx.select({ id: studios.id, name: studios.name, leadUserId: studios.leadUserId }).from(studios).where(eq(studios.id, id));
      return row;
    },
    async listStudios(onlyIds: string[] | null, tx: Db = db) {
      return tx
        .select({ id: studios.id, name: studios.name, leadUserId: studios.leadUserId })
        .from(studios)
        .where(onlyIds ? (onlyIds.length ? inArray(studios.id, onlyIds) : sql`false`) : undefined)
        .orderBy(asc(studios.name));
    },
    async getUser(id: string, tx: Db = db) {
      const [row] = await tx.select({ id: users.id, roles: users.roles }).from(users).where(eq(users.id, id));
      return row;
    },
    async submissionsByIds(submissionIds: string[], tx: Db = db) {
      if (!submissionIds.length) return [];
      return tx.select({ id: submissions.id, status: submissions.status }).from(submissions).where(inArray(submissions.id, submissionIds));
    },

    /** A story from an idea: the story, its revision 1 and a `planned` form per slot, in the caller's transaction. */
    async createStory(
      input: { studioId: string | null; headline: string; standfirst: string; authorId: string; forms: Form[]; now: Date },
      tx: Db,
    ): Promise<string> {
      const [story] = await tx
        .insert(stories)
        .values({
          studioId: input.studioId,
          headline: input.headline,
          standfirst: input.standfirst,
          authorId: input.authorId,
          updatedBy: input.authorId,
          createdAt: input.now,
          updatedAt: input.now,
        })
        .returning();
      await tx.insert(storyRevisions).values({
        storyId: story!.id,
        version: 1,
        headline: story!.headline,
        standfirst: story!.standfirst,
        bodyHtml: story!.bodyHtml,
        tags: story!.tags,
        byline: story!.byline,
        editorId: input.authorId,
        createdAt: input.now,
      });
      // Content stays empty until the form is derived from the story (PUT …/forms/:form, part `forms`).
      if (input.forms.length)
        await tx
          .insert(storyForms)
          .values(input.forms.map((form) => ({ storyId: story!.id, form, status: 'planned' as const, content: {}, updatedBy: input.authorId })));
      return story!.id;
    },

    /** Contributor videos waiting on the desk (in review), per studio they are routed to. */
    async queueCounts(studioIds: string[], tx: Db = db): Promise<Map<string, number>> {
      if (!studioIds.length) return new Map();
      const r = await tx.execute(sql`
        SELECT q.studio_id, count(*)::int AS n FROM (
          SELECT ${routedStudio} AS studio_id FROM submissions s WHERE s.status = 'in_review'
        ) q WHERE q.studio_id IN (${ids(studioIds)}) GROUP BY 1`);
      return new Map(rowsOf<{ studio_id: string; n: number | string }>(r).map((x) => [String(x.studio_id), Number(x.n)]));
    },
    async queueItems(studioId: string, limit: number, tx: Db = db) {
      const r = await tx.execute(sql`
        SELECT s.id, s.title, s.processed_at FROM submissions s
        WHERE s.status = 'in_review' AND ${routedStudio} = ${studioId}::uuid
        ORDER BY s.processed_at ASC NULLS LAST, s.id LIMIT ${limit}`);
      return rowsOf<{ id: string; title: string; processed_at: Date | string | null }>(r).map((x) => ({
        submissionId: String(x.id),
        title: x.title,
        processedAt: x.processed_at === null ? null : new Date(x.processed_at).toISOString(),
      }));
    },
    /** Story forms per studio and status. */
    async stageCounts(studioIds: string[], tx: Db = db) {
      if (!studioIds.length) return [];
      return tx
        .select({ studioId: stories.studioId, status: storyForms.status, n: sql<number>`count(*)::int`.mapWith(Number) })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .where(inArray(stories.studioId, studioIds))
        .groupBy(stories.studioId, storyForms.status);
    },
    /** Published forms per studio and form since `weekStart`, and how many of them since `dayStart`. */
    async publishedCounts(studioIds: string[], dayStart: Date, weekStart: Date, now: Date, tx: Db = db) {
      if (!studioIds.length) return [];
      const r = await tx.execute(sql`
        SELECT st.studio_id, f.form,
               count(*) FILTER (WHERE f.published_at >= ${dayStart.toISOString()}::timestamptz)::int AS today,
               count(*)::int AS week
        FROM story_forms f JOIN stories st ON st.id = f.story_id
        WHERE f.status = 'published' AND st.studio_id IN (${ids(studioIds)})
          AND f.published_at >= ${weekStart.toISOString()}::timestamptz AND f.published_at <= ${now.toISOString()}::timestamptz
        GROUP BY 1, 2`);
      return rowsOf<{ studio_id: string; form: Form; today: number | string; week: number | string }>(r).map((x) => ({
        studioId: String(x.studio_id),
        form: x.form,
        today: Number(x.today),
        week: Number(x.week),
      }));
    },
    async studioStories(studioId: string, limit: number, tx: Db = db) {
      return tx
        .select({ id: stories.id, headline: stories.headline, updatedAt: stories.updatedAt })
        .from(stories)
        .where(eq(stories.studioId, studioId))
        .orderBy(desc(stories.updatedAt), asc(stories.id))
        .limit(limit);
    },
    async reviewQueue(studioId: string, tx: Db = db) {
      return tx
        .select({ storyId: stories.id, headline: stories.headline, form: storyForms.form, reviewStep: storyForms.reviewStep, updatedAt: storyForms.updatedAt })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .where(and(eq(stories.studioId, studioId), eq(storyForms.status, 'in_review')))
        .orderBy(asc(storyForms.updatedAt));
    },
  };
}
export type PlanRepository = ReturnType<typeof createPlanRepository>;
