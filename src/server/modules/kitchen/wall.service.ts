import type { FastifyBaseLogger } from 'fastify';
import { FORM_STATUSES, FORMS, type FormStatus, type WallSnapshot } from '../../../contracts/kitchen.js';
import { CHANNELS } from '../../../contracts/packaging.limits.js';
import type { Clock } from '../../lib/clock.js';
import { sseFrame, type SseClient } from '../../lib/sse.js';
import { startOfDayShanghai } from '../../lib/time.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { ChartsRepository } from '../propagation/charts.repository.js';
import type { ChartsService } from '../propagation/charts.service.js';
import { reachOf } from '../propagation/propagation.index.js';
import type { WallRepository } from './wall.repository.js';

export interface WallServiceDeps {
  repo: WallRepository;
  /** Names of videos (headline, contributor), as the charts show them. */
  chartsRepo: Pick<ChartsRepository, 'describe'>;
  /** The running weekly chart, with its own short cache (CHART_LIVE_CACHE_SECONDS). */
  charts: Pick<ChartsService, 'weekly'>;
  clock: Clock;
  /** How often the shared snapshot is recomputed for the stream (and the most a GET answer is behind). */
  intervalSeconds: number;
  logger?: FastifyBaseLogger;
  /** Monotonic milliseconds, for the snapshot's age (the clock may be fixed in tests). */
  monotonic?: () => number;
}

/** One connected wall: the stream writes pre-serialized SSE frames to it. */
export type WallClient = SseClient;

const HOUR_MS = 3_600_000;
const TOP = 10;
const MAX_CAMPAIGNS = 3;
/** A client this far behind (a frozen browser, a dead network that TCP has not noticed yet) is dropped. */
const MAX_BACKLOG_BYTES = 1024 * 1024;

