import type { Dashboard, DashboardQuery } from '../../../contracts/charts.js';
import { CHANNELS, type Channel } from '../../../contracts/packaging.limits.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { startOfDayShanghai } from '../../lib/time.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import type { ChartsRepository } from './charts.repository.js';
import { propagationRulesOf } from './charts.rules.js';
import type { DashboardScope, DashboardsRepository } from './dashboards.repository.js';
import { propagationIndex, reachOf, type Figures } from './propagation.index.js';

export interface DashboardsServiceDeps {
  repo: DashboardsRepository;
  charts: ChartsRepository;
  clock: Clock;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The most buckets one dashboard answers (83 days of hours, 5 years of days). */
export const MAX_BUCKETS = 2000;
const MAX_VIDEOS = 100;
// Any Shanghai midnight: day buckets start at 00:00 +08:00.
const SHANGHAI_MIDNIGHT = new Date('2000-01-03T00:00:00+08:00');

const zero = (): Figures => ({ views: 0, likes: 0, comments: 0, shares: 0 });
const add = (a: Figures, b: Figures) => {
  a.views += b.views;
  a.likes += b.likes;
  a.comments += b.comments;
  a.shares += b.shares;
};

/**
 * Dashboards for a video, a contributor, a studio and a channel: reach over time (hourly or
 * daily, Asia/Shanghai days) in total and per channel, current figures by channel and the
 * propagation index, from metric_samples with the highest-so-far figure per publication.
 */
export function createDashboardsService(deps: DashboardsServiceDeps) {
  const { repo, clock } = deps;

  /** Who may see which dashboard: editors and admins everything; a contributor their own; a studio's people their studio. */
  async function authorize(actor: Actor | null | undefined, scope: DashboardScope): Promise<{ name: string }> {
    if (!actor) throw new AppError('auth.required');
    const all = can(actor, 'dashboard.view_all');
    switch (scope.kind) {
      case 'video': {
        const s = await repo.getSubmission(scope.id);
        if (!s) throw new AppError('submission.not_found');
        if (!all && s.userId !== actor.id) throw new AppError('auth.forbidden');
        const d = await deps.charts.describe([s.id]);
        return { name: d.get(s.id)?.headline ?? s.title };
      }
      case 'contributor': {
        if (!all && scope.id !== actor.id) throw new AppError('auth.forbidden');
        const name = await repo.getUserName(scope.id);
        if (name === undefined) throw new AppError('user.not_found');
        return { name };
      }
      case 'studio': {
        const studio = await repo.getStudio(scope.id);
        if (!studio) throw new AppError('studio.not_found');
        if (!all && !(await repo.isStudioMember(scope.id, actor.id))) throw new AppError('auth.forbidden');
        return { name: studio.name };
      }
      case 'channel':
        assertCan(actor, 'dashboard.view_all');
        return { name: scope.channel };
    }
  }

  function range(q: Pick<DashboardQuery, 'from' | 'to' | 'bucket'>) {
    const size = q.bucket === 'hour' ? HOUR_MS : DAY_MS;
    const to = q.to ? new Date(q.to) : clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - (q.bucket === 'hour' ? 48 * HOUR_MS : 30 * DAY_MS));
    if (!(from < to)) throw new AppError('dashboard.invalid_range');
    const first = q.bucket === 'hour' ? new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS) : startOfDayShanghai(from);
    const buckets = Math.floor((to.getTime() - first.getTime()) / size) + 1;
    if (buckets > MAX_BUCKETS) throw new AppError('dashboard.range_too_long', { max: MAX_BUCKETS, bucket: q.bucket });
    return { from, to, first, size, buckets };
  }

  return {
    async get(actor: Actor | null | undefined, scope: DashboardScope, q: Pick<DashboardQuery, 'from' | 'to' | 'bucket'>): Promise<Dashboard> {
      const { name } = await authorize(actor, scope);
      const { from, to, first, size, buckets } = range(q);
      const [figures, deltas] = [
        await repo.figures(scope, to),
        await repo.reachDeltas({ scope, from: first, to, step: q.bucket === 'hour' ? '1 hour' : '1 day', origin: SHANGHAI_MIDNIGHT }),
      ];

      // Current figures: per channel, per video, in total.
      const totals = zero();
      const byChannel = new Map<Channel, Figures>();
      const byVideo = new Map<string, { campaignId: string; f: Figures }>();
      for (const f of figures) {
        add(totals, f);
        const c = byChannel.get(f.channel) ?? zero();
        add(c, f);
        byChannel.set(f.channel, c);
        const v = byVideo.get(f.submissionId) ?? { campaignId: f.campaignId, f: zero() };
        add(v.f, f);
        byVideo.set(f.submissionId, v);
      }
      const campaignIds = [...new Set([...byVideo.values()].map((v) => v.campaignId))];
      const rules = await repo.campaignRules(campaignIds);
      const weightsOf = (campaignId: string) => propagationRulesOf(rules.get(campaignId)).weights;
      // One campaign: its weights; videos of several: the defaults (WCI's).
      const totalWeights = campaignIds.length === 1 ? weightsOf(campaignIds[0]!) : propagationRulesOf(undefined).weights;

      const top = [...byVideo]
        .map(([submissionId, v]) => ({ submissionId, reach: reachOf(v.f), index: propagationIndex(v.f, weightsOf(v.campaignId)) }))
        .sort((a, b) => b.reach - a.reach || b.index - a.index || (a.submissionId < b.submissionId ? -1 : 1))
        .slice(0, MAX_VIDEOS);
      const names = await deps.charts.describe(top.map((v) => v.submissionId));

      // Reach over time: what each channel had before the first bucket, plus each bucket's gains.
      const channels = CHANNELS.filter((c) => byChannel.has(c));
      const running = new Map<Channel, number>(channels.map((c) => [c, 0]));
      const gains = new Map<string, number>();
      for (const d of deltas) {
        if (!running.has(d.channel)) running.set(d.channel, 0);
        if (d.bucket === null) running.set(d.channel, running.get(d.channel)! + d.views);
        else gains.set(`${d.channel}@${d.bucket.getTime()}`, d.views);
      }
      const series: Dashboard['series'] = [];
      for (let i = 0; i < buckets; i++) {
        const at = first.getTime() + i * size;
        const point: Record<string, number> = {};
        let reach = 0;
        for (const [c, v] of running) {
          const now = v + (gains.get(`${c}@${at}`) ?? 0);
          running.set(c, now);
          point[c] = now;
          reach += now;
        }
        series.push({ at: new Date(at).toISOString(), reach, byChannel: point });
      }

      return {
        subject: { kind: scope.kind, id: scope.kind === 'channel' ? scope.channel : scope.id, name },
        from: from.toISOString(),
        to: to.toISOString(),
        bucket: q.bucket,
        timeZone: 'Asia/Shanghai',
        totals: { ...totals, reach: reachOf(totals), index: propagationIndex(totals, totalWeights) },
        byChannel: channels.map((c) => ({ channel: c, ...byChannel.get(c)!, reach: reachOf(byChannel.get(c)!) })),
        series,
        videos: top.map((v) => ({ ...v, headline: names.get(v.submissionId)?.headline ?? '' })),
        videoCount: byVideo.size,
      };
    },
  };
}
export type DashboardsService = ReturnType<typeof createDashboardsService>;
