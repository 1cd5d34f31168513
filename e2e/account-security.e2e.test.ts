import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signInEnglish } from './flows.js';
import { launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

/** Waits for something the server prints (the console SMS provider, the console mailer) after `from` and returns the match. */
async function printed(server: TestServer, from: number, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 100; i++) {
    const all = [...server.output().slice(from).matchAll(new RegExp(pattern, 'g'))];
    if (all.length) return all.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server never printed ${pattern}`);
}

async function smsCode(server: TestServer, page: Page, masked: string): Promise<string> {
  const from = server.output().length;
  await page.getByRole('button', { name: '发送验证码', exact: true }).click();
  await page.getByText('6 位验证码已通过短信发送。').waitFor();
  const m = await printed(server, from, new RegExp(`\\[sms\\] to ${masked.replace(/[+*]/g, '\\$&')}: 你的拍客验证码是 (\\d{6})`));
  return m[1]!;
}

describe('account security', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // The console mailer writes to the info log; the reset link is read from there.
    server = await startServer({ env: { LOG_LEVEL: 'info' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a mainland number typed as people write it signs up with an SMS code on the Chinese page, then signs in', async () => {
    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'security-phone-sign-up', async () => {
      await page.goto(`${server.url}/sign-up`);
      // Phone first in Chinese, with mainland China (+86) picked.
      expect(await page.getByRole('tab', { name: '用手机号' }).getAttribute('aria-selected')).toBe('true');
      expect(await page.getByLabel('国家或地区').inputValue()).toBe('CN');
      await page.getByLabel('手机号', { exact: true }).fill('139 0013 9001');
      const code = await smsCode(server, page, '+86139****9001');
      await page.getByLabel('短信验证码').fill(code);
      await page.getByLabel('姓名', { exact: true }).fill('拍客小陈');
      await screenshot(page, 'security-phone-sign-up', false);
      await page.getByRole('button', { name: '注册', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account');
      await page.getByText('+8613900139001').waitFor();
      await page.getByRole('region', { name: '密码与安全' }).getByRole('heading', { name: '设置密码' }).waitFor();

      await page.getByRole('button', { name: '退出登录', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/sign-in');
      await page.getByLabel('手机号', { exact: true }).fill('139-0013-9001');
      await page.getByLabel('短信验证码').fill(await smsCode(server, page, '+86139****9001'));
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account');
      await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();
      await page.getByText('拍客小陈').first().waitFor();
    });
    await context.close();
  });

  it('resets a forgotten password with the emailed link, once', async () => {
    const email = `reset.${uniqueSuffix()}@example.test`;
    const res = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'paper lanterns by the old bridge', name: 'Mei', locale: 'en' }),
    });
    expect(res.status).toBe(201);
    const context = await phoneContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'security-reset-email', async () => {
      await page.goto(`${server.url}/sign-in`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.waitForURL((u) => u.pathname === '/forgot-password');
      // The sign-in page has an Email box too: wait for the new page before typing.
      await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
      const from = server.output().length;
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
      await page.getByRole('button', { name: 'Email me a reset link' }).click();
      await page.getByText(/If this address belongs to a Paike account/).waitFor();
      const link = (await printed(server, from, /https?:\/\/[^\s"\\]+\/reset-password#token=[\w-]+/))[0];

      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
      // The token leaves the address bar once read.
      await page.waitForURL((u) => u.hash === '');
      await page.getByLabel('New password', { exact: true }).fill('river stones under clear water');
      await page.getByLabel('New password again').fill('river stones under clear water');
      await screenshot(page, 'security-reset-email', false);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByText('Your password is set and every device has been signed out.').waitFor();

      // The same link opened again (a new tab, as from the email) is refused with a clear reason.
      const again = await context.newPage();
      await again.goto(link);
      await again.getByLabel('New password', { exact: true }).fill('another long passphrase here');
      await again.getByLabel('New password again').fill('another long passphrase here');
      await again.getByRole('button', { name: 'Set the new password' }).click();
      await again.getByText(/This reset link has already been used/).waitFor();
      await again.close();

      await signInEnglish(page, server, email, 'river stones under clear water');
      expect(new URL(page.url()).pathname).toBe('/account');
    });
    await context.close();
  });
});
