// Drizzle's view of the desk tables (migrations/0005_desk.sql).
import { jsonb, primaryKey, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { campaigns, submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const studios = pgTable('studios', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  leadUserId: uuid('lead_user_id').references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const studioMembers = pgTable(
  'studio_members',
  {
    studioId: uuid('studio_id')
      .notNull()
      .references(() => studios.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.studioId, t.userId] })],
);

export const studioRoutes = pgTable('studio_routes', {
  id: uuid('id').primaryKey().defaultRandom(),
  studioId: uuid('studio_id')
    .notNull()
    .references(() => studios.id, { onDelete: 'cascade' }),
  campaignId: uuid('campaign_id')
    .notNull()
    .references(() => campaigns.id, { onDelete: 'cascade' }),
  theme: text('theme'),
});

export const submissionClaims = pgTable('submission_claims', {
  submissionId: uuid('submission_id')
    .primaryKey()
    .references(() => submissions.id, { onDelete: 'cascade' }),
  editorId: uuid('editor_id')
    .notNull()
    .references(() => users.id),
  claimedAt: tstz('claimed_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
});

export const submissionNotes = pgTable('submission_notes', {
  id: uuid('id').primaryKey().defaultRandom(),
  submissionId: uuid('submission_id')
    .notNull()
    .references(() => submissions.id, { onDelete: 'cascade' }),
  authorId: uuid('author_id')
    .notNull()
    .references(() => users.id),
  body: text('body').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const publicationOutbox = pgTable('publication_outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind').$type<'publish'>().notNull(),
  submissionId: uuid('submission_id')
    .notNull()
    .references(() => submissions.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  processedAt: tstz('processed_at'),
});

export interface DeskEditSpec {
  startSeconds: number;
  endSeconds: number;
  subtitles: { startSeconds: number; endSeconds: number; text: string }[];
  mode: 'burn' | 'vtt';
}
export interface DeskEditOutputs {
  mp4: string;
  master: string;
  subtitlesVtt: string | null;
  durationSeconds: number;
}

export const submissionEdits = pgTable('submission_edits', {
  id: uuid('id').primaryKey().defaultRandom(),
  submissionId: uuid('submission_id')
    .notNull()
    .references(() => submissions.id, { onDelete: 'cascade' }),
  spec: jsonb('spec').$type<DeskEditSpec>().notNull(),
  status: text('status').$type<'queued' | 'processing' | 'ready' | 'failed'>().notNull().default('queued'),
  outputs: jsonb('outputs').$type<DeskEditOutputs>(),
  error: text('error'),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
