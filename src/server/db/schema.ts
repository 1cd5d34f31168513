// Drizzle's view of the tables that migrations/*.sql create. The SQL files are the source
// of truth; db/schema.test.ts checks that every column named here exists in the database.
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { LocalizedText } from '../../contracts/common.js';
import type { CampaignRules } from '../../contracts/campaigns.js';
import type { Locale } from '../../contracts/common.js';
import type { Role } from '../../contracts/accounts.js';
import type { SubmissionStatus } from '../../contracts/submissions.js';
import type { LedgerAccountKind, LedgerTransferKind } from '../../contracts/ledger.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').unique(),
  phone: text('phone').unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash'),
  roles: text('roles')
    .array()
    .$type<Role[]>()
    .notNull()
    .default(sql`'{contributor}'`),
  locale: text('locale').$type<Locale>().notNull().default('zh-CN'),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    revokedAt: tstz('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const phoneCodes = pgTable('phone_codes', {
  id: uuid('id').primaryKey().defaultRandom(),
  phone: text('phone').notNull(),
  codeHash: text('code_hash').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  consumedAt: tstz('consumed_at'),
});

export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  title: jsonb('title').$type<LocalizedText>().notNull(),
  description: jsonb('description').$type<LocalizedText>().notNull(),
  themes: jsonb('themes').$type<{ key: string; title: LocalizedText }[]>().notNull(),
  startsAt: tstz('starts_at').notNull(),
  endsAt: tstz('ends_at').notNull(),
  quota: integer('quota').notNull(),
  published: boolean('published').notNull().default(true),
  rules: jsonb('rules').$type<CampaignRules>().notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const campaignMembers = pgTable(
  'campaign_members',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    joinedAt: tstz('joined_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] })],
);

export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: tstz('at').notNull().defaultNow(),
  actorId: uuid('actor_id').references(() => users.id),
  action: text('action').notNull(),
  objectType: text('object_type').notNull(),
  objectId: text('object_id'),
  data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
});

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;

export interface SubmissionOutputs {
  /** Storage keys, all under `submissions/<id>/`. */
  original: string;
  master?: string;
  poster?: string;
  sprite?: string;
  spriteVtt?: string;
  /** The HLS renditions written, e.g. [{height: 720, width: 406, bandwidth: 1800000}]. */
  renditions?: { width: number; height: number; bandwidth: number }[];
  remuxed?: boolean;
}

export const submissions = pgTable(
  'submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    theme: text('theme').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    location: jsonb('location').$type<{ lat: number; lng: number; name?: string }>(),
    consentAt: tstz('consent_at').notNull(),
    status: text('status').$type<SubmissionStatus>().notNull().default('uploading'),
    progress: integer('progress').notNull().default(0),
    rejectionCode: text('rejection_code'),
    rejectionParams: jsonb('rejection_params').$type<Record<string, unknown>>(),
    uploadId: text('upload_id').unique(),
    uploadLength: bigint('upload_length', { mode: 'number' }).notNull(),
    originalFilename: text('original_filename').notNull(),
    probe: jsonb('probe').$type<Record<string, unknown>>(),
    durationSeconds: doublePrecision('duration_seconds'),
    width: integer('width'),
    height: integer('height'),
    outputs: jsonb('outputs').$type<SubmissionOutputs>(),
    fingerprint: text('fingerprint'),
    duplicateOf: uuid('duplicate_of'),
    duplicateScore: doublePrecision('duplicate_score'),
    source: text('source').$type<'upload' | 'edit' | 'call'>().notNull().default('upload'),
    /** The field assignment it was shot for, or the call recording's (migrations/0030_command.sql). */
    assignmentId: uuid('assignment_id'),
    caption: text('caption'),
    grade: text('grade'),
    gradeVersion: integer('grade_version').notNull().default(0),
    adoptedAt: tstz('adopted_at'),
    adoptedBy: uuid('adopted_by'),
    reviewedBy: uuid('reviewed_by'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    processedAt: tstz('processed_at'),
    withdrawnAt: tstz('withdrawn_at'),
  },
  (t) => [index('submissions_user_idx').on(t.userId, t.createdAt)],
);
export type SubmissionRow = typeof submissions.$inferSelect;

export const submissionClips = pgTable(
  'submission_clips',
  {
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    filename: text('filename').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    startSeconds: doublePrecision('start_seconds').notNull(),
    endSeconds: doublePrecision('end_seconds').notNull(),
    uploadId: text('upload_id').unique(),
    uploadedBytes: bigint('uploaded_bytes', { mode: 'number' }).notNull().default(0),
    stored: boolean('stored').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.submissionId, t.idx] })],
);
export type SubmissionClipRow = typeof submissionClips.$inferSelect;

/** Bytes declared per contributor per day (migrations/0017_upload_quota.sql); never given back. */
export const uploadQuota = pgTable(
  'upload_quota',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    dayStart: tstz('day_start').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.dayStart] })],
);

// Ledger (migrations/0004_ledger.sql): append-only, integer fen; balances are sums of entries.
export const ledgerAccounts = pgTable('ledger_accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind').$type<LedgerAccountKind>().notNull(),
  userId: uuid('user_id').references(() => users.id),
  campaignId: uuid('campaign_id').references(() => campaigns.id),
  mayGoNegative: boolean('may_go_negative').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type LedgerAccountRow = typeof ledgerAccounts.$inferSelect;

export const ledgerTransfers = pgTable('ledger_transfers', {
  id: uuid('id').primaryKey().defaultRandom(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  kind: text('kind').$type<LedgerTransferKind>().notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  actorId: uuid('actor_id').references(() => users.id),
  memo: text('memo'),
  refs: jsonb('refs').$type<Record<string, unknown>>().notNull().default({}),
  reversesTransferId: uuid('reverses_transfer_id').unique(),
});
export type LedgerTransferRow = typeof ledgerTransfers.$inferSelect;

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    transferId: uuid('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('ledger_entries_account_idx').on(t.accountId, t.id), index('ledger_entries_transfer_idx').on(t.transferId)],
);
export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;

export * from './schema.desk.js';
export * from './schema.packaging.js';
export * from './schema.payouts.js';
export * from './schema.rain.js';
export * from './schema.distribution.js';
export * from './schema.propagation.js';
export * from './schema.charts.js';
export * from './schema.privacy.js';
export * from './schema.wechat.js';
export * from './schema.notices.js';
export * from './schema.security.js';
export * from './schema.kitchen.js';
export * from './schema.kitchen-publish.js';
export * from './schema.kitchen-print.js';
export * from './schema.command.js';
export * from './schema.kiosk.js';
export * from './schema.lending.js';
export * from './schema.study.js';
export * from './schema.epaper.js';
