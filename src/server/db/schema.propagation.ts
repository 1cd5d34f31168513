// Drizzle's view of the propagation tables (migrations/0012_propagation_metrics.sql).
import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { notices } from './schema.distribution.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type NoticeDeliveryChannel = 'sms' | 'email';
export type NoticeDeliveryStatus = 'sending' | 'sent' | 'retry' | 'failed' | 'unknown';

export const noticeDeliveries = pgTable(
  'notice_deliveries',
  {
    noticeId: uuid('notice_id')
      .notNull()
      .references(() => notices.id),
    channel: text('channel').$type<NoticeDeliveryChannel>().notNull(),
    status: text('status').$type<NoticeDeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: tstz('claimed_at'),
    sentAt: tstz('sent_at'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.channel] })],
);
export type NoticeDeliveryRow = typeof noticeDeliveries.$inferSelect;
