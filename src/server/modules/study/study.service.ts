import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  STUDY_LIMITS,
  type AdminCollection,
  type AdminItem,
  type AdminQuestion,
  type CollectionProgress,
  type CreateCollectionBody,
  type CreateItemBody,
  type CreateQuestionBody,
  type MyStudy,
  type NoPointsReason,
  type PointsOutcome,
  type QuizAnswersBody,
  type QuizAttempt,
  type QuizResult,
  type SignInPollReply,
  type StudyCollectionDetail,
  type StudyCollectionSummary,
  type StudyItem,
  type StudyItemKind,
  type StudySession,
  type UpdateCollectionBody,
  type UpdateItemBody,
  type UpdateQuestionBody,
} from '../../../contracts/study.js';
import type { Db } from '../../db/client.js';
import type { StudyCollectionRow, StudyItemRow, StudyQuestionRow, StudySessionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { startOfDayShanghai } from '../../lib/time.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { StudyRepository } from './study.repository.js';
import { drawQuiz, isRight, looksScripted, shanghaiDay, taskKeys } from './study.rules.js';

export interface StudyDeps {
  db: Db;
  repo: StudyRepository;
  audit: AuditRepository;
  clock: Clock;
  /** The kiosk screen a device key opens (the fleet's `screenFor`: 401 `kiosk.key_invalid` otherwise). */
  screenFor: (key: string | undefined) => Promise<{ id: string; name: string }>;
  publicUrl: () => string;
}

/** Who is calling a study-session route: the token, and the kiosk key or the web session beside it. */
export interface SessionCredentials {
  token: string | undefined;
  kioskKey: string | undefined;
  user: Actor | null;
  authSessionId: string | null;
}

const MINUTE = 60_000;
const IDLE_MS = STUDY_LIMITS.sessionIdleMinutes * MINUTE;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newSecret = () => randomBytes(24).toString('base64url');

const taskOf = (kind: StudyItemKind): 'read' | 'watch' => (kind === 'video' ? 'watch' : 'read');
const refIdOf = (i: StudyItemRow) => (i.storyId ?? i.submissionId ?? i.lendingTitleId)!;

function refOf(i: StudyItemRow) {
  const id = refIdOf(i);
  if (i.kind === 'article') return { kind: i.kind, id, apiUrl: `/api/site/stories/${id}`, pageUrl: `/stories/${id}` };
  if (i.kind === 'video') return { kind: i.kind, id, apiUrl: `/api/videos/${id}`, pageUrl: `/v/${id}` };
  return { kind: i.kind, id, apiUrl: `/api/lending/titles/${id}`, pageUrl: null };
}

function presentItem(i: StudyItemRow, questions: StudyQuestionRow[]): StudyItem {
  return {
    id: i.id,
    kind: i.kind,
    title: i.title,
    position: i.position,
    task: taskOf(i.kind),
    minDwellSeconds: i.minDwellSeconds,
    quizQuestions: questions.filter((q) => q.itemId === i.id).length,
    ref: refOf(i),
  };
}

/** The tasks a collection holds now: a read or watch per item, and one per quiz with questions. */
function tasksOf(c: Pick<StudyCollectionRow, 'id'>, items: StudyItemRow[], questions: StudyQuestionRow[]) {
  const tasks: { taskKey: string; task: 'read' | 'watch' | 'quiz'; itemId: string | null; title: string }[] = [];
  for (const i of items) {
    tasks.push({ taskKey: taskKeys.view(taskOf(i.kind), i.id), task: taskOf(i.kind), itemId: i.id, title: i.title });
    if (questions.some((q) => q.itemId === i.id))
      tasks.push({ taskKey: taskKeys.quiz({ collectionId: c.id, itemId: i.id }), task: 'quiz', itemId: i.id, title: i.title });
  }
  if (questions.some((q) => q.itemId === null))
    tasks.push({ taskKey: taskKeys.quiz({ collectionId: c.id, itemId: null }), task: 'quiz', itemId: null, title: '' });
  return tasks;
}

function presentSummary(c: StudyCollectionRow, items: StudyItemRow[], questions: StudyQuestionRow[]): StudyCollectionSummary {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    pointsEnabled: c.pointsEnabled,
    pointsPerTask: c.pointsPerTask,
    items: items.length,
    tasks: tasksOf(c, items, questions).length,
    publishedAt: c.publishedAt?.toISOString() ?? null,
  };
}

