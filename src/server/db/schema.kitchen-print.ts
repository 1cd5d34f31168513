// Drizzle's view of the print form's render state (migrations/0026_kitchen_print.sql).
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { newspapers, stories } from './schema.kitchen.js';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type PrintRenderStatus = 'queued' | 'rendering' | 'done' | 'failed';

export const storyPrintRenders = pgTable('story_print_renders', {
  storyId: uuid('story_id')
    .primaryKey()
    .references(() => stories.id, { onDelete: 'cascade' }),
  status: text('status').$type<PrintRenderStatus>().notNull(),
  pdfKey: text('pdf_key'),
  pdfBytes: integer('pdf_bytes'),
  storyVersion: integer('story_version'),
  formVersion: integer('form_version'),
  newspaperId: uuid('newspaper_id').references(() => newspapers.id, { onDelete: 'set null' }),
  errorCode: text('error_code'),
  error: text('error'),
  requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
  requestedAt: tstz('requested_at').notNull().defaultNow(),
  startedAt: tstz('started_at'),
  finishedAt: tstz('finished_at'),
  renderMs: integer('render_ms'),
});
export type StoryPrintRenderRow = typeof storyPrintRenders.$inferSelect;
