import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { apiSession, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 16 (docs/kiosk.md "Offline"): a kiosk caches its loop ahead from the signed manifest,
// keeps playing through a two-hour outage (server down, network cut, clock run fast), starts
// again from its cache when restarted in the outage, and afterwards reports each play once.

/** A short real HLS ladder (fMP4, one 360p rung) and a poster, made by ffmpeg, as processing leaves it. */
function makeHls(dir: string, hue: number) {
  mkdirSync(join(dir, 'hls'), { recursive: true });
  const run = (args: string[]) => {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  };
  const source = ['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25,hue=h=${hue}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
  run([
    ...source,
    '-t',
    '4',
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '25',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_segment_filename',
    join(dir, 'hls', '%v', 'seg_%03d.m4s'),
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    'v:0,a:0,name:360p',
    join(dir, 'hls', '%v', 'index.m3u8'),
  ]);
  run([...source.slice(0, 4), '-frames:v', '1', join(dir, 'poster.jpg')]);
}

describe('a kiosk through a network outage', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let kiosk: Page;
  const videos: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const suffix = uniqueSuffix();
    const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const campaign = campaigns[0]!;
    const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `kiosk.off.${suffix}@example.test`, password: `Bamboo river ${suffix}`, name: '王小丫', campaignId: campaign.id }),
    });
    const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
    const work = mkdtempSync(join(tmpdir(), 'kiosk-offline-'));
    try {
      await withServerServices(server, async (s) => {
        const schema = await import('../src/server/db/schema.js');
        for (const [i, title] of ['清晨的滦河', '夜市灯火'].entries()) {
          const row = await s.submissionsRepo.create({
            userId,
            campaignId: campaign.id,
            theme: campaign.themes[0]!.key,
            title,
            consentAt: new Date(),
            status: 'adopted',
            progress: 100,
            uploadLength: 1000,
            originalFilename: 'a.mp4',
            durationSeconds: 4,
            processedAt: new Date(),
          });
          const dir = join(work, row.id);
          makeHls(dir, i * 120);
          await s.storage.putDir(`submissions/${row.id}`, dir);
          await s.submissionsRepo.update(row.id, {
            outputs: {
              original: `submissions/${row.id}/original.mp4`,
              master: `submissions/${row.id}/hls/master.m3u8`,
              poster: `submissions/${row.id}/poster.jpg`,
            },
          });
          await s.database.db.insert(schema.publications).values({
            submissionId: row.id,
            channel: 'kiosk',
            status: 'live',
            idempotencyKey: `publish:${row.id}:kiosk`,
            publishedAt: new Date(Date.now() - 86_400_000),
          });
          videos.push(row.id);
        }
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    browser = await launchBrowser();
    context = await desktopContext(browser, 'zh-CN');
    kiosk = await context.newPage();
    await kiosk.setViewportSize({ width: 1080, height: 1920 });
    // The screen's clock flows as usual until the test runs it fast.
    await kiosk.clock.install();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('plays from its cache through two hours without the server, and counts each play once after', async () => {
    await withScreenshots(context, 'kiosk-offline', async () => {
      await kiosk.goto(`${server.url}/kiosk`);
      const code = ((await kiosk.getByTestId('pairing-code').textContent({ timeout: 15_000 })) ?? '').replace(/\s/g, '');
      const admin = await apiSession(server);
      const claim = await admin<{ id: string }>('/api/admin/kiosk-screens/claim', {
        method: 'POST',
        body: { code, name: `车站阅报栏 ${uniqueSuffix()}`, orientation: 'portrait' },
      });
      expect(claim.status).toBe(201);
      await kiosk.getByTestId('kiosk-slide').first().waitFor({ timeout: 20_000 });
      const key = (await kiosk.evaluate<string | null>("localStorage.getItem('paike.kiosk.key')"))!;

      // The worker caches every file of the manifest, each checked against its hash.
      const manifest = (await (await fetch(`${server.url}/api/kiosk/manifest`, { headers: { 'x-kiosk-key': key } })).json()) as {
        assets: { url: string }[];
        items: { submissionId: string; offline: { assets: string[] } | null }[];
      };
      expect(manifest.items.filter((i) => videos.includes(i.submissionId) && i.offline)).toHaveLength(2);
      const cachedCount = () => kiosk.evaluate<number>("caches.open('paike-kiosk-media').then((c) => c.keys()).then((k) => k.length)");
      await expect.poll(cachedCount, { timeout: 30_000 }).toBe(manifest.assets.length);
      await expect.poll(() => kiosk.evaluate<boolean>('!!navigator.serviceWorker.controller'), { timeout: 10_000 }).toBe(true);
      const before = await bufferedPlays(kiosk);

      // Every moment of the outage is watched from inside the page, from the restart on: a frame
      // with no item, an empty stage, or a video that failed is a blank frame.
      await kiosk.addInitScript(WATCH_BLANK_FRAMES);
      const blanks = () => kiosk.evaluate<string[]>("window.__blank ?? ['not watching']");

      // Nothing from the browser's HTTP cache: what plays in the outage is what the worker kept.
      const cdp = await context.newCDPSession(kiosk);
      await cdp.send('Network.clearBrowserCache');
      await server.whileStopped(async () => {
        await context.setOffline(true);
        await kiosk.waitForTimeout(1500);
        // Restarted in the outage (a power cut): it opens from its cache and plays again.
        await kiosk.reload();
        await kiosk.getByTestId('kiosk-slide').first().waitFor({ timeout: 15_000 });
        await expect.poll(() => kiosk.locator('.kiosk-stage').getAttribute('data-offline'), { timeout: 10_000 }).toBe('true');
        // Two hours in twelve steps of ten minutes, the videos playing in real time between.
        const seen = new Set<string>();
        for (let step = 0; step < 12; step++) {
          await kiosk.clock.fastForward('10:00');
          for (let i = 0; i < 6; i++) {
            await kiosk.waitForTimeout(500);
            const h = await kiosk.locator('[data-testid="kiosk-slide"] h2').first().textContent();
            if (h) seen.add(h);
          }
        }
        expect(await blanks()).toEqual([]);
        expect([...seen].sort()).toEqual(['夜市灯火', '清晨的滦河']);
        await screenshot(kiosk, 'kiosk-offline-playing', false);
      });

      const outage = (await bufferedPlays(kiosk)).filter((p) => !before.some((b) => b.id === p.id));
      expect(outage.length).toBeGreaterThanOrEqual(4);
      // On the screen's clock, the plays span the two hours it ran fast.
      const times = outage.map((p) => Date.parse(p.playedAt)).sort((a, b) => a - b);
      expect(times.at(-1)! - times[0]!).toBeGreaterThan(90 * 60_000);

      // Back online: the buffer empties and the server counts each play once.
      await context.setOffline(false);
      await expect.poll(async () => (await bufferedPlays(kiosk)).length, { timeout: 60_000 }).toBe(0);
      await expect.poll(() => kiosk.locator('.kiosk-stage').getAttribute('data-offline'), { timeout: 30_000 }).toBe('false');
      const counted = await countPlays(
        server,
        outage.map((p) => p.id),
      );
      expect(counted).toBe(outage.length);
      // Sent again (a reply lost on the way back), nothing more is counted.
      const again = await fetch(`${server.url}/api/kiosk/plays`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kiosk-key': key },
        body: JSON.stringify({ plays: outage, sentAt: new Date(await kiosk.evaluate<number>('Date.now()')).toISOString() }),
      });
      const outcomes = ((await again.json()) as { results: { outcome: string }[] }).results.map((r) => r.outcome);
      expect(new Set(outcomes)).toEqual(new Set(['duplicate']));
      expect(
        await countPlays(
          server,
          outage.map((p) => p.id),
        ),
      ).toBe(outage.length);
    });
  });
});

