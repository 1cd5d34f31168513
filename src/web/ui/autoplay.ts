/** What the browser says about the network (the Network Information API; Chromium only). */
export interface NetworkInformation {
  effectiveType?: string;
  saveData?: boolean;
}

/**
 * Whether a player may start unasked (muted, when it scrolls into view): only on a connection
 * the browser rates '4g' that does not ask to save data, and not for someone who asked for
 * reduced motion. Where the browser does not say (Safari and Firefox have no
 * navigator.connection) the answer is no: a weak network cannot be ruled out, and a tap costs the
 * viewer less than megabytes they did not ask for.
 */
export function autoplayAllowed(env: { connection?: NetworkInformation | null; reducedMotion: boolean }): boolean {
  const c = env.connection;
  if (!c || c.saveData || c.effectiveType !== '4g') return false;
  return !env.reducedMotion;
}

/** autoplayAllowed for this browser. */
export function browserAllowsAutoplay(): boolean {
  return autoplayAllowed({
    connection: (navigator as { connection?: NetworkInformation }).connection,
    reducedMotion: window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false,
  });
}
