import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminCollection, MyStudy, QuizAttempt, StudySession } from '../../../contracts/study.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { pairedScreen } from '../kiosk/testing/screens.js';
import { publishedStory, studyCollection, type QuestionSpec } from './testing/fixtures.js';

// 10:00 in Beijing: the points day runs until 16:00 UTC.
const clock = fixedClock('2026-12-01T02:00:00Z');
const SEC = 1000;

let ctx: TestContext;
let admin: { cookie: string; user: { id: string } };
let kiosk: { id: string; key: string };
let otherKiosk: { id: string; key: string };

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
  kiosk = await pairedScreen(ctx, admin.cookie);
  otherKiosk = await pairedScreen(ctx, admin.cookie);
});
afterAll(() => ctx?.close());

type Who = { cookie: string };
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: Who | null, payload?: object) =>
  ctx.app.inject({ method, url, headers: who ? { cookie: who.cookie } : {}, ...(payload ? { payload } : {}) });

/** A study session's own calls: a kiosk's carry its key, a phone's its cookie. */
interface Studying {
  session: StudySession;
  kioskKey?: string;
  cookie?: string;
}
const inSession = (s: Studying, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({
    method,
    url,
    headers: { 'x-study-token': s.session.token, ...(s.kioskKey ? { 'x-kiosk-key': s.kioskKey } : {}), ...(s.cookie ? { cookie: s.cookie } : {}) },
    ...(payload ? { payload } : {}),
  });

/** The kiosk asks for a QR, the reader's phone confirms it, the kiosk's poll opens the session. */
async function kioskSignIn(reader: Who, screen = kiosk): Promise<Studying> {
  const challenge = (await ctx.app.inject({ method: 'POST', url: '/api/kiosk/study/sign-ins', headers: { 'x-kiosk-key': screen.key } })).json();
  expect((await call('POST', `/api/study/sign-ins/${challenge.nonce}/confirm`, reader)).statusCode).toBe(200);
  const poll = await ctx.app.inject({
    url: `/api/kiosk/study/sign-ins/${challenge.id}`,
    headers: { 'x-kiosk-key': screen.key, 'x-sign-in-secret': challenge.secret },
  });
  expect(poll.json().status).toBe('signed_in');
  return { session: poll.json().session, kioskKey: screen.key };
}

/** Reads an item for `seconds` on the test clock; the finish's reply. */
async function read(s: Studying, itemId: string, seconds: number) {
  const start = await inSession(s, 'POST', `/api/study/session/items/${itemId}/start`);
  expect(start.statusCode).toBe(201);
  clock.advance(seconds * SEC);
  return inSession(s, 'POST', `/api/study/session/views/${start.json().viewId}/finish`);
}

const QUIZ: QuestionSpec[] = [
  { prompt: '全会召开于哪一年？', options: ['2023', '2024', '2025', '2026'], correct: [2], explanation: '2025 年 10 月召开。' },
  { prompt: '“十五五”规划的时间跨度？', options: ['2021–2025', '2026–2030', '2031–2035'], correct: [1], explanation: '五年规划。' },
  { prompt: '以下哪些是新发展理念？', options: ['创新', '协调', '保守', '共享'], correct: [0, 1, 3], explanation: '创新、协调、绿色、开放、共享。' },
  { prompt: '全会由哪个机构召开？', options: ['中央委员会', '国务院', '全国人大'], correct: [0], explanation: '中央委员会全体会议。' },
];
/** The right option ids of an attempt, found by the texts the staff marked right. */
function rightAnswers(attempt: QuizAttempt) {
  return attempt.questions.map((q) => {
    const spec = QUIZ.find((s) => s.prompt === q.prompt)!;
    const right = spec.correct.map((i) => spec.options[i]);
    return { questionId: q.id, optionIds: q.options.filter((o) => right.includes(o.text)).map((o) => o.id) };
  });
}

describe('staff curation and public reads', () => {
  it('lets only study managers build and publish a collection; readers never see a right answer', async () => {
    const reader = await signUp(ctx.app);
    expect((await call('POST', '/api/admin/study/collections', reader, { title: '偷偷建一个' })).statusCode).toBe(403);
    const draft = (await call('POST', '/api/admin/study/collections', admin, { title: '宪法学习', pointsEnabled: true })).json<AdminCollection>();
    const empty = await call('PATCH', `/api/admin/study/collections/${draft.id}`, admin, { published: true });
    expect([empty.statusCode, empty.json().error.code]).toEqual([409, 'study.collection_empty']);

    const unpublished = await publishedStory(ctx, admin.user.id);
    await ctx.runtime.services.database.sql.query(`UPDATE story_forms SET status = 'ready' WHERE story_id = $1`, [unpublished.id]);
    const refused = await call('POST', `/api/admin/study/collections/${draft.id}/items`, admin, { kind: 'article', refId: unpublished.id });
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'study.ref_unusable']);
    const badQuestion = await call('POST', `/api/admin/study/collections/${draft.id}/questions`, admin, { prompt: '?', options: ['a', 'b'], correct: [2] });
    expect(badQuestion.json().error.code).toBe('study.question_invalid');

    const c = await studyCollection(ctx, admin, { title: '宪法学习专题', items: 2, questions: QUIZ });
    expect(c.questions[0]!.correct).toEqual([2]);
    expect((await call('GET', '/api/study/collections')).json().collections.map((x: { id: string }) => x.id)).toContain(c.id);
    expect((await call('GET', `/api/study/collections/${draft.id}`)).statusCode).toBe(404);
    const detail = await call('GET', `/api/study/collections/${c.id}`);
    expect(detail.json()).toMatchObject({ title: '宪法学习专题', itemCount: 2, quizQuestions: 4, tasks: 3 });
    expect(detail.json().items[0]).toMatchObject({ kind: 'article', task: 'read', minDwellSeconds: 30, ref: { kind: 'article' } });
    for (const text of [detail.body, (await call('GET', '/api/study/collections')).body]) {
      expect(text).not.toMatch(/correct|explanation|全会召开于|2025 年 10 月/);
    }
    const session = await kioskSignIn(reader);
    const attempt = await inSession(session, 'POST', '/api/study/session/quizzes', { collectionId: c.id });
    expect(attempt.statusCode).toBe(201);
    expect(attempt.body).not.toMatch(/correct|explanation|2025 年 10 月/);
  });
});

