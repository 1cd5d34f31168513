import type { PropagationRules } from '../../../contracts/campaigns.js';
import { DEFAULT_PROPAGATION } from '../../../contracts/propagation.defaults.js';

/** A video's figures, summed over every channel it is on. */
export interface Figures {
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/**
 * The propagation index (传播指数), one formula for every channel, modelled on WCI:
 *
 *   PI = 100 × ( w_v·ln(V + 1) + w_l·ln(10·L + 1) + w_c·ln(10·C + 1) + w_s·ln(10·S + 1) )
 *
 * with V, L, C, S the views (reads, plays), likes, comments and shares summed over the
 * channels, and the weights from the campaign (WCI's 0.7 / 0.09 / 0.06 / 0.15 by default).
 * The logarithms keep one runaway figure from swamping the rest; interactions are worth ten
 * views each before the log, as in WCI. Rounded to two decimals so rankings are stable.
 */
export function propagationIndex(f: Figures, weights: PropagationRules['weights'] = DEFAULT_PROPAGATION.weights): number {
  const v = Math.max(0, f.views);
  const l = Math.max(0, f.likes);
  const c = Math.max(0, f.comments);
  const s = Math.max(0, f.shares);
  const raw =
    weights.views * Math.log(v + 1) + weights.likes * Math.log(10 * l + 1) + weights.comments * Math.log(10 * c + 1) + weights.shares * Math.log(10 * s + 1);
  return Math.round(raw * 100 * 100) / 100;
}

/** Reach (传播量): the plain sum of views over the channels. */
export function reachOf(f: Pick<Figures, 'views'>): number {
  return Math.max(0, f.views);
}
