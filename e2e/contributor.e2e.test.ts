import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { decodeQrPng } from '../src/server/testing/qr.js';
import { desktopContext, launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

describe('contributor on a phone, in Chinese', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scans the campaign QR code, signs up and lands on the account page with the campaign joined', async () => {
    const list = (await (await fetch(`${server.url}/api/campaigns`, { headers: { 'accept-language': 'zh-CN' } })).json()) as {
      campaigns: Campaign[];
    };
    const campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE);
    expect(campaign, 'the demo seed campaign is listed').toBeDefined();

    const qrRes = await fetch(`${server.url}/api/campaigns/${campaign!.id}/qr.png`);
    expect(qrRes.status).toBe(200);
    expect(qrRes.headers.get('content-type')).toMatch(/image\/png/);
    const qr = decodeQrPng(Buffer.from(await qrRes.arrayBuffer()));
    expect(qr.text, 'the QR code decodes').not.toBeNull();
    const joinUrl = qr.text!;
    expect(joinUrl).toBe(campaign!.joinUrl);
    expect(new URL(joinUrl).pathname).toBe(`/c/${campaign!.slug}/join`);

    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'phone-sign-up', async () => {
      await page.goto(joinUrl);
      // Signed out: the QR target sends the visitor to sign up for this campaign.
      await page.waitForURL((u) => u.pathname === '/sign-up' && u.searchParams.get('campaign') === campaign!.slug);
      await page.getByRole('heading', { level: 1, name: '成为拍客' }).waitFor();
      await page.getByText(`你正在加入“${DEMO_TITLE}”。`).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      await page.getByRole('group', { name: /语言/ }).waitFor();

      const suffix = uniqueSuffix();
      // Chinese pages open on the phone tab (issue 13); this journey signs up by email.
      await page.getByRole('tab', { name: '用邮箱' }).click();
      await page.getByLabel('姓名', { exact: true }).fill('林勇刚');
      await page.getByRole('textbox', { name: '邮箱', exact: true }).fill(`lin.${suffix}@example.test`);
      await page.getByLabel('密码', { exact: true }).fill(`回家的路 river bamboo ${suffix}`);
      await screenshot(page, 'phone-sign-up', false);
      await page.getByRole('button', { name: '注册', exact: true }).click();

      await page.waitForURL((u) => u.pathname === '/account');
      await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();
      await page.getByText(`欢迎加入！你已成功加入“${DEMO_TITLE}”。`).waitFor();
      const mine = page.getByRole('region', { name: '我参加的活动' });
      await mine.getByRole('link', { name: DEMO_TITLE }).waitFor();
      await page.getByRole('region', { name: '已登录的设备' }).getByText('本设备').waitFor();
      await page.getByRole('button', { name: '退出登录' }).waitFor();
      await screenshot(page, 'phone-account');

      // The campaign page now says so, and explains the rules in words.
      await mine.getByRole('link', { name: DEMO_TITLE }).click();
      await page.waitForURL((u) => u.pathname === `/c/${campaign!.slug}`);
      await page.getByRole('heading', { level: 1, name: DEMO_TITLE }).waitFor();
      await page.getByText('你已加入本活动。').waitFor();
      await page.getByRole('heading', { level: 2, name: '活动规则' }).waitFor();
      await page.getByText(/视频时长 1 分钟 至 3 分钟/).waitFor();
      const qrImg = page.getByRole('img', { name: `扫码参加“${DEMO_TITLE}”的二维码` });
      await qrImg.waitFor();
      // Polled: the page now renders as soon as its chunk arrives, before the image has loaded.
      await expect
        .poll(() =>
          qrImg.evaluate((img) => {
            const i = img as unknown as { complete: boolean; naturalWidth: number };
            return i.complete && i.naturalWidth > 0;
          }),
        )
        .toBe(true);
      await screenshot(page, 'phone-campaign');

      // The server agrees: the new user is a member.
      const me = await page.request.get(`${server.url}/api/me/campaigns`);
      expect(me.status()).toBe(200);
      const joined = ((await me.json()) as { campaigns: Campaign[] }).campaigns.map((c) => c.id);
      expect(joined).toContain(campaign!.id);
    });
    await context.close();
  });

  it('shows a contributor a clear no-permission message on staff pages', async () => {
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'forbidden', async () => {
      const suffix = uniqueSuffix();
      await page.goto(`${server.url}/sign-up`);
      await page.getByLabel('Name', { exact: true }).fill('Casey Contributor');
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`casey.${suffix}@example.test`);
      await page.getByLabel('Password', { exact: true }).fill(`correct horse lantern ${suffix}`);
      await page.getByRole('button', { name: 'Sign up', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account');

      // Switching language re-renders at once, sets <html lang>, and is saved to the profile.
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      await expect.poll(async () => ((await (await page.request.get(`${server.url}/api/me`)).json()) as { locale: string }).locale).toBe('zh-CN');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();

      await page.goto(`${server.url}/admin/campaigns`);
      await page.getByRole('heading', { level: 1, name: 'No permission' }).waitFor();
      await page.getByRole('alert').filter({ hasText: 'does not have permission' }).waitFor();
      expect(await page.getByRole('table').count()).toBe(0);

      // Signed out, a staff page sends the visitor to sign in and back.
      await context.clearCookies();
      await page.goto(`${server.url}/admin/campaigns`);
      await page.waitForURL((u) => u.pathname === '/sign-in' && u.searchParams.get('next') === '/admin/campaigns');
    });
    await context.close();
  });
});
