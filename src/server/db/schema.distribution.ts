// Drizzle's view of distribution and propagation (migrations/0011_distribution.sql).
import { bigint, boolean, doublePrecision, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Channel } from '../../contracts/packaging.limits.js';
import type { NoticeKind } from '../../contracts/propagation.js';
import type { DailyWindow, KioskReport } from '../../contracts/kiosk.js';
import { campaigns, ledgerTransfers, submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type ExternalChannel = Exclude<Channel, 'app' | 'kiosk'>;
export type ChannelAccountStatus = 'connected' | 'reconnect' | 'disconnected';
export type PublicationStatus = 'queued' | 'publishing' | 'pending' | 'live' | 'failed' | 'unpublishing' | 'unpublished';
export type PublicationErrorClass = 'auth_expired' | 'rate_limited' | 'content_rejected' | 'transient';

export const channelAccounts = pgTable('channel_accounts', {
  channel: text('channel').$type<ExternalChannel>().primaryKey(),
  credentials: text('credentials'),
  status: text('status').$type<ChannelAccountStatus>().notNull().default('disconnected'),
  enabled: boolean('enabled').notNull().default(true),
  accessExpiresAt: tstz('access_expires_at'),
  refreshExpiresAt: tstz('refresh_expires_at'),
  lastError: text('last_error'),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type ChannelAccountRow = typeof channelAccounts.$inferSelect;

export const publications = pgTable('publications', {
  id: uuid('id').primaryKey().defaultRandom(),
  submissionId: uuid('submission_id')
    .notNull()
    .references(() => submissions.id),
  channel: text('channel').$type<Channel>().notNull(),
  status: text('status').$type<PublicationStatus>().notNull(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  notBefore: tstz('not_before'),
  checkpoint: jsonb('checkpoint').$type<Record<string, string | number>>().notNull().default({}),
  externalId: text('external_id'),
  url: text('url'),
  attempts: integer('attempts').notNull().default(0),
  leaseUntil: tstz('lease_until'),
  errorClass: text('error_class').$type<PublicationErrorClass>(),
  error: text('error'),
  publishedAt: tstz('published_at'),
  unpublishedAt: tstz('unpublished_at'),
  views: bigint('views', { mode: 'number' }).notNull().default(0),
  likes: bigint('likes', { mode: 'number' }).notNull().default(0),
  shares: bigint('shares', { mode: 'number' }).notNull().default(0),
  comments: bigint('comments', { mode: 'number' }).notNull().default(0),
  metricsAt: tstz('metrics_at'),
  metricsDueAt: tstz('metrics_due_at'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type PublicationRow = typeof publications.$inferSelect;

export const publicationEvents = pgTable('publication_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  publicationId: uuid('publication_id')
    .notNull()
    .references(() => publications.id),
  at: tstz('at').notNull().defaultNow(),
  status: text('status').notNull(),
  errorClass: text('error_class'),
  message: text('message'),
  actorId: uuid('actor_id').references(() => users.id),
});
export type PublicationEventRow = typeof publicationEvents.$inferSelect;

export const metricSamples = pgTable(
  'metric_samples',
  {
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id),
    sampledAt: tstz('sampled_at').notNull(),
    views: bigint('views', { mode: 'number' }),
    likes: bigint('likes', { mode: 'number' }),
    shares: bigint('shares', { mode: 'number' }),
    comments: bigint('comments', { mode: 'number' }),
    extra: jsonb('extra').$type<Record<string, number>>().notNull().default({}),
    regressed: boolean('regressed').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.publicationId, t.sampledAt] })],
);
export type MetricSampleRow = typeof metricSamples.$inferSelect;

export const viewBeacons = pgTable(
  'view_beacons',
  {
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id),
    channel: text('channel').$type<'app' | 'kiosk'>().notNull(),
    viewer: text('viewer').notNull(),
    hour: tstz('hour').notNull(),
    /** HMAC of the client address and of its network (IPv4 /24, IPv6 /48); null on kiosk and older rows. */
    addr: text('addr'),
    net: text('net'),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.submissionId, t.channel, t.viewer, t.hour] })],
);

