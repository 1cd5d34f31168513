import { and, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignments, type AssignmentRow } from '../../db/schema.js';
import type { CommandScope } from './command.scope.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** Statuses the desk's map draws: work still out in the field or just handed in. */
const ON_MAP = ['assigned', 'in_progress', 'submitted'] as const;

/**
 * The studio a submission is routed to, as the desk queue decides it (desk.repository.ts): a
 * theme route wins over a whole-campaign route; NULL is the central desk's, everyone's.
 */
const routedStudio = sql`(
  SELECT r.studio_id FROM studio_routes r
  WHERE r.campaign_id = s.campaign_id AND (r.theme = s.theme OR r.theme IS NULL)
  ORDER BY r.theme NULLS LAST LIMIT 1)`;

/** The map's reads beyond positions (those are location.repository.ts's). */
export function createMapRepository(db: Db) {
  return {
    async assignmentsOnMap(scope: CommandScope, tx: Db = db): Promise<AssignmentRow[]> {
      const conds: SQL[] = [inArray(assignments.status, [...ON_MAP])];
      if (!scope.all) {
        conds.push(scope.studioIds.length ? or(isNull(assignments.studioId), inArray(assignments.studioId, scope.studioIds))! : isNull(assignments.studioId));
      }
      return tx
        .select()
        .from(assignments)
        .where(and(...conds))
        .orderBy(assignments.deadlineAt)
        .limit(1000);
    },
    /**
     * Submissions with a place, made since `since`, in the scope, counted per grid cell of
     * `cellDeg` degrees: only the cell's centre and its count leave the database.
     */
    async heatCells(opts: { scope: CommandScope; since: Date; cellDeg: number }, tx: Db = db): Promise<{ lat: number; lng: number; n: number }[]> {
      const { scope, cellDeg } = opts;
      const inScope = scope.all
        ? sql`true`
        : scope.studioIds.length
          ? sql`(${routedStudio} IS NULL OR ${routedStudio} IN (${sql.join(
              scope.studioIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )}))`
          : sql`${routedStudio} IS NULL`;
      const r = await tx.execute(sql`
        SELECT (floor((s.location->>'lat')::float8 / ${cellDeg}::float8) + 0.5) * ${cellDeg}::float8 AS lat,
               (floor((s.location->>'lng')::float8 / ${cellDeg}::float8) + 0.5) * ${cellDeg}::float8 AS lng,
               count(*)::int AS n
        FROM submissions s
        WHERE jsonb_typeof(s.location->'lat') = 'number' AND jsonb_typeof(s.location->'lng') = 'number'
          AND s.created_at >= ${opts.since.toISOString()}::timestamptz
          AND s.status NOT IN ('uploading', 'withdrawn')
          AND ${inScope}
        GROUP BY 1, 2
        ORDER BY n DESC
        LIMIT 5000`);
      return rowsOf<{ lat: number; lng: number; n: number }>(r).map((c) => ({ lat: Number(c.lat), lng: Number(c.lng), n: Number(c.n) }));
    },
  };
}
export type MapRepository = ReturnType<typeof createMapRepository>;
