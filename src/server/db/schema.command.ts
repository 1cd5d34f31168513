// Drizzle's view of the command platform's tables (migrations/0030_command.sql).
import { bigserial, boolean, bigint, doublePrecision, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AssignmentStatus, CallMedia, CallRole, CallStatus, Dispatch, LocationPrecision, OfferStatus } from '../../contracts/command.js';
import { studios } from './schema.desk.js';
import { storyIdeas } from './schema.kitchen.js';
import { campaigns, submissions, users } from './schema.js';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const fieldProfiles = pgTable('field_profiles', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  optedIn: boolean('opted_in').notNull().default(false),
  lat: doublePrecision('lat'),
  lng: doublePrecision('lng'),
  placeName: text('place_name'),
  travelKm: integer('travel_km').notNull().default(30),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type FieldProfileRow = typeof fieldProfiles.$inferSelect;

export const assignments = pgTable('assignments', {
  id: uuid('id').primaryKey().defaultRandom(),
  studioId: uuid('studio_id').references(() => studios.id, { onDelete: 'set null' }),
  campaignId: uuid('campaign_id')
    .notNull()
    .references(() => campaigns.id),
  theme: text('theme'),
  ideaId: uuid('idea_id').references(() => storyIdeas.id, { onDelete: 'set null' }),
  title: text('title').notNull(),
  brief: text('brief').notNull(),
  placeName: text('place_name').notNull(),
  lat: doublePrecision('lat').notNull(),
  lng: doublePrecision('lng').notNull(),
  radiusM: integer('radius_m').notNull(),
  startsAt: tstz('starts_at').notNull().defaultNow(),
  deadlineAt: tstz('deadline_at').notNull(),
  acceptMinutes: integer('accept_minutes').notNull().default(30),
  rewardHintFen: integer('reward_hint_fen'),
  wanted: integer('wanted').notNull().default(1),
  dispatch: jsonb('dispatch').$type<Dispatch>().notNull(),
  status: text('status').$type<AssignmentStatus>().notNull().default('draft'),
  version: integer('version').notNull().default(1),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  dispatchedAt: tstz('dispatched_at'),
  startedAt: tstz('started_at'),
  submittedAt: tstz('submitted_at'),
  completedAt: tstz('completed_at'),
  cancelledAt: tstz('cancelled_at'),
  cancelReason: text('cancel_reason'),
});
export type AssignmentRow = typeof assignments.$inferSelect;

export const assignmentOffers = pgTable('assignment_offers', {
  id: uuid('id').primaryKey().defaultRandom(),
  assignmentId: uuid('assignment_id')
    .notNull()
    .references(() => assignments.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  rank: integer('rank').notNull(),
  distanceM: integer('distance_m'),
  status: text('status').$type<OfferStatus>().notNull(),
  offeredAt: tstz('offered_at'),
  respondBy: tstz('respond_by'),
  respondedAt: tstz('responded_at'),
  declineReason: text('decline_reason'),
});
export type AssignmentOfferRow = typeof assignmentOffers.$inferSelect;

export const assignmentEvents = pgTable('assignment_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  assignmentId: uuid('assignment_id')
    .notNull()
    .references(() => assignments.id, { onDelete: 'cascade' }),
  actorId: uuid('actor_id').references(() => users.id),
  kind: text('kind').notNull(),
  params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
  at: tstz('at').notNull().defaultNow(),
});
export type AssignmentEventRow = typeof assignmentEvents.$inferSelect;

export const locationShares = pgTable(
  'location_shares',
  {
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    precision: text('precision').$type<LocationPrecision>().notNull(),
    consentedAt: tstz('consented_at').notNull().defaultNow(),
    stoppedAt: tstz('stopped_at'),
    stopReason: text('stop_reason').$type<'person' | 'assignment_ended' | 'offer_ended'>(),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.userId] })],
);
export type LocationShareRow = typeof locationShares.$inferSelect;

export const fieldPositions = pgTable('field_positions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  assignmentId: uuid('assignment_id')
    .notNull()
    .references(() => assignments.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  lat: doublePrecision('lat').notNull(),
  lng: doublePrecision('lng').notNull(),
  accuracyM: integer('accuracy_m'),
  battery: real('battery'),
  charging: boolean('charging'),
  network: text('network'),
  recordedAt: tstz('recorded_at').notNull(),
  receivedAt: tstz('received_at').notNull().defaultNow(),
});
export type FieldPositionRow = typeof fieldPositions.$inferSelect;

export const commandMessages = pgTable('command_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  assignmentId: uuid('assignment_id')
    .notNull()
    .references(() => assignments.id, { onDelete: 'cascade' }),
  senderId: uuid('sender_id')
    .notNull()
    .references(() => users.id),
  clientId: text('client_id').notNull(),
  body: text('body').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type CommandMessageRow = typeof commandMessages.$inferSelect;

export const commandCalls = pgTable('command_calls', {
  id: uuid('id').primaryKey().defaultRandom(),
  assignmentId: uuid('assignment_id')
    .notNull()
    .references(() => assignments.id, { onDelete: 'cascade' }),
  startedBy: uuid('started_by')
    .notNull()
    .references(() => users.id),
  direction: text('direction').$type<'desk_to_field' | 'field_to_desk'>().notNull(),
  calleeId: uuid('callee_id').references(() => users.id),
  media: text('media').$type<CallMedia>().notNull(),
  status: text('status').$type<CallStatus>().notNull().default('ringing'),
  janusRoom: bigint('janus_room', { mode: 'number' }),
  broadcast: boolean('broadcast').notNull().default(false),
  audiencePeak: integer('audience_peak').notNull().default(0),
  startedAt: tstz('started_at').notNull().defaultNow(),
  answeredAt: tstz('answered_at'),
  endedAt: tstz('ended_at'),
  endReason: text('end_reason'),
  /** Migration 0033: why a call went peer to peer although Janus is configured. */
  fallbackReason: text('fallback_reason'),
  /** Migration 0034: why its recording could not become a desk item. */
  recordingError: text('recording_error'),
  recordingStatus: text('recording_status').$type<'none' | 'recording' | 'pending' | 'processing' | 'done' | 'failed'>().notNull().default('none'),
  submissionId: uuid('submission_id').references(() => submissions.id, { onDelete: 'set null' }),
});
export type CommandCallRow = typeof commandCalls.$inferSelect;

export const commandCallParticipants = pgTable(
  'command_call_participants',
  {
    callId: uuid('call_id')
      .notNull()
      .references(() => commandCalls.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').$type<CallRole>().notNull(),
    joinedAt: tstz('joined_at'),
    leftAt: tstz('left_at'),
  },
  (t) => [primaryKey({ columns: [t.callId, t.userId] })],
);
export type CommandCallParticipantRow = typeof commandCallParticipants.$inferSelect;
