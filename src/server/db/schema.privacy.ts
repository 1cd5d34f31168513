// Drizzle's view of the privacy tables (migrations/0019_erasure.sql).
import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per deleted account: its users row is a tombstone named 拍客 (docs/privacy.md). */
export const accountErasures = pgTable('account_erasures', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  erasedAt: tstz('erased_at').notNull().defaultNow(),
});
export type AccountErasureRow = typeof accountErasures.$inferSelect;
