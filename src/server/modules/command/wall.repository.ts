import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

// Every read returns rows of ALL studios with their studio id (null: the central desk). The
// service computes once per interval and cuts the rows per wall's scope, so lists are capped per
// studio here (window functions): any scope's first N are then among the rows.

/** How many rows per studio the lists keep: the most any wall tile shows. */
export const PER_STUDIO = 8;

export interface StatusCount {
  studioId: string | null;
  status: string;
  n: number;
  overdue: number;
}
export interface UrgentRow {
  id: string;
  studioId: string | null;
  studio: string | null;
  title: string;
  placeName: string;
  status: string;
  deadlineAt: string;
  people: number;
}
export interface PersonRow {
  studioId: string | null;
  userId: string;
  name: string;
  assignmentId: string;
  assignmentTitle: string;
  placeName: string;
  lastSeenAt: string | null;
  battery: number | null;
  charging: boolean | null;
  network: string | null;
}
export interface CallRow {
  studioId: string | null;
  id: string;
  assignmentId: string;
  assignmentTitle: string;
  placeName: string;
  status: 'ringing' | 'active';
  media: 'p2p' | 'janus';
  fieldName: string | null;
  deskName: string | null;
  guests: number;
  broadcast: boolean;
  audience: number;
  startedAt: string;
  answeredAt: string | null;
}
export interface FootageRow {
  studioId: string | null;
  /** Footage of this studio in the window (the same on each of its rows). */
  studioCount: number;
  submissionId: string;
  title: string;
  contributor: string;
  assignmentTitle: string;
  status: string;
  source: string;
  createdAt: string;
}
export interface FieldPublicationRow {
  publicationId: string;
  studioId: string | null;
  submissionId: string;
  title: string;
  contributor: string;
  assignmentTitle: string;
  /** The highest views any sample reported. */
  views: number;
}

