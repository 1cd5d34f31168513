import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiSession, createStaff, signInEnglish, withServerServices } from './flows.js';
import { launchBrowser, screenshot, startServer, withScreenshots, type TestServer } from './harness.js';

describe('the 传播力 wall on a 1920×1080 screen', () => {
  let server: TestServer;
  let browser: Browser;
  let pendingId: string;

  beforeAll(async () => {
    server = await startServer({ env: { WALL_INTERVAL_SECONDS: '1' } });
    browser = await launchBrowser();
    // Today's stories (three web forms published, one print form in review) and a video waiting at the desk.
    pendingId = await withServerServices(server, async (services) => {
      const { db } = services.database;
      const { campaigns, users } = await import('../src/server/db/schema.js');
      const { insertForm, insertStory } = await import('../src/server/modules/kitchen/testing/fixtures.js');
      const [author] = await db.select({ id: users.id }).from(users).limit(1);
      for (const headline of ['春运首日 返乡路上的年味', '侠客岛：一张车票的旅程', '麻辣财经：年货账单']) {
        const story = await insertStory(db, { authorId: author!.id, headline });
        await insertForm(db, { storyId: story.id, form: 'web', status: 'published', content: {} });
        if (headline.startsWith('春运')) await insertForm(db, { storyId: story.id, form: 'print', status: 'in_review', content: {} });
      }
      const [campaign] = await db.select({ id: campaigns.id }).from(campaigns).limit(1);
      const [contributor] = await db
        .insert(users)
        .values({ name: '林勇刚', email: `wall.${Date.now()}@example.test`, roles: ['contributor'], locale: 'zh-CN' })
        .returning();
      const now = new Date();
      const s = await services.submissionsRepo.create({
        userId: contributor!.id,
        campaignId: campaign!.id,
        theme: 'way-home',
        title: '回家的路',
        consentAt: now,
        status: 'in_review',
        progress: 100,
        uploadLength: 1000,
        originalFilename: 'a.mp4',
        durationSeconds: 75,
        width: 720,
        height: 1280,
        processedAt: now,
      });
      return s.id;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows today in Chinese without scrolling, changes when a video is adopted and comes back after a server restart, without a reload', async () => {
    // The wall PC's own account: finance (it can see the wall and change nothing at the desk).
    const wallAccount = await createStaff(server, 'finance', 'Newsroom wall');
    // An English browser: the wall is Chinese all the same.
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await withScreenshots(context, 'kitchen-wall', async () => {
      await signInEnglish(page, server, wallAccount.email, wallAccount.password);
      await page.goto(`${server.url}/wall`);
      for (const name of ['传播力大屏', '今日稿件', '今日视频', '传播量', '渠道传播', '工作室传播', '本周风云榜（实时）', '近一小时飙升']) {
        await expect.poll(() => page.getByRole('heading', { name, exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
      }
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      expect(await page.locator('.k-wall-screen').getAttribute('lang')).toBe('zh-CN');
      const webPublished = page.locator('[data-form="web"][data-status="published"]');
      await expect.poll(() => webPublished.textContent()).toBe('3');
      expect(await page.locator('[data-form="print"][data-status="in_review"]').textContent()).toBe('1');
      await page.getByText('共 3 篇', { exact: true }).waitFor();
      await page.getByText(/^最后更新 \d\d:\d\d:\d\d$/).waitFor();
      // Nothing scrolls at 1920×1080.
      const size = (await page.evaluate(
        '[document.documentElement.scrollHeight, document.documentElement.scrollWidth, document.body.scrollHeight]',
      )) as number[];
      expect(size[0]).toBeLessThanOrEqual(1080);
      expect(size[1]).toBeLessThanOrEqual(1920);
      expect(size[2]).toBeLessThanOrEqual(1080);
      // Every panel's content fits in its panel (nothing cut off at the bottom).
      const overflowing = await page.evaluate(
        "[...document.querySelectorAll('.k-wall-panel')].filter((p) => p.scrollHeight > p.clientHeight + 1).map((p) => p.querySelector('h2')?.textContent)",
      );
      expect(overflowing).toEqual([]);
      const adopted = page.locator('[data-figure="adopted"] .k-wall-big-n');
      expect(await adopted.textContent()).toBe('0');

      // The desk adopts a video: the wall shows it over its open stream.
      const navigations: string[] = [];
      page.on('framenavigated', (f) => navigations.push(f.url()));
      const desk = await apiSession(server);
      const r = await desk(`/api/desk/submissions/${pendingId}/adopt`, { method: 'POST', body: { grade: 'B' } });
      expect(r.status, JSON.stringify(r.data)).toBe(200);
      await expect.poll(() => adopted.textContent(), { timeout: 15_000 }).toBe('1');
      await screenshot(page, 'kitchen-wall-1920x1080', false);

      // The server goes away (a deploy) and comes back with one more story published: the wall
      // reconnects on its own and shows it, still without a reload.
      await withServerServices(server, async (services) => {
        const { db } = services.database;
        const { users } = await import('../src/server/db/schema.js');
        const { insertForm, insertStory } = await import('../src/server/modules/kitchen/testing/fixtures.js');
        const [author] = await db.select({ id: users.id }).from(users).limit(1);
        const story = await insertStory(db, { authorId: author!.id, headline: '重启之后的稿件' });
        await insertForm(db, { storyId: story.id, form: 'web', status: 'published', content: {} });
      });
      await expect.poll(() => webPublished.textContent(), { timeout: 60_000, interval: 500 }).toBe('4');
      await page.getByText(/^最后更新 \d\d:\d\d:\d\d$/).waitFor();
      expect(navigations).toEqual([]);
    });
    await context.close();
  });

  it('fits a full day on the screen: ten chart entries, ten movers, six channels, long names', async () => {
    const wallAccount = await createStaff(server, 'finance', 'Newsroom wall 2');
    // An English browser again (for the sign-in helper); the wall itself is Chinese.
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await withScreenshots(context, 'kitchen-wall-full', async () => {
      await signInEnglish(page, server, wallAccount.email, wallAccount.password);
      // The figures of a busy day, served in place of the real ones: this is about the layout.
      const forms = ['print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen'];
      const channels = ['app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk'];
      const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const wall = {
        generatedAt: new Date().toISOString(),
        day: '2026-12-03',
        stories: { total: 128, byForm: forms.map((form, i) => ({ form, counts: { planned: i, in_edit: 12 + i, in_review: 3, ready: 1, published: 40 + i } })) },
        videos: { adopted: 37, byChannel: channels.map((channel) => ({ channel, live: 34, pending: 2, failed: 1 })) },
        reach: {
          total: 123_456_789,
          today: 2_345_678,
          lastHour: 123_456,
          byChannel: channels.map((channel, i) => ({ channel, reach: 1_000_000 * (i + 1), today: 20_000 * i })),
          byStudio: Array.from({ length: 8 }, (_, i) => ({
            studioId: id(i + 1),
            name: `一个很长很长很长的工作室名字 ${i}`,
            reach: 900_000 - i * 90_000,
            today: 1000 * i,
          })),
        },
        weekly: [
          {
            campaignId: id(99),
            campaignTitle: { 'zh-CN': '全球寻找封面拍客', en: 'Cover contributors' },
            week: '2026-W49',
            entries: Array.from({ length: 10 }, (_, i) => ({
              rank: i + 1,
              submissionId: id(100 + i),
              headline: `春运首日 返乡路上的年味，一段非常非常长的标题 ${i}`,
              contributor: '林勇刚',
              reach: 5_000_000 - i * 400_000,
              score: 1,
            })),
          },
        ],
        movers: Array.from({ length: 10 }, (_, i) => ({
          submissionId: id(200 + i),
          headline: `回家的路 第${i}集`,
          contributor: '王芳',
          gain: 90_000 - i * 8000,
          channels: ['weibo', 'wechat'],
        })),
      };
      await page.route('**/api/kitchen/wall', (r) => r.fulfill({ json: { wall } }));
      await page.route('**/api/kitchen/wall/stream', (r) =>
        r.fulfill({ status: 200, contentType: 'text/event-stream', body: `event: snapshot\ndata: ${JSON.stringify(wall)}\n\n` }),
      );
      await page.goto(`${server.url}/wall`);
      await page.getByText('全球寻找封面拍客').waitFor();
      await page.getByText('1.2亿', { exact: true }).waitFor();
      const size = (await page.evaluate('[document.documentElement.scrollHeight, document.documentElement.scrollWidth]')) as number[];
      expect(size[0]).toBeLessThanOrEqual(1080);
      expect(size[1]).toBeLessThanOrEqual(1920);
      const overflowing = await page.evaluate(
        "[...document.querySelectorAll('.k-wall-panel')].filter((p) => p.scrollHeight > p.clientHeight + 1).map((p) => p.querySelector('h2')?.textContent)",
      );
      expect(overflowing).toEqual([]);
      expect(await page.locator('.k-wall-weekly li').count()).toBe(10);
      await screenshot(page, 'kitchen-wall-full-1920x1080', false);
    });
    await context.close();
  });
});
