// Drizzle's view of the Web Push and rain-refusal tables (migrations/0021_notices_more.sql).
import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { rainGrabs } from './schema.rain.js';
import { notices } from './schema.distribution.js';
import { users } from './schema.js';
import type { NoticeDeliveryStatus } from './schema.propagation.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const pushSubscriptions = pgTable('push_subscriptions', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  endpoint: text('endpoint').notNull().unique(),
  p256dh: text('p256dh').notNull(),
  auth: text('auth').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  lastSentAt: tstz('last_sent_at'),
});
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

export const noticePushDeliveries = pgTable(
  'notice_push_deliveries',
  {
    noticeId: uuid('notice_id')
      .notNull()
      .references(() => notices.id),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => pushSubscriptions.id, { onDelete: 'cascade' }),
    status: text('status').$type<NoticeDeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: tstz('claimed_at'),
    sentAt: tstz('sent_at'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.subscriptionId] })],
);
export type NoticePushDeliveryRow = typeof noticePushDeliveries.$inferSelect;

export const rainGrabRefusals = pgTable('rain_grab_refusals', {
  grabId: uuid('grab_id')
    .primaryKey()
    .references(() => rainGrabs.id),
  refusedBy: uuid('refused_by')
    .notNull()
    .references(() => users.id),
  refusedAt: tstz('refused_at').notNull().defaultNow(),
  reason: text('reason'),
});
