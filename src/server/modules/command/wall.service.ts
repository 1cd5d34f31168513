import type { FastifyBaseLogger } from 'fastify';
import { ASSIGNMENT_STATUSES, type AssignmentStatus, type CommandWallSnapshot } from '../../../contracts/command.js';
import type { Clock } from '../../lib/clock.js';
import { sseFrame, type SseClient } from '../../lib/sse.js';
import { startOfDayShanghai } from '../../lib/time.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import type { CommandScope, CommandScopeService } from './command.scope.js';
import type { WallRepository } from '../kitchen/wall.repository.js';
import type { CommandWallRepository, FieldPublicationRow } from './wall.repository.js';

export interface CommandWallDeps {
  repo: CommandWallRepository;
  /** Per publication, the highest views at or before a time (the kitchen wall's read, metric_samples_figures_idx). */
  baselines: Pick<WallRepository, 'maxViewsAt'>;
  scope: Pick<CommandScopeService, 'forActor' | 'covers'>;
  clock: Clock;
  /** COMMAND_WALL_INTERVAL_SECONDS: how often the shared figures are recomputed while a wall is connected. */
  intervalSeconds: number;
  logger?: FastifyBaseLogger;
  /** Monotonic milliseconds, for the figures' age (the clock may be fixed in tests). */
  monotonic?: () => number;
}

/** One connected wall: the stream writes pre-serialized SSE frames to it. */
export type CommandWallClient = SseClient;

/** Footage of the last this-many hours is "arriving". */
export const FOOTAGE_HOURS = 6;
const HOUR_MS = 3_600_000;
const MAX_BACKLOG_BYTES = 1024 * 1024;
const SHOW = { urgent: 6, people: 8, calls: 6, footage: 8, reach: 6 } as const;

