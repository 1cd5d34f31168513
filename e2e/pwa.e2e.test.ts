import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { Submission } from '../src/contracts/submissions.js';
import { makeVideo, signUpInto } from './flows.js';
import { PHONE_DEVICE, REPO, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const SW_FILE = join(REPO, 'dist', 'web', 'sw.js');

/** Writes the worker as a build would: the file and its precompressed copies (the server sends those). */
function writeWorker(source: string): void {
  writeFileSync(SW_FILE, source);
  writeFileSync(`${SW_FILE}.br`, brotliCompressSync(source));
  writeFileSync(`${SW_FILE}.gz`, gzipSync(source));
}

const DEMO_TITLE = '全球寻找封面拍客';

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23), after checking the signature. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG file').toBe(true);
  expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function expectPng(server: TestServer, src: string, size: number): Promise<void> {
  const res = await fetch(`${server.url}${src}`);
  expect(res.status, src).toBe(200);
  expect(res.headers.get('content-type'), src).toBe('image/png');
  expect(pngSize(Buffer.from(await res.arrayBuffer())), src).toEqual({ width: size, height: size });
}

/** Every URL held in any of the page origin's caches. */
function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(`(async () => {
    const urls = [];
    for (const key of await caches.keys()) for (const req of await (await caches.open(key)).keys()) urls.push(new URL(req.url).pathname);
    return urls;
  })()`) as Promise<string[]>;
}

/** The phone of harness.ts phoneContext, for a persistent profile. */
const PHONE = { ...PHONE_DEVICE, locale: 'zh-CN' };

const offlineBanner = (page: Page) => page.locator('.pwa-offline').filter({ hasText: '离线' }).filter({ hasText: '上传会自动继续' });

