import { propagationRulesSchema, type CampaignRules, type PropagationRules } from '../../../contracts/campaigns.js';
import { DEFAULT_PROPAGATION, REACH_MILESTONES } from '../../../contracts/propagation.defaults.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { MetricsSample } from '../distribution/channels/channel.js';
import type { ReachSource } from '../rewards/rewards.service.js';
import type { NoticesService } from './notices.service.js';
import { propagationIndex, reachOf } from './propagation.index.js';
import type { ChannelFigures, FigureSums, PropagationRepository } from './propagation.repository.js';
import type { ViewAnomaly, ViewGuard } from './view-guard.js';

export interface MetricsServiceDeps {
  db: Db;
  repo: PropagationRepository;
  notices: Pick<NoticesService, 'notify'>;
  /** The forged-view check; without it no reach is suspect. */
  guard?: ViewGuard;
}

export interface RecordedSample {
  /** Some figure was lower than the publication's current one (the raw sample is kept as reported). */
  regressed: boolean;
  /** A sample at this instant was already recorded: nothing changed. */
  duplicate: boolean;
  /** Reach milestones this sample carried the video past (each noticed once). */
  milestones: number[];
}

/** A video's figures summed over its channels, its reach and its index by its campaign's weights. */
export interface VideoFigures extends FigureSums {
  reach: number;
  index: number;
  channels: ChannelFigures[];
}

const FIGURES = ['views', 'likes', 'shares', 'comments'] as const;

/** A campaign's propagation rules with the defaults filled in (rows written before the rules existed lack them). */
export function propagationRulesOf(rules: Partial<Pick<CampaignRules, 'propagation'>> | null | undefined): PropagationRules {
  const parsed = propagationRulesSchema.safeParse(rules?.propagation ?? {});
  return parsed.success ? parsed.data : { rankBy: DEFAULT_PROPAGATION.rankBy, weights: { ...DEFAULT_PROPAGATION.weights } };
}

function checkSample(sample: MetricsSample): void {
  for (const k of FIGURES) {
    const v = sample[k];
    if (v !== null && (!Number.isSafeInteger(v) || v < 0)) throw new AppError('metrics.invalid_sample', { detail: `${k} = ${String(v)}` });
  }
}

/**
 * Propagation figures: every pulled sample kept as a time series, the publications' current
 * figures (never lower than before), reach per video and per contributor, and the "你火了"
 * reach milestones.
 */
export function createMetricsService(deps: MetricsServiceDeps) {
  const { db, repo, notices } = deps;

  /**
   * Records one sample of one publication, in one transaction (the caller's when `tx` is
   * given). The sample goes in as reported; the publication's figures rise to it where it is
   * higher; reach milestones passed by this sample get their notice. A second call with the
   * same instant changes nothing, so a job that runs twice neither loses nor doubles anything.
   */
  async function recordSample(publicationId: string, sample: MetricsSample, at: Date, opts: { tx?: Db } = {}): Promise<RecordedSample> {
    checkSample(sample);
    const work = async (tx: Db): Promise<RecordedSample> => {
      const pub = await repo.getPublication(publicationId, tx);
      if (!pub) throw new AppError('publication.not_found');
      // Video first, then the publication row: one order for every writer of these figures.
      await repo.lockSubmissionFigures(pub.submissionId, tx);
      const current = await repo.getPublicationForUpdate(publicationId, tx);
      if (!current) throw new AppError('publication.not_found');
      const regressed = FIGURES.some((k) => sample[k] !== null && sample[k] < current[k]);
      const made = await repo.createSample(
        {
          publicationId,
          sampledAt: at,
          views: sample.views,
          likes: sample.likes,
          shares: sample.shares,
          comments: sample.comments,
          extra: sample.extra ?? {},
          regressed,
        },
        tx,
      );
      if (!made) {
        const stored = await repo.getSample(publicationId, at, tx);
        return { regressed: stored?.regressed ?? false, duplicate: true, milestones: [] };
      }
      const before = await repo.reachOfSubmission(pub.submissionId, tx);
      await repo.raiseFigures({ publicationId, figures: sample, at }, tx);
      const after = await repo.reachOfSubmission(pub.submissionId, tx);
      const passed = REACH_MILESTONES.filter((m) => before < m && after >= m);
      if (passed.length) {
        const info = await repo.getSubmissionInfo(pub.submissionId, tx);
        if (info) {
          for (const milestone of passed) {
            await notices.notify(
              {
                userId: info.userId,
                kind: 'reach',
                submissionId: pub.submissionId,
                params: { milestone, title: info.title },
                dedupeKey: `reach:${pub.submissionId}:${milestone}`,
              },
              tx,
            );
          }
        }
      }
      return { regressed, duplicate: false, milestones: [...passed] };
    };
    return opts.tx ? opts.tx.transaction(work) : db.transaction(work);
  }

  /** A video's figures summed over every channel (current, monotone figures). */
  async function figuresOf(submissionId: string, tx: Db = db): Promise<VideoFigures> {
    const info = await repo.getSubmissionInfo(submissionId, tx);
    if (!info) throw new AppError('submission.not_found');
    const channels = await repo.channelFigures(submissionId, tx);
    const sums: FigureSums = { views: 0, likes: 0, shares: 0, comments: 0 };
    for (const c of channels) for (const k of FIGURES) sums[k] += c[k];
    return { ...sums, reach: reachOf(sums), index: propagationIndex(sums, propagationRulesOf(info.rules).weights), channels };
  }

  /** A contributor's reach in a campaign: views summed over every channel of every video of theirs in it. */
  function reachOfContributor(q: { userId: string; campaignId: string }, tx: Db = db): Promise<number> {
    return repo.reachOfContributor(q, tx);
  }

  /**
   * The part of a contributor's reach that looked forged: for each of their videos whose views
   * came mostly from a few networks, the views from those networks.
   */
  async function suspectReachOf(q: { userId: string; campaignId: string }, tx: Db = db): Promise<{ suspect: number; anomalies: ViewAnomaly[] }> {
    if (!deps.guard) return { suspect: 0, anomalies: [] };
    const anomalies: ViewAnomaly[] = [];
    for (const v of await repo.reachPerVideo(q, tx)) {
      const a = await deps.guard.check({ submissionId: v.submissionId, views: v.reach }, tx);
      if (a) anomalies.push(a);
    }
    return { suspect: anomalies.reduce((s, a) => s + Math.min(a.topNetworkViews, a.views), 0), anomalies };
  }

  /** What rewards reads for reach multipliers; inside the adoption's transaction when given one. */
  const reachSource: ReachSource = { reachOf: (q, tx) => reachOfContributor(q, tx ?? db), suspectReachOf: (q, tx) => suspectReachOf(q, tx ?? db) };

  return { recordSample, figuresOf, reachOfContributor, suspectReachOf, reachSource };
}

export type MetricsService = ReturnType<typeof createMetricsService>;
