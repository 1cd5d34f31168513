// Drizzle's view of the kiosk fleet's tables (migrations/0035_kiosk.sql); kiosk_screens itself
// is in schema.distribution.ts, where it began.
import { bigint, date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DailyWindow, KioskCommandKind, KioskContent, LayerKind } from '../../contracts/kiosk.js';
import { kioskScreens } from './schema.distribution.js';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const kioskGroups = pgTable('kiosk_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type KioskGroupRow = typeof kioskGroups.$inferSelect;

export const kioskPairings = pgTable('kiosk_pairings', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull(),
  secretHash: text('secret_hash').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'cascade' }),
  claimedAt: tstz('claimed_at'),
  deliveredAt: tstz('delivered_at'),
});
export type KioskPairingRow = typeof kioskPairings.$inferSelect;

export const kioskCommands = pgTable('kiosk_commands', {
  id: uuid('id').primaryKey().defaultRandom(),
  screenId: uuid('screen_id')
    .notNull()
    .references(() => kioskScreens.id, { onDelete: 'cascade' }),
  kind: text('kind').$type<KioskCommandKind>().notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
  sentAt: tstz('sent_at'),
  doneAt: tstz('done_at'),
  result: text('result'),
});
export type KioskCommandRow = typeof kioskCommands.$inferSelect;

export const kioskLayers = pgTable('kiosk_layers', {
  id: uuid('id').primaryKey().defaultRandom(),
  groupId: uuid('group_id').references(() => kioskGroups.id, { onDelete: 'cascade' }),
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'cascade' }),
  kind: text('kind').$type<LayerKind>().notNull(),
  name: text('name').notNull(),
  priority: integer('priority').notNull().default(0),
  windows: jsonb('windows').$type<DailyWindow[] | null>(),
  fromDate: date('from_date', { mode: 'string' }),
  toDate: date('to_date', { mode: 'string' }),
  startsAt: tstz('starts_at'),
  endsAt: tstz('ends_at'),
  content: jsonb('content').$type<KioskContent>().notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type KioskLayerRow = typeof kioskLayers.$inferSelect;

export const kioskPlays = pgTable('kiosk_plays', {
  id: uuid('id').primaryKey(),
  /** Null once the screen is removed: its plays stay counted. */
  screenId: uuid('screen_id').references(() => kioskScreens.id, { onDelete: 'set null' }),
  submissionId: uuid('submission_id').notNull(),
  playedAt: tstz('played_at').notNull(),
  durationMs: integer('duration_ms').notNull(),
  receivedAt: tstz('received_at').notNull().defaultNow(),
});

/** Hashes of the files kiosk manifests list (migrations/0037_kiosk_assets.sql). */
export const kioskAssets = pgTable('kiosk_assets', {
  url: text('url').primaryKey(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  computedAt: tstz('computed_at').notNull().defaultNow(),
});
