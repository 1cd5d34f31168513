import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  kioskScreens,
  lendingTitles,
  storyForms,
  stories,
  studyCollections,
  studyCompletions,
  studyItems,
  studyPoints,
  studyQuestions,
  studyQuizAttempts,
  studySessions,
  studySignIns,
  studyViews,
  submissions,
  users,
  type StudyCollectionRow,
  type StudyCompletionRow,
  type StudyItemRow,
  type StudyQuestionRow,
  type StudyQuizAttemptRow,
  type StudySessionRow,
  type StudySignInRow,
  type StudyViewRow,
} from '../../db/schema.js';

export type NewCollection = Pick<StudyCollectionRow, 'title' | 'description' | 'pointsEnabled' | 'pointsPerTask' | 'createdBy'>;
export type CollectionPatch = Partial<Pick<StudyCollectionRow, 'title' | 'description' | 'pointsEnabled' | 'pointsPerTask' | 'published' | 'publishedAt'>>;
export type NewItem = Omit<StudyItemRow, 'id' | 'createdAt'>;
export type NewQuestion = Omit<StudyQuestionRow, 'id' | 'createdAt'>;
export type NewCompletion = Omit<StudyCompletionRow, 'id'>;

/** The study tables (migrations/0040_study.sql). */
export function createStudyRepository(db: Db) {
  return {
    // ---- collections ----
    async createCollection(c: NewCollection, tx: Db = db): Promise<StudyCollectionRow> {
      const [row] = await tx.insert(studyCollections).values(c).returning();
      return row!;
    },
    /** A collection not deleted (deleted ones only with `withDeleted`). */
    async getCollection(id: string, tx: Db = db, withDeleted = false): Promise<StudyCollectionRow | undefined> {
      const [row] = await tx
        .select()
        .from(studyCollections)
        .where(and(eq(studyCollections.id, id), withDeleted ? undefined : isNull(studyCollections.deletedAt)));
      return row;
    },
    async updateCollection(id: string, patch: CollectionPatch & { updatedAt: Date }, tx: Db = db): Promise<StudyCollectionRow | undefined> {
      const [row] = await tx
        .update(studyCollections)
        .set(patch)
        .where(and(eq(studyCollections.id, id), isNull(studyCollections.deletedAt)))
        .returning();
      return row;
    },
    async deleteCollection(id: string, at: Date, tx: Db = db): Promise<StudyCollectionRow | undefined> {
      const [row] = await tx
        .update(studyCollections)
        .set({ deletedAt: at, published: false, updatedAt: at })
        .where(and(eq(studyCollections.id, id), isNull(studyCollections.deletedAt)))
        .returning();
      return row;
    },
    /** Live collections, newest first; `publishedOnly` for readers. */
    async listCollections(q: { publishedOnly: boolean }, tx: Db = db): Promise<StudyCollectionRow[]> {
      return tx
        .select()
        .from(studyCollections)
        .where(and(isNull(studyCollections.deletedAt), q.publishedOnly ? eq(studyCollections.published, true) : undefined))
        .orderBy(desc(q.publishedOnly ? studyCollections.publishedAt : studyCollections.updatedAt), asc(studyCollections.id))
        .limit(1000);
    },
    async collectionsByIds(ids: string[], tx: Db = db): Promise<StudyCollectionRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(studyCollections).where(inArray(studyCollections.id, ids));
    },

    // ---- items ----
    async createItem(i: NewItem, tx: Db = db): Promise<StudyItemRow> {
      const [row] = await tx.insert(studyItems).values(i).returning();
      return row!;
    },
    async getItem(id: string, tx: Db = db): Promise<StudyItemRow | undefined> {
      const [row] = await tx.select().from(studyItems).where(eq(studyItems.id, id));
      return row;
    },
    async updateItem(id: string, patch: Partial<Pick<StudyItemRow, 'title' | 'position' | 'minDwellSeconds'>>, tx: Db = db) {
      const [row] = await tx.update(studyItems).set(patch).where(eq(studyItems.id, id)).returning();
      return row;
    },
    async deleteItem(id: string, tx: Db = db): Promise<void> {
      await tx.delete(studyItems).where(eq(studyItems.id, id));
    },
    /** Items of the collections, in each collection's order. */
    async itemsOf(collectionIds: string[], tx: Db = db): Promise<StudyItemRow[]> {
      if (collectionIds.length === 0) return [];
      return tx
        .select()
        .from(studyItems)
        .where(inArray(studyItems.collectionId, collectionIds))
        .orderBy(asc(studyItems.position), asc(studyItems.createdAt), asc(studyItems.id));
    },

    // ---- questions ----
    async createQuestion(q: NewQuestion, tx: Db = db): Promise<StudyQuestionRow> {
      const [row] = await tx.insert(studyQuestions).values(q).returning();
      return row!;
    },
    async getQuestion(id: string, tx: Db = db): Promise<StudyQuestionRow | undefined> {
      const [row] = await tx.select().from(studyQuestions).where(eq(studyQuestions.id, id));
      return row;
    },
    async updateQuestion(id: string, patch: Partial<Pick<StudyQuestionRow, 'prompt' | 'options' | 'correct' | 'explanation' | 'position'>>, tx: Db = db) {
      const [row] = await tx.update(studyQuestions).set(patch).where(eq(studyQuestions.id, id)).returning();
      return row;
    },
    async deleteQuestion(id: string, tx: Db = db): Promise<void> {
      await tx.delete(studyQuestions).where(eq(studyQuestions.id, id));
    },
    async questionsOf(collectionIds: string[], tx: Db = db): Promise<StudyQuestionRow[]> {
      if (collectionIds.length === 0) return [];
      return tx
        .select()
        .from(studyQuestions)
        .where(inArray(studyQuestions.collectionId, collectionIds))
        .orderBy(asc(studyQuestions.position), asc(studyQuestions.createdAt), asc(studyQuestions.id));
    },
    /** One quiz's questions: an item's, or the collection's own (itemId null). */
    async quizQuestions(q: { collectionId: string; itemId: string | null }, tx: Db = db): Promise<StudyQuestionRow[]> {
      return tx
        .select()
        .from(studyQuestions)
        .where(and(eq(studyQuestions.collectionId, q.collectionId), q.itemId ? eq(studyQuestions.itemId, q.itemId) : isNull(studyQuestions.itemId)))
        .orderBy(asc(studyQuestions.position), asc(studyQuestions.id));
    },

    // ---- what an item points at ----
    /** The story's headline when it has a published web form. */
    async publishedStoryTitle(id: string, tx: Db = db): Promise<string | undefined> {
      const [row] = await tx
        .select({ headline: stories.headline })
        .from(stories)
        .innerJoin(storyForms, and(eq(storyForms.storyId, stories.id), eq(storyForms.form, 'web'), eq(storyForms.status, 'published')))
        .where(eq(stories.id, id));
      return row?.headline;
    },
    async adoptedVideoTitle(id: string, tx: Db = db): Promise<string | undefined> {
      const [row] = await tx
        .select({ title: submissions.title })
        .from(submissions)
        .where(and(eq(submissions.id, id), eq(submissions.status, 'adopted')));
      return row?.title;
    },
    async listedPdfTitle(id: string, tx: Db = db): Promise<string | undefined> {
      const [row] = await tx
        .select({ title: lendingTitles.title })
        .from(lendingTitles)
        .where(and(eq(lendingTitles.id, id), eq(lendingTitles.format, 'pdf'), isNull(lendingTitles.withdrawnAt)));
      return row?.title;
    },

    // ---- sign-ins ----
    async createSignIn(s: Pick<StudySignInRow, 'screenId' | 'nonceHash' | 'secretHash' | 'createdAt' | 'expiresAt'>, tx: Db = db): Promise<StudySignInRow> {
      const [row] = await tx.insert(studySignIns).values(s).returning();
      return row!;
    },
    async getSignIn(id: string, tx: Db = db): Promise<StudySignInRow | undefined> {
      const [row] = await tx.select().from(studySignIns).where(eq(studySignIns.id, id));
      return row;
    },
    async getSignInByNonce(nonceHash: string, tx: Db = db): Promise<(StudySignInRow & { screenName: string }) | undefined> {
      const [row] = await tx
        .select({ signIn: studySignIns, screenName: kioskScreens.name })
        .from(studySignIns)
        .innerJoin(kioskScreens, eq(kioskScreens.id, studySignIns.screenId))
        .where(eq(studySignIns.nonceHash, nonceHash));
      return row && { ...row.signIn, screenName: row.screenName };
    },
    /** Confirms an unconfirmed, unexpired sign-in; undefined when it was neither. */
    async confirmSignIn(q: { id: string; userId: string; at: Date }, tx: Db = db): Promise<StudySignInRow | undefined> {
      const [row] = await tx
        .update(studySignIns)
        .set({ confirmedBy: q.userId, confirmedAt: q.at })
        .where(and(eq(studySignIns.id, q.id), isNull(studySignIns.confirmedAt), gt(studySignIns.expiresAt, q.at)))
        .returning();
      return row;
    },
    /** Claims a confirmed sign-in once; undefined when another poll claimed it first. */
    async claimSignIn(q: { id: string; at: Date }, tx: Db): Promise<StudySignInRow | undefined> {
      const [row] = await tx
        .update(studySignIns)
        .set({ claimedAt: q.at })
        .where(and(eq(studySignIns.id, q.id), isNotNull(studySignIns.confirmedAt), isNull(studySignIns.claimedAt)))
        .returning();
      return row;
    },

    // ---- sessions ----
    async createSession(
      s: Pick<StudySessionRow, 'userId' | 'screenId' | 'authSessionId' | 'signInId' | 'tokenHash' | 'createdAt' | 'lastSeenAt'>,
      tx: Db = db,
    ): Promise<StudySessionRow> {
      const [row] = await tx.insert(studySessions).values(s).returning();
      return row!;
    },
    async getSessionByToken(tokenHash: string, tx: Db = db): Promise<StudySessionRow | undefined> {
      const [row] = await tx.select().from(studySessions).where(eq(studySessions.tokenHash, tokenHash));
      return row;
    },
    async touchSession(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(studySessions).set({ lastSeenAt: at }).where(eq(studySessions.id, id));
    },
    async endSession(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(studySessions)
        .set({ endedAt: at })
        .where(and(eq(studySessions.id, id), isNull(studySessions.endedAt)));
    },
    /** A kiosk serves one reader at a time: a new sign-in ends the screen's other sessions. */
    async endScreenSessions(screenId: string, at: Date, tx: Db): Promise<void> {
      await tx
        .update(studySessions)
        .set({ endedAt: at })
        .where(and(eq(studySessions.screenId, screenId), isNull(studySessions.endedAt)));
    },
    async flagSession(q: { id: string; at: Date; reason: string }, tx: Db): Promise<void> {
      await tx
        .update(studySessions)
        .set({ flaggedAt: q.at, flagReason: q.reason })
        .where(and(eq(studySessions.id, q.id), isNull(studySessions.flaggedAt)));
    },
    async userName(id: string, tx: Db = db): Promise<string> {
      const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, id));
      return row?.name ?? '';
    },

    // ---- views ----
    async openView(sessionId: string, tx: Db = db): Promise<StudyViewRow | undefined> {
      const [row] = await tx
        .select()
        .from(studyViews)
        .where(and(eq(studyViews.sessionId, sessionId), isNull(studyViews.finishedAt), isNull(studyViews.abandonedAt)))
        .orderBy(desc(studyViews.startedAt))
        .limit(1);
      return row;
    },
    async abandonOpenViews(sessionId: string, at: Date, tx: Db): Promise<void> {
      await tx
        .update(studyViews)
        .set({ abandonedAt: at })
        .where(and(eq(studyViews.sessionId, sessionId), isNull(studyViews.finishedAt), isNull(studyViews.abandonedAt)));
    },
    async createView(v: Pick<StudyViewRow, 'sessionId' | 'userId' | 'screenId' | 'itemId' | 'startedAt'>, tx: Db): Promise<StudyViewRow> {
      const [row] = await tx.insert(studyViews).values(v).returning();
      return row!;
    },
    async getView(id: string, tx: Db = db): Promise<StudyViewRow | undefined> {
      const [row] = await tx.select().from(studyViews).where(eq(studyViews.id, id));
      return row;
    },
    /** Finishes an open view; undefined when it was already finished or abandoned. */
    async finishView(q: { id: string; at: Date; dwellMs: number }, tx: Db): Promise<StudyViewRow | undefined> {
      const [row] = await tx
        .update(studyViews)
        .set({ finishedAt: q.at, dwellMs: q.dwellMs })
        .where(and(eq(studyViews.id, q.id), isNull(studyViews.finishedAt), isNull(studyViews.abandonedAt)))
        .returning();
      return row;
    },
    /** The session's last `n` finished dwell times, newest first. */
    async recentDwells(sessionId: string, n: number, tx: Db = db): Promise<number[]> {
      const rows = await tx
        .select({ dwellMs: studyViews.dwellMs })
        .from(studyViews)
        .where(and(eq(studyViews.sessionId, sessionId), isNotNull(studyViews.finishedAt)))
        .orderBy(desc(studyViews.finishedAt), desc(studyViews.startedAt))
        .limit(n);
      return rows.map((r) => r.dwellMs ?? 0);
    },
    /** Tasks started (views and quiz attempts) since an instant, by a reader or on a screen. */
    async tasksStartedSince(q: { userId?: string; screenId?: string; since: Date }, tx: Db = db): Promise<number> {
      const [v] = await tx
        .select({ n: count() })
        .from(studyViews)
        .where(
          and(
            q.userId ? eq(studyViews.userId, q.userId) : undefined,
            q.screenId ? eq(studyViews.screenId, q.screenId) : undefined,
            gte(studyViews.startedAt, q.since),
          ),
        );
      const [a] = await tx
        .select({ n: count() })
        .from(studyQuizAttempts)
        .where(
          and(
            q.userId ? eq(studyQuizAttempts.userId, q.userId) : undefined,
            q.screenId ? eq(studyQuizAttempts.screenId, q.screenId) : undefined,
            gte(studyQuizAttempts.createdAt, q.since),
          ),
        );
      return (v?.n ?? 0) + (a?.n ?? 0);
    },

    // ---- quiz attempts ----
    async createAttempt(a: Omit<StudyQuizAttemptRow, 'id' | 'submittedAt' | 'score'>, tx: Db = db): Promise<StudyQuizAttemptRow> {
      const [row] = await tx.insert(studyQuizAttempts).values(a).returning();
      return row!;
    },
    async getAttempt(id: string, tx: Db = db): Promise<StudyQuizAttemptRow | undefined> {
      const [row] = await tx.select().from(studyQuizAttempts).where(eq(studyQuizAttempts.id, id));
      return row;
    },
    /** Marks an attempt answered, once and before it expires; undefined otherwise. */
    async submitAttempt(q: { id: string; at: Date; score: number }, tx: Db): Promise<StudyQuizAttemptRow | undefined> {
      const [row] = await tx
        .update(studyQuizAttempts)
        .set({ submittedAt: q.at, score: q.score })
        .where(and(eq(studyQuizAttempts.id, q.id), isNull(studyQuizAttempts.submittedAt), gt(studyQuizAttempts.expiresAt, q.at)))
        .returning();
      return row;
    },
    /** The reader's other attempts at the same quiz answered since an instant. */
    async otherSubmittedAttempts(q: { userId: string; taskKey: string; since: Date; exceptId: string }, tx: Db): Promise<number> {
      const [r] = await tx
        .select({ n: count() })
        .from(studyQuizAttempts)
        .where(
          and(
            eq(studyQuizAttempts.userId, q.userId),
            eq(studyQuizAttempts.taskKey, q.taskKey),
            gte(studyQuizAttempts.submittedAt, q.since),
            ne(studyQuizAttempts.id, q.exceptId),
          ),
        );
      return r?.n ?? 0;
    },

    // ---- completions and points ----
    /** Records a task done in a session; undefined when it was already done there. */
    async createCompletion(c: NewCompletion, tx: Db): Promise<StudyCompletionRow | undefined> {
      const [row] = await tx.insert(studyCompletions).values(c).onConflictDoNothing().returning();
      return row;
    },
    /** Serialises a reader's awards (the daily cap is read, then written). */
    async lockUserPoints(userId: string, tx: Db): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`paike:study-points:${userId}`}, 0))`);
    },
    async pointsOnDay(userId: string, day: string, tx: Db = db): Promise<number> {
      const [r] = await tx
        .select({ n: sql<number>`coalesce(sum(${studyPoints.points}), 0)::int` })
        .from(studyPoints)
        .where(and(eq(studyPoints.userId, userId), eq(studyPoints.awardDay, day)));
      return r?.n ?? 0;
    },
    async alreadyAwarded(q: { userId: string; sessionId: string; taskKey: string; day: string }, tx: Db): Promise<boolean> {
      const [r] = await tx
        .select({ n: count() })
        .from(studyPoints)
        .where(
          and(
            eq(studyPoints.userId, q.userId),
            eq(studyPoints.taskKey, q.taskKey),
            sql`(${studyPoints.sessionId} = ${q.sessionId} OR ${studyPoints.awardDay} = ${q.day})`,
          ),
        );
      return (r?.n ?? 0) > 0;
    },
    async createPoints(
      p: { userId: string; sessionId: string; collectionId: string; taskKey: string; points: number; awardDay: string; createdAt: Date },
      tx: Db,
    ): Promise<boolean> {
      const rows = await tx.insert(studyPoints).values(p).onConflictDoNothing().returning({ id: studyPoints.id });
      return rows.length > 0;
    },

    // ---- the personal record ----
    async recordOf(userId: string, tx: Db = db) {
      const done = await tx
        .select({
          collectionId: studyCompletions.collectionId,
          tasksDone: sql<number>`count(DISTINCT ${studyCompletions.taskKey})::int`,
          lastAt: sql<Date>`max(${studyCompletions.completedAt})`,
        })
        .from(studyCompletions)
        .where(eq(studyCompletions.userId, userId))
        .groupBy(studyCompletions.collectionId);
      const points = await tx
        .select({ collectionId: studyPoints.collectionId, points: sql<number>`sum(${studyPoints.points})::int` })
        .from(studyPoints)
        .where(eq(studyPoints.userId, userId))
        .groupBy(studyPoints.collectionId);
      const quizzes = await tx
        .select({
          collectionId: studyQuizAttempts.collectionId,
          itemId: studyQuizAttempts.itemId,
          score: studyQuizAttempts.score,
          total: studyQuizAttempts.total,
          submittedAt: studyQuizAttempts.submittedAt,
        })
        .from(studyQuizAttempts)
        .where(and(eq(studyQuizAttempts.userId, userId), isNotNull(studyQuizAttempts.submittedAt)))
        .orderBy(desc(studyQuizAttempts.submittedAt))
        .limit(500);
      return { done, points, quizzes };
    },
    async pointsTotal(userId: string, tx: Db = db): Promise<number> {
      const [r] = await tx
        .select({ n: sql<number>`coalesce(sum(${studyPoints.points}), 0)::int` })
        .from(studyPoints)
        .where(eq(studyPoints.userId, userId));
      return r?.n ?? 0;
    },

    // ---- staff: a collection's progress, counts only ----
    async progressOf(collectionId: string, tx: Db = db) {
      const [readers] = await tx
        .select({ n: sql<number>`count(DISTINCT ${studyCompletions.userId})::int` })
        .from(studyCompletions)
        .where(eq(studyCompletions.collectionId, collectionId));
      const byTask = await tx
        .select({ taskKey: studyCompletions.taskKey, readers: sql<number>`count(DISTINCT ${studyCompletions.userId})::int` })
        .from(studyCompletions)
        .where(eq(studyCompletions.collectionId, collectionId))
        .groupBy(studyCompletions.taskKey);
      const [quiz] = await tx
        .select({
          submitted: count(),
          avg: sql<number | null>`avg(${studyQuizAttempts.score}::float8 / nullif(${studyQuizAttempts.total}, 0))`,
        })
        .from(studyQuizAttempts)
        .where(and(eq(studyQuizAttempts.collectionId, collectionId), isNotNull(studyQuizAttempts.submittedAt)));
      const [points] = await tx
        .select({ n: sql<number>`coalesce(sum(${studyPoints.points}), 0)::int` })
        .from(studyPoints)
        .where(eq(studyPoints.collectionId, collectionId));
      const [flagged] = await tx
        .select({ n: sql<number>`count(DISTINCT ${studySessions.id})::int` })
        .from(studySessions)
        .innerJoin(studyCompletions, eq(studyCompletions.sessionId, studySessions.id))
        .where(and(eq(studyCompletions.collectionId, collectionId), isNotNull(studySessions.flaggedAt)));
      return {
        readers: readers?.n ?? 0,
        byTask,
        quizSubmitted: quiz?.submitted ?? 0,
        quizAverage: quiz?.avg === null || quiz?.avg === undefined ? null : Number(quiz.avg),
        pointsAwarded: points?.n ?? 0,
        flaggedSessions: flagged?.n ?? 0,
      };
    },
  };
}
export type StudyRepository = ReturnType<typeof createStudyRepository>;
