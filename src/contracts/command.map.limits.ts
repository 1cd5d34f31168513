/**
 * Part map's numbers without zod (docs/command-map.md), shared by the server's rules and the
 * phone's sender so both agree on what a report may be.
 */
export const LOCATION_LIMITS = {
  /** At most this many reports in one batch (a phone catching up after a dead spot). */
  batchMax: 20,
  /** A report stamped this far ahead of the server's clock is refused (phones' clocks drift a little). */
  futureSkewMs: 2 * 60_000,
  /** A report older than this is refused: a queue that old tells the desk nothing about now. */
  maxAgeMs: 6 * 60 * 60_000,
  /** Grace before the consent's instant (the phone stamps the fix it took just before the server stored the consent). */
  consentSkewMs: 60_000,
  /** A report less than this after the person's previous stored one is refused: at most one row per 5 s of the phone's time, whatever a client sends. */
  minGapMs: 5_000,
  /** The phone sends at most one report per this interval… */
  sendEveryMs: 30_000,
  /** …unless it moved at least this far. */
  sendOnMoveMetres: 100,
  /** On the desk's map a person not heard from for this long is drawn as stale (greyed). */
  staleAfterMs: 10 * 60_000,
} as const;

export const LOCATION_STOP_REASONS = ['person', 'assignment_ended', 'offer_ended'] as const;
export type LocationStopReason = (typeof LOCATION_STOP_REASONS)[number];
