import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { FeedItem, publicationsReply } from '../src/contracts/distribution.js';
import type { noticesReply } from '../src/contracts/propagation.js';
import type { Submission } from '../src/contracts/submissions.js';
import type { z } from 'zod';
import { apiSession, createStaff, makeVideo, signUpInto, submitVideo, withServerServices } from './flows.js';
import { launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';
const HEADLINE = '回家的路：成都东站的傍晚';
const CONTRIBUTOR = '林勇刚';

type Publications = z.infer<typeof publicationsReply>;
type Notices = z.infer<typeof noticesReply>;

async function videoViews(server: TestServer, id: string): Promise<number> {
  const res = await fetch(`${server.url}/api/videos/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { video: FeedItem }).video.views;
}

/** Presses the player's play button (the page loads no media before it) and waits until real frames have played. */
async function playUntilFramesMove(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: `播放视频“${title}”` }).click();
  const video = page.getByLabel(`视频：${title}`);
  await video.waitFor();
  await expect.poll(() => video.evaluate((v) => (v as unknown as { currentTime: number }).currentTime), { timeout: 30_000 }).toBeGreaterThan(0.3);
}

describe('the public site: feed, video page, weekly chart, contributor story and "你火了" notices', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  let dir: string;
  let contributor: BrowserContext;
  let contributorPage: Page;
  let submissionId: string;
  let contributorId: string;
  const title = `回家的路 ${uniqueSuffix()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-site-'));
    // Adopted videos go out at once instead of after the editors' packaging hold.
    server = await startServer({ env: { PUBLISH_HOLD_MINUTES: '0' } });
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
    contributor = await phoneContext(browser, 'zh-CN');
    contributorPage = await contributor.newPage();
  });
  afterAll(async () => {
    await contributor?.close();
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an adopted video goes live, shows in the feed, plays on its page and counts one view per viewer per hour', { timeout: 420_000 }, async () => {
    await withScreenshots(contributor, 'site-contributor-upload', async () => {
      await signUpInto(contributorPage, server, campaign, CONTRIBUTOR);
      await submitVideo(contributorPage, server, makeVideo(dir, 'way-home.mp4', 62), title);
    });
    const mine = (await (await contributorPage.request.get(`${server.url}/api/me/submissions`)).json()) as { submissions: Submission[] };
    const sub = mine.submissions.find((s) => s.title === title)!;
    submissionId = sub.id;

    // An editor packages the app's page and adopts; with no hold the own channels publish at once.
    const editor = await createStaff(server, 'editor', 'Editor Zhang');
    const desk = await apiSession(server, editor.email, editor.password);
    const adopted = await desk(`/api/desk/submissions/${submissionId}/adopt`, { method: 'POST', body: { grade: 'B' } });
    expect(adopted.status, JSON.stringify(adopted.data)).toBe(200);
    const pkg = await desk(`/api/desk/submissions/${submissionId}/packages/app`, {
      method: 'PUT',
      body: { headline: HEADLINE, summary: '拍客林勇刚记录从成都东站回家的一路街景。', tags: ['回家的路', '成都'], credit: '拍客 林勇刚' },
    });
    expect(pkg.status, JSON.stringify(pkg.data)).toBe(200);
    await expect
      .poll(
        async () => {
          const r = await desk<Publications>(`/api/desk/submissions/${submissionId}/publications`);
          return r.data.channels?.find((c) => c.channel === 'app')?.publication?.status;
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe('live');
    expect(await videoViews(server, submissionId)).toBe(0);

    const visitor = await phoneContext(browser, 'zh-CN');
    await visitor.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await visitor.newPage();
    await withScreenshots(visitor, 'site-visitor', async () => {
      // The feed on the home page, newest first; the feeds for apps and readers are announced in the head.
      await page.goto(`${server.url}/`);
      const feed = page.getByRole('region', { name: '最新视频' });
      const card = feed.getByRole('listitem').filter({ has: page.getByRole('heading', { name: HEADLINE }) });
      await card.waitFor();
      await card.getByRole('link', { name: CONTRIBUTOR }).waitFor();
      await card.getByText('0 次播放').waitFor();
      await feed.getByText('已经到底了。').waitFor();
      const rss = await page.locator('link[rel="alternate"][type="application/rss+xml"]').getAttribute('href');
      const rssBody = await (await page.request.get(new URL(rss!, server.url).href)).text();
      expect(rssBody).toContain(`<title>${HEADLINE}</title>`);
      expect(rssBody).toContain(`${server.url}/v/${submissionId}`);
      const jsonFeed = await page.locator('link[rel="alternate"][type="application/feed+json"]').getAttribute('href');
      const feedItems = ((await (await page.request.get(new URL(jsonFeed!, server.url).href)).json()) as { items: { id: string; title: string }[] }).items;
      expect(feedItems.find((i) => i.id === submissionId)?.title).toBe(HEADLINE);
      await screenshot(page, 'site-feed', false);

      // The video page: the package's words, the contributor, tags, views, a share link.
      await card.getByRole('link', { name: HEADLINE }).click();
      await page.waitForURL((u) => u.pathname === `/v/${submissionId}`);
      await page.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
      await page.getByText('拍客林勇刚记录从成都东站回家的一路街景。').waitFor();
      await page.getByText('#成都').waitFor();
      await page.getByText('署名：拍客 林勇刚').waitFor();
      await page.getByText('0 次播放').waitFor();
      expect(await page.getByRole('textbox', { name: '视频链接' }).inputValue()).toBe(`${server.url}/v/${submissionId}`);
      await page.getByRole('button', { name: '分享' }).click();
      await page.getByText('链接已复制，粘贴即可分享。').waitFor();
      expect(
        await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText()),
      ).toBe(`${server.url}/v/${submissionId}`);

      // No view is reported for loading the page; one is once frames actually move.
      let beacons = 0;
      page.on('request', (r) => {
        if (r.url().endsWith('/api/beacons/views') && r.method() === 'POST') beacons++;
      });
      await page.waitForTimeout(500);
      expect(beacons).toBe(0);
      const counted = page.waitForResponse((r) => r.url().endsWith('/api/beacons/views') && r.request().method() === 'POST');
      await playUntilFramesMove(page, HEADLINE);
      expect((await counted).status()).toBe(204);
      expect(beacons).toBe(1);
      expect((await visitor.cookies(server.url)).some((c) => c.name === 'pk_vid')).toBe(true);
      await screenshot(page, 'site-video-playing', false);

      // A reload within the hour plays and reports again; the server keeps it at one view.
      await page.reload();
      const again = page.waitForResponse((r) => r.url().endsWith('/api/beacons/views') && r.request().method() === 'POST');
      await playUntilFramesMove(page, HEADLINE);
      expect((await again).status()).toBe(204);
    });
    await visitor.close();
  });

  it('the view is counted once; a platform reports 12,000 views; the chart, the story page and "你火了" follow', { timeout: 300_000 }, async () => {
    const admin = await apiSession(server);
    const pubs = (await admin<Publications>(`/api/desk/submissions/${submissionId}/publications`)).data.channels;
    const appPub = pubs.find((c) => c.channel === 'app')!.publication!;
    const kioskPub = pubs.find((c) => c.channel === 'kiosk')?.publication;
    expect(kioskPub, 'the kiosk channel publishes every adopted video').toBeTruthy();

    // What the metrics job does every 15 minutes, now: read the own site's beacon count. And a
    // kiosk network's figures arrive, carrying the video past 10,000 views ("你火了").
    await withServerServices(server, async (services) => {
      await services.publishing.pullMetrics(appPub.id);
      const r = await services.metrics.recordSample(kioskPub!.id, { views: 12_000, likes: null, shares: null, comments: null }, new Date());
      expect(r.milestones).toEqual([10_000]);
    });
    // One viewer, two plays within the hour (the first before the browser had the viewer
    // cookie, the second with it): one view. Soft, so the pages below are still checked.
    const views = await videoViews(server, submissionId);
    expect.soft(views, 'two plays by one browser within the hour count once').toBe(1);

    const visitor = await phoneContext(browser, 'zh-CN');
    const page = await visitor.newPage();
    await withScreenshots(visitor, 'site-chart', async () => {
      await page.goto(`${server.url}/v/${submissionId}`);
      await page.getByText(`${views} 次播放`).waitFor();

      // The weekly chart, live for this week: rank 1, the reach over every channel, the prospective prize.
      await page.getByRole('link', { name: '风云榜·每周Top10' }).click();
      await page.waitForURL((u) => u.pathname === `/charts/${campaign.id}`);
      await page.getByRole('heading', { level: 1, name: '风云榜·每周Top10' }).waitFor();
      await page.getByText('本周实时').waitFor();
      const ranking = page.getByRole('list', { name: /排名$/ });
      const first = ranking.getByRole('listitem').first();
      await first.getByText('第 1 名', { exact: true }).waitFor();
      await first.getByRole('link', { name: HEADLINE }).waitFor();
      await first.getByRole('link', { name: CONTRIBUTOR }).waitFor();
      await first.getByText('1.2万').waitFor();
      await first.getByText('¥2,000').waitFor();
      expect(await page.getByRole('combobox', { name: '周次' }).inputValue()).toMatch(/^\d{4}-W\d{2}$/);
      await screenshot(page, 'site-chart', false);

      // 拍客故事: the contributor's page lists their published video and what it reached.
      await first.getByRole('link', { name: CONTRIBUTOR }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/u/'));
      contributorId = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByText('拍客故事').first().waitFor();
      await page.getByRole('heading', { level: 1, name: CONTRIBUTOR }).waitFor();
      const works = page.getByRole('region', { name: '作品' });
      await works.getByRole('link', { name: HEADLINE }).waitFor();
      await page.locator('.profile-stats').getByText('1.2万').waitFor();
      await screenshot(page, 'site-profile', false);
    });
    await visitor.close();

    // The contributor sees the notice in the tab bar and on the notices page, in their language.
    await withScreenshots(contributor, 'site-notices', async () => {
      const before = (await (await contributorPage.request.get(`${server.url}/api/me/notices`)).json()) as Notices;
      expect(before.unread).toBeGreaterThanOrEqual(1);
      await contributorPage.goto(`${server.url}/`);
      const nav = contributorPage.getByRole('navigation', { name: '投稿人导航' });
      const link = nav.getByRole('link', { name: `通知（${before.unread} 条未读）` });
      await link.waitFor();
      expect(await link.locator('.nav-badge').textContent()).toBe(String(before.unread));
      await link.click();
      await contributorPage.waitForURL((u) => u.pathname === '/notices');
      const notice = contributorPage.getByRole('listitem').filter({ hasText: `你火了！《${title}》的传播量突破 1 万。` });
      await notice.waitFor();
      await notice.getByText('未读', { exact: true }).waitFor();
      expect(await notice.getByRole('link', { name: '查看视频' }).getAttribute('href')).toBe(`/v/${submissionId}`);
      await screenshot(contributorPage, 'site-notices', false);
      await notice.getByRole('button', { name: '标为已读' }).click();
      await notice.getByText('未读', { exact: true }).waitFor({ state: 'detached' });
      const unread = before.unread - 1;
      await nav.getByRole('link', { name: unread ? `通知（${unread} 条未读）` : '通知' }).waitFor();
      // The link goes to the video's public page.
      await notice.getByRole('link', { name: '查看视频' }).click();
      await contributorPage.waitForURL((u) => u.pathname === `/v/${submissionId}`);
      await contributorPage.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
    });
  });

  it('in English: the video page, the chart and the notices read in English', { timeout: 120_000 }, async () => {
    const visitor = await phoneContext(browser, 'en-US');
    const page = await visitor.newPage();
    await withScreenshots(visitor, 'site-english', async () => {
      await page.goto(`${server.url}/v/${submissionId}`);
      await page.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
      const views = await videoViews(server, submissionId);
      await page.getByText(views === 1 ? '1 view' : `${views} views`, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Share' }).waitFor();
      await page.getByRole('link', { name: `More by ${CONTRIBUTOR}` }).waitFor();
      await page.getByRole('link', { name: 'Weekly Top 10' }).click();
      await page.getByRole('heading', { level: 1, name: 'Weekly Top 10' }).waitFor();
      await page.getByText('This week so far').waitFor();
      const first = page
        .getByRole('list', { name: /^Ranking for / })
        .getByRole('listitem')
        .first();
      await first.getByText('Rank 1', { exact: true }).waitFor();
      await first.getByText('Prize if it holds').waitFor();
      await page.goto(`${server.url}/u/${contributorId}`);
      await page.getByText('Contributor story').first().waitFor();
      await page.getByText('Total reach').waitFor();
      await screenshot(page, 'site-english-profile', false);
    });
    await visitor.close();

    // The contributor switches to English: the notice is written again in English by the server.
    await withScreenshots(contributor, 'site-notices-english', async () => {
      await contributorPage.goto(`${server.url}/notices`);
      await contributorPage.getByRole('button', { name: 'English' }).click();
      await contributorPage.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
      await contributorPage.getByText(`You’re taking off! “${title}” has passed 10,000 views.`).waitFor();
      await contributorPage.getByRole('button', { name: '中文' }).click();
    });
  });
});