describe('kiosk sign-in by QR', () => {
  it('opens one session per scan, bound to the kiosk and the reader, and refuses a used or expired code', async () => {
    const reader = await signUp(ctx.app, { name: '王学习' });
    const other = await signUp(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/kiosk/study/sign-ins', headers: { 'x-kiosk-key': kiosk.key } });
    expect(res.statusCode).toBe(201);
    const ch = res.json();
    expect(ch.url).toBe(`http://paike.test/study/sign-in/${ch.nonce}`);
    expect(Date.parse(ch.expiresAt) - clock.now().getTime()).toBe(120 * SEC);
    const poll = (key = kiosk.key, secret = ch.secret) =>
      ctx.app.inject({ url: `/api/kiosk/study/sign-ins/${ch.id}`, headers: { 'x-kiosk-key': key, 'x-sign-in-secret': secret } });
    expect((await poll()).json().status).toBe('waiting');
    expect((await poll(kiosk.key, 'wrong')).json().error.code).toBe('study.sign_in_secret_invalid');
    expect((await poll(otherKiosk.key)).statusCode).toBe(404);
    expect((await call('POST', `/api/study/sign-ins/${ch.nonce}/confirm`, null)).statusCode).toBe(401);
    expect((await call('GET', `/api/study/sign-ins/${ch.nonce}`, reader)).json()).toMatchObject({ status: 'waiting', screen: { name: expect.any(String) } });

    expect((await call('POST', `/api/study/sign-ins/${ch.nonce}/confirm`, reader)).json().status).toBe('confirmed');
    const reused = await call('POST', `/api/study/sign-ins/${ch.nonce}/confirm`, other);
    expect([reused.statusCode, reused.json().error.code]).toEqual([409, 'study.sign_in_used']);
    const signedIn = (await poll()).json();
    expect(signedIn).toMatchObject({ status: 'signed_in', session: { kind: 'kiosk', idleMinutes: 30, user: { name: '王学习' } } });
    expect((await poll()).json().status).toBe('used');

    const s: Studying = { session: signedIn.session, kioskKey: kiosk.key };
    expect((await inSession(s, 'GET', '/api/study/session')).json()).toMatchObject({ kind: 'kiosk', user: { name: '王学习' }, pointsPaused: false });
    for (const elsewhere of [
      { ...s, kioskKey: otherKiosk.key },
      { ...s, kioskKey: undefined, cookie: reader.cookie },
    ]) {
      const r = await inSession(elsewhere, 'GET', '/api/study/session');
      expect(r.statusCode).toBe(401);
    }
    // 29 idle minutes keep it; 30 more end it.
    clock.advance(29 * 60 * SEC);
    expect((await inSession(s, 'GET', '/api/study/session')).statusCode).toBe(200);
    clock.advance(30 * 60 * SEC);
    expect((await inSession(s, 'GET', '/api/study/session')).json().error.code).toBe('study.session_invalid');

    // A code nobody confirms in two minutes is dead on both sides.
    const late = (await ctx.app.inject({ method: 'POST', url: '/api/kiosk/study/sign-ins', headers: { 'x-kiosk-key': kiosk.key } })).json();
    clock.advance(121 * SEC);
    const expired = await call('POST', `/api/study/sign-ins/${late.nonce}/confirm`, reader);
    expect([expired.statusCode, expired.json().error.code]).toEqual([409, 'study.sign_in_expired']);
    const latePoll = await ctx.app.inject({
      url: `/api/kiosk/study/sign-ins/${late.id}`,
      headers: { 'x-kiosk-key': kiosk.key, 'x-sign-in-secret': late.secret },
    });
    expect(latePoll.json().status).toBe('expired');

    // The next reader at the kiosk ends the previous reader's session.
    const first = await kioskSignIn(reader);
    await kioskSignIn(other);
    expect((await inSession(first, 'GET', '/api/study/session')).statusCode).toBe(401);
  });

  it('lets the phone study on its own, bound to its web session', async () => {
    const reader = await signUp(ctx.app);
    const other = await signUp(ctx.app);
    const res = await call('POST', '/api/study/sessions', reader);
    expect(res.statusCode).toBe(201);
    const s: Studying = { session: res.json(), cookie: reader.cookie };
    expect((await inSession(s, 'GET', '/api/study/session')).json().kind).toBe('phone');
    expect((await inSession({ ...s, cookie: undefined }, 'GET', '/api/study/session')).statusCode).toBe(401);
    expect((await inSession({ ...s, cookie: other.cookie }, 'GET', '/api/study/session')).statusCode).toBe(401);
    expect((await inSession(s, 'DELETE', '/api/study/session')).statusCode).toBe(204);
    expect((await inSession(s, 'GET', '/api/study/session')).statusCode).toBe(401);
  });
});

describe('reading and watching', () => {
  it('refuses a finish before the item’s dwell on the server clock, then counts it once', async () => {
    const c = await studyCollection(ctx, admin, { items: 1, minDwellSeconds: 30, pointsPerTask: 2 });
    const s = await kioskSignIn(await signUp(ctx.app));
    const itemId = c.items[0]!.id;
    const start = (await inSession(s, 'POST', `/api/study/session/items/${itemId}/start`)).json();
    clock.advance(12 * SEC);
    const early = await inSession(s, 'POST', `/api/study/session/views/${start.viewId}/finish`);
    expect([early.statusCode, early.json().error.code]).toEqual([409, 'study.dwell_too_short']);
    expect(early.json().error.details).toMatchObject({ minDwellSeconds: 30, dwellSeconds: 12, finishableAt: start.finishableAt });
    clock.advance(20 * SEC);
    const done = await inSession(s, 'POST', `/api/study/session/views/${start.viewId}/finish`);
    expect(done.json()).toMatchObject({ dwellSeconds: 32, firstInSession: true, points: { awarded: 2, reason: null, pointsToday: 2 } });
    const again = await inSession(s, 'POST', `/api/study/session/views/${start.viewId}/finish`);
    expect(again.json().error.code).toBe('study.view_closed');
    // Reading it again today counts as study, not as points.
    expect((await read(s, itemId, 45)).json()).toMatchObject({ firstInSession: false, points: { awarded: 0, reason: 'already_awarded' } });
  });

  it('flags a session whose dwell times are machine-regular: study recorded, no more points', async () => {
    const c = await studyCollection(ctx, admin, { items: 7, minDwellSeconds: 30 });
    const bot = await kioskSignIn(await signUp(ctx.app));
    const outcomes = [];
    for (const item of c.items.slice(0, 6)) outcomes.push((await read(bot, item.id, 30.2)).json().points);
    expect(outcomes.map((p) => p.awarded)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(outcomes.slice(4).map((p) => p.reason)).toEqual(['session_flagged', 'session_flagged']);
    expect((await inSession(bot, 'GET', '/api/study/session')).json().pointsPaused).toBe(true);
    expect((await call('GET', `/api/admin/study/collections/${c.id}/progress`, admin)).json()).toMatchObject({ flaggedSessions: 1 });

    // A person reading the same items at uneven speeds is not flagged.
    const person = await kioskSignIn(await signUp(ctx.app));
    const human = [];
    for (const [k, item] of c.items.entries()) human.push((await read(person, item.id, [41, 95, 33, 62, 140, 38, 71][k]!)).json().points.awarded);
    expect(human).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('limits tasks a minute per reader', async () => {
    const c = await studyCollection(ctx, admin, { items: 1 });
    const s = await kioskSignIn(await signUp(ctx.app), otherKiosk);
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push((await inSession(s, 'POST', `/api/study/session/items/${c.items[0]!.id}/start`)).statusCode);
    expect(codes).toEqual(Array(10).fill(201));
    const last = await inSession(s, 'POST', `/api/study/session/items/${c.items[0]!.id}/start`);
    expect([last.statusCode, last.json().error.code]).toEqual([429, 'study.too_many_tasks']);
    clock.advance(61 * SEC);
    expect((await inSession(s, 'POST', `/api/study/session/items/${c.items[0]!.id}/start`)).statusCode).toBe(201);
  });

  it('caps a reader’s points a day', async () => {
    const c = await studyCollection(ctx, admin, { items: 4, pointsPerTask: 12 });
    const s = await kioskSignIn(await signUp(ctx.app));
    const got = [];
    for (const [k, item] of c.items.entries()) got.push((await read(s, item.id, [35, 52, 41, 77][k]!)).json().points);
    expect(got.map((p) => [p.awarded, p.reason])).toEqual([
      [12, null],
      [12, null],
      [6, null],
      [0, 'daily_cap'],
    ]);
    expect(got[3].pointsToday).toBe(30);
  });
});

describe('quizzes', () => {
  it('draws a fresh shuffled attempt each time, answers it once, in time, and pays only a first, unhurried pass', async () => {
    const c = await studyCollection(ctx, admin, { items: 1, pointsPerTask: 5, questions: QUIZ });
    const reader = await signUp(ctx.app);
    const s = await kioskSignIn(reader);
    const draw = async () => {
      const res = await inSession(s, 'POST', '/api/study/session/quizzes', { collectionId: c.id });
      expect(res.statusCode).toBe(201);
      return res.json<QuizAttempt>();
    };
    const a1 = await draw();
    const a2 = await draw();
    expect(a1.questions).toHaveLength(4);
    const ids = (a: QuizAttempt) => a.questions.flatMap((q) => q.options.map((o) => o.id));
    expect(ids(a1).filter((id) => ids(a2).includes(id))).toEqual([]);
    const order = (a: QuizAttempt) => a.questions.map((q) => `${q.prompt}:${q.options.map((o) => o.text).join('/')}`).join('|');
    expect(order(a1)).not.toBe(order(a2));
    expect(a1.questions.find((q) => q.prompt.startsWith('以下哪些'))!.multiple).toBe(true);

    // Another attempt's option ids are not this attempt's answers.
    const foreign = await inSession(s, 'POST', `/api/study/session/quizzes/${a1.attemptId}/answers`, { answers: rightAnswers(a2) });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([400, 'study.answer_invalid']);
    // All right, but faster than a person reads: recorded, no points.
    const fast = await inSession(s, 'POST', `/api/study/session/quizzes/${a1.attemptId}/answers`, { answers: rightAnswers(a1) });
    expect(fast.json()).toMatchObject({ score: 4, total: 4, passed: true, points: { awarded: 0, reason: 'too_fast' } });
    expect(fast.json().results[0]).toMatchObject({ correct: true, correctOptionIds: expect.any(Array), explanation: expect.any(String) });
    const twice = await inSession(s, 'POST', `/api/study/session/quizzes/${a1.attemptId}/answers`, { answers: rightAnswers(a1) });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'study.attempt_submitted']);
    // Having seen the answers, a second attempt today earns nothing.
    clock.advance(20 * SEC);
    const second = await inSession(s, 'POST', `/api/study/session/quizzes/${a2.attemptId}/answers`, { answers: rightAnswers(a2) });
    expect(second.json().points).toMatchObject({ awarded: 0, reason: 'not_first_attempt' });
    const stale = await draw();
    clock.advance(10 * 60 * SEC);
    const expired = await inSession(s, 'POST', `/api/study/session/quizzes/${stale.attemptId}/answers`, { answers: rightAnswers(stale) });
    expect([expired.statusCode, expired.json().error.code]).toEqual([409, 'study.attempt_expired']);

    // Another reader's first attempt, answered at a reading pace and mostly right, pays.
    const fresh = await kioskSignIn(await signUp(ctx.app), otherKiosk);
    const attempt = (await inSession(fresh, 'POST', '/api/study/session/quizzes', { collectionId: c.id })).json<QuizAttempt>();
    clock.advance(25 * SEC);
    const answers = rightAnswers(attempt).slice(1);
    const paid = await inSession(fresh, 'POST', `/api/study/session/quizzes/${attempt.attemptId}/answers`, { answers });
    expect(paid.json()).toMatchObject({ score: 3, total: 4, passed: true, points: { awarded: 5, reason: null } });
    // Someone else's session cannot answer it.
    const stranger = await inSession(s, 'POST', `/api/study/session/quizzes/${attempt.attemptId}/answers`, { answers });
    expect(stranger.statusCode).toBe(404);
  });
});

describe('the record', () => {
  it('shows my tasks, quiz scores, points and last study per collection; staff see counts only', async () => {
    const c = await studyCollection(ctx, admin, { title: '党史学习', items: 2, pointsPerTask: 3, questions: QUIZ.slice(0, 2) });
    const reader = await signUp(ctx.app);
    const s = await kioskSignIn(reader);
    await read(s, c.items[0]!.id, 40);
    const attempt = (await inSession(s, 'POST', '/api/study/session/quizzes', { collectionId: c.id })).json<QuizAttempt>();
    clock.advance(9 * SEC);
    await inSession(s, 'POST', `/api/study/session/quizzes/${attempt.attemptId}/answers`, { answers: rightAnswers(attempt) });

    const mine = (await call('GET', '/api/me/study', reader)).json<MyStudy>();
    expect(mine.pointsToday).toBe(6);
    expect(mine.dailyPointsCap).toBe(30);
    const row = mine.collections.find((x) => x.id === c.id)!;
    expect(row).toMatchObject({ title: '党史学习', tasksDone: 2, tasksTotal: 3, points: 6, lastStudiedAt: clock.now().toISOString() });
    expect(row.quizzes).toEqual([{ itemId: null, score: 2, total: 2, submittedAt: clock.now().toISOString() }]);
    expect((await call('GET', '/api/me/study', await signUp(ctx.app))).json().collections).toEqual([]);

    expect((await call('GET', `/api/admin/study/collections/${c.id}/progress`, reader)).statusCode).toBe(403);
    const progress = (await call('GET', `/api/admin/study/collections/${c.id}/progress`, admin)).json();
    expect(progress).toMatchObject({ readers: 1, pointsAwarded: 6, quizzes: { submitted: 1, averageScoreRatio: 1 }, flaggedSessions: 0 });
    expect(progress.tasks.map((t: { task: string; readers: number }) => [t.task, t.readers])).toEqual([
      ['read', 1],
      ['read', 0],
      ['quiz', 1],
    ]);
    expect(JSON.stringify(progress)).not.toContain(reader.user.id);
  });
});
