import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  STUDY_LIMITS,
  adminCollectionListItemSchema,
  adminCollectionSchema,
  adminItemSchema,
  adminQuestionSchema,
  collectionProgressSchema,
  createCollectionBody,
  createItemBody,
  createQuestionBody,
  myStudyReply,
  nonceParam,
  quizAnswersBody,
  quizAttemptReply,
  quizResultReply,
  quizStartBody,
  sessionStatusReply,
  signInChallengeReply,
  signInInfoReply,
  signInPollReply,
  studyCollectionDetailSchema,
  studyCollectionSummarySchema,
  studySessionSchema,
  updateCollectionBody,
  updateItemBody,
  updateQuestionBody,
  viewFinishReply,
  viewStartReply,
} from '../../../contracts/study.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';
import type { SessionCredentials } from './study.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };
const STAFF = 'Staff only (`study.manage`: chief editors, admins): 401 `auth.required`, 403 `auth.forbidden`.';
const READER = 'Any signed-in account: 401 `auth.required`.';
const KEY_RULE = 'The kiosk’s device key in `x-kiosk-key`: 401 `kiosk.key_invalid` for an unknown or revoked key.';
const SESSION_RULE =
  'Header `x-study-token` (a study session’s token). A kiosk session also needs its kiosk’s `x-kiosk-key`; a phone session the ' +
  'session cookie of the web session that opened it. 401 `study.session_invalid` for an unknown, ended or lapsed session (30 idle ' +
  'minutes), another kiosk or another web session; each request moves the idle timeout on.';
const PUBLIC: { [label: string]: string[] }[] = [{}, { session: [] }];
const KIOSK = [{ kioskKey: [] }];
const STUDY = [{ studyToken: [] }];
const staffTags = ['study admin'];
const tags = ['study'];

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};
const credentials = (req: FastifyRequest): SessionCredentials => ({
  token: header(req, 'x-study-token'),
  kioskKey: header(req, 'x-kiosk-key'),
  user: req.user,
  authSessionId: req.session?.id ?? null,
});
// Rate-limit buckets by credential, hashed so no secret sits in a limiter's store.
const bucket = (req: FastifyRequest, name: string) =>
  `study:${createHash('sha256')
    .update(header(req, name) ?? req.ip)
    .digest('base64url')
    .slice(0, 22)}`;
/** A ceiling per session token against floods; the rules per reader and per kiosk are in the service. */
const perSession = { rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => bucket(req, 'x-study-token') } };

