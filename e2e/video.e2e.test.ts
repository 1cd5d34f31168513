import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FeedItem } from '../src/contracts/distribution.js';
import { launchBrowser, phoneContext, screenshot, startServer, withScreenshots, type TestServer } from './harness.js';
import { publishVideo, variants } from './published-video.js';

const HEADLINE = '码头到家：傍晚的渡轮';
const MEDIA = /\.(m3u8|m4s|ts|mp4)(\?|$)/;
// The hls.js chunk Vite emits (hls.light-<hash>.js); the page's own bundle is index-<hash>.js.
const HLS_CHUNK = /\/assets\/hls[.-][^/]*\.js$/;

describe('a public video page on a phone: the poster first, media only after play, lowest rung first', () => {
  let server: TestServer;
  let browser: Browser;
  let dir: string;
  let video: FeedItem;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-video-'));
    server = await startServer({ env: { PUBLISH_HOLD_MINUTES: '0' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads no playlist, segment or hls.js before play; on play the master then the lowest rung, and frames move', { timeout: 360_000 }, async () => {
    // Uploaded from a phone, processed into the ladder, adopted and published (expect.poll needs a test).
    video = await publishVideo({ server, browser, dir, headline: HEADLINE });
    const master = await (await fetch(`${server.url}${video.hlsUrl}`)).text();
    const ladder = variants(master);
    expect(ladder.length, master).toBeGreaterThanOrEqual(2);
    const lowest = ladder.reduce((a, b) => (b.bandwidth < a.bandwidth ? b : a));
    // Safari's native HLS starts on the first listed variant.
    expect(ladder[0]).toEqual(lowest);

    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await withScreenshots(context, 'video-poster-first', async () => {
      await page.goto(`${server.url}/v/${video.id}`, { waitUntil: 'networkidle' });
      const play = page.getByRole('button', { name: `播放视频“${HEADLINE}”` });
      await play.waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(500);
      expect(requests.filter((u) => MEDIA.test(new URL(u).pathname))).toEqual([]);
      expect(requests.filter((u) => HLS_CHUNK.test(new URL(u).pathname))).toEqual([]);
      expect(await page.locator('video').count()).toBe(0);

      // The poster is fetched, decoded, on screen, first in line, and sized before it arrived.
      expect(video.posterUrl).toBeTruthy();
      expect(requests.some((u) => new URL(u).pathname === video.posterUrl)).toBe(true);
      const poster = page.locator('.player-poster');
      await expect.poll(() => poster.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      expect(await poster.isVisible()).toBe(true);
      expect(await poster.getAttribute('fetchpriority')).toBe('high');
      const box = (await poster.boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(300);
      const playBox = (await play.boundingBox())!;
      expect(playBox.width).toBeGreaterThanOrEqual(48);
      await screenshot(page, 'video-poster', false);

      // Play from the keyboard: a view is reported only once frames move.
      const before = requests.length;
      const beacon = page.waitForResponse((r) => r.url().endsWith('/api/beacons/views') && r.request().method() === 'POST', { timeout: 60_000 });
      await play.focus();
      await page.keyboard.press('Enter');
      const player = page.getByLabel(`视频：${HEADLINE}`);
      await player.waitFor();
      const firstFrame = await player.evaluate(
        (v) =>
          new Promise<number>((resolve) => {
            const el = v as unknown as { currentTime: number; addEventListener(t: string, f: () => void): void };
            const check = () => {
              if (el.currentTime > 0) resolve(el.currentTime);
            };
            el.addEventListener('timeupdate', check);
            check();
          }),
      );
      expect(firstFrame).toBeGreaterThan(0);
      expect((await beacon).status()).toBe(204);
      expect(await player.evaluate((v) => (v as unknown as { paused: boolean; muted: boolean }).paused)).toBe(false);
      // Played with sound: pressing play is the user's gesture.
      expect(await player.evaluate((v) => (v as unknown as { muted: boolean }).muted)).toBe(false);
      expect(await player.evaluate((v) => v === (v as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);

      const after = requests.slice(before);
      const media = after.filter((u) => MEDIA.test(new URL(u).pathname)).map((u) => new URL(u).pathname);
      expect(media[0]).toBe(video.hlsUrl);
      expect(media[1]).toBe(new URL(lowest.uri, `${server.url}${video.hlsUrl}`).pathname);
      // Its first segments come from the lowest rung too.
      const rung = lowest.uri.split('/')[0]!;
      expect(
        media.slice(2, 4).every((p) => p.includes(`/hls/${rung}/`)),
        media.join('\n'),
      ).toBe(true);
      expect(after.some((u) => HLS_CHUNK.test(new URL(u).pathname))).toBe(true);
      await screenshot(page, 'video-playing', false);
    });
    await context.close();
  });

  it('in English: the same poster-first player, its play button named in English', async () => {
    const context = await phoneContext(browser, 'en-US');
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await withScreenshots(context, 'video-english', async () => {
      await page.goto(`${server.url}/v/${video.id}`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: `Play video “${HEADLINE}”` }).waitFor();
      expect(requests.filter((u) => MEDIA.test(u) || HLS_CHUNK.test(u))).toEqual([]);
      await page.getByRole('button', { name: `Play video “${HEADLINE}”` }).click();
      await page.getByLabel(`Video: ${HEADLINE}`).waitFor();
      await expect.poll(() => requests.filter((u) => MEDIA.test(u))[0]).toBe(video.hlsUrl);
    });
    await context.close();
  });

  it('serves a master playlist written top rung first (a video processed before) lowest first', async () => {
    const file = join(server.dataDir, 'media', video.hlsUrl.replace(/^\/api\/media\//, ''));
    const written = readFileSync(file, 'utf8');
    const lines = written.split('\n');
    // Reverse the variant blocks, as ffmpeg used to write them (top rung first).
    const blocks = variants(written).map((v) => [lines[lines.indexOf(v.uri) - 1]!, v.uri]);
    const old = [lines[0], lines[1], ...blocks.reverse().flat(), ''].join('\n');
    writeFileSync(file, old);
    expect(variants(old)[0]!.bandwidth).toBe(Math.max(...variants(old).map((v) => v.bandwidth)));
    const res = await fetch(`${server.url}${video.hlsUrl}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('mpegurl');
    const served = variants(await res.text());
    expect(served.map((v) => v.bandwidth)).toEqual([...served.map((v) => v.bandwidth)].sort((a, b) => a - b));
    expect(served.map((v) => v.uri).sort()).toEqual(
      variants(old)
        .map((v) => v.uri)
        .sort(),
    );
  });
});
