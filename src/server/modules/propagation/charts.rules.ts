import type { CampaignRules, PropagationRules } from '../../../contracts/campaigns.js';
import { propagationRulesOf } from './metrics.service.js';
import type { Figures } from './propagation.index.js';
import { propagationIndex, reachOf } from './propagation.index.js';

/**
 * Campaign rules as stored: rows written before the propagation fields existed lack them, so
 * every read here goes through these helpers, which fill in the documented defaults (the
 * propagation rules through the metrics module's `propagationRulesOf`).
 */
type StoredRules = Partial<Pick<CampaignRules, 'propagation' | 'weeklyPrizes' | 'grandPrize'>>;

export { propagationRulesOf };

/** The prize for a rank of the weekly chart (0 when the campaign sets none for it). */
export function weeklyPrizeFen(rules: StoredRules | null | undefined, rank: number): number {
  return rules?.weeklyPrizes?.find((p) => p.rank === rank)?.amountFen ?? 0;
}

export const DEFAULT_GRAND_PRIZE = { thresholdReach: 10_000_000, amountFen: 1_000_000, holdBackDays: 7 };

export function grandPrizeRulesOf(rules: StoredRules | null | undefined): { thresholdReach: number; amountFen: number; holdBackDays: number } {
  const g = rules?.grandPrize;
  return {
    thresholdReach: g?.thresholdReach ?? DEFAULT_GRAND_PRIZE.thresholdReach,
    amountFen: g?.amountFen ?? DEFAULT_GRAND_PRIZE.amountFen,
    holdBackDays: g?.holdBackDays ?? DEFAULT_GRAND_PRIZE.holdBackDays,
  };
}

/** What a chart ranks on: the index of the figures with the campaign's weights, or plain reach. */
export function scoreOf(f: Figures, rules: PropagationRules): number {
  return rules.rankBy === 'reach' ? reachOf(f) : propagationIndex(f, rules.weights);
}