function presentQuestion(q: StudyQuestionRow): AdminQuestion {
  return {
    id: q.id,
    collectionId: q.collectionId,
    itemId: q.itemId,
    prompt: q.prompt,
    options: q.options,
    correct: q.correct,
    explanation: q.explanation,
    position: q.position,
  };
}

const presentAdminItem = (i: StudyItemRow, questions: StudyQuestionRow[]): AdminItem => ({
  ...presentItem(i, questions),
  collectionId: i.collectionId,
  createdAt: i.createdAt.toISOString(),
});

/** The right indexes must name options, once each. */
function checkQuestion(q: { options: string[]; correct: number[] }) {
  if (new Set(q.correct).size !== q.correct.length || q.correct.some((i) => i >= q.options.length))
    throw new AppError('study.question_invalid', { detail: 'correct' });
}

/**
 * Political study (docs/study.md). Staff curate; readers study in sessions. Every rule that
 * stands between a script and the points is here and measured on the server's clock: a task
 * is a start and a finish at least the item's dwell apart, one at a time per session; a session
 * whose dwell times are too regular stops earning; quizzes are drawn from a server seed under
 * per-attempt option ids, answered once, in time and not too fast; tasks a minute are limited
 * per reader and per kiosk; points are idempotent and capped per reader per day.
 */
