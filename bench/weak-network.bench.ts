/**
 * Weak-network bench: what a contributor on slow 3G sees, in Debian's Chromium (playwright-core)
 * under CDP network emulation, against a real `paike start` child process, side by side with a
 * bare page (a 1 KB HTML file with one button from a bare Node `http` server) under the same
 * emulation, which is the floor that the round trips alone impose.
 *   npm run build:web && npx tsx bench/weak-network.bench.ts [--runs 3] [--down-kbps 400] [--up-kbps 400] [--rtt-ms 400] [--video-seconds 70]
 *
 * Pages, each in a fresh browser context (cold cache), then reopened in the same context (warm):
 *   - the QR link's campaign page `/c/<slug>`;
 *   - the QR link's join address `/c/<slug>/join`, which lands on the sign-up form;
 *   - a public video page `/v/<id>` (a 70 s 480p phone video uploaded, processed, adopted and
 *     published through the real routes first), then pressing play;
 *   - the desk queue `/desk/queue` signed in as an editor (a desktop page, not budgeted for
 *     slow 3G: printed to show it loads its own chunks).
 * Per page: bytes transferred (CDP encodedDataLength: compressed bodies plus headers), of which
 * JS + CSS + HTML; JS files fetched; first contentful paint; time until the page's main control
 * is usable (visible and enabled); asset requests that went to the network (warm: should be 0);
 * media bytes before play; and for the video page the time from pressing play to the first
 * frame. Medians of --runs runs. Everything lives in one temp directory that is removed at the
 * end; the server is killed even on error.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { PHONE_DEVICE } from '../e2e/harness.js';
import { loadNow, median, run, spawnTracked, table, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'down-kbps': { type: 'string', default: '400' },
    'up-kbps': { type: 'string', default: '400' },
    'rtt-ms': { type: 'string', default: '400' },
    'video-seconds': { type: 'string', default: '70' },
  },
});
const RUNS = Number(flags.runs);
const NET = {
  offline: false,
  latency: Number(flags['rtt-ms']),
  downloadThroughput: (Number(flags['down-kbps']) * 1000) / 8,
  uploadThroughput: (Number(flags['up-kbps']) * 1000) / 8,
};

const repo = resolve(import.meta.dirname, '..');
if (!existsSync(join(repo, 'dist/web/index.html'))) {
  console.error('dist/web/index.html is missing: run `npm run build:web` first');
  process.exit(2);
}
const PASSWORD = 'Weak network bench 2026 lanterns';
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- set-up through the real routes

interface Site {
  base: string;
  slug: string;
  videoPath: string;
  editorCookie: string;
}

function cookieFrom(res: Response): string {
  const c = res.headers.getSetCookie().find((x) => x.startsWith('paike_session='));
  if (!c) throw new Error(`no paike_session cookie (${res.status})`);
  return c.split(';')[0]!;
}

async function call(base: string, path: string, opts: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: {
      origin: base,
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return res;
}

async function must(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** A phone-shaped 480p H.264/AAC video (ffmpeg test sources, argument array, no shell). */
function makeVideo(file: string, seconds: number): void {
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=480x854:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440']
      .concat(['-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1500k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
      .concat(['-movflags', '+faststart', file]),
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed (${r.status}): ${r.stderr}`);
}

async function setUp(base: string, dir: string): Promise<Site> {
  const admin = cookieFrom(
    await must(await call(base, '/api/auth/sign-in/email', { body: { email: 'bench-admin@paike.local', password: PASSWORD } }), 'admin sign-in'),
  );
  const campaigns = (await (await must(await call(base, '/api/campaigns'), 'campaigns')).json()) as { campaigns: { id: string; slug: string }[] };
  const campaign = campaigns.campaigns.find((c) => c.slug === 'cover-paike');
  if (!campaign) throw new Error('the demo campaign cover-paike is missing (PAIKE_SEED=demo)');

  await must(
    await call(base, '/api/admin/users', {
      cookie: admin,
      body: { email: 'bench-editor@paike.local', password: PASSWORD, name: 'Bench Editor', roles: ['editor'] },
    }),
    'create editor',
  );
  const editorCookie = cookieFrom(
    await must(await call(base, '/api/auth/sign-in/email', { body: { email: 'bench-editor@paike.local', password: PASSWORD } }), 'editor sign-in'),
  );
  const contributor = cookieFrom(
    await must(
      await call(base, '/api/auth/sign-up/email', { body: { email: 'bench-paike@paike.local', password: PASSWORD, name: '拍客 林', campaignId: campaign.id } }),
      'contributor sign-up',
    ),
  );

  const file = join(dir, 'phone.mp4');
  makeVideo(file, Number(flags['video-seconds']));
  const size = statSync(file).size;
  log(`uploading a ${Number(flags['video-seconds'])} s 480p video (${(size / 1e6).toFixed(1)} MB) through tus`);
  const meta = Object.entries({ campaignId: campaign.id, theme: 'way-home', title: '回家的路 bench', filename: 'phone.mp4', consent: 'true' })
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const created = await must(
    await call(base, '/api/uploads', {
      method: 'POST',
      cookie: contributor,
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(size), 'upload-metadata': meta },
    }),
    'tus POST',
  );
  const location = new URL(created.headers.get('location')!, base).toString();
  await must(
    await fetch(location, {
      method: 'PATCH',
      headers: { cookie: contributor, origin: base, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: await readFile(file),
    }),
    'tus PATCH',
  );

  let submissionId: string;
  for (let i = 0; ; i++) {
    const subs = ((await (await call(base, '/api/me/submissions', { cookie: contributor })).json()) as { submissions: { id: string; status: string }[] })
      .submissions;
    const s = subs[0];
    if (s?.status === 'in_review') {
      submissionId = s.id;
      break;
    }
    if (s && s.status !== 'uploading' && s.status !== 'processing') throw new Error(`the bench video ended ${s.status}`);
    if (i > 600) throw new Error('the bench video was not processed within 10 minutes');
    await sleep(1000);
  }
  log('processed; adopting and publishing to the site');
  await must(await call(base, `/api/desk/submissions/${submissionId}/adopt`, { cookie: editorCookie, body: { grade: 'B' } }), 'adopt');
  await must(
    await call(base, `/api/desk/submissions/${submissionId}/packages/app`, {
      method: 'PUT',
      cookie: editorCookie,
      body: { headline: '从成都东站回家的路', summary: '拍客记录从成都东站回家的一路街景。', tags: ['回家的路'], credit: '拍客 林' },
    }),
    'package',
  );
  for (let i = 0; ; i++) {
    const feed = (await (await call(base, '/api/feed')).json()) as { items: { id: string; url: string }[] };
    const item = feed.items[0];
    if (item) return { base, slug: campaign.slug, videoPath: new URL(item.url, base).pathname, editorCookie };
    if (i > 120) throw new Error('the bench video did not go live on the site within 2 minutes');
    await sleep(1000);
  }
}

// ---------------------------------------------------------------- one page load, measured

interface Load {
  bytes: number;
  docBytes: number;
  jsFiles: number;
  fcpMs: number;
  usableMs: number;
  assetNetRequests: number;
  mediaBytesBeforePlay: number;
  /** Requests for a playlist, a segment, a video file or the hls.js chunk. */
  mediaRequestsBeforePlay: number;
  playToFrameMs: number;
}

const MEDIA = /\.(m3u8|ts|m4s|mp4)(\?|$)|hls/i;

/** Tracks every request of a page through CDP: bytes on the wire, where each answer came from. */
async function watch(page: Page): Promise<{ cdp: CDPSession; stats: () => Omit<Load, 'fcpMs' | 'usableMs' | 'playToFrameMs'> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NET);
  const reqs = new Map<string, { url: string; type: string; cached: boolean; bytes: number }>();
  cdp.on('Network.requestWillBeSent', (e) => reqs.set(e.requestId, { url: e.request.url, type: e.type ?? '', cached: false, bytes: 0 }));
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = reqs.get(e.requestId);
    if (r) r.cached = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = reqs.get(e.requestId);
    if (r && (e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache)) r.cached = true;
  });
  // Bytes as they arrive, so a download still under way when the page is measured counts too;
  // loadingFinished then gives the exact total (headers included).
  cdp.on('Network.dataReceived', (e) => {
    const r = reqs.get(e.requestId);
    if (r) r.bytes += e.encodedDataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = reqs.get(e.requestId);
    if (r) r.bytes = Math.max(r.bytes, e.encodedDataLength);
  });
  return {
    cdp,
    stats: () => {
      const all = [...reqs.values()];
      const net = all.filter((r) => !r.cached);
      return {
        bytes: net.reduce((s, r) => s + r.bytes, 0),
        docBytes: net.filter((r) => ['Document', 'Script', 'Stylesheet'].includes(r.type)).reduce((s, r) => s + r.bytes, 0),
        jsFiles: all.filter((r) => r.type === 'Script').length,
        assetNetRequests: net.filter((r) => new URL(r.url).pathname.startsWith('/assets/')).length,
        mediaBytesBeforePlay: net.filter((r) => MEDIA.test(new URL(r.url).pathname)).reduce((s, r) => s + r.bytes, 0),
        mediaRequestsBeforePlay: net.filter((r) => MEDIA.test(new URL(r.url).pathname)).length,
      };
    },
  };
}

// Page-side code is typed through this small shape: the bench is type-checked without the DOM
// library. (Functions, not strings: Playwright evaluates a string predicate with eval, which the
// page CSP forbids.)
interface PageElement {
  getClientRects(): { length: number };
  disabled?: boolean;
  currentTime?: number;
  readyState?: number;
  play?(): Promise<void>;
}
interface PageGlobals {
  document: { querySelector(s: string): PageElement | null };
  performance: { now(): number; getEntriesByName(n: string): { startTime: number }[] };
}

/** Milliseconds since navigation start until `selector` is visible (and enabled, for controls). */
async function usableAt(page: Page, selector: string, timeoutMs = 120_000): Promise<number> {
  const h = await page.waitForFunction(
    (sel) => {
      const { document, performance } = globalThis as unknown as PageGlobals;
      const el = document.querySelector(sel);
      return el && el.getClientRects().length && !el.disabled ? performance.now() : null;
    },
    selector,
    { polling: 'raf', timeout: timeoutMs },
  );
  return (await h.jsonValue()) as number;
}

async function fcp(page: Page): Promise<number> {
  const h = await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    undefined,
    { polling: 100 },
  );
  return (await h.jsonValue()) as number;
}

async function load(context: BrowserContext, url: string, control: string, opts: { play?: boolean } = {}): Promise<Load> {
  const page = await context.newPage();
  const w = await watch(page);
  await page.goto(url, { waitUntil: 'commit', timeout: 180_000 });
  const usableMs = await usableAt(page, control);
  const fcpMs = await fcp(page);
  // Let lazy work settle (preloads, images, what a player might fetch on its own) before counting.
  await page.waitForLoadState('load', { timeout: 180_000 });
  await sleep(opts.play ? 8000 : 3000);
  const before = w.stats();
  let playToFrameMs = Number.NaN;
  if (opts.play) {
    const started = await page.evaluate(() => (globalThis as unknown as PageGlobals).performance.now());
    const button = page.locator('.player button').first();
    if (await button.count()) await button.click();
    else await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.play?.());
    const h = await page.waitForFunction(
      () => {
        const { document, performance } = globalThis as unknown as PageGlobals;
        const v = document.querySelector('video');
        return v && (v.currentTime ?? 0) > 0 && (v.readyState ?? 0) >= 2 ? performance.now() : null;
      },
      undefined,
      { polling: 'raf', timeout: 180_000 },
    );
    playToFrameMs = ((await h.jsonValue()) as number) - started;
  }
  await w.cdp.detach().catch(() => undefined);
  await page.close();
  return { ...before, fcpMs, usableMs, playToFrameMs };
}

// ---------------------------------------------------------------- the bare floor

function bareServer(): Promise<{ url: string; close(): void }> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>bare</title></head><body><h1>Sign up</h1><form><input type="email"><button type="submit">Go</button></form>${'<!-- padding -->'.repeat(40)}</body></html>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => server.close() })),
  );
}

// ---------------------------------------------------------------- main

const dir = await mkdtemp(join(tmpdir(), 'paike-weaknet-'));
let paike: Tracked | undefined;
let browser: Browser | undefined;
const bare = await bareServer();
try {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    PAIKE_SEED: 'demo',
    PUBLISH_HOLD_MINUTES: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  await run(
    process.execPath,
    ['bin/paike.mjs', 'admin', 'create-user', '--email', 'bench-admin@paike.local', '--password', PASSWORD, '--role', 'admin', '--name', 'Bench'],
    {
      cwd: repo,
      env,
    },
  );
  paike = spawnTracked(process.execPath, ['bin/paike.mjs', 'start'], { cwd: repo, env, ready: /Paike is running at (\S+)/, readyTimeoutMs: 120_000 });
  const base = (await paike.ready).trim();
  const site = await setUp(base, dir);
  log(`published ${site.videoPath}; load average ${loadNow()}`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const phone = () => browser!.newContext({ ...PHONE_DEVICE, locale: 'zh-CN' });

  const scenarios: { name: string; url: string; control: string; play?: boolean; desk?: boolean; bare?: boolean }[] = [
    { name: 'bare 1 KB page (floor)', url: bare.url, control: 'button', bare: true },
    { name: 'QR link: campaign /c/<slug>', url: `${base}/c/${site.slug}`, control: '.join-box button' },
    { name: 'QR link: join → sign-up', url: `${base}/c/${site.slug}/join`, control: 'form input[type="tel"]' },
    { name: 'public video page', url: `${base}${site.videoPath}`, control: '.player button, .player video', play: true },
    { name: 'desk queue (editor)', url: `${base}/desk/queue`, control: 'main h1', desk: true },
  ];

  const rows: string[][] = [];
  for (const s of scenarios) {
    const cold: Load[] = [];
    const warm: Load[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await phone();
      if (s.desk) {
        const [name, value] = site.editorCookie.split('=') as [string, string];
        await ctx.addCookies([{ name, value, url: base }]);
      }
      try {
        cold.push(await load(ctx, s.url, s.control, { play: s.play }));
        // Reopened: the same browser profile a minute later (HTTP cache, service worker, storage kept).
        warm.push(await load(ctx, s.url, s.control));
      } finally {
        await ctx.close();
      }
      log(`${s.name}: run ${i + 1}/${RUNS} cold usable ${(cold.at(-1)!.usableMs / 1000).toFixed(2)} s, warm ${(warm.at(-1)!.usableMs / 1000).toFixed(2)} s`);
    }
    const m = (xs: Load[], k: keyof Load) => median(xs.map((x) => x[k]));
    const kb = (n: number) => (n / 1024).toFixed(0);
    const sec = (n: number) => (Number.isNaN(n) ? '–' : (n / 1000).toFixed(2));
    rows.push([
      s.name,
      `${kb(m(cold, 'bytes'))} (${kb(m(cold, 'docBytes'))})`,
      String(m(cold, 'jsFiles')),
      sec(m(cold, 'fcpMs')),
      sec(m(cold, 'usableMs')),
      s.play ? `${kb(m(cold, 'mediaBytesBeforePlay'))} (${m(cold, 'mediaRequestsBeforePlay')} reqs)` : '–',
      s.play ? sec(m(cold, 'playToFrameMs')) : '–',
      kb(m(warm, 'bytes')),
      String(m(warm, 'assetNetRequests')),
      sec(m(warm, 'usableMs')),
    ]);
  }
  const bareUsable = rows[0]![4]!;
  console.log(
    `\nslow network: ${flags['down-kbps']} kbps down, ${flags['up-kbps']} kbps up, ${flags['rtt-ms']} ms RTT (CDP emulation); median of ${RUNS}; load ${loadNow()}; bare page usable at ${bareUsable} s\n`,
  );
  console.log(
    table(
      [
        'page',
        'cold KB (JS+CSS+HTML)',
        'JS files',
        'cold FCP s',
        'cold usable s',
        'media KB before play',
        'play → frame s',
        'warm KB',
        'warm asset reqs',
        'warm usable s',
      ],
      rows,
    ),
  );
  console.log(
    `\nratios, cold usable time against the bare page: ${rows
      .slice(1)
      .map((r) => `${r[0]} ${(Number(r[4]) / Number(bareUsable)).toFixed(1)}×`)
      .join('; ')}`,
  );
} finally {
  await browser?.close().catch(() => undefined);
  bare.close();
  await paike?.stop();
  rmSync(dir, { recursive: true, force: true });
}
