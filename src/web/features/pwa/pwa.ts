/**
 * The app's side of the service worker (src/web/sw/sw.js): registers it, notices a waiting new
 * version, and tracks whether the network is reachable. Imported once by main.tsx; the banners
 * are in PwaNotices.tsx.
 */

export interface PwaState {
  /** navigator.onLine is false, or the last same-origin fetch failed for want of a network. */
  offline: boolean;
  /** A new version is installed and waits for this page to let it take over. */
  updateReady: boolean;
}

let state: PwaState = { offline: typeof navigator !== 'undefined' && navigator.onLine === false, updateReady: false };
const listeners = new Set<() => void>();
let waiting: ServiceWorker | null = null;
let fetchFailed = false;

function set(patch: Partial<PwaState>): void {
  const next = { ...state, ...patch };
  if (next.offline === state.offline && next.updateReady === state.updateReady) return;
  state = next;
  for (const l of listeners) l();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getState(): PwaState {
  return state;
}

function recompute(): void {
  set({ offline: navigator.onLine === false || fetchFailed });
}

/**
 * navigator.onLine says true on a network that carries nothing (a train between masts, a portal
 * that swallows requests), so a fetch that fails with a TypeError counts as offline too, until
 * any fetch gets an answer. Only the outcome is observed; requests and answers are untouched.
 */
function watchFetch(): void {
  const original = window.fetch.bind(window);
  window.fetch = async (...args: Parameters<typeof fetch>) => {
    try {
      const res = await original(...args);
      if (fetchFailed) {
        fetchFailed = false;
        recompute();
      }
      return res;
    } catch (err) {
      if (err instanceof TypeError) {
        fetchFailed = true;
        recompute();
      }
      throw err;
    }
  };
  window.addEventListener('online', () => {
    fetchFailed = false;
    recompute();
  });
  window.addEventListener('offline', recompute);
}

/** Lets the waiting worker take over; the page reloads when it does (see controllerchange). */
export function applyUpdate(): void {
  if (waiting) waiting.postMessage({ type: 'SKIP_WAITING' });
  else window.location.reload();
}

function trackWaiting(reg: ServiceWorkerRegistration): void {
  const found = (sw: ServiceWorker | null) => {
    // Only an update waits behind a controller; the very first install has nothing to replace.
    if (sw && navigator.serviceWorker.controller) {
      waiting = sw;
      set({ updateReady: true });
    }
  };
  if (reg.waiting) found(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const sw = reg.installing;
    sw?.addEventListener('statechange', () => {
      if (sw.state === 'installed') found(sw);
    });
  });
}

/** The hashed assets this page already loaded, for the worker to keep (from the HTTP cache). */
function loadedAssets(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => u.startsWith(`${location.origin}/assets/`));
}

async function register(): Promise<void> {
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  trackWaiting(reg);
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // A worker taking over after the user said "reload" (a first install only claims the page).
    if (waiting && !reloading) {
      reloading = true;
      window.location.reload();
    }
  });
  const active = await navigator.serviceWorker.ready;
  active.active?.postMessage({ type: 'CACHE_ASSETS', urls: loadedAssets() });
}

/**
 * Production builds over http(s) only (vite's dev server has no sw.js and its modules are not
 * hashed), and only after the page has loaded, so on a slow network the worker's own downloads
 * never compete with the first paint.
 */
export function startPwa(): void {
  if (typeof window === 'undefined') return;
  watchFetch();
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
  // A kiosk has its own worker (/kiosk-sw.js, features/kiosk/offline.ts) and nobody to prompt.
  if (/^\/kiosk(\/|$)/.test(location.pathname)) return;
  const go = () => {
    register().catch(() => undefined);
  };
  if (document.readyState === 'complete') setTimeout(go, 0);
  else window.addEventListener('load', go, { once: true });
}
