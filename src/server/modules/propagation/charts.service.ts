import type { FastifyBaseLogger } from 'fastify';
import type { WeeklyChart, WeeklyChartEntry, WeeklyChartQuery } from '../../../contracts/charts.js';
import type { PropagationRules } from '../../../contracts/campaigns.js';
import type { Db } from '../../db/client.js';
import type { CampaignRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { ChartsRepository, NewChartEntry, NewNotice, WeekFigures } from './charts.repository.js';
import { propagationRulesOf, scoreOf, weeklyPrizeFen } from './charts.rules.js';
import { isoWeekOf, parseIsoWeek, weeksBetween, type IsoWeek } from './charts.week.js';
import type { HoldsService } from './holds.service.js';
import type { Figures } from './propagation.index.js';
import type { ViewGuard } from './view-guard.js';

export const CHART_SIZE = 10;

/**
 * Where a frozen chart goes next. The distribution module implements it to put the chart on
 * every channel; it is called inside the freezing transaction, so whatever it writes (an
 * outbox row, a job) exists exactly when the chart does, once.
 */
export interface ChartPublisher {
  chartFrozen(chart: WeeklyChart, tx: Db): Promise<void>;
}
export const noChartPublisher: ChartPublisher = { chartFrozen: async () => {} };

export interface ChartsServiceDeps {
  db: Db;
  repo: ChartsRepository;
  ledger: LedgerService;
  audit: AuditRepository;
  clock: Clock;
  /**
   * Creates a contributor notice once per dedupe key, in the caller's transaction (the notices
   * service's `notify`, which also queues SMS and email); the bare notices row when absent.
   */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
  /** How long a live chart is served from memory before it is computed again (0: never cached). */
  liveCacheSeconds: number;
  publisher?: ChartPublisher;
  logger?: FastifyBaseLogger;
  /** With both, a prize whose week's views look forged is held for review instead of paid. */
  guard?: ViewGuard;
  holds?: Pick<HoldsService, 'hold'>;
}

/** One video's figures over a span, summed over its channels. */
export interface VideoWeek extends Figures {
  submissionId: string;
  userId: string;
  adoptedAt: Date | null;
  score: number;
  reach: number;
}

export const weeklyPrizeKey = (campaignId: string, week: string, rank: number) => `weekly:${campaignId}:${week}:${rank}`;
export const chartNoticeKey = (campaignId: string, week: string, submissionId: string) => `chart:${campaignId}:${week}:${submissionId}`;

const FIGURES = ['views', 'likes', 'comments', 'shares'] as const;

/**
 * A week's figures per video: for each publication, the highest figures seen by the week's end
 * minus the highest seen by its start (both "max so far", so a platform reporting less than
 * before never lowers anything), summed over the video's channels.
 */
export function weeklyFigures(rows: WeekFigures[]): Omit<VideoWeek, 'score' | 'reach'>[] {
  const videos = new Map<string, Omit<VideoWeek, 'score' | 'reach'>>();
  for (const p of rows) {
    let v = videos.get(p.submissionId);
    if (!v) {
      v = { submissionId: p.submissionId, userId: p.userId, adoptedAt: p.adoptedAt, views: 0, likes: 0, comments: 0, shares: 0 };
      videos.set(p.submissionId, v);
    }
    for (const k of FIGURES) v[k] += Math.max(p.end[k], p.start[k]) - p.start[k];
  }
  return [...videos.values()];
}

/**
 * The chart's order: score, then reach, then the earlier adoption, then the id (so equal
 * videos always come out in the same order). Videos with nothing to show for the week stay off.
 */
export function rankVideos(videos: Omit<VideoWeek, 'score' | 'reach'>[], rules: PropagationRules): VideoWeek[] {
  return videos
    .map((v) => ({ ...v, score: scoreOf(v, rules), reach: Math.max(0, v.views) }))
    .filter((v) => v.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.reach - a.reach ||
        (a.adoptedAt?.getTime() ?? Number.MAX_SAFE_INTEGER) - (b.adoptedAt?.getTime() ?? Number.MAX_SAFE_INTEGER) ||
        (a.submissionId < b.submissionId ? -1 : a.submissionId > b.submissionId ? 1 : 0),
    );
}

/** A chart and its reply body, serialized once: a cached read costs no serialization. */
export interface ChartReply {
  chart: WeeklyChart;
  /** `{"chart": …}` as JSON. */
  json: string;
}
interface CacheEntry {
  /** The last chart computed, and until when it is fresh (clock ms). */
  ready?: ChartReply;
  expiresAt: number;
  /** The computation in flight, which every reader of a missing entry shares. */
  pending?: Promise<ChartReply>;
}
const CACHE_MAX = 500;
const BASELINE_MS = 3_600_000;
const BASELINE_SETTLE_MS = 5 * 60_000;

/**
 * The weekly chart (风云榜·每周Top10): the live "this week so far" ranking, and the Monday
 * freeze that fixes the past week's top ten and posts their prizes, once.
 */
export function createChartsService(deps: ChartsServiceDeps) {
  const { db, repo, ledger, clock } = deps;
  const publisher = deps.publisher ?? noChartPublisher;
  const notify = deps.notify ?? ((n: NewNotice, tx: Db) => repo.createNotice(n, tx));
  const ttlMs = deps.liveCacheSeconds * 1000;
  // Live charts for a few seconds, frozen ones until evicted (they never change). Concurrent
  // readers of a missing entry share one computation; an expired one is served for one more
  // lifetime while a single refresh runs, so readers never queue behind a recomputation.
  const cache = new Map<string, CacheEntry>();

  /** The top ten of a span of the week [w.start, upTo], computed from the samples (in `tx` when given). */
  async function compute(campaign: CampaignRow, w: IsoWeek, upTo: Date, tx: Db = db): Promise<VideoWeek[]> {
    const rules = propagationRulesOf(campaign.rules);
    const rows = await repo.weekFigures({ campaignId: campaign.id, start: w.start, upTo }, tx);
    return rankVideos(weeklyFigures(rows), rules).slice(0, CHART_SIZE);
  }

  /**
   * The figures at a running week's start, per publication, kept for BASELINE_MS: they are
   * fixed once the week has begun (metrics are sampled at pull time, never back-dated), and
   * reading them means every sample of the campaign before the week. A refresh of the live
   * chart then reads only the week's own samples.
   */
  const baselines = new Map<string, { at: number; figures: Promise<Map<string, Figures>> }>();
  function baseline(campaignId: string, w: IsoWeek): Promise<Map<string, Figures>> {
    const key = `${campaignId}:${w.week}`;
    const now = clock.now().getTime();
    const hit = baselines.get(key);
    if (hit && now - hit.at < BASELINE_MS) return hit.figures;
    const figures = repo.publicationFigures({ campaignId, upTo: w.start }).then((rows) => new Map(rows.map((r) => [r.publicationId, r as Figures])));
    // Samples a pull stamped just before Monday 00:00 may still be committing: not kept yet.
    if (now - w.start.getTime() < BASELINE_SETTLE_MS) return figures;
    for (const [k, v] of baselines) if (now - v.at >= BASELINE_MS) baselines.delete(k);
    baselines.set(key, { at: now, figures });
    figures.catch(() => baselines.delete(key));
    return figures;
  }

  /** The running week up to `upTo`: the kept baseline plus the week's own samples. */
  async function computeLive(campaign: CampaignRow, w: IsoWeek, upTo: Date): Promise<VideoWeek[]> {
    const rules = propagationRulesOf(campaign.rules);
    const [base, inWeek] = await Promise.all([baseline(campaign.id, w), repo.publicationFigures({ campaignId: campaign.id, upTo, after: w.start })]);
    const zero: Figures = { views: 0, likes: 0, comments: 0, shares: 0 };
    const rows: WeekFigures[] = inWeek.map((p) => ({ ...p, start: base.get(p.publicationId) ?? zero, end: p }));
    return rankVideos(weeklyFigures(rows), rules).slice(0, CHART_SIZE);
  }

  async function present(
    campaign: CampaignRow,
    w: IsoWeek,
    ranked: { rank: number; submissionId: string; score: number; reach: number; prizeFen: number }[],
    meta: { frozenAt: Date | null; computedAt: Date; rankBy: 'index' | 'reach' },
    tx: Db = db,
  ): Promise<WeeklyChart> {
    const names = await repo.describe(
      ranked.map((r) => r.submissionId),
      tx,
    );
    const entries: WeeklyChartEntry[] = ranked.map((r) => {
      const n = names.get(r.submissionId);
      return {
        rank: r.rank,
        submissionId: r.submissionId,
        headline: n?.headline ?? '',
        contributor: { id: n?.userId ?? '', name: n?.userName ?? '' },
        score: r.score,
        reach: r.reach,
        prizeFen: r.prizeFen,
      };
    });
    return {
      campaignId: campaign.id,
      week: w.week,
      startsAt: w.start.toISOString(),
      endsAt: w.end.toISOString(),
      rankBy: meta.rankBy,
      frozen: !!meta.frozenAt,
      frozenAt: meta.frozenAt?.toISOString() ?? null,
      computedAt: meta.computedAt.toISOString(),
      entries,
    };
  }

  async function frozenChart(campaign: CampaignRow, w: IsoWeek, tx: Db = db): Promise<WeeklyChart | undefined> {
    const chart = await repo.getChart(campaign.id, w.week, tx);
    if (!chart) return undefined;
    const entries = await repo.listEntries(campaign.id, w.week, tx);
    return {
      campaignId: campaign.id,
      week: w.week,
      startsAt: w.start.toISOString(),
      endsAt: w.end.toISOString(),
      rankBy: chart.rankBy,
      frozen: true,
      frozenAt: chart.frozenAt.toISOString(),
      computedAt: chart.frozenAt.toISOString(),
      entries: entries.map((e) => ({
        rank: e.rank,
        submissionId: e.submissionId,
        headline: e.headline,
        contributor: { id: e.userId, name: e.userName },
        score: e.score,
        reach: e.reach,
        prizeFen: e.prizeFen,
      })),
    };
  }

  async function loadCampaign(id: string): Promise<CampaignRow> {
    const c = await repo.getCampaign(id);
    // Drafts are not public.
    if (!c?.published) throw new AppError('campaign.not_found');
    return c;
  }

  function weekOf(week: string | undefined): IsoWeek {
    if (week === undefined) return isoWeekOf(clock.now());
    const w = parseIsoWeek(week);
    if (!w) throw new AppError('chart.invalid_week', { week });
    return w;
  }

  async function readChart(campaignId: string, w: IsoWeek): Promise<WeeklyChart> {
    const campaign = await loadCampaign(campaignId);
    const now = clock.now();
    if (w.start > now) throw new AppError('chart.week_not_started', { week: w.week });
    if (w.end <= campaign.startsAt || w.start >= campaign.endsAt) throw new AppError('chart.week_outside_campaign', { week: w.week });
    const frozen = await frozenChart(campaign, w);
    if (frozen) return frozen;
    const upTo = now < w.end ? now : w.end;
    const rules = propagationRulesOf(campaign.rules);
    // A running week reuses its start's figures; a past week not yet frozen is computed whole.
    const ranked = now < w.end ? await computeLive(campaign, w, upTo) : await compute(campaign, w, upTo);
    return present(
      campaign,
      w,
      ranked.map((v, i) => ({ rank: i + 1, submissionId: v.submissionId, score: v.score, reach: v.reach, prizeFen: weeklyPrizeFen(campaign.rules, i + 1) })),
      { frozenAt: null, computedAt: now, rankBy: rules.rankBy },
    );
  }

  /**
   * Freezes one (campaign, week) in one transaction: the chart row (its primary key makes a
   * second freeze a no-op, and a concurrent one wait and then find it), the entries, each
   * prize's ledger transfer (keyed `weekly:<campaign>:<week>:<rank>`, so it posts once even if
   * the row were lost), the contributors' notices and the publisher's hook. Returns the chart,
   * or undefined when it was frozen already.
   */
  async function freezeWeek(campaignId: string, w: IsoWeek): Promise<WeeklyChart | undefined> {
    const frozenAt = clock.now();
    const chart = await db.transaction(async (tx) => {
      const campaign = await repo.getCampaign(campaignId, tx);
      if (!campaign) throw new AppError('campaign.not_found');
      const rules = propagationRulesOf(campaign.rules);
      if (!(await repo.createChart({ campaignId, week: w.week, rankBy: rules.rankBy, frozenAt }, tx))) return undefined;
      const ranked = await compute(campaign, w, w.end, tx);
      const budget = ranked.length ? await ledger.systemAccount('campaign_budget', campaignId, tx) : undefined;
      const entries: (NewChartEntry & { prizeFen: number })[] = [];
      for (const [i, v] of ranked.entries()) {
        const rank = i + 1;
        const prizeFen = weeklyPrizeFen(campaign.rules, rank);
        let transferId: string | null = null;
        const anomaly =
          prizeFen > 0 && deps.guard && deps.holds
            ? await deps.guard.check({ submissionId: v.submissionId, views: v.views, from: w.start, to: w.end }, tx)
            : null;
        if (anomaly) {
          // Ranked as the figures say, but the prize waits for a person (docs/propagation.md, "Forged views").
          await deps.holds!.hold(
            {
              kind: 'weekly_prize',
              ledgerKey: weeklyPrizeKey(campaignId, w.week, rank),
              campaignId,
              submissionId: v.submissionId,
              userId: v.userId,
              amountFen: prizeFen,
              refs: { week: w.week, rank },
              reason: { ...anomaly },
            },
            tx,
          );
        } else if (prizeFen > 0) {
          const contributor = await ledger.ensureContributorAccount(v.userId, tx);
          const t = await ledger.post(
            {
              idempotencyKey: weeklyPrizeKey(campaignId, w.week, rank),
              kind: 'weekly_prize',
              entries: [
                { accountId: contributor.id, amountFen: prizeFen },
                { accountId: budget!.id, amountFen: -prizeFen },
              ],
              refs: { campaignId, week: w.week, rank, submissionId: v.submissionId },
              memo: null,
              actorId: null,
            },
            tx,
          );
          transferId = t.id;
        }
        entries.push({ campaignId, week: w.week, rank, submissionId: v.submissionId, userId: v.userId, score: v.score, reach: v.reach, prizeFen, transferId });
      }
      await repo.createEntries(entries, tx);
      for (const e of entries) {
        await notify(
          {
            userId: e.userId,
            kind: 'chart',
            submissionId: e.submissionId,
            params: { campaignId, week: w.week, rank: e.rank, prizeFen: e.prizeFen },
            dedupeKey: chartNoticeKey(campaignId, w.week, e.submissionId),
          },
          tx,
        );
      }
      await deps.audit.create(
        {
          actorId: null,
          action: 'chart.freeze',
          objectType: 'campaign',
          objectId: campaignId,
          data: {
            week: w.week,
            entries: entries.length,
            prizesFen: entries.reduce((s, e) => s + e.prizeFen, 0),
            heldFen: entries.reduce((s, e) => s + (e.prizeFen > 0 && !e.transferId ? e.prizeFen : 0), 0),
          },
        },
        tx,
      );
      const made = await present(campaign, w, entries, { frozenAt, computedAt: frozenAt, rankBy: rules.rankBy }, tx);
      await publisher.chartFrozen(made, tx);
      return made;
    });
    cache.delete(`${campaignId}:${w.week}`);
    return chart;
  }

  /** Computes a chart into its cache entry (a new one, or a refresh of an expired one). */
  function load(key: string, campaignId: string, w: IsoWeek): Promise<ChartReply> {
    const startedAt = clock.now().getTime();
    const pending = readChart(campaignId, w).then((chart) => ({ chart, json: JSON.stringify({ chart }) }));
    if (ttlMs <= 0) return pending;
    let entry = cache.get(key);
    if (!entry) {
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      entry = { expiresAt: 0 };
      cache.set(key, entry);
    }
    const e = entry;
    e.pending = pending;
    pending.then(
      (r) => {
        e.ready = r;
        e.pending = undefined;
        e.expiresAt = r.chart.frozen ? Number.MAX_SAFE_INTEGER : startedAt + ttlMs;
      },
      (err: unknown) => {
        e.pending = undefined;
        if (!e.ready && cache.get(key) === e) cache.delete(key);
        else deps.logger?.warn({ err, key }, 'charts: refreshing a live chart failed; serving the previous one');
      },
    );
    return pending;
  }

  /** The frozen chart of a past week, or the live one computed up to now, cached briefly. */
  async function reply(q: WeeklyChartQuery): Promise<ChartReply> {
    const w = weekOf(q.week);
    const key = `${q.campaignId}:${w.week}`;
    const now = clock.now().getTime();
    const e = cache.get(key);
    if (e?.ready) {
      if (now < e.expiresAt) return e.ready;
      if (now < e.expiresAt + ttlMs) {
        if (!e.pending) void load(key, q.campaignId, w).catch(() => {});
        return e.ready;
      }
    }
    return e?.pending ?? load(key, q.campaignId, w);
  }

  return {
    /** `GET /api/charts/weekly`: the frozen chart of a past week, or the live one computed up to now (cached briefly). */
    async weekly(q: WeeklyChartQuery): Promise<WeeklyChart> {
      return (await reply(q)).chart;
    },

    /** The same as `weekly`, with the reply body already serialized (what the route sends). */
    weeklyReply: reply,

    /** The frozen chart of a week, or undefined: for the distribution module to put on its channels. */
    async frozen(campaignId: string, week: string): Promise<WeeklyChart | undefined> {
      const w = parseIsoWeek(week);
      if (!w) throw new AppError('chart.invalid_week', { week });
      const campaign = await repo.getCampaign(campaignId);
      if (!campaign) throw new AppError('campaign.not_found');
      return frozenChart(campaign, w);
    },

    freezeWeek,

    /**
     * The scheduled job: freezes every week that has ended and is not frozen yet, for every
     * published campaign running during it, oldest first. After downtime it catches up all the
     * missed weeks; run twice (or by two workers at once) it freezes each week once. A failure
     * of one week does not stop the others; the first is rethrown so the job is retried.
     */
    async freezeDue(): Promise<{ frozen: { campaignId: string; week: string; entries: number }[] }> {
      const now = clock.now();
      const frozen: { campaignId: string; week: string; entries: number }[] = [];
      let firstError: unknown;
      for (const c of await repo.listCampaignsActive(new Date(0), now)) {
        const done = await repo.listFrozenWeeks(c.id);
        for (const w of weeksBetween(c.startsAt, c.endsAt < now ? c.endsAt : now)) {
          if (w.end > now || done.has(w.week)) continue;
          try {
            const chart = await freezeWeek(c.id, w);
            if (chart) frozen.push({ campaignId: c.id, week: w.week, entries: chart.entries.length });
          } catch (err) {
            deps.logger?.error({ err, campaignId: c.id, week: w.week }, 'charts: freezing a week failed');
            firstError ??= err;
          }
        }
      }
      if (firstError) throw firstError;
      return { frozen };
    },
  };
}
export type ChartsService = ReturnType<typeof createChartsService>;
