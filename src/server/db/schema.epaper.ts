// Drizzle's view of the e-paper tables (migrations/0039_epaper.sql, docs/epaper.md).
import { bigint, date, doublePrecision, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { EditionStatus, ZoneSource } from '../../contracts/epaper.js';
import { stories } from './schema.kitchen.js';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const epaperEditions = pgTable('epaper_editions', {
  id: uuid('id').primaryKey().defaultRandom(),
  date: date('date', { mode: 'string' }).notNull(),
  title: text('title').notNull(),
  status: text('status').$type<EditionStatus>().notNull().default('processing'),
  errorCode: text('error_code'),
  error: text('error'),
  sourceKey: text('source_key').notNull(),
  sourceBytes: bigint('source_bytes', { mode: 'number' }).notNull(),
  pageCount: integer('page_count').notNull(),
  pageLabels: text('page_labels').array().notNull().default([]),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
  renderedAt: tstz('rendered_at'),
  publishedAt: tstz('published_at'),
});
export type EpaperEditionRow = typeof epaperEditions.$inferSelect;

export const epaperPages = pgTable('epaper_pages', {
  id: uuid('id').primaryKey().defaultRandom(),
  editionId: uuid('edition_id')
    .notNull()
    .references(() => epaperEditions.id, { onDelete: 'cascade' }),
  number: integer('number').notNull(),
  label: text('label').notNull(),
  imageKey: text('image_key').notNull(),
  thumbKey: text('thumb_key').notNull(),
  contentType: text('content_type').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
});
export type EpaperPageRow = typeof epaperPages.$inferSelect;

export const epaperZones = pgTable('epaper_zones', {
  id: uuid('id').primaryKey().defaultRandom(),
  pageId: uuid('page_id')
    .notNull()
    .references(() => epaperPages.id, { onDelete: 'cascade' }),
  x: doublePrecision('x').notNull(),
  y: doublePrecision('y').notNull(),
  w: doublePrecision('w').notNull(),
  h: doublePrecision('h').notNull(),
  headline: text('headline').notNull(),
  storyId: uuid('story_id').references(() => stories.id, { onDelete: 'set null' }),
  text: text('text'),
  source: text('source').$type<ZoneSource>().notNull(),
  position: integer('position').notNull().default(0),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type EpaperZoneRow = typeof epaperZones.$inferSelect;