/** Political study (docs/study.md): staff curate collections; readers study on kiosks and phones. */
export function studyRoutes(services: Services): FastifyPluginAsyncZod {
  const study = services.study;
  return async (app) => {
    // ---- staff ----
    app.get(
      '/api/admin/study/collections',
      {
        schema: {
          tags: staffTags,
          summary: 'Every study collection (drafts too) with item and question counts',
          description: 'Most recently changed first. ' + STAFF,
          response: { 200: z.object({ collections: z.array(adminCollectionListItemSchema) }), ...errors },
        },
      },
      async (req) => ({ collections: await study.adminList(requireUser(req)) }),
    );

    app.post(
      '/api/admin/study/collections',
      {
        schema: {
          tags: staffTags,
          summary: 'Create a study collection (a draft)',
          description:
            '`{title, description?, pointsEnabled? (false), pointsPerTask? (1, 0–100)}`. Publish it with `PATCH` once it has items. Audit ' +
            '`study.collection_create`. ' +
            STAFF,
          body: createCollectionBody,
          response: { 201: adminCollectionSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await study.createCollection(requireUser(req), req.body)),
    );

    app.get(
      '/api/admin/study/collections/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'A collection with its items and every question, right answers included',
          description: '404 `study.collection_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 200: adminCollectionSchema, ...errors },
        },
      },
      async (req) => study.adminGet(requireUser(req), req.params.id),
    );

    app.patch(
      '/api/admin/study/collections/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Change a collection, or publish or unpublish it',
          description:
            'Only the fields sent change. `published: true` needs at least one item (409 `study.collection_empty`). Audit ' +
            '`study.collection_update` for the fields, `study.publish` / `study.unpublish` when `published` changes. 404 ' +
            '`study.collection_not_found`. ' +
            STAFF,
          params: idParamSchema,
          body: updateCollectionBody,
          response: { 200: adminCollectionSchema, ...errors },
        },
      },
      async (req) => study.updateCollection(requireUser(req), req.params.id, req.body),
    );

    app.delete(
      '/api/admin/study/collections/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Delete a collection: gone for readers and staff; readers’ records and points of it stay',
          description: '204. Audit `study.collection_delete`. 404 `study.collection_not_found` (also when already deleted). ' + STAFF,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await study.deleteCollection(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/admin/study/collections/:id/progress',
      {
        schema: {
          tags: staffTags,
          summary: 'How a collection is studied: counts only (readers, readers per task, quizzes, points, flagged sessions)',
          description:
            'No reader is named: `readers` counts accounts with at least one task done, each task’s `readers` those who did it; ' +
            '`quizzes.averageScoreRatio` is the mean share of right answers over answered attempts; `flaggedSessions` counts sessions the ' +
            'regularity rule stopped earning (docs/study.md). ' +
            STAFF,
          params: idParamSchema,
          response: { 200: collectionProgressSchema, ...errors },
        },
      },
      async (req) => study.progress(requireUser(req), req.params.id),
    );

    app.post(
      '/api/admin/study/collections/:id/items',
      {
        schema: {
          tags: staffTags,
          summary: 'Add an article, video or PDF to a collection',
          description:
            '`{kind, refId, title?, position? (last), minDwellSeconds? (30, 5–3600)}`. `refId` is, by kind: `article` a kitchen story with a ' +
            'published web form, `video` an adopted submission, `pdf` a listed lending title in PDF format; anything else is 409 ' +
            '`study.ref_unusable`. `title` defaults to the headline or title. Audit `study.item_create`. 404 `study.collection_not_found`. ' +
            STAFF,
          params: idParamSchema,
          body: createItemBody,
          response: { 201: adminItemSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await study.createItem(requireUser(req), req.params.id, req.body)),
    );

    app.patch(
      '/api/admin/study/items/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Change an item’s title, position or minimum dwell',
          description: 'A new minimum applies to views finished from now on. Audit `study.item_update`. 404 `study.item_not_found`. ' + STAFF,
          params: idParamSchema,
          body: updateItemBody,
          response: { 200: adminItemSchema, ...errors },
        },
      },
      async (req) => study.updateItem(requireUser(req), req.params.id, req.body),
    );

    app.delete(
      '/api/admin/study/items/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Remove an item and its quiz questions',
          description: '204. Readers’ completions of it stay in their records. Audit `study.item_delete`. 404 `study.item_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await study.deleteItem(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/admin/study/collections/:id/questions',
      {
        schema: {
          tags: staffTags,
          summary: 'Add a quiz question to an item’s quiz or the collection’s own',
          description:
            '`{itemId? (none: the collection’s quiz), prompt, options (2–6 texts), correct (0-based indexes, ≥ 1; more than one makes it ' +
            'multiple choice), explanation?, position?}`. 400 `study.question_invalid` for an index outside the options, a repeated index ' +
            'or an item of another collection. Audit `study.question_create`. ' +
            STAFF,
          params: idParamSchema,
          body: createQuestionBody,
          response: { 201: adminQuestionSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await study.createQuestion(requireUser(req), req.params.id, req.body)),
    );

    app.patch(
      '/api/admin/study/questions/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Change a quiz question',
          description:
            'Only the fields sent change; `options` and `correct` are checked together (400 `study.question_invalid`). Attempts already ' +
            'drawn keep the question as it was. Audit `study.question_update`. 404 `study.question_not_found`. ' +
            STAFF,
          params: idParamSchema,
          body: updateQuestionBody,
          response: { 200: adminQuestionSchema, ...errors },
        },
      },
      async (req) => study.updateQuestion(requireUser(req), req.params.id, req.body),
    );

    app.delete(
      '/api/admin/study/questions/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Remove a quiz question',
          description: '204. Audit `study.question_delete`. 404 `study.question_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await study.deleteQuestion(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    // ---- published collections (kiosk and phone) ----
    app.get(
      '/api/study/collections',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'Published study collections (public)',
          description: 'Newest published first, with their item and task counts. Never a question or an answer.',
          response: { 200: z.object({ collections: z.array(studyCollectionSummarySchema) }), ...errors },
        },
      },
      async () => ({ collections: await study.listPublished() }),
    );

    app.get(
      '/api/study/collections/:id',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'A published collection with its items, tasks and quiz sizes (public)',
          description:
            'Each item: its task (`read` or `watch`), `minDwellSeconds`, how many questions its quiz has, and `ref` (where to read it: ' +
            '`apiUrl`, `pageUrl`). Questions are never listed here: a quiz is drawn per attempt (`POST /api/study/session/quizzes`), and ' +
            'right answers appear only in the reply to that attempt’s answers. 404 `study.collection_not_found` (also unpublished or ' +
            'deleted).',
          params: idParamSchema,
          response: { 200: studyCollectionDetailSchema, ...errors },
        },
      },
      async (req) => study.getPublished(req.params.id),
    );

    // ---- kiosk sign-in by QR ----
    app.post(
      '/api/kiosk/study/sign-ins',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => bucket(req, 'x-kiosk-key') } },
        schema: {
          tags,
          security: KIOSK,
          summary: 'A kiosk asks for a sign-in QR code',
          description:
            'Show `url` as a QR code; poll `GET /api/kiosk/study/sign-ins/:id` every `pollSeconds` with `secret` in `x-sign-in-secret`. ' +
            `It lasts ${STUDY_LIMITS.signInSeconds} s (\`expiresAt\`): ask again for a new one. \`url\` is the phone page ` +
            '`/study/sign-in/<nonce>`; the nonce confirms one sign-in, once. 429 `request.rate_limited` past 30 a minute per kiosk. ' +
            KEY_RULE,
          response: { 201: signInChallengeReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(await study.startSignIn(header(req, 'x-kiosk-key')));
      },
    );

    app.get(
      '/api/kiosk/study/sign-ins/:id',
      {
        schema: {
          tags,
          security: KIOSK,
          summary: 'The kiosk polls its sign-in: waiting, expired, used, or signed in with a study session',
          description:
            'Header `x-sign-in-secret`. `signed_in` comes once, to the first poll after the phone confirmed, with the session and its ' +
            '`token` (for `x-study-token`); any later poll is `used` (one session per scan: if that reply was lost, show a new QR). A new ' +
            'session on a kiosk ends the kiosk’s previous one. `expired` when nobody confirmed in time, or the kiosk did not collect a ' +
            'confirmation within the same span. 401 `study.sign_in_secret_invalid`; 404 `study.sign_in_not_found` (also another kiosk’s). ' +
            KEY_RULE,
          params: idParamSchema,
          response: { 200: signInPollReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return study.pollSignIn({ kioskKey: header(req, 'x-kiosk-key'), id: req.params.id, secret: header(req, 'x-sign-in-secret') });
      },
    );

    app.get(
      '/api/study/sign-ins/:nonce',
      {
        schema: {
          tags,
          summary: 'The phone reads the kiosk sign-in it scanned: which kiosk, and whether it can still be confirmed',
          description: '`status`: `waiting` (confirm it), `confirmed` (already used), `expired`. 404 `study.sign_in_not_found`. ' + READER,
          params: nonceParam,
          response: { 200: signInInfoReply, ...errors },
        },
      },
      async (req) => {
        requireUser(req);
        return study.signInInfo(req.params.nonce);
      },
    );

    app.post(
      '/api/study/sign-ins/:nonce/confirm',
      {
        schema: {
          tags,
          summary: 'The signed-in phone confirms a kiosk’s QR: the kiosk’s next poll opens a study session as this reader',
          description:
            'Once per QR: 409 `study.sign_in_used` when it was confirmed already (by anyone), 409 `study.sign_in_expired` past its ' +
            '`expiresAt`; 404 `study.sign_in_not_found`. ' +
            READER,
          params: nonceParam,
          response: { 200: signInInfoReply, ...errors },
        },
      },
      async (req) => study.confirmSignIn(requireUser(req), req.params.nonce),
    );

    app.post(
      '/api/study/sessions',
      {
        schema: {
          tags,
          summary: 'The phone opens its own study session',
          description:
            'A session bound to this web session: its routes need both the `token` (in `x-study-token`) and this session cookie, and ' +
            'stop working when the web session ends. ' +
            READER,
          response: { 201: studySessionSchema, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(await study.startPhoneSession(requireUser(req), req.session?.id ?? null));
      },
    );

    // ---- in a study session ----
    app.get(
      '/api/study/session',
      {
        schema: {
          tags,
          security: STUDY,
          summary: 'The study session: who, until when, points today, the view under way',
          description:
            '`pointsPaused` is true once the session was flagged by the regularity rule (docs/study.md): study still counts, points do ' +
            'not. ' +
            SESSION_RULE,
          response: { 200: sessionStatusReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return study.sessionStatus(credentials(req));
      },
    );

    app.delete(
      '/api/study/session',
      {
        schema: {
          tags,
          security: STUDY,
          summary: 'End the study session (the reader leaves the kiosk)',
          description: '204; the token stops working. ' + SESSION_RULE,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await study.endSession(credentials(req));
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/study/session/items/:id/start',
      {
        config: perSession,
        schema: {
          tags,
          security: STUDY,
          summary: 'Start reading or watching an item: the server notes the time',
          description:
            'One view at a time: starting another ends this session’s open view unfinished. Finish with `POST ' +
            '/api/study/session/views/:viewId/finish` no earlier than `finishableAt`. Finish on the reader’s own action (the end of ' +
            'the article reached, a done button, the video’s end), never on a timer: dwell times that are too regular stop a session’s ' +
            `points. 429 \`study.too_many_tasks\` past ${STUDY_LIMITS.tasksPerMinutePerUser} tasks (reads, watches, quiz attempts) a ` +
            `minute per reader or ${STUDY_LIMITS.tasksPerMinutePerScreen} per kiosk. 404 \`study.item_not_found\` (also in an unpublished ` +
            'collection). ' +
            SESSION_RULE,
          params: idParamSchema,
          response: { 201: viewStartReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await study.startView(credentials(req), req.params.id)),
    );

    app.post(
      '/api/study/session/views/:id/finish',
      {
        config: perSession,
        schema: {
          tags,
          security: STUDY,
          summary: 'Finish a view: the task is done when the server measured at least the item’s minimum dwell',
          description:
            'Dwell is the server’s clock from start to finish. Too early: 409 `study.dwell_too_short` with `details` ' +
            '`{minDwellSeconds, dwellSeconds, finishableAt}`; the view stays open, finish again later. 409 `study.view_closed` when it was ' +
            'finished already or ended by another start. `points`: `{awarded, reason, pointsToday}`; `reason` null when points were ' +
            'awarded, else `points_off`, `already_awarded` (this task paid in this session or today), `daily_cap`, `session_flagged`. ' +
            '404 `study.view_not_found`. ' +
            SESSION_RULE,
          params: idParamSchema,
          response: { 200: viewFinishReply, ...errors },
        },
      },
      async (req) => study.finishView(credentials(req), req.params.id),
    );

    app.post(
      '/api/study/session/quizzes',
      {
        config: perSession,
        schema: {
          tags,
          security: STUDY,
          summary: 'Draw a quiz attempt: an item’s quiz, or the collection’s own without `itemId`',
          description:
            `Up to ${STUDY_LIMITS.quizMaxQuestions} questions in an order drawn from a new server seed, each one’s options shuffled ` +
            'under ids valid for this attempt only (answer with those ids, not positions). Answer within ' +
            `${STUDY_LIMITS.attemptMinutes} minutes (\`expiresAt\`). 404 \`study.quiz_none\` for a quiz without questions, ` +
            '`study.collection_not_found`, `study.item_not_found`; 429 `study.too_many_tasks`. ' +
            SESSION_RULE,
          body: quizStartBody,
          response: { 201: quizAttemptReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(await study.startQuiz(credentials(req), req.body));
      },
    );

    app.post(
      '/api/study/session/quizzes/:id/answers',
      {
        config: perSession,
        schema: {
          tags,
          security: STUDY,
          summary: 'Answer a quiz attempt, once: the score, the right option ids with explanations, and the points',
          description:
            '`{answers: [{questionId, optionIds}]}`; a question left out counts as wrong. A question is right when exactly its right ' +
            `options were chosen; a pass is ${STUDY_LIMITS.quizPassRatio * 100} % right. Points only for a pass answered no faster than ` +
            `${STUDY_LIMITS.minAnswerSecondsPerQuestion} s per question and the reader’s first answered attempt at this quiz today: ` +
            '`points.reason` `too_fast`, `not_passed`, `not_first_attempt`, or the reasons of a view’s finish. 409 ' +
            '`study.attempt_submitted` (answered already), `study.attempt_expired`; 400 `study.answer_invalid` (a question or option id ' +
            'not in this attempt, a question twice); 404 `study.attempt_not_found` (also another session’s). ' +
            SESSION_RULE,
          params: idParamSchema,
          body: quizAnswersBody,
          response: { 200: quizResultReply, ...errors },
        },
      },
      async (req) => study.answerQuiz(credentials(req), req.params.id, req.body),
    );

    // ---- the personal record ----
    app.get(
      '/api/me/study',
      {
        schema: {
          tags,
          summary: 'My study record: per collection, tasks done, quiz scores, points, last studied',
          description:
            'Collections I studied, most recent first (deleted ones included: the record is mine). `tasksDone` counts distinct tasks ' +
            'ever done (a quiz once passed); `quizzes` lists every answered attempt, newest first; `pointsToday` against ' +
            '`dailyPointsCap` (Asia/Shanghai days). ' +
            READER,
          response: { 200: myStudyReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return study.myStudy(requireUser(req));
      },
    );
  };
}
