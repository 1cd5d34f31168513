import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { fieldPositions, locationShares, type FieldPositionRow, type LocationShareRow } from '../../db/schema.js';
import type { LocationPrecision } from '../../../contracts/command.limits.js';
import type { LocationStopReason } from '../../../contracts/command.map.limits.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

export type NewPosition = Omit<FieldPositionRow, 'id' | 'receivedAt'>;

/** A person's latest position on an active share, with their name and the share's precision. */
export interface LatestPosition {
  assignmentId: string;
  userId: string;
  name: string;
  precision: LocationPrecision;
  lat: number;
  lng: number;
  accuracyM: number | null;
  battery: number | null;
  charging: boolean | null;
  network: string | null;
  recordedAt: Date;
}

/**
 * Where a share may be seen: it is running, its assignment is live in the field and the person
 * still holds an accepted offer. Every read of positions for the desk goes through this, so a
 * share the sweep has not reached yet is already invisible.
 */
const visibleShare = sql`s.stopped_at IS NULL
  AND a.status IN ('assigned', 'in_progress')
  AND EXISTS (SELECT 1 FROM assignment_offers o WHERE o.assignment_id = s.assignment_id AND o.user_id = s.user_id AND o.status = 'accepted')`;

/** Consent rows and positions (migrations/0030: location_shares, field_positions). */
export function createLocationRepository(db: Db) {
  return {
    async getShare(assignmentId: string, userId: string, tx: Db = db): Promise<LocationShareRow | null> {
      const [row] = await tx
        .select()
        .from(locationShares)
        .where(and(eq(locationShares.assignmentId, assignmentId), eq(locationShares.userId, userId)))
        .limit(1);
      return row ?? null;
    },
    /** Consent given (again): a stopped share starts anew with the chosen precision. */
    async upsertShare(opts: { assignmentId: string; userId: string; precision: LocationPrecision; at: Date }, tx: Db = db): Promise<LocationShareRow> {
      const [row] = await tx
        .insert(locationShares)
        .values({ assignmentId: opts.assignmentId, userId: opts.userId, precision: opts.precision, consentedAt: opts.at })
        .onConflictDoUpdate({
          target: [locationShares.assignmentId, locationShares.userId],
          set: { precision: opts.precision, consentedAt: opts.at, stoppedAt: null, stopReason: null },
        })
        .returning();
      return row!;
    },
    /** Stops a running share; false when there was none running. */
    async stopShare(opts: { assignmentId: string; userId: string; reason: LocationStopReason; at: Date }, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .update(locationShares)
        .set({ stoppedAt: opts.at, stopReason: opts.reason })
        .where(and(eq(locationShares.assignmentId, opts.assignmentId), eq(locationShares.userId, opts.userId), isNull(locationShares.stoppedAt)))
        .returning({ userId: locationShares.userId });
      return rows.length > 0;
    },
    async insertPositions(rows: NewPosition[], tx: Db = db): Promise<void> {
      if (rows.length) await tx.insert(fieldPositions).values(rows);
    },
    /** Positions of one person on one assignment, or (without userId) of everyone on it. */
    async deletePositions(opts: { assignmentId: string; userId?: string }, tx: Db = db): Promise<number> {
      const cond = opts.userId
        ? and(eq(fieldPositions.assignmentId, opts.assignmentId), eq(fieldPositions.userId, opts.userId))
        : eq(fieldPositions.assignmentId, opts.assignmentId);
      const rows = await tx.delete(fieldPositions).where(cond).returning({ id: fieldPositions.id });
      return rows.length;
    },
    async lastPosition(assignmentId: string, userId: string, tx: Db = db): Promise<FieldPositionRow | null> {
      const [row] = await tx
        .select()
        .from(fieldPositions)
        .where(and(eq(fieldPositions.assignmentId, assignmentId), eq(fieldPositions.userId, userId)))
        .orderBy(desc(fieldPositions.recordedAt), desc(fieldPositions.id))
        .limit(1);
      return row ?? null;
    },
    /**
     * The latest position of every visible share, of one assignment or of the assignments in a
     * scope (all, or these studios plus the central desk's).
     */
    async latestPositions(filter: { assignmentId: string } | { all: true } | { all: false; studioIds: string[] }, tx: Db = db): Promise<LatestPosition[]> {
      const where =
        'assignmentId' in filter
          ? sql`s.assignment_id = ${filter.assignmentId}::uuid`
          : filter.all
            ? sql`true`
            : filter.studioIds.length
              ? sql`(a.studio_id IS NULL OR a.studio_id IN (${sql.join(
                  filter.studioIds.map((id) => sql`${id}::uuid`),
                  sql`, `,
                )}))`
              : sql`a.studio_id IS NULL`;
      const r = await tx.execute(sql`
        SELECT s.assignment_id AS "assignmentId", s.user_id AS "userId", u.name, s.precision,
               p.lat, p.lng, p.accuracy_m AS "accuracyM", p.battery, p.charging, p.network, p.recorded_at AS "recordedAt"
        FROM location_shares s
        JOIN assignments a ON a.id = s.assignment_id
        JOIN users u ON u.id = s.user_id
        JOIN LATERAL (
          SELECT * FROM field_positions fp WHERE fp.assignment_id = s.assignment_id AND fp.user_id = s.user_id
          ORDER BY fp.recorded_at DESC, fp.id DESC LIMIT 1
        ) p ON true
        WHERE ${visibleShare} AND ${where}
        ORDER BY p.recorded_at DESC
        LIMIT 2000`);
      return rowsOf<LatestPosition & { recordedAt: Date | string }>(r).map((x) => ({ ...x, recordedAt: new Date(x.recordedAt) }));
    },
    /**
     * The sweep (docs/command-map.md, "Stopping"): running shares of assignments no longer live
     * in the field stop with 'assignment_ended', those of people without an accepted offer with
     * 'offer_ended'; positions are deleted for ended assignments and for those people.
     */
    async sweep(at: Date, tx: Db = db): Promise<{ stopped: number; deleted: number }> {
      /** Rows one UPDATE or DELETE touched (the statement ends in `RETURNING 1`). */
      const touched = async (statement: SQL) => rowsOf<{ n: number }>(await tx.execute(sql`WITH w AS (${statement}) SELECT count(*)::int AS n FROM w`))[0]!.n;
      const stopAt = at.toISOString();
      const ended = await touched(sql`
        UPDATE location_shares ls SET stopped_at = ${stopAt}::timestamptz, stop_reason = 'assignment_ended'
        FROM assignments a
        WHERE a.id = ls.assignment_id AND ls.stopped_at IS NULL AND a.status NOT IN ('assigned', 'in_progress')
        RETURNING 1`);
      const offers = await touched(sql`
        UPDATE location_shares ls SET stopped_at = ${stopAt}::timestamptz, stop_reason = 'offer_ended'
        WHERE ls.stopped_at IS NULL AND NOT EXISTS (
          SELECT 1 FROM assignment_offers o WHERE o.assignment_id = ls.assignment_id AND o.user_id = ls.user_id AND o.status = 'accepted')
        RETURNING 1`);
      const deleted = await touched(sql`
        DELETE FROM field_positions p
        WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.id = p.assignment_id AND a.status IN ('completed', 'cancelled'))
           OR NOT EXISTS (
             SELECT 1 FROM assignment_offers o WHERE o.assignment_id = p.assignment_id AND o.user_id = p.user_id AND o.status = 'accepted')
        RETURNING 1`);
      return { stopped: ended + offers, deleted };
    },
  };
}
export type LocationRepository = ReturnType<typeof createLocationRepository>;