describe('Paike as an app on the phone', () => {
  let server: TestServer;
  let campaign: Campaign;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-pwa-'));
    server = await startServer();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names its manifest, icons and favicon in the page head, and each answers at its stated size', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(html).toContain('<link rel="apple-touch-icon" href="/icons/apple-touch-icon-180.png"');
    expect(html).toContain('<link rel="icon" href="/favicon.svg"');

    const res = await fetch(`${server.url}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const m = (await res.json()) as Manifest;
    expect(m).toMatchObject({ name: '拍客 Paike', short_name: '拍客', scope: '/', display: 'standalone', theme_color: '#b3261e' });
    expect(new URL(m.start_url, server.url).pathname).toBe('/');
    const pngs = m.icons.filter((i) => i.type === 'image/png');
    expect(pngs.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of pngs) await expectPng(server, icon.src, Number(icon.sizes.split('x')[0]));
    await expectPng(server, '/icons/apple-touch-icon-180.png', 180);
    await expectPng(server, '/favicon-32.png', 32);

    const svg = m.icons.find((i) => i.type === 'image/svg+xml')!;
    const svgRes = await fetch(`${server.url}${svg.src}`);
    expect(svgRes.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    // The character is a path, so the icon never depends on a Chinese font being present.
    expect(await svgRes.text()).not.toContain('<text');
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(200);
  });

  it(
    'installs, reopens offline from the home screen with an offline notice, never caches the API, and resumes an upload after reopening',
    { timeout: 300_000 },
    async () => {
      const swSource = readFileSync(SW_FILE, 'utf8');
      const video = makeVideo(dir, 'train-window.mp4', 62, { bitrate: '500k' });
      // A real profile, not the incognito-like contexts of browser.newContext(): Chromium never
      // offers to install from incognito (Page.getInstallabilityErrors says "in-incognito").
      const profile = mkdtempSync(join(tmpdir(), 'paike-e2e-pwa-profile-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        ...PHONE,
      });
      // The page CSP must not block the worker, the manifest or the banners.
      const csp: string[] = [];
      context.on('console', (m) => {
        if (m.text().includes('Content Security Policy')) csp.push(m.text());
      });
      const api: string[] = [];
      context.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/')) api.push(r.url());
      });
      const page = context.pages()[0] ?? (await context.newPage());
      try {
        await withScreenshots(context, 'pwa', async () => {
          await page.goto(`${server.url}/?source=pwa`);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          // Registered after load; once active it claims the page.
          await expect
            .poll(() => page.evaluate('navigator.serviceWorker.controller && navigator.serviceWorker.controller.state'), { timeout: 20_000 })
            .toBe('activated');
          const cdp = await context.newCDPSession(page);
          const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
          expect(installabilityErrors).toEqual([]);
          // A shared campaign link is answered with its own preview (head and body); the worker
          // must not keep that page as the shell every other address opens with.
          await page.goto(`${server.url}/c/${campaign.slug}`);
          await page.getByRole('heading', { level: 1, name: DEMO_TITLE }).waitFor();
          await page.waitForTimeout(1500); // the worker's background refresh of the page
          const shell = (await page.evaluate(
            `caches.keys().then((k) => caches.open(k.find((n) => n.startsWith('paike-shell-')))).then((c) => c.match('/')).then((r) => r.text())`,
          )) as string;
          expect(shell).toContain('<div class="pk-shell" role="status">');
          expect(shell).not.toContain('class="pk-shell pk-page"');
          expect(shell).not.toContain(DEMO_TITLE);
          // A feed opened in a tab is the server's own answer, not the app shell.
          const feed = await page.goto(`${server.url}/rss.xml`);
          expect(feed?.fromServiceWorker()).toBe(false);
          expect(feed?.headers()['content-type']).toMatch(/xml/);

          // A contributor signs up, looks at their pages and starts an upload on a slow uplink.
          await signUpInto(page, server, campaign, '赵铁柱');
          await page.goto(`${server.url}/submissions`);
          await page.getByRole('heading', { level: 1, name: '我的投稿' }).waitFor();
          await page.goto(`${server.url}/submit`);
          await expect.poll(() => page.getByLabel('征集活动').evaluate((el) => (el as unknown as { value: string }).value)).not.toBe('');
          await page.getByLabel('征集主题').selectOption({ label: '回家的路' });
          const title = `车窗外 ${uniqueSuffix()}`;
          await page.getByLabel('标题', { exact: true }).fill(title);
          await page.getByLabel('这段视频是我本人拍摄的，我同意以上条款。').check();
          await page.getByLabel('选择视频').setInputFiles(video);
          await page.getByText('train-window.mp4').waitFor();
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: 128 * 1024 });
          await page.getByRole('button', { name: '上传', exact: true }).click();
          await expect
            .poll(
              () =>
                page
                  .locator('.upload-percent')
                  .innerText()
                  .then((s) => Number(s.replace('%', ''))),
              { timeout: 30_000 },
            )
            .toBeGreaterThan(0);

          // Nothing from the API is in any cache after signed-in pages were visited, while the
          // shell and the assets are (so the check is not empty).
          expect(api.length).toBeGreaterThan(3);
          const cached = await cachedUrls(page);
          expect(cached.filter((u) => u.startsWith('/api/'))).toEqual([]);
          expect(cached).toContain('/');
          expect(cached.some((u) => u.startsWith('/assets/') && u.endsWith('.js'))).toBe(true);

          // The network drops mid-upload; the page says so; the contributor closes the app.
          await context.setOffline(true);
          await offlineBanner(page).waitFor();
          await page.getByRole('status').filter({ hasText: '等待网络…' }).waitFor();
          const during = await fetch(`${server.url}/api/me/submissions`, {
            headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
          });
          const mine = ((await during.json()) as { submissions: Submission[] }).submissions;
          expect(mine.find((s) => s.title === title)?.status).toBe('uploading');
          await page.close();

          // Reopened from the home screen with no network at all (the server is down too, so
          // nothing can come from it): the app shell opens from the service worker and says it is offline.
          await server.whileStopped(async () => {
            const again = await context.newPage();
            const res = await again.goto(`${server.url}/?source=pwa`);
            expect(res?.fromServiceWorker()).toBe(true);
            await again.getByRole('link', { name: /拍客/ }).first().waitFor();
            await offlineBanner(again).waitFor();
            // Signed in but unable to ask who: the header does not tell them to sign in.
            expect(await again.getByRole('link', { name: '登录', exact: true }).count()).toBe(0);
            await screenshot(again, 'pwa-offline-reopen', false);
            // Without even a cached shell (storage cleared), the worker still answers a page that
            // says what is wrong, in both languages, instead of the browser's error.
            await again.evaluate(`caches.keys().then((k) => Promise.all(k.filter((n) => n.startsWith('paike-shell-')).map((n) => caches.delete(n))))`);
            const bare = await again.goto(`${server.url}/submissions`);
            expect(bare?.fromServiceWorker()).toBe(true);
            await again.getByRole('heading', { name: '离线' }).waitFor();
            await again.getByRole('heading', { name: 'Offline' }).waitFor();
            await again.close();
          });

          // The network returns; the app is opened again and the upload is listed and finishes.
          await context.setOffline(false);
          const back = await context.newPage();
          await back.goto(`${server.url}/?source=pwa`);
          expect(await offlineBanner(back).count()).toBe(0);
          await back.getByRole('link', { name: '我要投稿' }).first().click();
          await back.waitForURL((u) => u.pathname === '/submit');
          await back.getByText('本设备上有未完成的上传').waitFor();
          await back.getByText(title, { exact: false }).first().waitFor();
          await back.getByLabel('选择视频').setInputFiles(video);
          await back.getByRole('button', { name: '继续上次的上传' }).click();
          await back.waitForURL((u) => u.pathname === '/submissions', { timeout: 60_000 });
          const card = back.getByRole('listitem').filter({ has: back.getByRole('heading', { name: title }) });
          await card
            .getByText(/处理中|审核中/)
            .first()
            .waitFor({ timeout: 60_000 });
          await screenshot(back, 'pwa-upload-resumed', false);

          // A shared phone: another upload is cut short and the contributor signs out; the next
          // person to sign in on this phone sees none of it (tus remembers uploads per browser).
          await back.goto(`${server.url}/submit`);
          await expect.poll(() => back.getByLabel('征集活动').evaluate((el) => (el as unknown as { value: string }).value)).not.toBe('');
          await back.getByLabel('征集主题').selectOption({ label: '回家的路' });
          const second = `站台 ${uniqueSuffix()}`;
          await back.getByLabel('标题', { exact: true }).fill(second);
          await back.getByLabel('这段视频是我本人拍摄的，我同意以上条款。').check();
          await back.getByLabel('选择视频').setInputFiles(video);
          const slow = await context.newCDPSession(back);
          await slow.send('Network.enable');
          await slow.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: 128 * 1024 });
          await back.getByRole('button', { name: '上传', exact: true }).click();
          await expect.poll(() => back.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("tus::")).length'), { timeout: 30_000 }).toBe(1);
          await slow.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
          await back.goto(`${server.url}/account`);
          await back.getByRole('button', { name: '退出登录' }).click();
          await back.waitForURL((u) => u.pathname === '/sign-in');
          await signUpInto(back, server, campaign, '钱二丫');
          await back.goto(`${server.url}/submit`);
          await expect.poll(() => back.getByLabel('征集活动').evaluate((el) => (el as unknown as { value: string }).value)).not.toBe('');
          expect(await back.getByText('本设备上有未完成的上传').count()).toBe(0);
          expect(await back.getByText(second, { exact: false }).count()).toBe(0);

          // A deploy: the server now has another worker. The open app offers the new version, and
          // reloading puts it in charge with only its own caches.
          const oldId = /"id":"([0-9a-f]+)"/.exec(swSource)![1]!;
          writeWorker(swSource.replaceAll(oldId, 'feedfacecafe'));
          await back.goto(`${server.url}/submissions`);
          const update = back.getByRole('status').filter({ hasText: '拍客有新版本了。' });
          await update.waitFor({ timeout: 20_000 });
          await Promise.all([back.waitForEvent('load'), update.getByRole('button', { name: '刷新' }).click()]);
          await expect
            .poll(() => back.evaluate('caches.keys().then((k) => k.sort())'), { timeout: 10_000 })
            .toEqual(['paike-assets-feedfacecafe', 'paike-shell-feedfacecafe']);
          expect(await update.count()).toBe(0);
          expect(csp).toEqual([]);
        });
      } finally {
        writeWorker(swSource);
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
  );
});
