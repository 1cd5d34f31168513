/* Paike's service worker: keeps the app shell so the app opens offline-first from the home
 * screen. Hand-written and small on purpose (docs/pwa.md). The build (src/web/build/pwa.plugin.ts)
 * replaces BUILD below with the build id and the shell's own assets. Rules:
 *   - /api/… is never touched: users' data must not cross accounts, and tus uploads, media and
 *     beacons must reach the server exactly as sent. No respondWith for them at all.
 *   - only GET, only this origin;
 *   - /assets/… (hashed, immutable) cache-first, cached as they are fetched: a contributor on a
 *     slow network never downloads the desk's code just because a service worker exists;
 *   - page navigations get the cached shell at once and refresh it in the background.
 */
/// <reference lib="webworker" />
const BUILD = /* @paike-build */ { id: 'dev', shell: [] };

const SHELL_CACHE = `paike-shell-${BUILD.id}`;
const ASSET_CACHE = `paike-assets-${BUILD.id}`;
const SHELL_URL = '/';
const PRECACHE = [
  SHELL_URL,
  '/manifest.webmanifest',
  '/favicon.svg',
  '/favicon-32.png',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon.svg',
  '/icons/apple-touch-icon-180.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      // `no-cache`: this build's own index.html, not the HTTP cache's copy of the previous one.
      await shell.addAll(PRECACHE.map((u) => new Request(u, { cache: 'no-cache', credentials: 'same-origin' })));
      // The entry script and stylesheet the shell names, so the shell can start offline. Only
      // these: route chunks (desk, admin, the player) are cached when a page first loads them.
      const assets = await caches.open(ASSET_CACHE);
      await assets.addAll(BUILD.shell);
    })(),
  );
  // No skipWaiting here: an open page keeps the version it started with until the user
  // accepts the "new version" prompt (features/pwa), which posts SKIP_WAITING.
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, ASSET_CACHE]);
      for (const key of await caches.keys()) if (key.startsWith('paike-') && !keep.has(key)) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const msg = event.data;
  if (msg?.type === 'SKIP_WAITING') void self.skipWaiting();
  // The page loaded before this worker controlled it: cache the assets it already has (they come
  // from the HTTP cache, so this costs no download) so its next opening works offline too.
  if (msg?.type === 'CACHE_ASSETS' && Array.isArray(msg.urls)) {
    const urls = msg.urls.filter((u) => typeof u === 'string' && isAsset(new URL(u, self.location.origin)));
    event.waitUntil(
      caches.open(ASSET_CACHE).then(async (cache) => {
        for (const u of urls) if (!(await cache.match(u))) await cache.add(u).catch(() => undefined);
      }),
    );
  }
});

/**
 * Addresses the app routes on the client, the same rule as the server's index.html fallback: no
 * file extension. Feeds, robots.txt, sitemap.xml and the health check opened in a tab are the
 * server's own answers, never the shell.
 */
function isAppPage(url) {
  return !/\.[a-z0-9]+$/i.test(url.pathname) && url.pathname !== '/healthz' && url.pathname !== '/metrics' && !isReader(url);
}

/**
 * The e-book reader (`/read/…`, docs/lending.md) comes with its own Content-Security-Policy in its
 * response's headers; the cached shell carries the app's, under which the reader cannot lay a book
 * out. It is always the network's answer (a loan cannot be read offline anyway: its file needs a
 * fresh token).
 */
function isReader(url) {
  return url.pathname.startsWith('/read/');
}

function isAsset(url) {
  return url.origin === self.location.origin && url.pathname.startsWith('/assets/') && !url.pathname.endsWith('.map');
}

