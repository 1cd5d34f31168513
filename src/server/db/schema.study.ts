// Drizzle's view of the study tables (migrations/0040_study.sql, docs/study.md).
import { boolean, date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { StudyItemKind, StudyTask } from '../../contracts/study.js';
import { kioskScreens } from './schema.distribution.js';
import { stories } from './schema.kitchen.js';
import { lendingTitles } from './schema.lending.js';
import { sessions, submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const studyCollections = pgTable('study_collections', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  published: boolean('published').notNull().default(false),
  publishedAt: tstz('published_at'),
  pointsEnabled: boolean('points_enabled').notNull().default(false),
  pointsPerTask: integer('points_per_task').notNull().default(1),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  deletedAt: tstz('deleted_at'),
});
export type StudyCollectionRow = typeof studyCollections.$inferSelect;

export const studyItems = pgTable('study_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  collectionId: uuid('collection_id')
    .notNull()
    .references(() => studyCollections.id, { onDelete: 'cascade' }),
  kind: text('kind').$type<StudyItemKind>().notNull(),
  storyId: uuid('story_id').references(() => stories.id, { onDelete: 'cascade' }),
  submissionId: uuid('submission_id').references(() => submissions.id, { onDelete: 'cascade' }),
  lendingTitleId: uuid('lending_title_id').references(() => lendingTitles.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  position: integer('position').notNull().default(0),
  minDwellSeconds: integer('min_dwell_seconds').notNull().default(30),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type StudyItemRow = typeof studyItems.$inferSelect;

export const studyQuestions = pgTable('study_questions', {
  id: uuid('id').primaryKey().defaultRandom(),
  collectionId: uuid('collection_id')
    .notNull()
    .references(() => studyCollections.id, { onDelete: 'cascade' }),
  itemId: uuid('item_id').references(() => studyItems.id, { onDelete: 'cascade' }),
  prompt: text('prompt').notNull(),
  options: jsonb('options').$type<string[]>().notNull(),
  correct: integer('correct').array().notNull(),
  explanation: text('explanation').notNull().default(''),
  position: integer('position').notNull().default(0),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type StudyQuestionRow = typeof studyQuestions.$inferSelect;

export const studySignIns = pgTable('study_sign_ins', {
  id: uuid('id').primaryKey().defaultRandom(),
  screenId: uuid('screen_id')
    .notNull()
    .references(() => kioskScreens.id, { onDelete: 'cascade' }),
  nonceHash: text('nonce_hash').notNull().unique(),
  secretHash: text('secret_hash').notNull(),
  createdAt: tstz('created_at').notNull(),
  expiresAt: tstz('expires_at').notNull(),
  confirmedBy: uuid('confirmed_by').references(() => users.id, { onDelete: 'cascade' }),
  confirmedAt: tstz('confirmed_at'),
  claimedAt: tstz('claimed_at'),
});
export type StudySignInRow = typeof studySignIns.$inferSelect;

export const studySessions = pgTable('study_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'set null' }),
  authSessionId: uuid('auth_session_id').references(() => sessions.id, { onDelete: 'set null' }),
  signInId: uuid('sign_in_id')
    .unique()
    .references(() => studySignIns.id, { onDelete: 'set null' }),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: tstz('created_at').notNull(),
  lastSeenAt: tstz('last_seen_at').notNull(),
  endedAt: tstz('ended_at'),
  flaggedAt: tstz('flagged_at'),
  flagReason: text('flag_reason'),
});
export type StudySessionRow = typeof studySessions.$inferSelect;

export const studyViews = pgTable('study_views', {
  id: uuid('id').primaryKey().defaultRandom(),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => studySessions.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'set null' }),
  itemId: uuid('item_id')
    .notNull()
    .references(() => studyItems.id, { onDelete: 'cascade' }),
  startedAt: tstz('started_at').notNull(),
  finishedAt: tstz('finished_at'),
  abandonedAt: tstz('abandoned_at'),
  dwellMs: integer('dwell_ms'),
});
export type StudyViewRow = typeof studyViews.$inferSelect;

/** One drawn question of an attempt: its option ids in shown order, and the right ones. */
export interface DrawnQuestion {
  questionId: string;
  optionIds: string[];
  /** The option index (in the question as it was) behind each shown option id. */
  optionIndexes: number[];
  correctIds: string[];
  explanation: string;
}

export const studyQuizAttempts = pgTable('study_quiz_attempts', {
  id: uuid('id').primaryKey().defaultRandom(),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => studySessions.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'set null' }),
  collectionId: uuid('collection_id')
    .notNull()
    .references(() => studyCollections.id, { onDelete: 'cascade' }),
  itemId: uuid('item_id').references(() => studyItems.id, { onDelete: 'cascade' }),
  taskKey: text('task_key').notNull(),
  seed: text('seed').notNull(),
  drawn: jsonb('drawn').$type<DrawnQuestion[]>().notNull(),
  createdAt: tstz('created_at').notNull(),
  expiresAt: tstz('expires_at').notNull(),
  submittedAt: tstz('submitted_at'),
  score: integer('score'),
  total: integer('total').notNull(),
});
export type StudyQuizAttemptRow = typeof studyQuizAttempts.$inferSelect;

export const studyCompletions = pgTable('study_completions', {
  id: uuid('id').primaryKey().defaultRandom(),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => studySessions.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  collectionId: uuid('collection_id')
    .notNull()
    .references(() => studyCollections.id, { onDelete: 'cascade' }),
  itemId: uuid('item_id').references(() => studyItems.id, { onDelete: 'set null' }),
  task: text('task').$type<StudyTask>().notNull(),
  taskKey: text('task_key').notNull(),
  completedAt: tstz('completed_at').notNull(),
  dwellMs: integer('dwell_ms'),
  score: integer('score'),
  total: integer('total'),
});
export type StudyCompletionRow = typeof studyCompletions.$inferSelect;

export const studyPoints = pgTable('study_points', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => studySessions.id, { onDelete: 'cascade' }),
  collectionId: uuid('collection_id')
    .notNull()
    .references(() => studyCollections.id, { onDelete: 'cascade' }),
  taskKey: text('task_key').notNull(),
  points: integer('points').notNull(),
  awardDay: date('award_day', { mode: 'string' }).notNull(),
  createdAt: tstz('created_at').notNull(),
});
export type StudyPointsRow = typeof studyPoints.$inferSelect;
