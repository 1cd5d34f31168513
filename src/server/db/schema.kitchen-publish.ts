// Drizzle's view of migrations/0027_kitchen_publish.sql.
import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { storyForms } from './schema.kitchen.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type StoryFormPublicationStatus = 'queued' | 'publishing' | 'pending' | 'live' | 'failed' | 'unpublishing' | 'unpublished';

export const storyFormPublications = pgTable('story_form_publications', {
  storyFormId: uuid('story_form_id')
    .primaryKey()
    .references(() => storyForms.id, { onDelete: 'cascade' }),
  generation: integer('generation').notNull().default(1),
  status: text('status').$type<StoryFormPublicationStatus>().notNull(),
  checkpoint: jsonb('checkpoint').$type<Record<string, string | number>>().notNull().default({}),
  attempts: integer('attempts').notNull().default(0),
  leaseUntil: tstz('lease_until'),
  error: text('error'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type StoryFormPublicationRow = typeof storyFormPublications.$inferSelect;