/** A response a shared, cross-account cache may hold. */
function cacheable(res) {
  if (!res || !res.ok || res.type !== 'basic') return false;
  const cc = (res.headers.get('cache-control') || '').toLowerCase();
  return !/(^|[\s,])(no-store|private)([\s,=]|$)/.test(cc);
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;

  if (req.mode === 'navigate' && isAppPage(url)) {
    event.respondWith(navigate(event));
    return;
  }
  if (isAsset(url)) {
    event.respondWith(cacheFirst(req));
    return;
  }
  if (PRECACHE.includes(url.pathname) && url.pathname !== SHELL_URL) {
    event.respondWith(caches.match(req, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(req)));
  }
  // Anything else (feeds, robots.txt, sitemap) goes to the network as if there were no worker.
});

async function cacheFirst(req) {
  const cache = await caches.open(ASSET_CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (cacheable(res)) await cache.put(req, res.clone());
  return res;
}

/**
 * Stale-while-revalidate for pages: the cached shell answers at once (the app routes on the
 * client, so one shell serves every address); the network copy replaces it for next time. A
 * network copy from a newer deploy names other assets, which only the next worker caches, so
 * it is left for that worker instead of replacing a shell that still works offline.
 */
async function navigate(event) {
  const cache = await caches.open(SHELL_CACHE);
  // ignoreVary: the server varies index.html on Cookie and Accept-Language (the language of the
  // first paint); the app picks its language again on start, so any cached copy will do.
  const cached = await cache.match(SHELL_URL, { ignoreVary: true });
  const network = fetch(event.request).then(
    async (res) => {
      // Only the plain shell (`Paike-Shell: plain`): a shared link's preview page carries that
      // one video's or campaign's head and body, which must not open every other address.
      if (res.ok && res.type === 'basic' && res.headers.get('paike-shell') === 'plain') {
        const copy = res.clone();
        const html = await copy.text();
        if (BUILD.shell.every((a) => !a.endsWith('.js') || html.includes(a))) {
          await cache.put(SHELL_URL, new Response(html, { status: 200, headers: copy.headers }));
        }
      }
      return res;
    },
    () => null,
  );
  if (cached) {
    event.waitUntil(network);
    return cached;
  }
  return (await network) || offlinePage();
}

/** When there is neither a cached shell nor a network: a page that says so, in both languages. */
function offlinePage() {
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#b3261e"><title>离线 · Offline — 拍客 Paike</title>
<style>body{font:16px/1.6 system-ui,sans-serif;margin:0;padding:2rem 1.25rem;background:#f6f5f3;color:#1f1f1f}
main{max-width:28rem;margin:0 auto}.mark{display:inline-grid;place-items:center;width:3rem;height:3rem;border-radius:10px;background:#b3261e;color:#fff;font-size:1.5rem}
a{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;border-radius:8px;background:#b3261e;color:#fff;text-decoration:none}</style></head>
<body><main><p class="mark" aria-hidden="true">拍</p>
<h1>离线</h1><p>现在没有网络，拍客打不开这一页。网络恢复后请重试；未完成的上传会从断点继续。</p>
<h1 lang="en">Offline</h1><p lang="en">There is no network, so Paike cannot open this page. Try again when it returns; unfinished uploads continue where they stopped.</p>
<a href="">重试 · Try again</a></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}

// ---- Web Push (docs/notices.md): a notice arrives as {title, body, url, tag}, decrypted by the browser ----
self.addEventListener('push', (event) => {
  let msg;
  try {
    msg = event.data ? event.data.json() : {};
  } catch {
    msg = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof msg.title === 'string' && msg.title ? msg.title : '拍客 Paike';
  // Only a path on this origin is opened on click: a message cannot send the user elsewhere.
  const url = typeof msg.url === 'string' && msg.url.startsWith('/') && !msg.url.startsWith('//') ? msg.url : '/notices';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof msg.body === 'string' ? msg.body : '',
      tag: typeof msg.tag === 'string' ? msg.tag : undefined,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/notices', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // An open Paike tab is focused and sent to the notice's page rather than opening another.
      for (const client of windows) {
        if (new URL(client.url).origin !== self.location.origin) continue;
        await client.focus();
        if ('navigate' in client) await client.navigate(target).catch(() => undefined);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
