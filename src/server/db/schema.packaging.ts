// Drizzle's view of packaging and daily picks (migrations/0007_packaging.sql).
import { date, primaryKey, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const packages = pgTable(
  'packages',
  {
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    headline: text('headline').notNull(),
    summary: text('summary').notNull().default(''),
    tags: text('tags').array().notNull().default([]),
    coverKey: text('cover_key'),
    credit: text('credit').notNull().default(''),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.submissionId, t.channel] })],
);

export const dailyPicks = pgTable('daily_picks', {
  day: date('day', { mode: 'string' }).primaryKey(),
  submissionId: uuid('submission_id')
    .notNull()
    .references(() => submissions.id),
  headline: text('headline').notNull(),
  summary: text('summary').notNull().default(''),
  coverKey: text('cover_key'),
  scheduledBy: uuid('scheduled_by').references(() => users.id),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
