// No zod here: the web app imports these values directly (see packaging.limits.ts).
/** The propagation index's default weights, WCI's: views (reads) 0.7, likes 0.09, comments 0.06, shares 0.15. */
export const DEFAULT_PROPAGATION = {
  rankBy: 'index' as 'index' | 'reach',
  weights: { views: 0.7, likes: 0.09, comments: 0.06, shares: 0.15 },
};
/** Reach milestones that earn a "你火了" notice. */
export const REACH_MILESTONES = [10_000, 100_000, 1_000_000, 10_000_000] as const;