export function createStudyService(deps: StudyDeps) {
  const { repo, clock } = deps;

  async function liveCollection(id: string, tx: Db = deps.db): Promise<StudyCollectionRow> {
    const c = await repo.getCollection(id, tx);
    if (!c) throw new AppError('study.collection_not_found');
    return c;
  }
  async function publishedCollection(id: string): Promise<StudyCollectionRow> {
    const c = await repo.getCollection(id);
    if (!c || !c.published) throw new AppError('study.collection_not_found');
    return c;
  }
  async function adminView(id: string): Promise<AdminCollection> {
    const c = await liveCollection(id);
    const [items, questions] = [await repo.itemsOf([id]), await repo.questionsOf([id])];
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      published: c.published,
      publishedAt: c.publishedAt?.toISOString() ?? null,
      pointsEnabled: c.pointsEnabled,
      pointsPerTask: c.pointsPerTask,
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
      items: items.map((i) => presentAdminItem(i, questions)),
      questions: questions.map(presentQuestion),
    };
  }
  /** An item of a live collection, for staff; 404 otherwise. */
  async function staffItem(id: string): Promise<StudyItemRow> {
    const i = await repo.getItem(id);
    if (!i || !(await repo.getCollection(i.collectionId))) throw new AppError('study.item_not_found');
    return i;
  }
  async function staffQuestion(id: string): Promise<StudyQuestionRow> {
    const q = await repo.getQuestion(id);
    if (!q || !(await repo.getCollection(q.collectionId))) throw new AppError('study.question_not_found');
    return q;
  }
  async function audit(e: { actor: Actor; action: string; objectId: string; data: Record<string, unknown> }, tx: Db) {
    await deps.audit.create({ actorId: e.actor.id, action: e.action, objectType: 'study_collection', objectId: e.objectId, data: e.data }, tx);
  }

  async function refTitle(kind: StudyItemKind, refId: string): Promise<string> {
    const title =
      kind === 'article' ? await repo.publishedStoryTitle(refId) : kind === 'video' ? await repo.adoptedVideoTitle(refId) : await repo.listedPdfTitle(refId);
    if (title === undefined) throw new AppError('study.ref_unusable', { kind });
    return title;
  }

  // ---- sessions ----
  function presentSession(s: StudySessionRow, token: string, name: string): StudySession {
    return {
      id: s.id,
      token,
      kind: s.screenId ? 'kiosk' : 'phone',
      expiresAt: new Date(s.lastSeenAt.getTime() + IDLE_MS).toISOString(),
      idleMinutes: STUDY_LIMITS.sessionIdleMinutes,
      user: { id: s.userId, name },
    };
  }

  /**
   * The session a request acts in: its token, unexpired and not ended, presented from the kiosk
   * it is bound to (that kiosk's key) or the web session that opened it. Each use moves the
   * idle timeout on.
   */
  async function sessionFor(cred: SessionCredentials): Promise<StudySessionRow> {
    const now = clock.now();
    if (!cred.token) throw new AppError('study.session_invalid');
    const s = await repo.getSessionByToken(sha256(cred.token));
    if (!s || s.endedAt || s.lastSeenAt.getTime() + IDLE_MS <= now.getTime()) throw new AppError('study.session_invalid');
    if (s.screenId) {
      const screen = await deps.screenFor(cred.kioskKey);
      if (screen.id !== s.screenId) throw new AppError('study.session_invalid');
    } else if (!cred.user || cred.user.id !== s.userId || !cred.authSessionId || cred.authSessionId !== s.authSessionId) {
      throw new AppError('study.session_invalid');
    }
    await repo.touchSession(s.id, now);
    return { ...s, lastSeenAt: now };
  }

  /** Tasks started in the last minute, per reader and per kiosk. */
  async function assertRate(s: StudySessionRow, now: Date) {
    const since = new Date(now.getTime() - MINUTE);
    const byUser = await repo.tasksStartedSince({ userId: s.userId, since });
    const byScreen = s.screenId ? await repo.tasksStartedSince({ screenId: s.screenId, since }) : 0;
    if (byUser >= STUDY_LIMITS.tasksPerMinutePerUser || byScreen >= STUDY_LIMITS.tasksPerMinutePerScreen)
      throw new AppError('study.too_many_tasks', { seconds: 60 });
  }

  /**
   * Awards a task's points, inside the caller's transaction: only where the collection gives
   * points, the session is not flagged, the task has not paid in this session or today, and
   * within the reader's daily cap (the last award of a day is cut to what the cap leaves).
   */
  async function award(
    q: { session: StudySessionRow; collection: StudyCollectionRow; taskKey: string; now: Date; refuse?: NoPointsReason | null },
    tx: Db,
  ): Promise<PointsOutcome> {
    const day = shanghaiDay(q.now);
    await repo.lockUserPoints(q.session.userId, tx);
    const today = await repo.pointsOnDay(q.session.userId, day, tx);
    const none = (reason: NoPointsReason): PointsOutcome => ({ awarded: 0, reason, pointsToday: today });
    if (!q.collection.pointsEnabled || q.collection.pointsPerTask <= 0) return none('points_off');
    if (q.refuse) return none(q.refuse);
    if (q.session.flaggedAt) return none('session_flagged');
    if (await repo.alreadyAwarded({ userId: q.session.userId, sessionId: q.session.id, taskKey: q.taskKey, day }, tx)) return none('already_awarded');
    const points = Math.min(q.collection.pointsPerTask, STUDY_LIMITS.dailyPointsCap - today);
    if (points <= 0) return none('daily_cap');
    const made = await repo.createPoints(
      { userId: q.session.userId, sessionId: q.session.id, collectionId: q.collection.id, taskKey: q.taskKey, points, awardDay: day, createdAt: q.now },
      tx,
    );
    if (!made) return none('already_awarded');
    return { awarded: points, reason: null, pointsToday: today + points };
  }

  return {
    // ---- staff: collections, items, questions ----
    async adminList(actor: Actor) {
      assertCan(actor, 'study.manage');
      const rows = await repo.listCollections({ publishedOnly: false });
      const ids = rows.map((c) => c.id);
      const [items, questions] = [await repo.itemsOf(ids), await repo.questionsOf(ids)];
      return rows.map((c) => ({
        id: c.id,
        title: c.title,
        published: c.published,
        publishedAt: c.publishedAt?.toISOString() ?? null,
        pointsEnabled: c.pointsEnabled,
        pointsPerTask: c.pointsPerTask,
        items: items.filter((i) => i.collectionId === c.id).length,
        questions: questions.filter((q) => q.collectionId === c.id).length,
        updatedAt: c.updatedAt.toISOString(),
      }));
    },
    async adminGet(actor: Actor, id: string): Promise<AdminCollection> {
      assertCan(actor, 'study.manage');
      return adminView(id);
    },
    async createCollection(actor: Actor, body: CreateCollectionBody): Promise<AdminCollection> {
      assertCan(actor, 'study.manage');
      const c = await deps.db.transaction(async (tx) => {
        const row = await repo.createCollection(
          {
            title: body.title,
            description: body.description ?? '',
            pointsEnabled: body.pointsEnabled ?? false,
            pointsPerTask: body.pointsPerTask ?? 1,
            createdBy: actor.id,
          },
          tx,
        );
        await audit({ actor, action: 'study.collection_create', objectId: row.id, data: { title: row.title, pointsEnabled: row.pointsEnabled } }, tx);
        return row;
      });
      return adminView(c.id);
    },
    /** Changes only what is sent; publishing needs an item, and is audited as its own action. */
    async updateCollection(actor: Actor, id: string, patch: UpdateCollectionBody): Promise<AdminCollection> {
      assertCan(actor, 'study.manage');
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        const before = await liveCollection(id, tx);
        const { published, ...fields } = patch;
        const flip = published !== undefined && published !== before.published;
        if (flip && published && (await repo.itemsOf([id], tx)).length === 0) throw new AppError('study.collection_empty');
        await repo.updateCollection(id, { ...fields, ...(flip ? { published, publishedAt: published ? now : before.publishedAt } : {}), updatedAt: now }, tx);
        if (Object.keys(fields).length > 0) await audit({ actor, action: 'study.collection_update', objectId: id, data: { ...fields } }, tx);
        if (flip) await audit({ actor, action: published ? 'study.publish' : 'study.unpublish', objectId: id, data: { title: before.title } }, tx);
      });
      return adminView(id);
    },
    /** Hidden from everyone, readers' records and points kept. */
    async deleteCollection(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'study.manage');
      await deps.db.transaction(async (tx) => {
        const row = await repo.deleteCollection(id, clock.now(), tx);
        if (!row) throw new AppError('study.collection_not_found');
        await audit({ actor, action: 'study.collection_delete', objectId: id, data: { title: row.title } }, tx);
      });
    },
    async createItem(actor: Actor, collectionId: string, body: CreateItemBody): Promise<AdminItem> {
      assertCan(actor, 'study.manage');
      await liveCollection(collectionId);
      const refTitleText = await refTitle(body.kind, body.refId);
      const item = await deps.db.transaction(async (tx) => {
        const row = await repo.createItem(
          {
            collectionId,
            kind: body.kind,
            storyId: body.kind === 'article' ? body.refId : null,
            submissionId: body.kind === 'video' ? body.refId : null,
            lendingTitleId: body.kind === 'pdf' ? body.refId : null,
            title: (body.title ?? refTitleText).slice(0, 500) || body.kind,
            position: body.position ?? (await repo.itemsOf([collectionId], tx)).length,
            minDwellSeconds: body.minDwellSeconds ?? STUDY_LIMITS.defaultMinDwellSeconds,
          },
          tx,
        );
        await repo.updateCollection(collectionId, { updatedAt: clock.now() }, tx);
        await audit(
          { actor, action: 'study.item_create', objectId: collectionId, data: { itemId: row.id, kind: row.kind, refId: body.refId, title: row.title } },
          tx,
        );
        return row;
      });
      return presentAdminItem(item, []);
    },
    async updateItem(actor: Actor, id: string, patch: UpdateItemBody): Promise<AdminItem> {
      assertCan(actor, 'study.manage');
      const before = await staffItem(id);
      if (Object.keys(patch).length === 0) return presentAdminItem(before, await repo.questionsOf([before.collectionId]));
      const row = await deps.db.transaction(async (tx) => {
        const r = await repo.updateItem(id, patch, tx);
        await audit({ actor, action: 'study.item_update', objectId: before.collectionId, data: { itemId: id, ...patch } }, tx);
        return r!;
      });
      return presentAdminItem(row, await repo.questionsOf([row.collectionId]));
    },
    /** Its quiz questions go with it; readers' completions of it stay in their records. */
    async deleteItem(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'study.manage');
      const before = await staffItem(id);
      await deps.db.transaction(async (tx) => {
        await repo.deleteItem(id, tx);
        await audit({ actor, action: 'study.item_delete', objectId: before.collectionId, data: { itemId: id, title: before.title } }, tx);
      });
    },
    async createQuestion(actor: Actor, collectionId: string, body: CreateQuestionBody): Promise<AdminQuestion> {
      assertCan(actor, 'study.manage');
      await liveCollection(collectionId);
      checkQuestion(body);
      if (body.itemId) {
        const item = await repo.getItem(body.itemId);
        if (!item || item.collectionId !== collectionId) throw new AppError('study.question_invalid', { detail: 'itemId' });
      }
      const row = await deps.db.transaction(async (tx) => {
        const r = await repo.createQuestion(
          {
            collectionId,
            itemId: body.itemId ?? null,
            prompt: body.prompt,
            options: body.options,
            correct: body.correct,
            explanation: body.explanation ?? '',
            position: body.position ?? 0,
          },
          tx,
        );
        await audit({ actor, action: 'study.question_create', objectId: collectionId, data: { questionId: r.id, itemId: r.itemId } }, tx);
        return r;
      });
      return presentQuestion(row);
    },
    async updateQuestion(actor: Actor, id: string, patch: UpdateQuestionBody): Promise<AdminQuestion> {
      assertCan(actor, 'study.manage');
      const before = await staffQuestion(id);
      checkQuestion({ options: patch.options ?? before.options, correct: patch.correct ?? before.correct });
      if (Object.keys(patch).length === 0) return presentQuestion(before);
      const row = await deps.db.transaction(async (tx) => {
        const r = await repo.updateQuestion(id, patch, tx);
        await audit({ actor, action: 'study.question_update', objectId: before.collectionId, data: { questionId: id, fields: Object.keys(patch) } }, tx);
        return r!;
      });
      return presentQuestion(row);
    },
    async deleteQuestion(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'study.manage');
      const before = await staffQuestion(id);
      await deps.db.transaction(async (tx) => {
        await repo.deleteQuestion(id, tx);
        await audit({ actor, action: 'study.question_delete', objectId: before.collectionId, data: { questionId: id } }, tx);
      });
    },
    /** Counts only: how many readers did what; nobody's own record. */
    async progress(actor: Actor, id: string): Promise<CollectionProgress> {
      assertCan(actor, 'study.manage');
      const c = await liveCollection(id);
      const [items, questions, p] = [await repo.itemsOf([id]), await repo.questionsOf([id]), await repo.progressOf(id)];
      const byTask = new Map(p.byTask.map((t) => [t.taskKey, t.readers]));
      return {
        collectionId: id,
        readers: p.readers,
        tasks: tasksOf(c, items, questions).map((t) => ({ ...t, readers: byTask.get(t.taskKey) ?? 0 })),
        quizzes: { submitted: p.quizSubmitted, averageScoreRatio: p.quizAverage === null ? null : Math.round(p.quizAverage * 1000) / 1000 },
        pointsAwarded: p.pointsAwarded,
        flaggedSessions: p.flaggedSessions,
      };
    },

    // ---- public reads (kiosk and phone): never the right answers ----
    async listPublished(): Promise<StudyCollectionSummary[]> {
      const rows = await repo.listCollections({ publishedOnly: true });
      const ids = rows.map((c) => c.id);
      const [items, questions] = [await repo.itemsOf(ids), await repo.questionsOf(ids)];
      return rows.map((c) =>
        presentSummary(
          c,
          items.filter((i) => i.collectionId === c.id),
          questions.filter((q) => q.collectionId === c.id),
        ),
      );
    },
    async getPublished(id: string): Promise<StudyCollectionDetail> {
      const c = await publishedCollection(id);
      const [items, questions] = [await repo.itemsOf([id]), await repo.questionsOf([id])];
      return {
        ...presentSummary(c, items, questions),
        itemCount: items.length,
        items: items.map((i) => presentItem(i, questions)),
        quizQuestions: questions.filter((q) => q.itemId === null).length,
      };
    },

    // ---- kiosk sign-in by QR ----
    /** The kiosk shows `url` as a QR code and polls with `secret`. */
    async startSignIn(kioskKey: string | undefined) {
      const screen = await deps.screenFor(kioskKey);
      const now = clock.now();
      const nonce = newSecret();
      const secret = newSecret();
      const expiresAt = new Date(now.getTime() + STUDY_LIMITS.signInSeconds * 1000);
      const row = await repo.createSignIn({ screenId: screen.id, nonceHash: sha256(nonce), secretHash: sha256(secret), createdAt: now, expiresAt });
      return {
        id: row.id,
        secret,
        nonce,
        url: `${deps.publicUrl().replace(/\/$/, '')}/study/sign-in/${nonce}`,
        expiresAt: expiresAt.toISOString(),
        pollSeconds: STUDY_LIMITS.signInPollSeconds,
      };
    },

    /**
     * The kiosk's poll. The first poll after the phone confirmed claims the sign-in and gets
     * the session's token; every later poll gets `used`: one session per scan.
     */
    async pollSignIn(q: { kioskKey: string | undefined; id: string; secret: string | undefined }): Promise<SignInPollReply> {
      const screen = await deps.screenFor(q.kioskKey);
      const now = clock.now();
      const row = await repo.getSignIn(q.id);
      if (!row || row.screenId !== screen.id) throw new AppError('study.sign_in_not_found');
      const given = Buffer.from(sha256(q.secret ?? ''), 'hex');
      if (!timingSafeEqual(given, Buffer.from(row.secretHash, 'hex'))) throw new AppError('study.sign_in_secret_invalid');
      if (row.claimedAt) return { status: 'used' };
      if (!row.confirmedAt) return row.expiresAt <= now ? { status: 'expired' } : { status: 'waiting', expiresAt: row.expiresAt.toISOString() };
      // A confirmation the kiosk never picked up does not wait forever.
      if (row.confirmedAt.getTime() + STUDY_LIMITS.signInSeconds * 1000 <= now.getTime()) return { status: 'expired' };
      const token = newSecret();
      const session = await deps.db.transaction(async (tx) => {
        if (!(await repo.claimSignIn({ id: row.id, at: now }, tx))) return null;
        await repo.endScreenSessions(screen.id, now, tx);
        return repo.createSession(
          { userId: row.confirmedBy!, screenId: screen.id, authSessionId: null, signInId: row.id, tokenHash: sha256(token), createdAt: now, lastSeenAt: now },
          tx,
        );
      });
      if (!session) return { status: 'used' };
      return { status: 'signed_in', session: presentSession(session, token, await repo.userName(session.userId)) };
    },

    /** What the phone is about to confirm: which kiosk, and whether it still can. */
    async signInInfo(nonce: string) {
      const row = await repo.getSignInByNonce(sha256(nonce));
      if (!row) throw new AppError('study.sign_in_not_found');
      const now = clock.now();
      const status = row.confirmedAt ? ('confirmed' as const) : row.expiresAt <= now ? ('expired' as const) : ('waiting' as const);
      return { screen: { name: row.screenName }, status, expiresAt: row.expiresAt.toISOString() };
    },

    /** The signed-in phone confirms the kiosk's QR: once, before it expires. */
    async confirmSignIn(actor: Actor, nonce: string) {
      const row = await repo.getSignInByNonce(sha256(nonce));
      if (!row) throw new AppError('study.sign_in_not_found');
      const now = clock.now();
      if (row.confirmedAt) throw new AppError('study.sign_in_used');
      if (row.expiresAt <= now) throw new AppError('study.sign_in_expired');
      const done = await repo.confirmSignIn({ id: row.id, userId: actor.id, at: now });
      if (!done) {
        const again = await repo.getSignIn(row.id);
        throw new AppError(again?.confirmedAt ? 'study.sign_in_used' : 'study.sign_in_expired');
      }
      return { screen: { name: row.screenName }, status: 'confirmed' as const, expiresAt: row.expiresAt.toISOString() };
    },

    /** The phone studies on its own: a session bound to this web session. */
    async startPhoneSession(actor: Actor, authSessionId: string | null): Promise<StudySession> {
      if (!authSessionId) throw new AppError('auth.required');
      const now = clock.now();
      const token = newSecret();
      const s = await repo.createSession({
        userId: actor.id,
        screenId: null,
        authSessionId,
        signInId: null,
        tokenHash: sha256(token),
        createdAt: now,
        lastSeenAt: now,
      });
      return presentSession(s, token, await repo.userName(actor.id));
    },

    // ---- in a study session ----
    async sessionStatus(cred: SessionCredentials) {
      const s = await sessionFor(cred);
      const view = await repo.openView(s.id);
      return {
        id: s.id,
        kind: s.screenId ? ('kiosk' as const) : ('phone' as const),
        expiresAt: new Date(s.lastSeenAt.getTime() + IDLE_MS).toISOString(),
        user: { id: s.userId, name: await repo.userName(s.userId) },
        pointsToday: await repo.pointsOnDay(s.userId, shanghaiDay(clock.now())),
        dailyPointsCap: STUDY_LIMITS.dailyPointsCap,
        pointsPaused: !!s.flaggedAt,
        openView: view ? { id: view.id, itemId: view.itemId, startedAt: view.startedAt.toISOString() } : null,
      };
    },
    async endSession(cred: SessionCredentials): Promise<void> {
      const s = await sessionFor(cred);
      await repo.endSession(s.id, clock.now());
    },

    /** Starts reading or watching an item; any other open view of the session ends unfinished. */
    async startView(cred: SessionCredentials, itemId: string) {
      const s = await sessionFor(cred);
      const now = clock.now();
      const item = await repo.getItem(itemId);
      if (!item) throw new AppError('study.item_not_found');
      await publishedCollection(item.collectionId).catch(() => {
        throw new AppError('study.item_not_found');
      });
      await assertRate(s, now);
      const view = await deps.db.transaction(async (tx) => {
        await repo.abandonOpenViews(s.id, now, tx);
        return repo.createView({ sessionId: s.id, userId: s.userId, screenId: s.screenId, itemId, startedAt: now }, tx);
      });
      return {
        viewId: view.id,
        itemId,
        task: taskOf(item.kind),
        startedAt: now.toISOString(),
        finishableAt: new Date(now.getTime() + item.minDwellSeconds * 1000).toISOString(),
        minDwellSeconds: item.minDwellSeconds,
      };
    },

    /**
     * Finishes a view: done when the server measured at least the item's dwell. Too early is
     * refused and the view stays open. The regularity rule runs before the points.
     */
    async finishView(cred: SessionCredentials, viewId: string) {
      const s = await sessionFor(cred);
      const now = clock.now();
      const view = await repo.getView(viewId);
      if (!view || view.sessionId !== s.id) throw new AppError('study.view_not_found');
      if (view.finishedAt || view.abandonedAt) throw new AppError('study.view_closed');
      const item = await repo.getItem(view.itemId);
      if (!item) throw new AppError('study.item_not_found');
      const collection = await liveCollection(item.collectionId);
      const dwellMs = now.getTime() - view.startedAt.getTime();
      if (dwellMs < item.minDwellSeconds * 1000)
        throw new AppError(
          'study.dwell_too_short',
          { seconds: item.minDwellSeconds },
          {
            details: {
              minDwellSeconds: item.minDwellSeconds,
              dwellSeconds: dwellMs / 1000,
              finishableAt: new Date(view.startedAt.getTime() + item.minDwellSeconds * 1000).toISOString(),
            },
          },
        );
      const task = taskOf(item.kind);
      const taskKey = taskKeys.view(task, item.id);
      return deps.db.transaction(async (tx) => {
        if (!(await repo.finishView({ id: viewId, at: now, dwellMs }, tx))) throw new AppError('study.view_closed');
        let session = s;
        if (!s.flaggedAt && looksScripted(await repo.recentDwells(s.id, STUDY_LIMITS.regularityWindow, tx))) {
          await repo.flagSession({ id: s.id, at: now, reason: 'regular_dwell' }, tx);
          session = { ...s, flaggedAt: now, flagReason: 'regular_dwell' };
        }
        const done = await repo.createCompletion(
          {
            sessionId: s.id,
            userId: s.userId,
            collectionId: collection.id,
            itemId: item.id,
            task,
            taskKey,
            completedAt: now,
            dwellMs,
            score: null,
            total: null,
          },
          tx,
        );
        const points = await award({ session, collection, taskKey, now, refuse: done ? null : 'already_awarded' }, tx);
        return { viewId, itemId: item.id, task, dwellSeconds: dwellMs / 1000, firstInSession: !!done, points };
      });
    },

    /** A fresh attempt: questions and options in an order drawn from a new server seed. */
    async startQuiz(cred: SessionCredentials, q: { collectionId: string; itemId?: string | null }): Promise<QuizAttempt> {
      const s = await sessionFor(cred);
      const now = clock.now();
      const collection = await publishedCollection(q.collectionId);
      const itemId = q.itemId ?? null;
      if (itemId) {
        const item = await repo.getItem(itemId);
        if (!item || item.collectionId !== collection.id) throw new AppError('study.item_not_found');
      }
      const questions = await repo.quizQuestions({ collectionId: collection.id, itemId });
      if (questions.length === 0) throw new AppError('study.quiz_none');
      await assertRate(s, now);
      const seed = randomBytes(32).toString('hex');
      const drawn = drawQuiz(seed, questions);
      const expiresAt = new Date(now.getTime() + STUDY_LIMITS.attemptMinutes * MINUTE);
      const attempt = await repo.createAttempt({
        sessionId: s.id,
        userId: s.userId,
        screenId: s.screenId,
        collectionId: collection.id,
        itemId,
        taskKey: taskKeys.quiz({ collectionId: collection.id, itemId }),
        seed,
        drawn,
        createdAt: now,
        expiresAt,
        total: drawn.length,
      });
      const byId = new Map(questions.map((x) => [x.id, x]));
      return {
        attemptId: attempt.id,
        collectionId: collection.id,
        itemId,
        expiresAt: expiresAt.toISOString(),
        questions: drawn.map((d) => {
          const question = byId.get(d.questionId)!;
          return {
            id: d.questionId,
            prompt: question.prompt,
            multiple: d.correctIds.length > 1,
            options: d.optionIds.map((id, k) => ({ id, text: question.options[d.optionIndexes[k]!]! })),
          };
        }),
      };
    },

    /**
     * Answers an attempt, once and before it expires. Scored against the attempt's own option
     * ids; points only for a pass, not answered faster than people read, and the reader's first
     * answered attempt at this quiz today (a failed attempt shows the answers).
     */
    async answerQuiz(cred: SessionCredentials, attemptId: string, body: QuizAnswersBody): Promise<QuizResult> {
      const s = await sessionFor(cred);
      const now = clock.now();
      const attempt = await repo.getAttempt(attemptId);
      if (!attempt || attempt.sessionId !== s.id) throw new AppError('study.attempt_not_found');
      if (attempt.submittedAt) throw new AppError('study.attempt_submitted');
      if (attempt.expiresAt <= now) throw new AppError('study.attempt_expired');
      const drawn = new Map(attempt.drawn.map((d) => [d.questionId, d]));
      const chosen = new Map<string, string[]>();
      for (const a of body.answers) {
        const d = drawn.get(a.questionId);
        if (!d || chosen.has(a.questionId) || a.optionIds.some((id) => !d.optionIds.includes(id))) throw new AppError('study.answer_invalid');
        chosen.set(a.questionId, a.optionIds);
      }
      const results = attempt.drawn.map((d) => ({
        questionId: d.questionId,
        correct: isRight(d, chosen.get(d.questionId) ?? []),
        correctOptionIds: d.correctIds,
        explanation: d.explanation,
      }));
      const score = results.filter((r) => r.correct).length;
      const passed = attempt.total > 0 && score / attempt.total >= STUDY_LIMITS.quizPassRatio;
      const collection = await repo.getCollection(attempt.collectionId, deps.db, true);
      if (!collection) throw new AppError('study.collection_not_found');
      const points = await deps.db.transaction(async (tx) => {
        if (!(await repo.submitAttempt({ id: attempt.id, at: now, score }, tx))) {
          const again = await repo.getAttempt(attempt.id, tx);
          throw new AppError(again?.submittedAt ? 'study.attempt_submitted' : 'study.attempt_expired');
        }
        // A quiz is done once passed (once per session); every attempt's score stays in the attempts.
        if (passed)
          await repo.createCompletion(
            {
              sessionId: s.id,
              userId: s.userId,
              collectionId: attempt.collectionId,
              itemId: attempt.itemId,
              task: 'quiz',
              taskKey: attempt.taskKey,
              completedAt: now,
              dwellMs: now.getTime() - attempt.createdAt.getTime(),
              score,
              total: attempt.total,
            },
            tx,
          );
        const tooFast = now.getTime() - attempt.createdAt.getTime() < attempt.total * STUDY_LIMITS.minAnswerSecondsPerQuestion * 1000;
        const earlier = await repo.otherSubmittedAttempts(
          { userId: s.userId, taskKey: attempt.taskKey, since: startOfDayShanghai(now), exceptId: attempt.id },
          tx,
        );
        const refuse: NoPointsReason | null = tooFast ? 'too_fast' : !passed ? 'not_passed' : earlier > 0 ? 'not_first_attempt' : null;
        return award({ session: s, collection, taskKey: attempt.taskKey, now, refuse }, tx);
      });
      return { attemptId: attempt.id, score, total: attempt.total, passed, results, points };
    },

    // ---- the personal record ----
    async myStudy(actor: Actor): Promise<MyStudy> {
      const now = clock.now();
      const r = await repo.recordOf(actor.id);
      const ids = [...new Set([...r.done.map((d) => d.collectionId), ...r.points.map((p) => p.collectionId), ...r.quizzes.map((q) => q.collectionId)])];
      const collections = await repo.collectionsByIds(ids);
      const [items, questions] = [await repo.itemsOf(ids), await repo.questionsOf(ids)];
      const rows = collections.map((c) => {
        const done = r.done.find((d) => d.collectionId === c.id);
        const last = done?.lastAt ? new Date(done.lastAt) : null;
        return {
          id: c.id,
          title: c.title,
          tasksDone: done?.tasksDone ?? 0,
          tasksTotal: tasksOf(
            c,
            items.filter((i) => i.collectionId === c.id),
            questions.filter((q) => q.collectionId === c.id),
          ).length,
          quizzes: r.quizzes
            .filter((q) => q.collectionId === c.id)
            .map((q) => ({ itemId: q.itemId, score: q.score ?? 0, total: q.total, submittedAt: q.submittedAt!.toISOString() })),
          points: r.points.find((p) => p.collectionId === c.id)?.points ?? 0,
          lastStudiedAt: last ? last.toISOString() : null,
        };
      });
      rows.sort((a, b) => (b.lastStudiedAt ?? '').localeCompare(a.lastStudiedAt ?? ''));
      return {
        pointsToday: await repo.pointsOnDay(actor.id, shanghaiDay(now)),
        pointsTotal: await repo.pointsTotal(actor.id),
        dailyPointsCap: STUDY_LIMITS.dailyPointsCap,
        collections: rows,
      };
    },
  };
}
export type StudyService = ReturnType<typeof createStudyService>;
