import { z } from 'zod';

/**
 * Political study (思想政治学习, "学习"), issue 16 (docs/study.md): staff curate collections of
 * articles, videos and PDFs with quizzes; a reader studies on a kiosk (signed in by scanning its
 * QR code with the phone) or on the phone, keeps a personal record and, where the newsroom wants
 * it, earns points that scripts cannot farm cheaply.
 */
export const STUDY_ITEM_KINDS = ['article', 'video', 'pdf'] as const;
export type StudyItemKind = (typeof STUDY_ITEM_KINDS)[number];
export const STUDY_TASKS = ['read', 'watch', 'quiz'] as const;
export type StudyTask = (typeof STUDY_TASKS)[number];

/** Why a completion earned no points (null when it earned some). */
export const NO_POINTS_REASONS = ['points_off', 'already_awarded', 'daily_cap', 'session_flagged', 'too_fast', 'not_passed', 'not_first_attempt'] as const;
export type NoPointsReason = (typeof NO_POINTS_REASONS)[number];

/** The rules' numbers (docs/study.md explains each). */
export const STUDY_LIMITS = {
  /** A kiosk's sign-in QR lasts this long. */
  signInSeconds: 120,
  /** The kiosk polls its sign-in this often. */
  signInPollSeconds: 2,
  /** A study session lapses after this long without a request. */
  sessionIdleMinutes: 30,
  /** A quiz attempt must be answered within this. */
  attemptMinutes: 10,
  /** At most this many questions in one attempt, drawn at random from the quiz's. */
  quizMaxQuestions: 10,
  /** Below this many seconds per question from the attempt to its answers, no points. */
  minAnswerSecondsPerQuestion: 2,
  /** The share of right answers a quiz needs to earn points. */
  quizPassRatio: 0.6,
  /** The regularity rule: the last this many dwell times of a session are compared… */
  regularityWindow: 5,
  /** …and a coefficient of variation below this flags the session (no more points from it). */
  regularityMinCv: 0.05,
  /** Tasks started (reads, watches, quiz attempts) a minute, per reader and per kiosk. */
  tasksPerMinutePerUser: 10,
  tasksPerMinutePerScreen: 15,
  /** Points one reader can earn in a day (Asia/Shanghai), across collections. */
  dailyPointsCap: 30,
  defaultMinDwellSeconds: 30,
  minDwellSeconds: 5,
  maxDwellSeconds: 3600,
  maxPointsPerTask: 100,
} as const;

const iso = z.string();
const isoOrNull = z.string().nullable();

// ---- public (kiosk and phone) reads: never the right answers ----
export const studyItemRefSchema = z.object({
  kind: z.enum(STUDY_ITEM_KINDS),
  /** The story, adopted video or lending title. */
  id: z.uuid(),
  /** Where its content is read: `/api/site/stories/:id`, `/api/videos/:id` or `/api/lending/titles/:id`. */
  apiUrl: z.string(),
  /** Its public page (`/stories/:id`, `/v/:id`), or null (a PDF is borrowed through lending). */
  pageUrl: z.string().nullable(),
});

export const studyItemSchema = z.object({
  id: z.uuid(),
  kind: z.enum(STUDY_ITEM_KINDS),
  title: z.string(),
  position: z.number().int(),
  /** The task: `read` (article, pdf) or `watch` (video). */
  task: z.enum(['read', 'watch']),
  /** Seconds between start and finish (server clock) below which the task is not done. */
  minDwellSeconds: z.number().int(),
  /** Questions in this item's own quiz (0: none). */
  quizQuestions: z.number().int(),
  ref: studyItemRefSchema,
});
export type StudyItem = z.infer<typeof studyItemSchema>;

export const studyCollectionSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  pointsEnabled: z.boolean(),
  pointsPerTask: z.number().int(),
  items: z.number().int(),
  /** Read/watch tasks plus one per quiz. */
  tasks: z.number().int(),
  publishedAt: isoOrNull,
});
export type StudyCollectionSummary = z.infer<typeof studyCollectionSummarySchema>;

export const studyCollectionDetailSchema = studyCollectionSummarySchema.extend({
  items: z.array(studyItemSchema),
  itemCount: z.number().int(),
  /** Questions in the collection's own quiz (0: none). */
  quizQuestions: z.number().int(),
});
export type StudyCollectionDetail = z.infer<typeof studyCollectionDetailSchema>;

// ---- staff ----
export const adminQuestionSchema = z.object({
  id: z.uuid(),
  collectionId: z.uuid(),
  itemId: z.uuid().nullable(),
  prompt: z.string(),
  options: z.array(z.string()),
  /** 0-based indexes of the right options. */
  correct: z.array(z.number().int()),
  explanation: z.string(),
  position: z.number().int(),
});
export type AdminQuestion = z.infer<typeof adminQuestionSchema>;

