import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { Submission } from '../src/contracts/submissions.js';
import { makeVideo, signUpInto } from './flows.js';
import { launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

async function fillDetails(page: Page, title: string): Promise<void> {
  // The demo campaign is the only one joined, so it is preselected; choose a theme.
  await expect.poll(() => page.getByLabel('征集活动').evaluate((el) => (el as unknown as { value: string }).value)).not.toBe('');
  await page.getByLabel('征集主题').selectOption({ label: '回家的路' });
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('简介（选填）').fill('从成都东站到家，一路的街景。');
  await page.getByText(/视频时长 1 分钟 至 3 分钟/).waitFor();
  await page.getByLabel('这段视频是我本人拍摄的，我同意以上条款。').check();
}

async function mySubmissions(page: Page, server: TestServer): Promise<Submission[]> {
  const res = await page.request.get(`${server.url}/api/me/submissions`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { submissions: Submission[] }).submissions;
}

function percentShown(page: Page): Promise<number> {
  return page
    .locator('.upload-percent')
    .innerText()
    .then((s) => Number(s.replace('%', '')));
}

describe('contributor submits videos from a phone, in Chinese', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-videos-'));
    server = await startServer();
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads with pause, resume and a dropped network, then sees it processed, in review and playable', { timeout: 300_000 }, async () => {
    // A higher bitrate makes a file big enough (~4 MB) that a throttled upload can be paused mid-way.
    const video = makeVideo(dir, 'way-home.mp4', 62, { bitrate: '500k' });
    const size = statSync(video).size;
    const context: BrowserContext = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'phone-submit', async () => {
      await signUpInto(page, server, campaign, '林勇刚');
      // The tab bar and the account page lead to the new pages.
      await page.getByRole('navigation', { name: '投稿人导航' }).getByRole('link', { name: '投稿', exact: true }).waitFor();
      await page.getByRole('navigation', { name: '我的视频' }).getByRole('link', { name: '我要投稿' }).click();
      await page.waitForURL((u) => u.pathname === '/submit');
      await page.getByRole('heading', { level: 1, name: '投稿' }).waitFor();

      const title = `回家的路 ${uniqueSuffix()}`;
      await fillDetails(page, title);
      await page.getByLabel('选择视频').setInputFiles(video);
      await page.getByText('way-home.mp4').waitFor();
      // The browser reads the length from the file's metadata.
      await page.getByText('1:02').waitFor();
      await screenshot(page, 'phone-submit-form');

      // A slow phone uplink (~256 KB/s) so there is time to pause.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
      await page.getByRole('button', { name: '上传', exact: true }).click();
      await page.getByRole('status').filter({ hasText: '正在上传…' }).waitFor();
      await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.getByText(/MB\/秒/).waitFor({ timeout: 15_000 });
      await screenshot(page, 'phone-submit-uploading', false);

      await page.getByRole('button', { name: '暂停' }).click();
      await page.getByRole('status').filter({ hasText: '已暂停' }).waitFor();
      const paused = await percentShown(page);
      expect(paused).toBeLessThan(100);
      await page.waitForTimeout(1500);
      expect(await percentShown(page), 'nothing moves while paused').toBe(paused);
      // The server has the partial upload, and the submission shows as uploading.
      const during = await mySubmissions(page, server);
      expect(during.find((s) => s.title === title)?.status).toBe('uploading');
      await screenshot(page, 'phone-submit-paused', false);

      await page.getByRole('button', { name: '继续' }).click();
      await page.getByRole('status').filter({ hasText: '正在上传…' }).waitFor();
      await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(paused);

      // The network drops: the page says so and waits; when it returns, the upload carries on.
      await context.setOffline(true);
      await page.getByRole('status').filter({ hasText: '等待网络…' }).waitFor();
      await page.getByText('网络恢复后会自动继续上传').waitFor();
      await page.waitForTimeout(1000);
      await context.setOffline(false);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

      await page.waitForURL((u) => u.pathname === '/submissions', { timeout: 60_000 });
      await page.getByRole('heading', { level: 1, name: '我的投稿' }).waitFor();
      const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
      await card.waitFor();
      await card.getByText('全球寻找封面拍客 · 回家的路').waitFor();
      // Live status over server-sent events: processing, then in review, without reloading.
      await card.getByText('审核中', { exact: true }).waitFor({ timeout: 90_000 });
      await card.getByText('编辑会尽快审看。').waitFor();
      // The poster appears with the status change; give its download a moment.
      await expect
        .poll(
          () =>
            card.locator('img.poster').evaluate((img) => {
              const i = img as unknown as { complete: boolean; naturalWidth: number };
              return i.complete && i.naturalWidth > 0;
            }),
          { message: 'poster did not load' },
        )
        .toBe(true);
      await card.getByRole('button', { name: `撤回“${title}”` }).waitFor();
      await screenshot(page, 'phone-submissions');

      const stored = (await mySubmissions(page, server)).find((s) => s.title === title)!;
      expect(stored.status).toBe('in_review');
      expect(stored.theme).toBe('way-home');
      expect(stored.durationSeconds).toBeGreaterThan(60);
      expect(stored.playbackUrl).toMatch(/\.m3u8$/);
      expect(size).toBeGreaterThan(1024 * 1024);

      // The player: hls.js (Chromium has MSE with H.264/AAC) loads the master playlist and segments.
      const mse = (await page.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"')`)) as boolean;
      const media: { url: string; status: number }[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/api/media/')) media.push({ url: r.url(), status: r.status() });
      });
      await card.getByRole('link', { name: `播放“${title}”` }).click();
      await page.waitForURL((u) => u.pathname === `/submissions/${stored.id}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      // The poster and a play button first: no playlist or segment until play is pressed.
      const play = page.getByRole('button', { name: `播放视频“${title}”` });
      await play.waitFor();
      expect(media.filter((m) => /\.(m3u8|m4s|ts|mp4)$/.test(m.url))).toEqual([]);
      await play.click();
      const player = page.getByLabel(`视频：${title}`);
      await player.waitFor();
      await expect.poll(() => media.some((m) => m.url.endsWith('.m3u8') && m.status === 200), { timeout: 20_000 }).toBe(true);
      expect(media.every((m) => m.status === 200 || m.status === 206)).toBe(true);
      if (mse) {
        await expect.poll(() => player.evaluate((v) => (v as unknown as { currentTime: number }).currentTime), { timeout: 20_000 }).toBeGreaterThan(0.5);
      } else {
        await expect.poll(() => media.some((m) => /\.(m4s|ts|mp4)$/.test(m.url) && m.status < 300), { timeout: 20_000 }).toBe(true);
      }
      // Keyboard: pressing play hands focus to the video, which exposes native controls.
      expect(
        await player.evaluate(
          (v) =>
            (v as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === v &&
            (v as unknown as { controls: boolean }).controls,
        ),
      ).toBe(true);
      await screenshot(page, 'phone-player', false);
    });
    await context.close();
  });

  it('turns down a 10-second video with the reason in Chinese', { timeout: 240_000 }, async () => {
    const video = makeVideo(dir, 'too-short.mp4', 10);
    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'phone-too-short', async () => {
      await signUpInto(page, server, campaign, '王小明');
      await page.goto(`${server.url}/submit`);
      const title = `太短的视频 ${uniqueSuffix()}`;
      await fillDetails(page, title);
      await page.getByLabel('选择视频').setInputFiles(video);
      // Warned early, but the server decides.
      await page.getByText('这段视频约 10 秒，本活动要求至少 60 秒。').waitFor();
      await page.getByRole('button', { name: '上传', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/submissions', { timeout: 60_000 });
      const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
      await card.getByText('已拒绝', { exact: true }).waitFor({ timeout: 90_000 });
      await card.getByText(/视频太短/).waitFor();
      expect(await card.getByRole('button', { name: /撤回/ }).count(), 'a rejected video cannot be withdrawn').toBe(0);
      await screenshot(page, 'phone-submissions-rejected');
    });
    await context.close();
  });

  it('cuts two clips, adds a caption and submits the edit, which reaches review', { timeout: 300_000 }, async () => {
    const a = makeVideo(dir, 'clip-a.mp4', 40);
    const b = makeVideo(dir, 'clip-b.mp4', 35, { size: '320x568' });
    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'phone-edit', async () => {
      await signUpInto(page, server, campaign, '李华');
      await page.goto(`${server.url}/submit`);
      await page.getByRole('link', { name: /先剪辑拼接/ }).click();
      await page.waitForURL((u) => u.pathname === '/submit/edit');
      await page.getByRole('heading', { level: 1, name: '剪辑拼接' }).waitFor();
      await page.getByLabel('选择多个视频').setInputFiles([a, b]);
      await page.getByRole('heading', { name: /第 2 段/ }).waitFor();
      // Lengths read from the files: 40 + 35 s.
      await page.getByText('总时长 1:15（本活动要求 1 分钟 至 3 分钟）').waitFor();
      // Cut: clip 1 keeps 5–38 s, clip 2 keeps 0–30 s → 63 s.
      await page.getByLabel('第 1 段开始（秒）').fill('5');
      await page.getByLabel('第 1 段结束（秒）').fill('38');
      await page.getByLabel('第 2 段结束（秒）').fill('30');
      await page.getByText('总时长 1:03（本活动要求 1 分钟 至 3 分钟）').waitFor();
      // Reorder and back: the arrows move clips.
      await page.getByRole('button', { name: '第 2 段上移' }).click();
      await expect.poll(() => page.locator('.clip h3').first().innerText()).toContain('clip-b.mp4');
      await page.getByRole('button', { name: '第 2 段上移' }).click();
      await expect.poll(() => page.locator('.clip h3').first().innerText()).toContain('clip-a.mp4');
      await page.getByLabel('字幕（选填）').fill('回家的路上');
      await expect(page.locator('.caption-overlay').first().innerText()).resolves.toBe('回家的路上');
      await fillDetails(page, `剪辑 ${uniqueSuffix()}`);
      await screenshot(page, 'phone-edit');
      const title = await page.getByLabel('标题', { exact: true }).inputValue();
      await page.getByRole('button', { name: '提交剪辑' }).click();
      await page.waitForURL((u) => u.pathname === '/submissions', { timeout: 90_000 });
      const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title }) });
      await card.getByText('审核中', { exact: true }).waitFor({ timeout: 120_000 });
      const stored = (await mySubmissions(page, server)).find((s) => s.title === title)!;
      expect(stored.status).toBe('in_review');
      expect(stored.durationSeconds).toBeGreaterThan(60);
      expect(stored.durationSeconds).toBeLessThan(66);
      await screenshot(page, 'phone-submissions-edit');
    });
    await context.close();
  });
});
