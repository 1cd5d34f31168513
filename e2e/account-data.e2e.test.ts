import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 13, "my data": a contributor on a phone, in Chinese, downloads their data and deletes
// the account (the refusals while money is open are covered over HTTP in modules/privacy).
describe('my data on a phone, in Chinese', () => {
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

  it('exports my data as a JSON file, then deletes the account and is signed out for good', async () => {
    // Set-up through the API: a fresh contributor with no money on the account.
    const email = `erase.${uniqueSuffix()}@example.test`;
    const password = `回家的路 river bamboo ${uniqueSuffix()}`;
    const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name: '林小雨', locale: 'zh-CN' }),
    });
    expect(signUp.status).toBe(201);
    const token = /paike_session=([^;]+)/.exec(signUp.headers.get('set-cookie') ?? '')![1]!;

    const context = await phoneContext(browser, 'zh-CN');
    await context.addCookies([{ name: 'paike_session', value: token, url: server.url }]);
    const page = await context.newPage();
    await withScreenshots(context, 'phone-my-data', async () => {
      await page.goto(`${server.url}/account`);
      const section = page.getByRole('region', { name: '我的数据' });

      const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('link', { name: '导出我的数据' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^paike-my-data-\d{4}-\d{2}-\d{2}\.json$/);
      const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(data.profile).toMatchObject({ email, name: '林小雨' });

      await section.getByRole('button', { name: '注销账户' }).click();
      const dialog = page.getByRole('dialog', { name: '确定要注销账户吗？' });
      await dialog.getByLabel('当前密码').fill(password);
      await dialog.getByLabel('我明白注销后无法恢复').check();
      await screenshot(page, 'phone-my-data-delete', false);
      await dialog.getByRole('button', { name: '永久注销' }).click();

      // Signed out: home, and the account page sends the visitor to sign in.
      await page.waitForURL((u) => u.pathname === '/');
      await page.goto(`${server.url}/account`);
      await page.waitForURL((u) => u.pathname === '/sign-in');
    });
    const again = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(again.status).toBe(401);
    await context.close();
  });
});