/** The command wall's reads (docs/command-wall.md): straight over the tables of migration 0030. */
export function createCommandWallRepository(db: Db) {
  return {
    /** Assignments per studio and status: the open states all, completed/cancelled only since `dayStart`. */
    async statusCounts(q: { dayStart: Date; now: Date }, tx: Db = db): Promise<StatusCount[]> {
      const d = q.dayStart.toISOString();
      const r = await tx.execute(sql`
        SELECT studio_id, status, count(*)::int AS n,
               count(*) FILTER (WHERE status IN ('assigned', 'in_progress') AND deadline_at < ${q.now.toISOString()}::timestamptz)::int AS overdue
        FROM assignments
        WHERE status IN ('draft', 'assigned', 'in_progress', 'submitted')
           OR (status = 'completed' AND completed_at >= ${d}::timestamptz)
           OR (status = 'cancelled' AND cancelled_at >= ${d}::timestamptz)
        GROUP BY 1, 2`);
      return rowsOf<{ studio_id: string | null; status: string; n: number; overdue: number }>(r).map((x) => ({
        studioId: x.studio_id,
        status: x.status,
        n: Number(x.n),
        overdue: Number(x.overdue),
      }));
    },

    /** Active assignments by deadline, the first PER_STUDIO of each studio, with how many accepted. */
    async urgent(tx: Db = db): Promise<UrgentRow[]> {
      const r = await tx.execute(sql`
        WITH ranked AS (
          SELECT a.*, row_number() OVER (PARTITION BY a.studio_id ORDER BY a.deadline_at, a.id) AS rn
          FROM assignments a WHERE a.status IN ('assigned', 'in_progress')
        )
        SELECT r.id, r.studio_id, s.name AS studio, r.title, r.place_name, r.status, r.deadline_at,
               (SELECT count(*)::int FROM assignment_offers o WHERE o.assignment_id = r.id AND o.status = 'accepted') AS people
        FROM ranked r LEFT JOIN studios s ON s.id = r.studio_id
        WHERE r.rn <= ${PER_STUDIO} ORDER BY r.deadline_at, r.id`);
      type Raw = {
        id: string;
        studio_id: string | null;
        studio: string | null;
        title: string;
        place_name: string;
        status: string;
        deadline_at: Date | string;
        people: number;
      };
      return rowsOf<Raw>(r).map((x) => ({
        id: x.id,
        studioId: x.studio_id,
        studio: x.studio,
        title: x.title,
        placeName: x.place_name,
        status: x.status,
        deadlineAt: iso(x.deadline_at)!,
        people: Number(x.people),
      }));
    },

    /**
     * People sharing their location on an active assignment, each with their latest position's
     * time and device state (one index probe per share on field_positions_person_idx). All of
     * them: the wall counts them per scope.
     */
    async people(tx: Db = db): Promise<PersonRow[]> {
      const r = await tx.execute(sql`
        SELECT a.studio_id, ls.user_id, u.name, a.id AS assignment_id, a.title, a.place_name,
               p.recorded_at, p.battery::float8 AS battery, p.charging, p.network
        FROM location_shares ls
        JOIN assignments a ON a.id = ls.assignment_id AND a.status IN ('assigned', 'in_progress')
        JOIN users u ON u.id = ls.user_id
        LEFT JOIN LATERAL (
          SELECT fp.recorded_at, fp.battery, fp.charging, fp.network FROM field_positions fp
          WHERE fp.assignment_id = ls.assignment_id AND fp.user_id = ls.user_id
          ORDER BY fp.recorded_at DESC LIMIT 1
        ) p ON true
        WHERE ls.stopped_at IS NULL
        ORDER BY p.recorded_at DESC NULLS LAST, u.name`);
      type Raw = {
        studio_id: string | null;
        user_id: string;
        name: string;
        assignment_id: string;
        title: string;
        place_name: string;
        recorded_at: Date | string | null;
        battery: number | string | null;
        charging: boolean | null;
        network: string | null;
      };
      return rowsOf<Raw>(r).map((x) => ({
        studioId: x.studio_id,
        userId: x.user_id,
        name: x.name,
        assignmentId: x.assignment_id,
        assignmentTitle: x.title,
        placeName: x.place_name,
        lastSeenAt: iso(x.recorded_at),
        // Stored as real: 0.42 comes back as 0.41999998…; the wall shows whole percent.
        battery: x.battery === null ? null : Math.round(Number(x.battery) * 100) / 100,
        charging: x.charging,
        network: x.network,
      }));
    },

    /** Calls ringing or in progress (command_calls_live_idx), newest first. */
    async liveCalls(tx: Db = db): Promise<CallRow[]> {
      const r = await tx.execute(sql`
        SELECT a.studio_id, c.id, c.assignment_id, a.title, a.place_name, c.status, c.media, c.broadcast, c.audience_peak,
               c.started_at, c.answered_at,
               (SELECT u.name FROM users u WHERE u.id = CASE WHEN c.direction = 'desk_to_field' THEN c.callee_id ELSE c.started_by END) AS field_name,
               coalesce(
                 (SELECT u.name FROM command_call_participants cp JOIN users u ON u.id = cp.user_id
                  WHERE cp.call_id = c.id AND cp.role = 'director' ORDER BY cp.joined_at NULLS LAST LIMIT 1),
                 (SELECT u.name FROM users u WHERE u.id = c.started_by AND c.direction = 'desk_to_field')) AS desk_name,
               (SELECT count(*)::int FROM command_call_participants cp WHERE cp.call_id = c.id AND cp.role = 'guest' AND cp.left_at IS NULL) AS guests
        FROM command_calls c JOIN assignments a ON a.id = c.assignment_id
        WHERE c.status IN ('ringing', 'active')
        ORDER BY c.started_at DESC, c.id`);
      type Raw = {
        studio_id: string | null;
        id: string;
        assignment_id: string;
        title: string;
        place_name: string;
        status: 'ringing' | 'active';
        media: 'p2p' | 'janus';
        broadcast: boolean;
        audience_peak: number;
        started_at: Date | string;
        answered_at: Date | string | null;
        field_name: string | null;
        desk_name: string | null;
        guests: number;
      };
      return rowsOf<Raw>(r).map((x) => ({
        studioId: x.studio_id,
        id: x.id,
        assignmentId: x.assignment_id,
        assignmentTitle: x.title,
        placeName: x.place_name,
        status: x.status,
        media: x.media,
        fieldName: x.field_name,
        deskName: x.desk_name,
        guests: Number(x.guests),
        broadcast: x.broadcast,
        audience: Number(x.audience_peak),
        startedAt: iso(x.started_at)!,
        answeredAt: iso(x.answered_at),
      }));
    },

    /** Submissions against an assignment since `since`, the newest PER_STUDIO of each studio and each studio's count. */
    async footage(since: Date, tx: Db = db): Promise<FootageRow[]> {
      const r = await tx.execute(sql`
        WITH w AS (
          SELECT s.id, s.title, s.status, s.source, s.created_at, s.user_id, a.studio_id, a.title AS assignment_title,
                 row_number() OVER (PARTITION BY a.studio_id ORDER BY s.created_at DESC, s.id) AS rn,
                 count(*) OVER (PARTITION BY a.studio_id) AS studio_count
          FROM submissions s JOIN assignments a ON a.id = s.assignment_id
          WHERE s.assignment_id IS NOT NULL AND s.created_at >= ${since.toISOString()}::timestamptz
        )
        SELECT w.*, u.name AS contributor FROM w JOIN users u ON u.id = w.user_id
        WHERE w.rn <= ${PER_STUDIO} ORDER BY w.created_at DESC, w.id`);
      type Raw = {
        id: string;
        title: string;
        status: string;
        source: string;
        created_at: Date | string;
        studio_id: string | null;
        assignment_title: string;
        studio_count: number | string;
        contributor: string;
      };
      return rowsOf<Raw>(r).map((x) => ({
        studioId: x.studio_id,
        studioCount: Number(x.studio_count),
        submissionId: x.id,
        title: x.title,
        contributor: x.contributor,
        assignmentTitle: x.assignment_title,
        status: x.status,
        source: x.source,
        createdAt: iso(x.created_at)!,
      }));
    },

    /**
     * Publications of footage shot for assignments, with their current figures: the highest views
     * any sample reported, which the metrics service keeps on the publication (raiseFigures), as
     * the kitchen wall and the dashboards count. One row per publication.
     */
    async fieldPublications(tx: Db = db): Promise<FieldPublicationRow[]> {
      const r = await tx.execute(sql`
        SELECT p.id, p.submission_id, greatest(p.views, 0)::float8 AS views, a.studio_id, s.title, u.name AS contributor, a.title AS assignment_title
        FROM submissions s
        JOIN publications p ON p.submission_id = s.id
        JOIN assignments a ON a.id = s.assignment_id
        JOIN users u ON u.id = s.user_id
        WHERE s.assignment_id IS NOT NULL`);
      type Raw = {
        id: string;
        submission_id: string;
        views: number | string;
        studio_id: string | null;
        title: string;
        contributor: string;
        assignment_title: string;
      };
      return rowsOf<Raw>(r).map((x) => ({
        publicationId: x.id,
        studioId: x.studio_id,
        submissionId: x.submission_id,
        title: x.title,
        contributor: x.contributor,
        assignmentTitle: x.assignment_title,
        views: Number(x.views),
      }));
    },

    async studioNamesById(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const r = await tx.execute(sql`SELECT id, name FROM studios WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`);
      return new Map(rowsOf<{ id: string; name: string }>(r).map((x) => [x.id, x.name]));
    },
  };
}
export type CommandWallRepository = ReturnType<typeof createCommandWallRepository>;
