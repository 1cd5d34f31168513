import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, phoneContext, startServer, type TestServer } from './harness.js';
import { publishVideo } from './published-video.js';

/**
 * A measurement, not a timed test (run it with MEASURE_VIDEO_START=1; it is skipped otherwise):
 * the public video page on a phone under Chromium's network emulation at 400 kbps down and up
 * with 400 ms latency, cold cache. It prints the bytes the page fetched before play was pressed,
 * and the time and bytes from pressing play (a tap in the middle of the player: the play button,
 * or the native controls of a player without one) to the first video frame
 * (requestVideoFrameCallback). Figures go to docs/media.md; nothing here asserts a time.
 */
const RUNS = Number(process.env.MEASURE_RUNS ?? 2);
const MEDIA = /\.(m3u8|m4s|ts|mp4)(\?|$)/;

describe.runIf(process.env.MEASURE_VIDEO_START)('video page on slow 3G: play to first frame', () => {
  let server: TestServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-measure-video-'));
    server = await startServer({ env: { PUBLISH_HOLD_MINUTES: '0' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints bytes before play and play → first frame', { timeout: 900_000 }, async () => {
    const video = await publishVideo({ server, browser, dir, headline: '码头到家：傍晚的渡轮' });
    const rows: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await phoneContext(browser, 'zh-CN');
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 });
      const urls = new Map<string, string>();
      const started = new Map<string, number>();
      const done: { url: string; bytes: number; at: number; from: number }[] = [];
      cdp.on('Network.requestWillBeSent', (e) => {
        urls.set(e.requestId, e.request.url);
        started.set(e.requestId, Date.now());
      });
      cdp.on('Network.loadingFinished', (e) =>
        done.push({ url: urls.get(e.requestId) ?? '', bytes: e.encodedDataLength, at: Date.now(), from: started.get(e.requestId) ?? 0 }),
      );
      const sum = (list: typeof done) => list.reduce((n, d) => n + d.bytes, 0);

      const t0 = Date.now();
      await page.goto(`${server.url}/v/${video.id}`, { waitUntil: 'commit' });
      const frame = page.locator('.player-frame, video').first();
      await frame.waitFor({ timeout: 120_000 });
      const shownMs = Date.now() - t0;
      await page.evaluate(`(() => {
        const hook = (v) => {
          window.__firstFrame = new Promise((resolve) => {
            const done = () => resolve(performance.now());
            if ('requestVideoFrameCallback' in v) v.requestVideoFrameCallback(done);
            v.addEventListener('timeupdate', () => { if (v.currentTime > 0) done(); });
          });
        };
        document.addEventListener('pointerdown', () => { window.__pressedAt ??= performance.now(); }, true);
        const v = document.querySelector('video');
        if (v) hook(v);
        else new MutationObserver((_, mo) => {
          const found = document.querySelector('video');
          if (found) { mo.disconnect(); hook(found); }
        }).observe(document, { subtree: true, childList: true });
      })()`);
      const before = [...done];
      const pressed = Date.now();
      await frame.click();
      await page.waitForFunction('window.__firstFrame !== undefined', undefined, { timeout: 60_000 });
      const ms = (await page.evaluate('window.__firstFrame.then((t) => t - window.__pressedAt)')) as number;
      const until = pressed + ms;
      const afterPlay = done.filter((d) => d.at >= pressed && d.at <= until + 50);
      expect(ms).toBeGreaterThan(0);
      rows.push(
        [
          `run ${run + 1}`,
          `player shown ${(shownMs / 1000).toFixed(1)} s after navigation`,
          `before play: ${(sum(before) / 1024).toFixed(0)} KB (media ${(sum(before.filter((d) => MEDIA.test(d.url))) / 1024).toFixed(0)} KB)`,
          `play → first frame ${(ms / 1000).toFixed(1)} s, ${(sum(afterPlay) / 1024).toFixed(0)} KB`,
          `first media after play: ${afterPlay
            .filter((d) => MEDIA.test(d.url) || /\/assets\/hls/.test(d.url))
            .slice(0, 4)
            .map((d) => new URL(d.url).pathname.split('/').slice(-2).join('/'))
            .join(', ')}`,
        ].join(' | '),
      );
      if (process.env.MEASURE_TIMELINE) {
        for (const d of done.filter((x) => x.at >= pressed)) {
          rows.push(
            `    ${((d.from - pressed) / 1000).toFixed(1)}–${((d.at - pressed) / 1000).toFixed(1)} s ${(d.bytes / 1024).toFixed(0)} KB ${new URL(d.url).pathname}`,
          );
        }
      }
      await context.close();
    }
    console.log(`\nvideo page, 400 kbps / 400 ms, cold cache:\n${rows.join('\n')}\n`);
  });
});