const pad = (n: number) => String(n).padStart(2, '0');
function shanghaiDay(at: Date): string {
  const d = new Date(at.getTime() + 8 * HOUR_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Every studio's rows, read once per interval; each wall sees its cut (`view`). */
interface Figures {
  counts: Awaited<ReturnType<CommandWallRepository['statusCounts']>>;
  urgent: Awaited<ReturnType<CommandWallRepository['urgent']>>;
  people: Awaited<ReturnType<CommandWallRepository['people']>>;
  calls: Awaited<ReturnType<CommandWallRepository['liveCalls']>>;
  footage: Awaited<ReturnType<CommandWallRepository['footage']>>;
  reach: ReachRow[];
  now: Date;
  at: number;
}
/** One submission's reach: in total, and gained today. */
type ReachRow = Omit<FieldPublicationRow, 'publicationId' | 'views'> & { reach: number; today: number };

const scopeKey = (s: CommandScope) => (s.all ? '*' : [...s.studioIds].sort().join(','));
const strip = <T extends { studioId: string | null }>({ studioId: _, ...rest }: T): Omit<T, 'studioId'> => rest;

interface View {
  snapshot: CommandWallSnapshot;
  /** The snapshot without its time: two views with the same key show the same wall. */
  key: string;
  frame: string;
}

/**
 * The command wall (docs/command-wall.md): the field at a glance, for one scope. The figures of
 * every studio are read once per COMMAND_WALL_INTERVAL_SECONDS for all connected walls together;
 * each wall gets its scope's cut (a studio-bound editor: their studios and the central desk), and
 * only when it changed.
 */
export function createCommandWallService(deps: CommandWallDeps) {
  const { repo, clock } = deps;
  const intervalMs = deps.intervalSeconds * 1000;
  const monotonic = deps.monotonic ?? (() => performance.now());

  /**
   * Desk staff see the wall as they see the desk (command.scope.ts); an account that may see the
   * wall but works no desk (finance: the wall PC's account, as for the kitchen wall) sees the
   * whole newsroom. The wall shows no positions, so this reveals nobody's whereabouts.
   */
  async function scopeOf(actor: Actor | null | undefined): Promise<CommandScope> {
    assertCan(actor, 'command.wall');
    if (!can(actor, 'command.view')) return { all: true };
    return deps.scope.forActor(actor, 'command.wall');
  }

  /**
   * Each publication's highest views at the day's start, kept for the day: samples are stamped
   * at pull time and never back-dated, so the figure cannot change once the day has begun. Only
   * publications not seen yet today are looked up (the first snapshot of the day reads them all).
   */
  let baseline: { day: number; values: Map<string, number> } = { day: 0, values: new Map() };
  async function baselineAt(dayStart: Date, ids: string[]): Promise<Map<string, number>> {
    if (baseline.day !== dayStart.getTime()) baseline = { day: dayStart.getTime(), values: new Map() };
    const kept = baseline;
    const missing = ids.filter((id) => !kept.values.has(id));
    if (missing.length) for (const [id, v] of await deps.baselines.maxViewsAt(missing, dayStart)) kept.values.set(id, v);
    return kept.values;
  }

  async function read(now: Date): Promise<Omit<Figures, 'at'>> {
    const dayStart = startOfDayShanghai(now);
    const [counts, urgent, people, calls, footage, pubs] = await Promise.all([
      repo.statusCounts({ dayStart, now }),
      repo.urgent(),
      repo.people(),
      repo.liveCalls(),
      repo.footage(new Date(now.getTime() - FOOTAGE_HOURS * HOUR_MS)),
      repo.fieldPublications(),
    ]);
    // Today's gain: the current (highest) figure minus the highest at 00:00; a platform reporting less gains nothing.
    const before = await baselineAt(
      dayStart,
      pubs.map((p) => p.publicationId),
    );
    const bySubmission = new Map<string, ReachRow>();
    for (const { publicationId, views, ...p } of pubs) {
      const r = bySubmission.get(p.submissionId) ?? { ...p, reach: 0, today: 0 };
      r.reach += views;
      r.today += Math.max(0, views - (before.get(publicationId) ?? 0));
      bySubmission.set(p.submissionId, r);
    }
    return { counts, urgent, people, calls, footage, reach: [...bySubmission.values()], now };
  }

  async function view(f: Figures, scope: CommandScope): Promise<View> {
    const mine = <T extends { studioId: string | null }>(rows: T[]) => rows.filter((r) => deps.scope.covers(scope, r.studioId));
    const counts = Object.fromEntries(ASSIGNMENT_STATUSES.map((s) => [s, 0])) as Record<AssignmentStatus, number>;
    let overdue = 0;
    for (const c of mine(f.counts)) {
      counts[c.status as AssignmentStatus] += c.n;
      overdue += c.overdue;
    }
    const people = mine(f.people);
    const calls = mine(f.calls);
    const footage = mine(f.footage);
    const footageCount = [...new Map(footage.map((x) => [x.studioId, x.studioCount])).values()].reduce((a, b) => a + b, 0);
    const reach = mine(f.reach);
    const snapshot: CommandWallSnapshot = {
      generatedAt: f.now.toISOString(),
      day: shanghaiDay(f.now),
      intervalSeconds: deps.intervalSeconds,
      scope: { all: scope.all, studios: scope.all ? [] : await studioNames(scope.studioIds) },
      assignments: {
        counts,
        overdue,
        urgent: mine(f.urgent)
          .slice(0, SHOW.urgent)
          .map(({ studioId: _, ...a }) => ({
            ...a,
            status: a.status as AssignmentStatus,
            overdue: new Date(a.deadlineAt).getTime() < f.now.getTime(),
          })),
      },
      field: { count: people.length, people: people.slice(0, SHOW.people).map(strip) },
      calls: { count: calls.length, items: calls.slice(0, SHOW.calls).map(strip) },
      footage: {
        hours: FOOTAGE_HOURS,
        count: footageCount,
        items: footage.slice(0, SHOW.footage).map((x) => {
          const { studioCount: _, ...rest } = strip(x);
          return rest as CommandWallSnapshot['footage']['items'][number];
        }),
      },
      propagation: {
        total: reach.reduce((a, r) => a + r.reach, 0),
        today: reach.reduce((a, r) => a + r.today, 0),
        items: reach
          .filter((r) => r.reach > 0)
          .sort((a, b) => b.today - a.today || b.reach - a.reach || (a.submissionId < b.submissionId ? -1 : 1))
          .slice(0, SHOW.reach)
          .map(strip),
      },
    };
    const { generatedAt: _, ...rest } = snapshot;
    return { snapshot, key: JSON.stringify(rest), frame: sseFrame('snapshot', snapshot) };
  }

  // Studio names change rarely; kept for the process's life, refreshed when an unknown id comes.
  const names = new Map<string, string>();
  async function studioNames(ids: string[]): Promise<string[]> {
    if (ids.some((id) => !names.has(id))) {
      const found = await repo.studioNamesById(ids);
      for (const [id, name] of found) names.set(id, name);
    }
    return ids
      .map((id) => names.get(id))
      .filter((n): n is string => n !== undefined)
      .sort((a, b) => a.localeCompare(b));
  }

  // -- the shared figures and the hub -------------------------------------------------------

  let latest: Figures | undefined;
  let pending: Promise<Figures> | undefined;
  /** Views of the latest figures, per scope (built on first use). */
  let views = new Map<string, Promise<View>>();
  const clients = new Map<CommandWallClient, CommandScope>();
  /** Per scope, the key of what its walls show now. */
  const shown = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  function refresh(): Promise<Figures> {
    pending ??= (async () => {
      const now = clock.now();
      return { ...(await read(now)), at: monotonic() };
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function current(): Promise<Figures> {
    if (latest && monotonic() - latest.at < intervalMs) return latest;
    const made = await refresh();
    if (!latest || made.at >= latest.at) {
      latest = made;
      views = new Map();
    }
    return latest;
  }

  function viewOf(f: Figures, scope: CommandScope): Promise<View> {
    if (f !== latest) return view(f, scope);
    const k = scopeKey(scope);
    let v = views.get(k);
    if (!v) views.set(k, (v = view(f, scope)));
    return v;
  }

  function send(client: CommandWallClient, frame: string): void {
    if (client.backlog() > MAX_BACKLOG_BYTES) {
      clients.delete(client);
      client.close();
      return;
    }
    client.write(frame);
  }

  async function tick(): Promise<void> {
    try {
      latest = await refresh();
      views = new Map();
      const f = latest;
      const byScope = new Map<string, { scope: CommandScope; walls: CommandWallClient[] }>();
      for (const [c, scope] of clients) {
        const k = scopeKey(scope);
        const g = byScope.get(k) ?? { scope, walls: [] };
        g.walls.push(c);
        byScope.set(k, g);
      }
      for (const k of shown.keys()) if (!byScope.has(k)) shown.delete(k);
      for (const [k, g] of byScope) {
        const v = await viewOf(f, g.scope);
        const frame = shown.get(k) === v.key ? sseFrame('heartbeat', { checkedAt: v.snapshot.generatedAt }) : v.frame;
        shown.set(k, v.key);
        for (const c of g.walls) send(c, frame);
      }
    } catch (err) {
      // No heartbeat: the walls' "last updated" stops and they show the stale marker.
      deps.logger?.error({ err }, 'command wall: computing the figures failed');
      for (const c of clients.keys()) send(c, ': keep-alive\n\n');
    }
    stopIfIdle();
  }

  function stopIfIdle(): void {
    if (clients.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  return {
    /** `GET /api/command/wall`: the actor's cut of the shared figures (at most one interval old). */
    async snapshot(actor: Actor | null | undefined): Promise<CommandWallSnapshot> {
      const scope = await scopeOf(actor);
      return (await viewOf(await current(), scope)).snapshot;
    },

    /** Checks the permission and settles the scope before a stream opens (401/403 answered as JSON). */
    scopeOf,

    /**
     * Adds a wall: it gets its view at once, then once per interval a `snapshot` when its view
     * changed and a `heartbeat` otherwise. Returns the function that removes it.
     */
    async subscribe(client: CommandWallClient, scope: CommandScope): Promise<() => void> {
      try {
        const v = await viewOf(await current(), scope);
        client.write(v.frame);
        if (!shown.has(scopeKey(scope))) shown.set(scopeKey(scope), v.key);
      } catch (err) {
        deps.logger?.error({ err }, 'command wall: computing the figures failed');
        client.write(': keep-alive\n\n');
      }
      clients.set(client, scope);
      timer ??= setInterval(() => void tick(), intervalMs);
      timer.unref?.();
      return () => {
        clients.delete(client);
        stopIfIdle();
      };
    },

    /** Ends every stream (server shutdown). */
    closeAll(): void {
      for (const c of clients.keys()) c.close();
      clients.clear();
      stopIfIdle();
    },

    clientCount: () => clients.size,

    /** One uncached read and view (the bench measures it). */
    async compute(scope: CommandScope = { all: true }): Promise<CommandWallSnapshot> {
      const now = clock.now();
      return (await view({ ...(await read(now)), at: monotonic() }, scope)).snapshot;
    },
  };
}
export type CommandWallService = ReturnType<typeof createCommandWallService>;
