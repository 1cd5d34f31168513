import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../src/contracts/campaigns.js';
import { startWechatOAuthFake, type WechatFakeApp, type WechatOAuthFake } from '../src/server/modules/wechat/testing/wechat-oauth.fake.js';
import { desktopContext, launchBrowser, PHONE_DEVICE, screenshot, startServer, withScreenshots, type TestServer } from './harness.js';

// WeChat sign-in in real Chromium against `paike start` and WeChat's local fake: QR sign-up on a
// desktop from a campaign's join link, then the same person inside WeChat's browser (a
// MicroMessenger user agent) signed in through the 公众号 and linked by unionid; the payout form
// then pays that WeChat instead of asking for a WeChat ID.

const OPEN: WechatFakeApp = { appId: 'wxe2e00000000open', secret: 'e2e-open-secret', kind: 'open', domain: 'unset' };
const MP: WechatFakeApp = { appId: 'wxe2e0000000000mp', secret: 'e2e-mp-secret', kind: 'mp', domain: 'unset' };

describe('WeChat sign-in', () => {
  let fake: WechatOAuthFake;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startWechatOAuthFake({ apps: [OPEN, MP] });
    fake.addUser('lin', { nickname: '林勇刚', unionid: 'uLinYonggang' });
    fake.actAs('lin');
    server = await startServer({
      env: {
        WECHAT_LOGIN_APP_ID: OPEN.appId,
        WECHAT_LOGIN_APP_SECRET: OPEN.secret,
        WECHAT_MP_APP_ID: MP.appId,
        WECHAT_MP_APP_SECRET: MP.secret,
        WECHAT_OPEN_URL: fake.url,
        WECHAT_API_URL: fake.url,
      },
    });
    // The callback domain registered at WeChat is where this server listens.
    OPEN.domain = MP.domain = new URL(server.url).host;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
  });

  it('signs up by QR from a join link on a desktop, then signs in inside WeChat as the same account', async () => {
    const campaign = ((await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] }).campaigns[0]!;
    const desk = await desktopContext(browser, 'zh-CN');
    const page = await desk.newPage();
    await withScreenshots(desk, 'wechat-qr', async () => {
      await page.goto(`${server.url}/c/${campaign.slug}/join`);
      await page.waitForURL((u) => u.pathname === '/sign-up');
      await page.getByRole('button', { name: '微信登录' }).click();
      // WeChat's QR page (the fake): "scanning" sends the browser back with code and state.
      await page.waitForURL((u) => u.pathname === '/connect/qrconnect');
      await page.locator('#wechat-fake-scan').click();
      await page.waitForURL((u) => u.pathname === '/sign-up' && u.searchParams.get('wechat') === 'signup');
      await page.getByRole('heading', { name: '完成微信注册' }).waitFor();
      await expect.poll(() => page.getByLabel('姓名', { exact: true }).first().inputValue()).toBe('林勇刚');
      await page.getByLabel(/我同意拍客用户协议/).check();
      await screenshot(page, 'wechat-finish-sign-up', false);
      await page.getByRole('button', { name: '创建账号' }).click();
      await page.waitForURL((u) => u.pathname === '/account');
      await page.getByRole('heading', { name: '微信', exact: true }).waitFor();
      await page.getByText('微信（扫码登录）', { exact: true }).waitFor();
      const mine = (await (await page.request.get(`${server.url}/api/me/campaigns`)).json()) as unknown;
      expect(JSON.stringify(mine)).toContain(campaign.id);
    });
    const account = ((await (await page.request.get(`${server.url}/api/me`)).json()) as { id: string }).id;
    await desk.close();

    // Inside WeChat: the 公众号's silent step finds a new openid, asks for the profile, and the unionid finds the account.
    const phone = await browser.newContext({
      ...PHONE_DEVICE,
      userAgent: `${PHONE_DEVICE.userAgent} MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 NetType/WIFI`,
      locale: 'zh-CN',
    });
    const p = await phone.newPage();
    await withScreenshots(phone, 'wechat-in-app', async () => {
      await p.goto(`${server.url}/sign-in`);
      await p.getByRole('button', { name: '微信一键登录' }).click();
      await p.waitForURL((u) => u.pathname === '/connect/oauth2/authorize');
      await p.locator('#wechat-fake-allow').click();
      await p.waitForURL((u) => u.pathname === '/account');
      await p.getByText('微信（公众号）', { exact: true }).waitFor();
      await p.getByText('微信提现收款').waitFor();
      expect(((await (await p.request.get(`${server.url}/api/me`)).json()) as { id: string }).id).toBe(account);
      await screenshot(p, 'wechat-account-phone');
      // The payout form pays the linked WeChat: no WeChat ID to type.
      await p.goto(`${server.url}/earnings`);
      await p.getByText('款项付给你绑定的微信（林勇刚）。').waitFor();
      expect(await p.getByLabel('微信号').count()).toBe(0);
    });
    await phone.close();
  }, 180_000);
});
