// Drizzle's view of the red-packet rain tables (migrations/0009_rain.sql).
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { RainEligibility } from '../../contracts/rain.js';
import { campaigns, ledgerTransfers, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const rainSessions = pgTable('rain_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  campaignId: uuid('campaign_id')
    .notNull()
    .references(() => campaigns.id),
  startsAt: tstz('starts_at').notNull(),
  endsAt: tstz('ends_at').notNull(),
  budgetFen: bigint('budget_fen', { mode: 'number' }).notNull(),
  packetCount: integer('packet_count').notNull(),
  eligibility: jsonb('eligibility').$type<RainEligibility>().notNull(),
  splitAt: tstz('split_at'),
  settledAt: tstz('settled_at'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type RainSessionRow = typeof rainSessions.$inferSelect;

export const rainPackets = pgTable(
  'rain_packets',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => rainSessions.id),
    idx: integer('idx').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    winnerUserId: uuid('winner_user_id').references(() => users.id),
    wonAt: tstz('won_at'),
    grabId: uuid('grab_id'),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.idx] })],
);
export type RainPacketRow = typeof rainPackets.$inferSelect;

export const rainGrabs = pgTable(
  'rain_grabs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => rainSessions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    packetIdx: integer('packet_idx').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    wonAt: tstz('won_at').notNull(),
    ip: text('ip'),
    /** The rain page's device id (migration 0010), null from other clients. */
    deviceId: text('device_id'),
    source: text('source').$type<'redis' | 'postgres' | 'reconcile'>().notNull(),
    held: boolean('held').notNull().default(false),
    holdReason: text('hold_reason'),
    releasedAt: tstz('released_at'),
    releasedBy: uuid('released_by').references(() => users.id),
    transferId: uuid('transfer_id').references(() => ledgerTransfers.id),
  },
  (t) => [
    unique('rain_grabs_session_user').on(t.sessionId, t.userId),
    unique('rain_grabs_session_packet').on(t.sessionId, t.packetIdx),
    index('rain_grabs_user_idx').on(t.userId),
  ],
);
export type RainGrabRow = typeof rainGrabs.$inferSelect;

export const rainGrabLog = pgTable('rain_grab_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  sessionId: uuid('session_id').notNull(),
  userId: uuid('user_id'),
  ip: text('ip'),
  userAgent: text('user_agent'),
  at: tstz('at').notNull(),
  outcome: text('outcome').notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }),
  deviceId: text('device_id'),
  fingerprint: text('fingerprint'),
  /** The Redis stream entry the attempt came from (migration 0015): written once however often it is read. */
  eventId: text('event_id'),
});
export type RainGrabLogRow = typeof rainGrabLog.$inferSelect;
