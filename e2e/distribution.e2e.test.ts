import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { startWechatFake, type WechatFake } from '../src/server/modules/distribution/channels/fakes/wechat.fake.js';
import { startWeiboFake, type WeiboFake } from '../src/server/modules/distribution/channels/fakes/weibo.fake.js';
import { apiSession, createStaff, makeVideo, signInEnglish, signUpInto, submitVideo, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';
const WECHAT_APP = { appId: 'wx5e2e7a11c0ffee01', secret: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' };
const WEIBO_APP = { appKey: '3127004811', appSecret: 'b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5' };
/** The local WeChat fake's review refuses any article containing this word. */
const BANNED = '禁播词';

/** Counts the canvas pixels that are neither transparent nor white: a drawn chart has many. */
async function inkedPixels(chart: Locator): Promise<number> {
  return chart
    .locator('canvas')
    .first()
    .evaluate((el) => {
      const c = el as unknown as {
        width: number;
        height: number;
        getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235)) n++;
      return n;
    });
}

describe('publishing to every channel and the propagation dashboards', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  let wechat: WechatFake;
  let weibo: WeiboFake;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-dist-'));
    wechat = await startWechatFake();
    wechat.registerApp({ ...WECHAT_APP, verified: true });
    weibo = await startWeiboFake();
    // Adopted videos go out at once (no packaging hold) to the local platform fakes.
    server = await startServer({ env: { PUBLISH_HOLD_MINUTES: '0', WECHAT_API_URL: wechat.url, WEIBO_API_URL: weibo.url } });
    weibo.registerApp({ ...WEIBO_APP, secureDomain: '127.0.0.1', redirectUri: `${server.url}/api/admin/channels/weibo/callback` });
    weibo.registerAccount({ uid: '6600112233', screenName: '封面拍客' });
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await wechat?.close();
    await weibo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an admin connects WeChat by secret and Weibo by OAuth, adds a kiosk screen and sets the campaign’s propagation rules (English)', async () => {
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'dist-admin', async () => {
      await signInEnglish(page, server, 'admin@example.test', 'Harbour lanterns at dusk 2026');
      await page.goto(`${server.url}/desk`);
      await page.getByRole('link', { name: 'Open: Channel accounts' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/channels');
      await page.getByRole('heading', { level: 1, name: 'Channel accounts' }).waitFor();

      const wx = page.getByRole('region', { name: 'WeChat' });
      await wx.getByText('Disconnected', { exact: true }).waitFor();
      await wx.getByLabel('App ID', { exact: true }).fill(WECHAT_APP.appId);
      // A wrong secret: WeChat refuses it and the page says so in plain words.
      await wx.getByLabel('App secret', { exact: true }).fill('0000000000000000000000000000dead');
      await wx.getByRole('button', { name: 'Save WeChat' }).click();
      await wx.getByText(/^WeChat refused these credentials: /).waitFor();
      await wx.getByText('Needs reconnecting', { exact: true }).first().waitFor();
      // The right one: the server fetches a token from the (fake) platform at once.
      await wx.getByLabel('App secret', { exact: true }).fill(WECHAT_APP.secret);
      await wx.getByRole('button', { name: 'Save WeChat' }).click();
      await wx.getByText('Saved. WeChat is connected.').waitFor();
      await wx.locator('.badge-acct-connected').getByText('Connected', { exact: true }).waitFor();
      await wx.getByText(/\(in \d+ hours?\)/).waitFor();
      // The secret is write-only: never shown back, the field says it stays unchanged.
      const secret = wx.getByLabel('App secret', { exact: true });
      expect(await secret.inputValue()).toBe('');
      expect(await secret.getAttribute('placeholder')).toBe('unchanged');
      expect(JSON.stringify(await (await page.request.get(`${server.url}/api/admin/channels`)).json())).not.toContain(WECHAT_APP.secret);
      await screenshot(page, 'dist-admin-wechat', false);

      // Weibo connects by OAuth: save the app, Connect, the platform sends the admin back with a banner.
      const wb = page.getByRole('region', { name: 'Weibo' });
      expect(await wb.getByRole('button', { name: 'Connect Weibo', exact: true }).isDisabled()).toBe(true);
      await wb.getByLabel('App ID', { exact: true }).fill(WEIBO_APP.appKey);
      await wb.getByLabel('App secret', { exact: true }).fill(WEIBO_APP.appSecret);
      await wb.getByRole('button', { name: 'Save Weibo' }).click();
      await wb.getByText('Saved. Now connect Weibo to grant Paike access.').waitFor();
      await wb.getByRole('button', { name: 'Connect Weibo', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/admin/channels' && u.searchParams.get('connected') === 'weibo');
      await page.getByText('Weibo is connected. Videos waiting for it are queued again.').waitFor();
      await wb.locator('.badge-acct-connected').waitFor();
      await wb.getByRole('button', { name: 'Reconnect Weibo' }).waitFor();
      await screenshot(page, 'dist-admin-weibo-connected', false);
      // Pause Weibo: this journey's video goes to the app, kiosks and WeChat only.
      await wb.getByLabel('Publish to Weibo').uncheck();
      await wb.getByText('Weibo is paused: new videos do not go there.').waitFor();
      await wb.getByText('Paused', { exact: true }).waitFor();

      // A kiosk screen: its key is shown once, with a warning.
      await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Kiosk screens' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/kiosks');
      await page.getByLabel('Name', { exact: true }).fill('Chunxi Road north entrance');
      await page.getByRole('button', { name: 'Add screen' }).click();
      await page.getByText('Copy it now: you won’t see it again.', { exact: false }).waitFor();
      const key = await page.getByLabel('Screen key').inputValue();
      expect(key.length).toBeGreaterThan(20);
      const playlist = await fetch(`${server.url}/api/kiosk/playlist`, { headers: { 'x-kiosk-key': key } });
      expect(playlist.status).toBe(200);
      await page.getByRole('button', { name: 'I have saved the key' }).click();
      // Listed twice once the fleet above refreshes (issue 16): among the key-added screens and in the fleet.
      await page
        .getByRole('row', { name: /Chunxi Road north entrance/ })
        .first()
        .waitFor();
      expect(await page.getByLabel('Screen key').count()).toBe(0);

      // The campaign form: rank the weekly chart by reach, weigh views 0.5, hold back 3 days.
      await page.goto(`${server.url}/admin/campaigns/${campaign.id}`);
      await page.getByRole('heading', { level: 1, name: 'Edit campaign' }).waitFor();
      await page.getByLabel('Reach (views across channels)').check();
      await page.getByLabel('Weight: views').fill('11');
      await page.getByLabel('Hold-back before the recheck (days)').fill('3');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Enter a number from 0 to 10 (at most three decimals).').waitFor();
      await page.getByLabel('Weight: views').fill('0.5');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Changes saved.').waitFor();
      const saved = (await (await page.request.get(`${server.url}/api/admin/campaigns`)).json()) as { campaigns: Campaign[] };
      const rules = saved.campaigns.find((c) => c.id === campaign.id)!.rules;
      expect(rules.propagation).toEqual({ rankBy: 'reach', weights: { views: 0.5, likes: 0.09, comments: 0.06, shares: 0.15 } });
      expect(rules.grandPrize.holdBackDays).toBe(3);
    });
    await context.close();
  });

  it(
    'an editor adopts a video: the app goes live with a working link, WeChat goes to review, is rejected, is fixed and retried, and goes live; the dashboard draws the reach and exports CSV',
    { timeout: 420_000 },
    async () => {
      const title = `回家的路 ${BANNED} ${uniqueSuffix()}`;
      wechat.rejectWord(BANNED);
      wechat.holdPublishing(true);

      const phone = await phoneContext(browser, 'zh-CN');
      const phonePage = await phone.newPage();
      await withScreenshots(phone, 'dist-contributor', async () => {
        await signUpInto(phonePage, server, campaign, '林勇刚');
        await submitVideo(phonePage, server, makeVideo(dir, 'dist.mp4', 62), title);
      });

      const editor = await createStaff(server, 'editor', 'Editor Wang');
      const context = await desktopContext(browser, 'en-US');
      const page = await context.newPage();
      let submissionId = '';
      await withScreenshots(context, 'dist-editor', async () => {
        await signInEnglish(page, server, editor.email, editor.password);
        // The desk in Chinese from here on: the language switch is remembered.
        await page.getByRole('button', { name: '中文' }).click();
        await page.goto(`${server.url}/desk/queue`);
        await page.getByRole('link', { name: title }).click();
        await page.waitForURL((u) => u.pathname.startsWith('/desk/review/'));
        submissionId = new URL(page.url()).pathname.split('/').pop()!;
        await page.getByText(/你正在审看这条视频/).waitFor({ timeout: 15_000 });
        await page.locator('body').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('3');
        await page.getByRole('button', { name: /^按 B 级采用/ }).click();
        await page.getByRole('button', { name: /^确认采用并支付/ }).click();
        await page.getByText('已按 B 级采用，奖励已记入拍客账户。').waitFor();

        const panel = page.getByRole('region', { name: '分发' });
        const row = (name: string) => panel.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

        // Paike's own app goes live at once with a link to the video's public page.
        const app = row('客户端与网站');
        await app.locator('.badge').getByText('已上线', { exact: true }).waitFor({ timeout: 60_000 });
        const link = app.getByRole('link', { name: '在客户端与网站打开' });
        const href = (await link.getAttribute('href'))!;
        expect(href).toBe(`${server.url}/v/${submissionId}`);
        expect((await page.request.get(href)).status()).toBe(200);
        const videoApi = await page.request.get(`${server.url}/api/videos/${submissionId}`);
        expect(videoApi.status()).toBe(200);
        // Kiosk screens: live, no public link. Platforms without an account (or paused) are greyed.
        await row('电子阅报栏').locator('.badge').getByText('已上线', { exact: true }).waitFor({ timeout: 60_000 });
        await row('电子阅报栏').getByText('该渠道没有公开链接。').waitFor();
        for (const name of ['微博', '头条', '企鹅号']) {
          await row(name).locator('.badge').getByText('未接入', { exact: true }).waitFor();
          expect(await row(name).getAttribute('class')).toContain('row-disabled');
        }

        // WeChat: submitted, then in the platform's review.
        const wx = row('微信');
        await wx.locator('.badge').getByText('平台审核中', { exact: true }).waitFor({ timeout: 120_000 });
        await wx.getByText('已提交：微信正在审核，通过后上线。').waitFor();
        await screenshot(page, 'dist-review-pending', false);
        // The review rejects the article (its title has the banned word): failed, with the platform's reason.
        wechat.finishPublishing();
        await wx.locator('.badge').getByText('失败', { exact: true }).waitFor({ timeout: 90_000 });
        await wx.getByText(/^微信拒绝发布：WeChat did not publish: .*publish_status 4/).waitFor();
        await wx.getByText('请修改上方微信的包装（标题、摘要、封面）并保存，然后点“重试”。').waitFor();
        await wx.getByText(/^记录/).click();
        await wx.getByText('已提交审核').first().waitFor();
        await screenshot(page, 'dist-review-failed', false);

        // Fix the WeChat package, then Retry: submitted again, the review passes, live with the article link.
        const packaging = page.getByRole('region', { name: '包装' });
        await packaging.getByRole('tab', { name: /^微信/ }).click();
        const wxPack = packaging.getByRole('tabpanel', { name: /^微信/ });
        await wxPack.getByLabel('标题', { exact: true }).fill('回家的路：成都东站的傍晚');
        await wxPack.getByLabel('摘要', { exact: true }).fill('拍客林勇刚记录从成都东站回家的一路街景。');
        await wxPack.getByRole('button', { name: '保存微信包装' }).click();
        await wxPack.getByText('微信包装已保存。').waitFor();
        await wx.getByRole('button', { name: '重试微信' }).click();
        await wx.locator('.badge').getByText('平台审核中', { exact: true }).waitFor({ timeout: 120_000 });
        wechat.finishPublishing();
        await wx.locator('.badge').getByText('已上线', { exact: true }).waitFor({ timeout: 90_000 });
        const article = await wx.getByRole('link', { name: '在微信打开' }).getAttribute('href');
        expect(article).toMatch(/^https:\/\/mp\.weixin\.qq\.com\/s\?/);
        expect(wechat.articles.filter((a) => a.items[0]!.title.includes(BANNED))).toHaveLength(0);
        expect(wechat.articles).toHaveLength(1);
        await screenshot(page, 'dist-review-live', false);

        // Unpublish from the kiosks, with a confirmation.
        const kiosk = row('电子阅报栏');
        await kiosk.getByRole('button', { name: '从电子阅报栏下线' }).click();
        await kiosk.getByRole('button', { name: '确定下线' }).click();
        await kiosk.locator('.badge').getByText('已下线', { exact: true }).waitFor({ timeout: 30_000 });
      });

      // Figures arrive (as the metrics job would record them) while the server is briefly stopped.
      const admin = await apiSession(server);
      const pubs = (await admin<{ channels: { channel: string; publication: { id: string } | null }[] }>(`/api/desk/submissions/${submissionId}/publications`))
        .data.channels;
      const pubId = (c: string) => pubs.find((s) => s.channel === c)!.publication!.id;
      await withServerServices(server, async (services) => {
        const now = Date.now();
        await services.metrics.recordSample(pubId('app'), { views: 120, likes: 3, shares: 1, comments: 0 }, new Date(now - 40 * 60_000));
        await services.metrics.recordSample(pubId('app'), { views: 480, likes: 20, shares: 6, comments: 4 }, new Date(now - 5 * 60_000));
        await services.metrics.recordSample(pubId('wechat'), { views: 300, likes: 12, shares: 4, comments: 2 }, new Date(now - 5 * 60_000));
      });

      await withScreenshots(context, 'dist-dashboard', async () => {
        await page.goto(`${server.url}/desk/review/${submissionId}`);
        await page.getByRole('region', { name: '分发' }).getByRole('link', { name: '传播数据' }).click();
        await page.waitForURL((u) => u.pathname === `/dashboards/videos/${submissionId}`);
        await page.getByRole('button', { name: '48 小时' }).click();
        await page.waitForURL((u) => u.searchParams.get('range') === '48h');
        const totals = page.getByRole('definition').filter({ hasText: /^780$/ });
        await totals.first().waitFor();
        const overTime = page.locator('.echart-time');
        await overTime.locator('canvas').waitFor();
        await expect.poll(() => inkedPixels(overTime), { timeout: 15_000 }).toBeGreaterThan(2000);
        expect(await overTime.getAttribute('aria-label')).toMatch(/到 780/);
        const byChannel = page.locator('.echart-channels');
        await expect.poll(() => inkedPixels(byChannel), { timeout: 15_000 }).toBeGreaterThan(2000);
        await page.getByRole('row', { name: /^微信 300/ }).waitFor();
        await screenshot(page, 'dist-dashboard', false);

        // CSV in the page's language: a header row per section, the totals, UTF-8 with BOM.
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
        expect(download.suggestedFilename()).toBe(`paike-video-${submissionId}-hour.csv`);
        const csv = readFileSync((await download.path())!, 'utf8');
        expect(csv.charCodeAt(0)).toBe(0xfeff);
        const lines = csv.slice(1).split('\r\n');
        expect(lines[0]).toMatch(/^对象,视频,/);
        const header = lines.find((l) => l.startsWith('时间 (Asia/Shanghai),传播量,'))!;
        expect(header.split(',')).toEqual(expect.arrayContaining(['app', 'wechat']));
        expect(lines).toContain('合计,780,32,6,10,780');
        await page.getByText(`已下载 paike-video-${submissionId}-hour.csv。`).waitFor();

        // From the desk's navigation: the channel dashboards, WeChat's showing this video's 300.
        await page.getByRole('navigation', { name: '工作台' }).getByRole('link', { name: '传播数据' }).click();
        await page.waitForURL((u) => u.pathname === '/dashboards');
        await page.getByRole('region', { name: '渠道' }).getByRole('link', { name: '微信' }).click();
        await page.waitForURL((u) => u.pathname === '/dashboards/channels/wechat');
        await page.getByRole('heading', { level: 1, name: '微信' }).waitFor();
        await page.getByRole('definition').filter({ hasText: /^300$/ }).first().waitFor();
        await page
          .getByRole('row', { name: new RegExp(`^${title} 300`) })
          .getByRole('link')
          .waitFor();

        // The grand prize page: nothing is nominated before the campaign ends.
        await page.getByRole('navigation', { name: '工作台' }).getByRole('link', { name: '终极大奖' }).click();
        await page.getByLabel('征集活动').selectOption(campaign.id);
        await page.waitForURL((u) => u.searchParams.get('campaignId') === campaign.id);
        await page.getByText('活动结束时才会产生提名。').waitFor();
        await page.getByRole('definition').filter({ hasText: '3 天' }).waitFor();
      });
      await context.close();

      // The contributor reaches the same figures from their submissions.
      await withScreenshots(phone, 'dist-contributor-dashboard', async () => {
        await phonePage.goto(`${server.url}/submissions`);
        await phonePage.getByRole('link', { name: `${title}的传播数据` }).click();
        await phonePage.waitForURL((u) => u.pathname === `/dashboards/videos/${submissionId}`);
        await phonePage.getByRole('definition').filter({ hasText: /^780$/ }).first().waitFor();
        await expect.poll(() => inkedPixels(phonePage.locator('.echart-time')), { timeout: 15_000 }).toBeGreaterThan(1000);
        await screenshot(phonePage, 'dist-contributor-dashboard', false);
      });
      await phone.close();
    },
  );
});
