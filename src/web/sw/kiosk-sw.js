/* The kiosk's service worker (docs/kiosk.md "Offline"): scope /kiosk, so it controls only the
 * kiosk app, which must keep playing through a network outage. Hand-written and small, like
 * sw.js; the build (src/web/build/pwa.plugin.ts) writes in the build id and the kiosk app's files.
 *   - the kiosk app itself (its page and every script it can load) is kept, so a screen that
 *     restarts during an outage starts again;
 *   - media are cached ahead from the signed manifest the page hands over (CACHE_MANIFEST), in
 *     the loop's order, within the storage budget, each file kept only if its bytes hash to the
 *     manifest's SHA-256; a cached file is answered from the cache, online or not;
 *   - nothing else under /api/ is touched: heartbeats, plays and the event stream go to the
 *     network as sent, and fail when it is down (the page buffers what matters).
 */
/// <reference lib="webworker" />
const BUILD = /* @paike-build */ { id: 'dev', entry: [], shell: [] };

const SHELL_CACHE = `paike-kiosk-shell-${BUILD.id}`;
// Not per build: a new app version must not throw away hours of cached video.
const MEDIA_CACHE = 'paike-kiosk-media';
const SHELL_URL = '/kiosk';
const NAVIGATE_TIMEOUT_MS = 4000;
const HASH_HEADER = 'x-paike-sha256';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      await shell.add(new Request(SHELL_URL, { cache: 'no-cache', credentials: 'omit' }));
      await shell.addAll(BUILD.shell);
      // A kiosk has nobody to accept a "new version" prompt: the new worker takes over at once
      // and the page reloads itself between two items (controllerchange).
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('paike-kiosk-shell-') && key !== SHELL_CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    if (url.pathname === SHELL_URL || url.pathname.startsWith(`${SHELL_URL}/`)) event.respondWith(navigate(req));
    return;
  }
  if (url.pathname.startsWith('/assets/') && !url.pathname.endsWith('.map')) {
    event.respondWith(shellAsset(req));
    return;
  }
  if (url.pathname.startsWith('/api/media/') || url.pathname.startsWith('/api/kitchen/images/')) {
    event.respondWith(media(req, url));
  }
});

/** The kiosk page: the network's copy when it answers within a few seconds, else the kept one. */
async function navigate(req) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const res = await Promise.race([fetch(req), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NAVIGATE_TIMEOUT_MS))]);
    // Only the plain shell, and only one naming this build's scripts, replaces the kept copy.
    if (res.ok && res.headers.get('paike-shell') === 'plain') {
      const html = await res.clone().text();
      if (BUILD.entry.every((a) => html.includes(a))) {
        await cache.put(SHELL_URL, new Response(html, { status: 200, headers: res.headers }));
      }
    }
    return res;
  } catch {
    const kept = await cache.match(SHELL_URL, { ignoreVary: true, ignoreSearch: true });
    return kept || new Response('offline', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}

async function shellAsset(req) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
  return res;
}

/** A cached media file answers from the cache (whole: hls.js asks for whole segments); others go to the network. */
async function media(req, url) {
  const cache = await caches.open(MEDIA_CACHE);
  const hit = await cache.match(url.pathname);
  if (hit) return hit;
  return fetch(req);
}

// ---- caching ahead ----
let wanted = null; // the latest {assets, budget} the page sent
let running = null;

self.addEventListener('message', (event) => {
  const msg = event.data;
  if (msg?.type === 'CACHE_MANIFEST' && Array.isArray(msg.assets)) {
    wanted = { assets: msg.assets.filter(validAsset), budget: Number(msg.budget) || 0 };
    event.waitUntil(syncLoop());
  } else if (msg?.type === 'CACHE_STATUS') {
    event.waitUntil(status().then((s) => event.source?.postMessage(s)));
  }
});

function validAsset(a) {
  return (
    a &&
    typeof a.url === 'string' &&
    (a.url.startsWith('/api/media/') || a.url.startsWith('/api/kitchen/images/')) &&
    /^[0-9a-f]{64}$/.test(a.sha256) &&
    Number.isSafeInteger(a.bytes) &&
    a.bytes >= 0
  );
}

/** Runs sync until no newer manifest is waiting; one run at a time. */
function syncLoop() {
  running ??= (async () => {
    try {
      while (wanted) {
        const job = wanted;
        wanted = null;
        await sync(job);
      }
    } finally {
      running = null;
    }
  })();
  return running;
}

async function sync(job) {
  const cache = await caches.open(MEDIA_CACHE);
  const estimate = await self.navigator.storage?.estimate?.().catch(() => undefined);
  const quotaLimit = estimate?.quota ? Math.floor(estimate.quota * 0.8) : Infinity;
  const limit = Math.min(job.budget || Infinity, quotaLimit);
  // In the loop's order: a budget that runs out keeps the first items whole.
  const keep = [];
  let total = 0;
  for (const a of job.assets) {
    if (total + a.bytes > limit) break;
    keep.push(a);
    total += a.bytes;
  }
  let failed = 0;
  for (let i = 0; i < keep.length; i++) {
    const a = keep[i];
    if (wanted) return; // a newer manifest came: start over with it, evicting nothing yet
    const hit = await cache.match(a.url);
    if (hit && hit.headers.get(HASH_HEADER) === a.sha256) continue;
    try {
      const res = await fetch(a.url, { credentials: 'omit', cache: 'no-store' });
      if (!res.ok) throw new Error(String(res.status));
      const body = await res.arrayBuffer();
      if (body.byteLength !== a.bytes || (await sha256(body)) !== a.sha256) throw new Error('hash');
      const headers = new Headers({ 'content-type': res.headers.get('content-type') || 'application/octet-stream', [HASH_HEADER]: a.sha256 });
      await cache.put(a.url, new Response(body, { status: 200, headers }));
    } catch {
      failed += 1;
    }
    if (i % 10 === 9) await broadcast();
  }
  // Only a finished run evicts: what the screen plays now stays until its successor is in.
  const keepUrls = new Set(keep.map((a) => a.url));
  for (const req of await cache.keys()) if (!keepUrls.has(new URL(req.url).pathname)) await cache.delete(req);
  await broadcast({ failed, planned: keep.length, plannedBytes: total, skipped: job.assets.length - keep.length });
}

async function sha256(buf) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function status(extra) {
  const cache = await caches.open(MEDIA_CACHE);
  const urls = (await cache.keys()).map((r) => new URL(r.url).pathname);
  return { type: 'CACHE_STATUS', urls, busy: !!running, ...(extra || {}) };
}

async function broadcast(extra) {
  const s = await status(extra);
  for (const c of await self.clients.matchAll({ type: 'window' })) c.postMessage(s);
}