// The fleet's columns (group, place, hours, health) came with issue 16: migrations/0035_kiosk.sql.
export const kioskScreens = pgTable('kiosk_screens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  /** Null once revoked: no key opens it until it pairs again. */
  keyHash: text('key_hash').unique(),
  campaignId: uuid('campaign_id').references(() => campaigns.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  lastSeenAt: tstz('last_seen_at'),
  groupId: uuid('group_id'),
  placeName: text('place_name'),
  lat: doublePrecision('lat'),
  lng: doublePrecision('lng'),
  orientation: text('orientation').$type<'landscape' | 'portrait'>().notNull().default('landscape'),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  openingHours: jsonb('opening_hours').$type<DailyWindow[] | null>(),
  keyRotatedAt: tstz('key_rotated_at'),
  revokedAt: tstz('revoked_at'),
  appVersion: text('app_version'),
  storageUsedBytes: bigint('storage_used_bytes', { mode: 'number' }),
  storageQuotaBytes: bigint('storage_quota_bytes', { mode: 'number' }),
  lastReport: jsonb('last_report').$type<KioskReport | null>(),
  screenshotKey: text('screenshot_key'),
  screenshotAt: tstz('screenshot_at'),
});
export type KioskScreenRow = typeof kioskScreens.$inferSelect;

export const weeklyCharts = pgTable(
  'weekly_charts',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    week: text('week').notNull(),
    rankBy: text('rank_by').$type<'index' | 'reach'>().notNull(),
    frozenAt: tstz('frozen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.week] })],
);

export const weeklyChartEntries = pgTable(
  'weekly_chart_entries',
  {
    campaignId: uuid('campaign_id').notNull(),
    week: text('week').notNull(),
    rank: integer('rank').notNull(),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    score: doublePrecision('score').notNull(),
    reach: bigint('reach', { mode: 'number' }).notNull(),
    prizeFen: bigint('prize_fen', { mode: 'number' }).notNull().default(0),
    transferId: uuid('transfer_id').references(() => ledgerTransfers.id),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.week, t.rank] })],
);
export type WeeklyChartEntryRow = typeof weeklyChartEntries.$inferSelect;

export type GrandPrizeStatus = 'nominated' | 'confirmable' | 'below_threshold' | 'confirmed';
export const grandPrizeNominations = pgTable(
  'grand_prize_nominations',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    reachAtNomination: bigint('reach_at_nomination', { mode: 'number' }).notNull(),
    nominatedAt: tstz('nominated_at').notNull().defaultNow(),
    recheckAfter: tstz('recheck_after').notNull(),
    reachAtRecheck: bigint('reach_at_recheck', { mode: 'number' }),
    status: text('status').$type<GrandPrizeStatus>().notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }),
    transferId: uuid('transfer_id').references(() => ledgerTransfers.id),
    confirmedBy: uuid('confirmed_by').references(() => users.id),
    confirmedAt: tstz('confirmed_at'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.submissionId] })],
);
export type GrandPrizeNominationRow = typeof grandPrizeNominations.$inferSelect;

export type { NoticeKind };
export const notices = pgTable('notices', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  kind: text('kind').$type<NoticeKind>().notNull(),
  submissionId: uuid('submission_id').references(() => submissions.id),
  params: jsonb('params').$type<Record<string, string | number>>().notNull().default({}),
  dedupeKey: text('dedupe_key').notNull().unique(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  readAt: tstz('read_at'),
});
export type NoticeRow = typeof notices.$inferSelect;

export const chartAnnouncements = pgTable(
  'chart_announcements',
  {
    campaignId: uuid('campaign_id').notNull(),
    week: text('week').notNull(),
    channel: text('channel').$type<ExternalChannel>().notNull(),
    status: text('status').$type<'queued' | 'posting' | 'live' | 'failed'>().notNull().default('queued'),
    checkpoint: jsonb('checkpoint').$type<Record<string, string | number>>().notNull().default({}),
    leaseUntil: tstz('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    externalId: text('external_id'),
    url: text('url'),
    error: text('error'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.week, t.channel] })],
);
export type ChartAnnouncementRow = typeof chartAnnouncements.$inferSelect;
