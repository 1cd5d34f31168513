/**
 * Fixed rate windows counted in this process: the grab's limits when there is no Redis.
 *
 * The same rule as the grab script's windows on Redis (a count per key that starts with the
 * first attempt and lasts one window), on real time rather than the service clock: a rate
 * limit is about how fast requests arrive. One process owns the data on PGlite, so its count
 * is the whole count; several `paike serve` processes on PostgreSQL without Redis each count
 * their own (docs/rain.md, "Anti-abuse").
 */
export interface RateWindows {
  /** Counts one attempt under `key`; the milliseconds until its window reopens when the count is past `max` (0: allowed, or `max` is 0). */
  hit(key: string, max: number, windowMs: number): number;
}

/** Windows kept before expired ones are swept; past it after a sweep (a flood of distinct keys) the oldest half goes. */
const MAX_KEYS = 100_000;

export function createRateWindows(now: () => number = () => performance.now()): RateWindows {
  const windows = new Map<string, { count: number; endsAt: number }>();

  function sweep(at: number): void {
    for (const [k, w] of windows) if (w.endsAt <= at) windows.delete(k);
    if (windows.size < MAX_KEYS) return;
    // Insertion order is age order: forgetting the oldest windows errs towards letting a grab through.
    let drop = windows.size / 2;
    for (const k of windows.keys()) {
      if (drop-- <= 0) break;
      windows.delete(k);
    }
  }

  return {
    hit(key, max, windowMs) {
      const at = now();
      let w = windows.get(key);
      if (!w || w.endsAt <= at) {
        if (w) windows.delete(key);
        if (windows.size >= MAX_KEYS) sweep(at);
        w = { count: 0, endsAt: at + windowMs };
        windows.set(key, w);
      }
      w.count++;
      return max > 0 && w.count > max ? Math.max(1, Math.ceil(w.endsAt - at)) : 0;
    },
  };
}
