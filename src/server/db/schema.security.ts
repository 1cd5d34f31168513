import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** migrations/0018_password_resets.sql */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<'email' | 'sms'>().notNull(),
    target: text('target').notNull(),
    secretHash: text('secret_hash').notNull(),
    ip: text('ip'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    consumedAt: tstz('consumed_at'),
  },
  (t) => [
    index('password_resets_target_idx').on(t.target, t.createdAt),
    index('password_resets_ip_idx').on(t.ip, t.createdAt),
    index('password_resets_secret_idx').on(t.secretHash),
  ],
);
export type PasswordResetRow = typeof passwordResets.$inferSelect;
