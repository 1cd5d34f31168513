import { and, asc, desc, eq, ilike, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AssignmentStatus } from '../../../contracts/command.js';
import type { Db } from '../../db/client.js';
import {
  assignmentEvents,
  assignmentOffers,
  assignments,
  campaigns,
  fieldProfiles,
  studios,
  submissions,
  users,
  type AssignmentOfferRow,
  type AssignmentRow,
  type FieldProfileRow,
} from '../../db/schema.js';

export type NewAssignment = typeof assignments.$inferInsert;
export type AssignmentSet = Partial<Omit<NewAssignment, 'id' | 'createdBy' | 'createdAt'>>;
export type NewOffer = typeof assignmentOffers.$inferInsert;
export type OfferSet = Partial<Pick<AssignmentOfferRow, 'status' | 'offeredAt' | 'respondBy' | 'respondedAt' | 'declineReason'>>;

export interface AssignmentFilter {
  /** Undefined: every studio (chief editors, admins). Otherwise these studios and the central desk. */
  studioIds?: string[];
  studioId?: string;
  status?: AssignmentStatus;
  /** Overdue as isOverdue defines it, in SQL: deadline passed while assigned or in progress. */
  overdueAt?: Date;
  q?: string;
  limit: number;
}

/** Someone who could be offered field work by place: opted in, enabled, a contributor or reporter. */
export interface Candidate {
  userId: string;
  lat: number;
  lng: number;
  travelKm: number;
  roles: string[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Assignments, their offers and events, and field profiles (migrations/0030_command.sql). */
export function createAssignmentsRepository(db: Db) {
  return {
    async create(values: NewAssignment, tx: Db = db): Promise<AssignmentRow> {
      const [row] = await tx.insert(assignments).values(values).returning();
      return row!;
    },
    async get(id: string, tx: Db = db): Promise<AssignmentRow | undefined> {
      const [row] = await tx.select().from(assignments).where(eq(assignments.id, id));
      return row;
    },
    /** The row locked for the rest of the transaction: every offer movement of one assignment goes through this lock. */
    async lock(id: string, tx: Db): Promise<AssignmentRow | undefined> {
      const [row] = await tx.select().from(assignments).where(eq(assignments.id, id)).for('update');
      return row;
    },
    async update(id: string, set: AssignmentSet, tx: Db): Promise<AssignmentRow> {
      const [row] = await tx
        .update(assignments)
        .set({ ...set, version: sql`${assignments.version} + 1` })
        .where(eq(assignments.id, id))
        .returning();
      return row!;
    },
    async list(f: AssignmentFilter, tx: Db = db): Promise<AssignmentRow[]> {
      const conds: SQL[] = [];
      if (f.studioIds)
        conds.push(f.studioIds.length ? or(isNull(assignments.studioId), inArray(assignments.studioId, f.studioIds))! : isNull(assignments.studioId));
      if (f.studioId) conds.push(eq(assignments.studioId, f.studioId));
      if (f.status) conds.push(eq(assignments.status, f.status));
      if (f.overdueAt) conds.push(inArray(assignments.status, ['assigned', 'in_progress']), lte(assignments.deadlineAt, f.overdueAt));
      if (f.q) {
        const like = `%${escapeLike(f.q)}%`;
        conds.push(or(ilike(assignments.title, like), ilike(assignments.placeName, like))!);
      }
      return tx
        .select()
        .from(assignments)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(assignments.updatedAt), desc(assignments.id))
        .limit(f.limit);
    },

    async offers(assignmentIds: string[], tx: Db = db): Promise<(AssignmentOfferRow & { name: string })[]> {
      if (!assignmentIds.length) return [];
      const rows = await tx
        .select({ offer: assignmentOffers, name: users.name })
        .from(assignmentOffers)
        .innerJoin(users, eq(users.id, assignmentOffers.userId))
        .where(inArray(assignmentOffers.assignmentId, assignmentIds))
        .orderBy(asc(assignmentOffers.rank));
      return rows.map((r) => ({ ...r.offer, name: r.name }));
    },
    async insertOffers(rows: NewOffer[], tx: Db): Promise<void> {
      if (rows.length) await tx.insert(assignmentOffers).values(rows);
    },
    async updateOffer(id: string, set: OfferSet, tx: Db): Promise<void> {
      await tx.update(assignmentOffers).set(set).where(eq(assignmentOffers.id, id));
    },
    async offerOf(assignmentId: string, userId: string, tx: Db = db): Promise<AssignmentOfferRow | undefined> {
      const [row] = await tx
        .select()
        .from(assignmentOffers)
        .where(and(eq(assignmentOffers.assignmentId, assignmentId), eq(assignmentOffers.userId, userId)));
      return row;
    },
    /** Assignments with an offer whose respond_by has passed (the expiry sweep's work list). */
    async withDueOffers(now: Date, tx: Db = db): Promise<string[]> {
      const rows = await tx
        .selectDistinct({ id: assignmentOffers.assignmentId })
        .from(assignmentOffers)
        .where(and(eq(assignmentOffers.status, 'offered'), lte(assignmentOffers.respondBy, now)))
        .limit(500);
      return rows.map((r) => r.id);
    },
    /** The person's offers that are open or accepted, newest first, with their assignment (never a draft). */
    async myOffers(userId: string, tx: Db = db): Promise<{ offer: AssignmentOfferRow; assignment: AssignmentRow }[]> {
      return tx
        .select({ offer: assignmentOffers, assignment: assignments })
        .from(assignmentOffers)
        .innerJoin(assignments, eq(assignments.id, assignmentOffers.assignmentId))
        .where(and(eq(assignmentOffers.userId, userId), inArray(assignmentOffers.status, ['offered', 'accepted']), sql`${assignments.status} <> 'draft'`))
        .orderBy(desc(assignmentOffers.offeredAt), desc(assignmentOffers.id))
        .limit(200);
    },

    async addEvent(e: { assignmentId: string; actorId: string | null; kind: string; params?: Record<string, unknown>; at: Date }, tx: Db): Promise<void> {
      await tx.insert(assignmentEvents).values({ ...e, params: e.params ?? {} });
    },
    async events(assignmentId: string, tx: Db = db) {
      return tx
        .select({ event: assignmentEvents, actorName: users.name })
        .from(assignmentEvents)
        .leftJoin(users, eq(users.id, assignmentEvents.actorId))
        .where(eq(assignmentEvents.assignmentId, assignmentId))
        .orderBy(asc(assignmentEvents.id))
        .limit(1000);
    },

    /** Footage submitted against each assignment (withdrawn uploads not counted). */
    async submissionCounts(assignmentIds: string[], userId?: string, tx: Db = db): Promise<Map<string, number>> {
      if (!assignmentIds.length) return new Map();
      const conds = [inArray(submissions.assignmentId, assignmentIds), sql`${submissions.status} <> 'withdrawn'`];
      if (userId) conds.push(eq(submissions.userId, userId));
      const rows = await tx
        .select({ id: submissions.assignmentId, n: sql<number>`count(*)::int` })
        .from(submissions)
        .where(and(...conds))
        .groupBy(submissions.assignmentId);
      return new Map(rows.map((r) => [r.id!, r.n]));
    },
    async footage(assignmentId: string, tx: Db = db) {
      return tx
        .select({
          submissionId: submissions.id,
          userId: submissions.userId,
          name: users.name,
          title: submissions.title,
          status: submissions.status,
          createdAt: submissions.createdAt,
        })
        .from(submissions)
        .innerJoin(users, eq(users.id, submissions.userId))
        .where(and(eq(submissions.assignmentId, assignmentId), sql`${submissions.status} <> 'withdrawn'`))
        .orderBy(desc(submissions.createdAt))
        .limit(200);
    },

    /** Opted-in, enabled people whose home area lies in a box around a point (the service measures the real distance). */
    async candidatesNear(p: { lat: number; lng: number; boxKm: number }, tx: Db = db): Promise<Candidate[]> {
      const dLat = p.boxKm / 111;
      const dLng = Math.min(180, p.boxKm / (111 * Math.max(Math.cos((p.lat * Math.PI) / 180), 0.01)));
      const lngCond = p.lng - dLng < -180 || p.lng + dLng > 180 ? sql`true` : sql`${fieldProfiles.lng} BETWEEN ${p.lng - dLng} AND ${p.lng + dLng}`;
      const rows = await tx
        .select({ userId: fieldProfiles.userId, lat: fieldProfiles.lat, lng: fieldProfiles.lng, travelKm: fieldProfiles.travelKm, roles: users.roles })
        .from(fieldProfiles)
        .innerJoin(users, eq(users.id, fieldProfiles.userId))
        .where(and(eq(fieldProfiles.optedIn, true), eq(users.disabled, false), sql`${fieldProfiles.lat} BETWEEN ${p.lat - dLat} AND ${p.lat + dLat}`, lngCond));
      return rows.map((r) => ({ userId: r.userId, lat: r.lat!, lng: r.lng!, travelKm: r.travelKm, roles: r.roles as string[] }));
    },
    async usersByIds(ids: string[], tx: Db = db) {
      if (!ids.length) return [];
      return tx.select({ id: users.id, roles: users.roles, disabled: users.disabled, name: users.name }).from(users).where(inArray(users.id, ids));
    },

    async campaignThemes(id: string, tx: Db = db): Promise<string[] | undefined> {
      const [row] = await tx.select({ themes: campaigns.themes }).from(campaigns).where(eq(campaigns.id, id));
      return row?.themes.map((t) => t.key);
    },
    async studioExists(id: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx.select({ id: studios.id }).from(studios).where(eq(studios.id, id));
      return !!row;
    },

    async getProfile(userId: string, tx: Db = db): Promise<FieldProfileRow | undefined> {
      const [row] = await tx.select().from(fieldProfiles).where(eq(fieldProfiles.userId, userId));
      return row;
    },
    async putProfile(row: Omit<FieldProfileRow, 'updatedAt'> & { updatedAt: Date }, tx: Db = db): Promise<FieldProfileRow> {
      const [made] = await tx
        .insert(fieldProfiles)
        .values(row)
        .onConflictDoUpdate({
          target: fieldProfiles.userId,
          set: { optedIn: row.optedIn, lat: row.lat, lng: row.lng, placeName: row.placeName, travelKm: row.travelKm, updatedAt: row.updatedAt },
        })
        .returning();
      return made!;
    },
  };
}
export type AssignmentsRepository = ReturnType<typeof createAssignmentsRepository>;