export const adminItemSchema = studyItemSchema.extend({ collectionId: z.uuid(), createdAt: iso });
export type AdminItem = z.infer<typeof adminItemSchema>;

export const adminCollectionSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  published: z.boolean(),
  publishedAt: isoOrNull,
  pointsEnabled: z.boolean(),
  pointsPerTask: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: iso,
  updatedAt: iso,
  items: z.array(adminItemSchema),
  questions: z.array(adminQuestionSchema),
});
export type AdminCollection = z.infer<typeof adminCollectionSchema>;

export const adminCollectionListItemSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  published: z.boolean(),
  publishedAt: isoOrNull,
  pointsEnabled: z.boolean(),
  pointsPerTask: z.number().int(),
  items: z.number().int(),
  questions: z.number().int(),
  updatedAt: iso,
});

const title = z.string().trim().min(1).max(200);
const description = z.string().trim().max(4000);
const pointsPerTask = z.number().int().min(0).max(STUDY_LIMITS.maxPointsPerTask);
export const createCollectionBody = z.strictObject({
  title,
  description: description.optional(),
  pointsEnabled: z.boolean().optional(),
  pointsPerTask: pointsPerTask.optional(),
});
export type CreateCollectionBody = z.infer<typeof createCollectionBody>;
export const updateCollectionBody = z.strictObject({
  title: title.optional(),
  description: description.optional(),
  pointsEnabled: z.boolean().optional(),
  pointsPerTask: pointsPerTask.optional(),
  /** Publishing needs at least one item. */
  published: z.boolean().optional(),
});
export type UpdateCollectionBody = z.infer<typeof updateCollectionBody>;

const minDwell = z.number().int().min(STUDY_LIMITS.minDwellSeconds).max(STUDY_LIMITS.maxDwellSeconds);
export const createItemBody = z.strictObject({
  kind: z.enum(STUDY_ITEM_KINDS),
  /** A story with a published web form (article), an adopted submission (video), a listed PDF lending title (pdf). */
  refId: z.uuid(),
  /** Else the story's headline, the video's title or the book's. */
  title: z.string().trim().min(1).max(500).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  minDwellSeconds: minDwell.optional(),
});
export type CreateItemBody = z.infer<typeof createItemBody>;
export const updateItemBody = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  minDwellSeconds: minDwell.optional(),
});
export type UpdateItemBody = z.infer<typeof updateItemBody>;

const questionFields = {
  prompt: z.string().trim().min(1).max(1000),
  options: z.array(z.string().trim().min(1).max(300)).min(2).max(6),
  /** 0-based indexes into `options`; more than one makes it a multiple-choice question. */
  correct: z.array(z.number().int().min(0).max(5)).min(1).max(6),
  explanation: z.string().trim().max(2000).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
};
export const createQuestionBody = z.strictObject({
  /** The item whose quiz it joins; none: the collection's own quiz. */
  itemId: z.uuid().nullable().optional(),
  ...questionFields,
});
export type CreateQuestionBody = z.infer<typeof createQuestionBody>;
export const updateQuestionBody = z.strictObject({
  prompt: questionFields.prompt.optional(),
  options: questionFields.options.optional(),
  correct: questionFields.correct.optional(),
  explanation: questionFields.explanation,
  position: questionFields.position,
});
export type UpdateQuestionBody = z.infer<typeof updateQuestionBody>;

export const collectionProgressSchema = z.object({
  collectionId: z.uuid(),
  /** Readers with at least one task done. */
  readers: z.number().int(),
  tasks: z.array(
    z.object({
      taskKey: z.string(),
      task: z.enum(STUDY_TASKS),
      itemId: z.uuid().nullable(),
      title: z.string(),
      /** Readers who did it at least once. */
      readers: z.number().int(),
    }),
  ),
  quizzes: z.object({ submitted: z.number().int(), averageScoreRatio: z.number().nullable() }),
  pointsAwarded: z.number().int(),
  flaggedSessions: z.number().int(),
});
export type CollectionProgress = z.infer<typeof collectionProgressSchema>;

// ---- kiosk sign-in ----
export const signInChallengeReply = z.object({
  id: z.uuid(),
  /** Goes back in `x-sign-in-secret` when polling; never shown. */
  secret: z.string(),
  /** The phone URL to show as a QR code; it carries a one-time nonce. */
  url: z.string(),
  nonce: z.string(),
  expiresAt: iso,
  pollSeconds: z.number().int(),
});