const PENDING = new Set(['queued', 'publishing', 'pending']);
const pad = (n: number) => String(n).padStart(2, '0');
function shanghaiDay(at: Date): string {
  const d = new Date(at.getTime() + 8 * HOUR_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The 传播力 wall (docs/wall.md): one snapshot of the newsroom's day, computed from the
 * kitchen, the desk and the propagation tables, and a hub that recomputes it once per interval
 * for every connected wall together and pushes it only when it changed.
 */
export function createWallService(deps: WallServiceDeps) {
  const { repo, clock } = deps;
  const intervalMs = deps.intervalSeconds * 1000;
  const monotonic = deps.monotonic ?? (() => performance.now());

  /**
   * Each publication's highest views at the day's start, kept for the day: samples are taken at
   * pull time and never back-dated, so the figure cannot change once the day has begun. Only
   * publications not seen yet today are looked up (the first snapshot of the day reads them all).
   */
  let baseline: { day: number; values: Map<string, number> } = { day: 0, values: new Map() };
  async function baselineAt(dayStart: Date, ids: string[]): Promise<Map<string, number>> {
    if (baseline.day !== dayStart.getTime()) baseline = { day: dayStart.getTime(), values: new Map() };
    const kept = baseline;
    const missing = ids.filter((id) => !kept.values.has(id));
    if (missing.length) for (const [id, v] of await repo.maxViewsAt(missing, dayStart)) kept.values.set(id, v);
    return kept.values;
  }

  async function compute(): Promise<WallSnapshot> {
    const now = clock.now();
    const dayStart = startOfDayShanghai(now);
    const hourStart = new Date(now.getTime() - HOUR_MS);
    const [forms, videos, cells, recent, studios, campaigns] = await Promise.all([
      repo.formCounts(dayStart),
      repo.videosToday(dayStart),
      repo.reachCells(),
      repo.windowPublications({ dayStart, hourStart, now }),
      repo.listStudios(),
      repo.listRunningCampaigns(now, MAX_CAMPAIGNS),
    ]);

    const byForm = FORMS.map((form) => {
      const counts = Object.fromEntries(FORM_STATUSES.map((s) => [s, 0])) as Record<FormStatus, number>;
      for (const r of forms.rows) if (r.form === form) counts[r.status as FormStatus] += r.n;
      return { form, counts };
    });

    const pubChannels = new Map<string, { live: number; pending: number; failed: number }>();
    for (const p of videos.publications) {
      const c = pubChannels.get(p.channel) ?? { live: 0, pending: 0, failed: 0 };
      if (p.status === 'live') c.live += p.n;
      else if (p.status === 'failed') c.failed += p.n;
      else if (PENDING.has(p.status)) c.pending += p.n;
      pubChannels.set(p.channel, c);
    }

    // Gains: per publication its highest views now minus the highest before the mark.
    const beforeDay = await baselineAt(
      dayStart,
      recent.map((p) => p.publicationId),
    );
    const gainOf = (before: number, since: number | null) => Math.max(0, (since ?? before) - before);
    const todayByChannel = new Map<string, number>();
    const todayByStudio = new Map<string | null, number>();
    const movers = new Map<string, { gain: number; channels: Set<string> }>();
    let today = 0;
    let lastHour = 0;
    for (const p of recent) {
      const day0 = beforeDay.get(p.publicationId) ?? 0;
      // The hour began today: its baseline is the day's plus what came in before it today.
      const hour0 = p.beforeHour ?? Math.max(day0, p.dayBeforeHour ?? 0);
      const d = gainOf(day0, p.sinceDay);
      const h = gainOf(hour0, p.sinceHour);
      today += d;
      lastHour += h;
      todayByChannel.set(p.channel, (todayByChannel.get(p.channel) ?? 0) + d);
      todayByStudio.set(p.studioId, (todayByStudio.get(p.studioId) ?? 0) + d);
      if (h > 0) {
        const m = movers.get(p.submissionId) ?? { gain: 0, channels: new Set<string>() };
        m.gain += h;
        m.channels.add(p.channel);
        movers.set(p.submissionId, m);
      }
    }
    const reachByChannel = new Map<string, number>();
    const reachByStudio = new Map<string | null, number>();
    let total = 0;
    for (const c of cells) {
      const r = reachOf({ views: c.reach });
      total += r;
      reachByChannel.set(c.channel, (reachByChannel.get(c.channel) ?? 0) + r);
      reachByStudio.set(c.studioId, (reachByStudio.get(c.studioId) ?? 0) + r);
    }
    const studioRows: WallSnapshot['reach']['byStudio'] = studios.map((s) => ({
      studioId: s.id,
      name: s.name,
      reach: reachByStudio.get(s.id) ?? 0,
      today: todayByStudio.get(s.id) ?? 0,
    }));
    if (reachByStudio.has(null) || todayByStudio.has(null))
      studioRows.push({ studioId: null, name: '', reach: reachByStudio.get(null) ?? 0, today: todayByStudio.get(null) ?? 0 });
    studioRows.sort((a, b) => b.reach - a.reach || b.today - a.today || a.name.localeCompare(b.name));

    const topMovers = [...movers]
      .sort(([ia, a], [ib, b]) => b.gain - a.gain || (ia < ib ? -1 : 1))
      .slice(0, TOP)
      .map(([submissionId, m]) => ({ submissionId, gain: m.gain, channels: CHANNELS.filter((c) => m.channels.has(c)) as string[] }));
    const names = await deps.chartsRepo.describe(topMovers.map((m) => m.submissionId));

    const weekly: WallSnapshot['weekly'] = [];
    for (const c of campaigns) {
      try {
        const chart = await deps.charts.weekly({ campaignId: c.id });
        weekly.push({
          campaignId: c.id,
          campaignTitle: c.title,
          week: chart.week,
          entries: chart.entries.slice(0, TOP).map((e) => ({
            rank: e.rank,
            submissionId: e.submissionId,
            headline: e.headline,
            contributor: e.contributor.name,
            reach: e.reach,
            score: e.score,
          })),
        });
      } catch (err) {
        // One campaign's chart failing leaves the rest of the wall up.
        deps.logger?.warn({ err, campaignId: c.id }, 'wall: the weekly chart could not be read');
      }
    }

    return {
      generatedAt: now.toISOString(),
      day: shanghaiDay(now),
      stories: { total: forms.stories, byForm },
      videos: {
        adopted: videos.adopted,
        byChannel: CHANNELS.filter((c) => pubChannels.has(c)).map((channel) => ({ channel, ...pubChannels.get(channel)! })),
      },
      reach: {
        total,
        today,
        lastHour,
        byChannel: CHANNELS.filter((c) => reachByChannel.has(c) || todayByChannel.has(c)).map((channel) => ({
          channel,
          reach: reachByChannel.get(channel) ?? 0,
          today: todayByChannel.get(channel) ?? 0,
        })),
        byStudio: studioRows,
      },
      weekly,
      movers: topMovers.map((m) => ({ ...m, headline: names.get(m.submissionId)?.headline ?? '', contributor: names.get(m.submissionId)?.userName ?? '' })),
    };
  }

  // -- the shared snapshot and the hub ------------------------------------------------------

  interface Latest {
    snapshot: WallSnapshot;
    /** The snapshot without its time: two snapshots with the same key show the same wall. */
    key: string;
    frame: string;
    at: number;
  }
  let latest: Latest | undefined;
  let pending: Promise<Latest> | undefined;
  const clients = new Set<WallClient>();
  let timer: NodeJS.Timeout | undefined;

  /** Computes a new snapshot, or joins the computation in flight. */
  function refresh(): Promise<Latest> {
    pending ??= compute()
      .then((snapshot) => {
        const { generatedAt: _, ...rest } = snapshot;
        const made: Latest = { snapshot, key: JSON.stringify(rest), frame: sseFrame('snapshot', snapshot), at: monotonic() };
        return made;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  /** The snapshot, at most one interval old. */
  async function current(): Promise<Latest> {
    if (latest && monotonic() - latest.at < intervalMs) return latest;
    const prev = latest;
    const made = await refresh();
    if (!latest || made.at >= latest.at) latest = made;
    // A GET that found the data changed tells the walls too, rather than leaving it to the next tick.
    if (prev && prev.key !== made.key && latest === made) broadcast(made.frame);
    return latest;
  }

  function broadcast(frame: string): void {
    for (const c of clients) {
      if (c.backlog() > MAX_BACKLOG_BYTES) {
        clients.delete(c);
        c.close();
        continue;
      }
      c.write(frame);
    }
    stopIfIdle();
  }

  async function tick(): Promise<void> {
    const prev = latest;
    try {
      const made = await refresh();
      latest = made;
      if (!prev || prev.key !== made.key) broadcast(made.frame);
      else broadcast(sseFrame('heartbeat', { checkedAt: made.snapshot.generatedAt, generatedAt: prev.snapshot.generatedAt }));
    } catch (err) {
      // No heartbeat: the walls' "last updated" stops, and after 60 s they show the stale marker.
      deps.logger?.error({ err }, 'wall: computing the snapshot failed');
      broadcast(': keep-alive\n\n');
    }
  }

  function stopIfIdle(): void {
    if (clients.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  return {
    /** `GET /api/kitchen/wall`: staff with `kitchen.wall`. */
    async snapshot(actor: Actor | null | undefined): Promise<WallSnapshot> {
      assertCan(actor, 'kitchen.wall');
      return (await current()).snapshot;
    },

    /** Asserts the permission before a stream is opened (the route answers 401/403 as JSON). */
    authorize(actor: Actor | null | undefined): void {
      assertCan(actor, 'kitchen.wall');
    },

    /**
     * Adds a wall to the hub: it gets the current snapshot at once, then a `snapshot` event
     * whenever the once-per-interval recomputation differs and a `heartbeat` otherwise.
     * Returns the function that removes it.
     */
    async subscribe(client: WallClient): Promise<() => void> {
      let closed = false;
      try {
        const l = await current();
        client.write(l.frame);
      } catch (err) {
        deps.logger?.error({ err }, 'wall: computing the snapshot failed');
        client.write(': keep-alive\n\n');
      }
      // Added after its first frame, so a change found meanwhile is not sent to it twice.
      clients.add(client);
      timer ??= setInterval(() => void tick(), intervalMs);
      timer.unref?.();
      return () => {
        if (closed) return;
        closed = true;
        clients.delete(client);
        stopIfIdle();
      };
    },

    /** Ends every stream (server shutdown). */
    closeAll(): void {
      for (const c of clients) c.close();
      clients.clear();
      stopIfIdle();
    },

    /** Connected walls (for tests and the bench). */
    clientCount: () => clients.size,

    /** One computation, uncached (the bench measures it). */
    compute,
  };
}
export type WallService = ReturnType<typeof createWallService>;
