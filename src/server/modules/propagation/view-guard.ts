import type { Db } from '../../db/client.js';
import type { PropagationRepository, ViewCaps } from './propagation.repository.js';

export interface ViewGuardRules {
  caps: ViewCaps;
  /** How many of a video's networks with the most views are added up. */
  topNetworks: number;
  /** Flagged when those networks gave at least this percent of the figure … */
  sharePercent: number;
  /** … and at least this many views. */
  minViews: number;
}

/** Why a figure was flagged: what a reviewer sees on the hold. */
export interface ViewAnomaly {
  submissionId: string;
  /** The figure money depended on (views over the window, every channel). */
  views: number;
  /** Counted app views in the window, and the distinct networks they came from. */
  appViews: number;
  networks: number;
  /** Views from the top networks, and their share of the figure in percent. */
  topNetworkViews: number;
  topNetworks: number;
  sharePercent: number;
  from: string | null;
  to: string | null;
}

/**
 * The check in front of money that depends on views (weekly prizes, reach multipliers, the grand
 * prize): a figure is suspect when a few networks account for much of it. People watching a
 * video come from many networks; a forger, however many ids it mints, from few. A suspect figure
 * is not refused, only held for a person to look at (docs/propagation.md, "Forged views").
 */
export function createViewGuard(deps: { repo: Pick<PropagationRepository, 'networkSpread'>; rules: ViewGuardRules }) {
  const { rules } = deps;
  return {
    rules,
    /** The anomaly behind `views` (a video's figure over [from, to)), or null when it looks like people. */
    async check(q: { submissionId: string; views: number; from?: Date; to?: Date }, tx?: Db): Promise<ViewAnomaly | null> {
      const spread = await deps.repo.networkSpread({ submissionId: q.submissionId, caps: rules.caps, top: rules.topNetworks, from: q.from, to: q.to }, tx);
      // Beacons are counted live and other channels' figures at their last pull: measure against the larger.
      const base = Math.max(q.views, spread.views);
      if (spread.topViews < rules.minViews || spread.topViews * 100 < rules.sharePercent * base) return null;
      return {
        submissionId: q.submissionId,
        views: q.views,
        appViews: spread.views,
        networks: spread.networks,
        topNetworkViews: spread.topViews,
        topNetworks: rules.topNetworks,
        sharePercent: Math.round((spread.topViews * 1000) / Math.max(1, base)) / 10,
        from: q.from?.toISOString() ?? null,
        to: q.to?.toISOString() ?? null,
      };
    },
  };
}
export type ViewGuard = ReturnType<typeof createViewGuard>;