export const studySessionSchema = z.object({
  id: z.uuid(),
  /** The credential for `/api/study/session/…` (header `x-study-token`); shown once. */
  token: z.string(),
  kind: z.enum(['kiosk', 'phone']),
  /** Lapses after `idleMinutes` without a request; every request moves it on. */
  expiresAt: iso,
  idleMinutes: z.number().int(),
  user: z.object({ id: z.uuid(), name: z.string() }),
});
export type StudySession = z.infer<typeof studySessionSchema>;

export const signInPollReply = z.discriminatedUnion('status', [
  z.object({ status: z.literal('waiting'), expiresAt: iso }),
  z.object({ status: z.literal('expired') }),
  /** Claimed already (the session was given to an earlier poll): show a new QR code. */
  z.object({ status: z.literal('used') }),
  z.object({ status: z.literal('signed_in'), session: studySessionSchema }),
]);
export type SignInPollReply = z.infer<typeof signInPollReply>;

export const nonceParam = z.strictObject({ nonce: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/) });
export const signInInfoReply = z.object({
  screen: z.object({ name: z.string() }),
  status: z.enum(['waiting', 'confirmed', 'expired']),
  expiresAt: iso,
});

// ---- a study session ----
export const sessionStatusReply = z.object({
  id: z.uuid(),
  kind: z.enum(['kiosk', 'phone']),
  expiresAt: iso,
  user: z.object({ id: z.uuid(), name: z.string() }),
  pointsToday: z.number().int(),
  dailyPointsCap: z.number().int(),
  /** True once the session's pattern looked scripted: study still counts, points do not. */
  pointsPaused: z.boolean(),
  /** The read/watch under way, if any. */
  openView: z.object({ id: z.uuid(), itemId: z.uuid(), startedAt: iso }).nullable(),
});

export const pointsOutcomeSchema = z.object({
  awarded: z.number().int(),
  reason: z.enum(NO_POINTS_REASONS).nullable(),
  pointsToday: z.number().int(),
});
export type PointsOutcome = z.infer<typeof pointsOutcomeSchema>;

export const viewStartReply = z.object({
  viewId: z.uuid(),
  itemId: z.uuid(),
  task: z.enum(['read', 'watch']),
  startedAt: iso,
  /** Finishing before this (server clock) is refused. */
  finishableAt: iso,
  minDwellSeconds: z.number().int(),
});

export const viewFinishReply = z.object({
  viewId: z.uuid(),
  itemId: z.uuid(),
  task: z.enum(['read', 'watch']),
  dwellSeconds: z.number(),
  /** False when this task was already done in this session (still counted as study). */
  firstInSession: z.boolean(),
  points: pointsOutcomeSchema,
});

export const quizStartBody = z.strictObject({ collectionId: z.uuid(), itemId: z.uuid().nullable().optional() });
export const quizAttemptReply = z.object({
  attemptId: z.uuid(),
  collectionId: z.uuid(),
  itemId: z.uuid().nullable(),
  expiresAt: iso,
  questions: z.array(
    z.object({
      id: z.uuid(),
      prompt: z.string(),
      /** More than one option is right: answer all of them. */
      multiple: z.boolean(),
      /** Ids valid for this attempt only, in this attempt's order. */
      options: z.array(z.object({ id: z.string(), text: z.string() })),
    }),
  ),
});
export type QuizAttempt = z.infer<typeof quizAttemptReply>;

export const quizAnswersBody = z.strictObject({
  answers: z.array(z.strictObject({ questionId: z.uuid(), optionIds: z.array(z.string().min(1).max(40)).max(6) })).max(STUDY_LIMITS.quizMaxQuestions),
});
export type QuizAnswersBody = z.infer<typeof quizAnswersBody>;
export const quizResultReply = z.object({
  attemptId: z.uuid(),
  score: z.number().int(),
  total: z.number().int(),
  passed: z.boolean(),
  results: z.array(z.object({ questionId: z.uuid(), correct: z.boolean(), correctOptionIds: z.array(z.string()), explanation: z.string() })),
  points: pointsOutcomeSchema,
});
export type QuizResult = z.infer<typeof quizResultReply>;

// ---- the personal record ----
export const myStudyReply = z.object({
  pointsToday: z.number().int(),
  pointsTotal: z.number().int(),
  dailyPointsCap: z.number().int(),
  collections: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      tasksDone: z.number().int(),
      tasksTotal: z.number().int(),
      quizzes: z.array(z.object({ itemId: z.uuid().nullable(), score: z.number().int(), total: z.number().int(), submittedAt: iso })),
      points: z.number().int(),
      lastStudiedAt: isoOrNull,
    }),
  ),
});
export type MyStudy = z.infer<typeof myStudyReply>;
