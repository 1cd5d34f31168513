// Drizzle's view of the lending tables (migrations/0038_lending.sql, docs/lending.md).
import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { HoldStatus, LendingFormat, LendingKind, LoanStatus, ReadingPosition, Neutralised } from '../../contracts/lending.js';
import { users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const lendingTitles = pgTable('lending_titles', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind').$type<LendingKind>().notNull(),
  format: text('format').$type<LendingFormat>().notNull(),
  title: text('title').notNull(),
  author: text('author'),
  language: text('language'),
  description: text('description'),
  fileKey: text('file_key').notNull(),
  coverKey: text('cover_key'),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  neutralised: jsonb('neutralised').$type<Neutralised>().notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
  withdrawnAt: tstz('withdrawn_at'),
});
export type LendingTitleRow = typeof lendingTitles.$inferSelect;

export const lendingLicences = pgTable('lending_licences', {
  titleId: uuid('title_id')
    .primaryKey()
    .references(() => lendingTitles.id, { onDelete: 'cascade' }),
  copies: integer('copies').notNull(),
  loanDays: integer('loan_days').notNull().default(14),
  maxLoans: integer('max_loans'),
  expiresAt: tstz('expires_at'),
  loansUsed: integer('loans_used').notNull().default(0),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type LendingLicenceRow = typeof lendingLicences.$inferSelect;

export const lendingLoans = pgTable('lending_loans', {
  id: uuid('id').primaryKey().defaultRandom(),
  titleId: uuid('title_id')
    .notNull()
    .references(() => lendingTitles.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  status: text('status').$type<LoanStatus>().notNull().default('active'),
  borrowedAt: tstz('borrowed_at').notNull().defaultNow(),
  dueAt: tstz('due_at').notNull(),
  returnedAt: tstz('returned_at'),
  position: jsonb('position').$type<ReadingPosition | null>(),
});
export type LendingLoanRow = typeof lendingLoans.$inferSelect;

export const lendingHolds = pgTable('lending_holds', {
  id: uuid('id').primaryKey().defaultRandom(),
  seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  titleId: uuid('title_id')
    .notNull()
    .references(() => lendingTitles.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  status: text('status').$type<HoldStatus>().notNull().default('waiting'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  offeredAt: tstz('offered_at'),
  offerExpiresAt: tstz('offer_expires_at'),
  endedAt: tstz('ended_at'),
  loanId: uuid('loan_id').references(() => lendingLoans.id, { onDelete: 'set null' }),
});
export type LendingHoldRow = typeof lendingHolds.$inferSelect;