async function bufferedPlays(page: Page): Promise<{ id: string; submissionId: string; playedAt: string }[]> {
  return page.evaluate("JSON.parse(localStorage.getItem('paike.kiosk.plays') ?? '[]')");
}

/**
 * Run in the page as it opens (a string: these tests compile without the DOM's types). Records
 * in `window.__blank`, once the first item is up, every moment the stage has no item; and from
 * the start, any media error and any video that leaves the stage without having shown a frame
 * (the first video after a restart is the one most at risk).
 */
const WATCH_BLANK_FRAMES = `(() => {
  window.__blank = [];
  const shown = new WeakSet();
  const live = new Set();
  let up = false;
  const check = () => {
    const stage = document.querySelector('.kiosk-stage');
    const item = stage && stage.querySelector('[data-testid="kiosk-slide"]');
    up ||= !!item;
    if (up && !stage) window.__blank.push('no stage');
    else if (up && !item) window.__blank.push('empty stage');
    const v = stage && stage.querySelector('video');
    if (v && v.error) window.__blank.push('video error ' + v.error.code);
    if (v && !live.has(v)) {
      live.add(v);
      if (v.readyState >= 2) shown.add(v);
      v.addEventListener('loadeddata', () => shown.add(v));
    }
    for (const old of live) {
      if (old.isConnected) continue;
      live.delete(old);
      if (!shown.has(old)) window.__blank.push('a video left without a frame');
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  document.addEventListener('error', () => window.__blank.push('media error event'), true);
})()`;

/** The plays the server holds among these ids. */
async function countPlays(server: TestServer, ids: string[]): Promise<number> {
  return withServerServices(server, async (s) => {
    const { inArray } = await import('drizzle-orm');
    const { kioskPlays } = await import('../src/server/db/schema.js');
    return (await s.database.db.select({ id: kioskPlays.id }).from(kioskPlays).where(inArray(kioskPlays.id, ids))).length;
  });
}
