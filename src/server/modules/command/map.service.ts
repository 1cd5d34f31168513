import type { CommandMapReply, MapAssignment, MapKiosk } from '../../../contracts/command.js';
import { isOverdue } from '../../../contracts/command.limits.js';
import type { AssignmentRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Actor } from '../accounts/permissions.js';
import type { CommandScopeService } from './command.scope.js';
import type { LocationRepository } from './location.repository.js';
import { personOf } from './location.service.js';
import type { MapRepository } from './map.repository.js';

export interface MapServiceDeps {
  repo: MapRepository;
  locations: Pick<LocationRepository, 'latestPositions'>;
  scope: Pick<CommandScopeService, 'forActor'>;
  clock: Clock;
  /** MAP_TILE_URL; null: the page draws outlines only. */
  tileUrl: string | null;
  /** Kiosk screens with a place (the kiosk fleet's); none when absent. */
  kiosks?: () => Promise<MapKiosk[]>;
  /** Fetches a tile from the tile server (tests hand in their own); global fetch by default. */
  fetchTile?: typeof fetch;
}

/** Where the page asks for tiles: through Paike, so the page's CSP stays `img-src 'self'` and desks never contact the tile server themselves. */
export const TILE_PROXY_TEMPLATE = '/api/command/map/tiles/{z}/{x}/{y}';
const TILE_TIMEOUT_MS = 10_000;
const TILE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);
const TILE_MAX_BYTES = 2 * 1024 * 1024;

const KM_PER_DEGREE = 111.32;

export function mapAssignment(a: AssignmentRow, now: Date): MapAssignment {
  return {
    id: a.id,
    studioId: a.studioId,
    title: a.title,
    placeName: a.placeName,
    lat: a.lat,
    lng: a.lng,
    radiusM: a.radiusM,
    status: a.status,
    overdue: isOverdue(a, now),
    deadlineAt: a.deadlineAt.toISOString(),
  };
}

/**
 * The desk's map (docs/command-map.md): assignments in the actor's scope, the latest position of
 * every person sharing on one, and a heat layer of recent submissions by place, aggregated to
 * grid cells so no single contributor's point leaves the server.
 */
export function createMapService(deps: MapServiceDeps) {
  const { repo, locations, scope, clock } = deps;
  return {
    async map(actor: Actor | null | undefined, q: { heatDays: number; heatCellKm: number }): Promise<CommandMapReply> {
      const s = await scope.forActor(actor, 'command.view');
      const now = clock.now();
      const since = new Date(now.getTime() - q.heatDays * 86_400_000);
      const [rows, people, cells, kiosks] = await Promise.all([
        repo.assignmentsOnMap(s),
        locations.latestPositions(s),
        repo.heatCells({ scope: s, since, cellDeg: q.heatCellKm / KM_PER_DEGREE }),
        deps.kiosks?.() ?? [],
      ]);
      return {
        generatedAt: now.toISOString(),
        tileUrl: deps.tileUrl ? TILE_PROXY_TEMPLATE : null,
        assignments: rows.map((a) => mapAssignment(a, now)),
        people: people.map(personOf),
        heat: { days: q.heatDays, cellKm: q.heatCellKm, cells },
        kiosks,
      };
    },

    /** One raster tile from MAP_TILE_URL, for the desk's map (z 0–19, x and y inside the 2^z grid). */
    async tile(actor: Actor | null | undefined, t: { z: number; x: number; y: number }): Promise<{ body: Buffer; contentType: string }> {
      await scope.forActor(actor, 'command.view');
      if (!deps.tileUrl) throw new AppError('command.location.tiles_not_configured');
      const n = 2 ** t.z;
      if (t.x >= n || t.y >= n) throw new AppError('command.location.tiles_not_configured');
      const url = deps.tileUrl.replace('{z}', String(t.z)).replace('{x}', String(t.x)).replace('{y}', String(t.y));
      let res: Response;
      try {
        res = await (deps.fetchTile ?? fetch)(url, { signal: AbortSignal.timeout(TILE_TIMEOUT_MS), headers: { accept: 'image/*' } });
      } catch (err) {
        throw new AppError('command.location.tile_unavailable', { status: 'network' }, { cause: err });
      }
      // Raster types only: the tile is served from Paike's own origin, where an SVG could run script.
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!res.ok || !TILE_TYPES.has(contentType)) throw new AppError('command.location.tile_unavailable', { status: res.status });
      if (Number(res.headers.get('content-length') ?? 0) > TILE_MAX_BYTES) throw new AppError('command.location.tile_unavailable', { status: 'too large' });
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > TILE_MAX_BYTES) throw new AppError('command.location.tile_unavailable', { status: 'too large' });
      return { body, contentType };
    },
  };
}
export type MapService = ReturnType<typeof createMapService>;
