// Drizzle's view of the central kitchen's tables (migrations/0023_kitchen.sql).
import { date, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Form, FormStatus, IdeaStatus, PageSize, ReviewAction, ReviewStepRole } from '../../contracts/kitchen.js';
import { studios } from './schema.desk.js';
import { submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
// numeric comes back as a string from both drivers; mode 'number' converts it.
const num = (name: string) => numeric(name, { precision: 5, scale: 2, mode: 'number' });

export const newspapers = pgTable('newspapers', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  pageSize: text('page_size').$type<PageSize>().notNull().default('A3'),
  columns: integer('columns').notNull().default(6),
  gutterMm: num('gutter_mm').notNull().default(4),
  marginMm: num('margin_mm').notNull().default(15),
  bleedMm: num('bleed_mm').notNull().default(3),
  headlinePt: num('headline_pt').notNull().default(36),
  standfirstPt: num('standfirst_pt').notNull().default(14),
  bodyPt: num('body_pt').notNull().default(10.5),
  captionPt: num('caption_pt').notNull().default(8),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type NewspaperRow = typeof newspapers.$inferSelect;

export const stories = pgTable('stories', {
  id: uuid('id').primaryKey().defaultRandom(),
  studioId: uuid('studio_id').references(() => studios.id, { onDelete: 'set null' }),
  headline: text('headline').notNull(),
  standfirst: text('standfirst').notNull().default(''),
  bodyHtml: text('body_html').notNull().default(''),
  tags: text('tags').array().notNull().default([]),
  byline: text('byline').notNull().default(''),
  authorId: uuid('author_id')
    .notNull()
    .references(() => users.id),
  version: integer('version').notNull().default(1),
  updatedBy: uuid('updated_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type StoryRow = typeof stories.$inferSelect;

export const storyRevisions = pgTable(
  'story_revisions',
  {
    storyId: uuid('story_id')
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    headline: text('headline').notNull(),
    standfirst: text('standfirst').notNull(),
    bodyHtml: text('body_html').notNull(),
    tags: text('tags').array().notNull(),
    byline: text('byline').notNull(),
    editorId: uuid('editor_id')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.version] })],
);
export type StoryRevisionRow = typeof storyRevisions.$inferSelect;

export const storyImages = pgTable('story_images', {
  id: uuid('id').primaryKey().defaultRandom(),
  storyId: uuid('story_id')
    .notNull()
    .references(() => stories.id, { onDelete: 'cascade' }),
  printKey: text('print_key').notNull(),
  webKey: text('web_key').notNull(),
  thumbKey: text('thumb_key').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  bytes: integer('bytes').notNull(),
  caption: text('caption').notNull().default(''),
  credit: text('credit').notNull().default(''),
  position: integer('position').notNull().default(0),
  uploadedBy: uuid('uploaded_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type StoryImageRow = typeof storyImages.$inferSelect;

export const storyVideos = pgTable(
  'story_videos',
  {
    storyId: uuid('story_id')
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.submissionId] })],
);
export type StoryVideoRow = typeof storyVideos.$inferSelect;

export const storyForms = pgTable('story_forms', {
  id: uuid('id').primaryKey().defaultRandom(),
  storyId: uuid('story_id')
    .notNull()
    .references(() => stories.id, { onDelete: 'cascade' }),
  form: text('form').$type<Form>().notNull(),
  status: text('status').$type<FormStatus>().notNull().default('in_edit'),
  content: jsonb('content').$type<Record<string, unknown>>().notNull().default({}),
  version: integer('version').notNull().default(1),
  reviewRound: integer('review_round').notNull().default(0),
  reviewStep: integer('review_step'),
  newspaperId: uuid('newspaper_id').references(() => newspapers.id, { onDelete: 'set null' }),
  url: text('url'),
  externalId: text('external_id'),
  lastError: text('last_error'),
  publishedAt: tstz('published_at'),
  updatedBy: uuid('updated_by').references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type StoryFormRow = typeof storyForms.$inferSelect;

export const reviewChains = pgTable('review_chains', {
  studioId: uuid('studio_id')
    .primaryKey()
    .references(() => studios.id, { onDelete: 'cascade' }),
  steps: jsonb('steps').$type<ReviewStepRole[]>().notNull(),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type ReviewChainRow = typeof reviewChains.$inferSelect;

export const storyReviews = pgTable('story_reviews', {
  id: uuid('id').primaryKey().defaultRandom(),
  storyFormId: uuid('story_form_id')
    .notNull()
    .references(() => storyForms.id, { onDelete: 'cascade' }),
  round: integer('round').notNull(),
  step: integer('step').notNull(),
  action: text('action').$type<ReviewAction>().notNull(),
  note: text('note'),
  actorId: uuid('actor_id')
    .notNull()
    .references(() => users.id),
  at: tstz('at').notNull().defaultNow(),
});
export type StoryReviewRow = typeof storyReviews.$inferSelect;

export const storyIdeas = pgTable('story_ideas', {
  id: uuid('id').primaryKey().defaultRandom(),
  studioId: uuid('studio_id').references(() => studios.id, { onDelete: 'set null' }),
  day: date('day', { mode: 'string' }).notNull(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  ownerId: uuid('owner_id').references(() => users.id),
  deadline: tstz('deadline'),
  status: text('status').$type<IdeaStatus>().notNull().default('proposed'),
  storyId: uuid('story_id').references(() => stories.id, { onDelete: 'set null' }),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type StoryIdeaRow = typeof storyIdeas.$inferSelect;

export const storyIdeaSlots = pgTable(
  'story_idea_slots',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => storyIdeas.id, { onDelete: 'cascade' }),
    form: text('form').$type<Form>().notNull(),
    target: text('target').notNull().default(''),
    dueAt: tstz('due_at'),
  },
  (t) => [primaryKey({ columns: [t.ideaId, t.form] })],
);
export type StoryIdeaSlotRow = typeof storyIdeaSlots.$inferSelect;

export const storyIdeaFeeds = pgTable(
  'story_idea_feeds',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => storyIdeas.id, { onDelete: 'cascade' }),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ideaId, t.submissionId] })],
);
