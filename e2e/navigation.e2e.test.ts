import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { createStaff } from './flows.js';
import { desktopContext, launchBrowser, phoneContext, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// What each language calls the tab bar, its tabs and the pages they open (src/web/i18n).
const TEXT = {
  'zh-CN': {
    tabs: '投稿人导航',
    pages: [
      { tab: '投稿', path: '/submit', h1: '投稿' },
      { tab: '我的投稿', path: '/submissions', h1: '我的投稿' },
      { tab: '我的收益', path: '/earnings', h1: '我的收益' },
      { tab: '通知', path: '/notices', h1: '通知' },
      { tab: '我的', path: '/account', h1: '我的账户' },
    ],
  },
  en: {
    tabs: 'Contributor pages',
    pages: [
      { tab: 'Submit', path: '/submit', h1: 'Submit a video' },
      { tab: 'My submissions', path: '/submissions', h1: 'My submissions' },
      { tab: 'Earnings', path: '/earnings', h1: 'My earnings' },
      { tab: 'Notices', path: '/notices', h1: 'Notices' },
      { tab: 'Me', path: '/account', h1: 'My account' },
    ],
  },
} as const;

// Chunks a contributor's first load must not fetch: staff pages, dashboards' echarts, hls.js.
// Vite names a lazy chunk after its module (src/web/routes/deskQueue.tsx → deskQueue-<hash>.js).
const STAFF_CHUNK = /\/assets\/(desk\w*|admin\w*|finance\w*|dashboards|ReachCharts|echarts\w*|hls[\w.]*|VideoPlayer|useHls)-[\w-]+\.js$/;

async function noHorizontalOverflow(page: Page): Promise<void> {
  const [scroll, inner] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
  expect(scroll, `page is ${scroll}px wide in a ${inner}px viewport`).toBeLessThanOrEqual(inner);
}

/** Every status pill on the page draws as one line box. */
async function pillsOnOneLine(page: Page): Promise<number> {
  const lines = (await page.evaluate(
    "[...document.querySelectorAll('main .badge')].filter((b) => b.offsetParent).map((b) => [b.textContent, b.getClientRects().length, b.getBoundingClientRect().height, parseFloat(getComputedStyle(b).lineHeight)])",
  )) as [string, number, number, number][];
  for (const [text, rects, height, lineHeight] of lines) {
    expect(rects, `pill “${text}” is split into boxes`).toBe(1);
    expect(height, `pill “${text}” wraps`).toBeLessThan(lineHeight * 1.8);
  }
  return lines.length;
}

describe('navigation on a phone and on the desk', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  const email = `nav.${uniqueSuffix()}@example.test`;
  const password = `回家的路 lantern river ${uniqueSuffix()}`;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns[0]!;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a cold QR load reaches sign-up with neither staff, dashboard nor video-player chunks, and one language', async () => {
    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await withScreenshots(context, 'nav-cold-qr', async () => {
      await page.goto(`${server.url}/c/${campaign.slug}/join`);
      await page.waitForURL((u) => u.pathname === '/sign-up');
      await page.getByRole('heading', { level: 1, name: '成为拍客' }).waitFor();
      // Let idle-time preloads (hovered or visible links) happen before looking.
      await page.waitForLoadState('networkidle');
      expect(scripts.length, 'the page loads its code in chunks').toBeGreaterThan(1);
      expect(scripts.filter((s) => STAFF_CHUNK.test(s))).toEqual([]);
      expect(
        scripts.some((s) => /\/auth-[\w-]+\.js$/.test(s)),
        `sign-up chunk among ${scripts.join(' ')}`,
      ).toBe(true);
      expect(scripts.filter((s) => /\/assets\/(en|zh-CN)-[\w-]+\.js$/.test(s))).toEqual([expect.stringMatching(/\/zh-CN-/)]);
      const cookies = await context.cookies(server.url);
      expect(cookies.find((c) => c.name === 'paike_locale')?.value).toBe('zh-CN');

      // Switching language fetches the other catalogue then, and tells the server.
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: 'Become a contributor' }).waitFor();
      expect(scripts.some((s) => /\/assets\/en-[\w-]+\.js$/.test(s))).toBe(true);
      expect((await context.cookies(server.url)).find((c) => c.name === 'paike_locale')?.value).toBe('en');
      await page.getByRole('button', { name: '中文' }).click();

      await page.getByRole('tab', { name: '用邮箱' }).click();
      await page.getByLabel('姓名', { exact: true }).fill('林小满');
      await page.getByRole('textbox', { name: '邮箱', exact: true }).fill(email);
      await page.getByLabel('密码', { exact: true }).fill(password);
      await page.getByRole('button', { name: '注册', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account');
      expect(scripts.filter((s) => STAFF_CHUNK.test(s))).toEqual([]);
    });
    await context.close();
  });

  it('on slow 3G the loading shell paints first, in the visitor’s language, and the cold sign-up form works', async () => {
    const context = await phoneContext(browser, 'en-US');
    // Page-side, from before the first byte: when the shell and when the app's form first showed.
    // A string: this file is type-checked without the DOM library.
    await context.addInitScript(
      "(() => { const seen = {}; window.__seen = seen; const tick = () => { const shell = document.querySelector('.pk-shell'); if (!seen.shell && shell) seen.shell = { at: performance.now(), text: shell.textContent }; if (!seen.form && document.querySelector('form input[type=email]')) seen.form = performance.now(); if (!seen.form) requestAnimationFrame(tick); }; requestAnimationFrame(tick); })()",
    );
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // The slow 3G: 400 kbps each way, 400 ms round trip, cache cold.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 });
    await withScreenshots(context, 'nav-slow-3g', async () => {
      await page.goto(`${server.url}/c/${campaign.slug}/join`, { waitUntil: 'commit' });
      await page.waitForURL((u) => u.pathname === '/sign-up', { timeout: 60_000 });
      await page.getByRole('heading', { level: 1, name: 'Become a contributor' }).waitFor({ timeout: 60_000 });
      const seen = (await page.evaluate('window.__seen')) as { shell?: { at: number; text: string }; form?: number };
      expect(seen.shell, 'the loading shell was painted').toBeDefined();
      expect(seen.shell!.text).toContain('Loading…');
      expect(seen.form).toBeGreaterThan(seen.shell!.at);
      const fcp = (await page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime")) as number;
      expect(fcp, 'first paint is the shell, not the app').toBeLessThan(seen.form!);

      await page.getByLabel('Name', { exact: true }).fill('Lin Xiaoman');
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`slow.${uniqueSuffix()}@example.test`);
      await page.getByLabel('Password', { exact: true }).fill(`River lanterns at dusk ${uniqueSuffix()}`);
      await page.getByRole('button', { name: 'Sign up', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account', { timeout: 60_000 });
      await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor({ timeout: 60_000 });
    });
    await context.close();
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`a contributor reaches every page through the bottom tab bar at 320 and 390 px (${locale})`, async () => {
      const text = TEXT[locale];
      const context = await phoneContext(browser, locale === 'en' ? 'en-US' : 'zh-CN');
      const page = await context.newPage();
      await withScreenshots(context, `nav-tabs-${locale}`, async () => {
        const zh = locale === 'zh-CN';
        await page.goto(`${server.url}/sign-in`);
        await page.getByRole('tab', { name: zh ? '用邮箱' : 'With email' }).click();
        await page.getByRole('textbox', { name: zh ? '邮箱' : 'Email', exact: true }).fill(email);
        await page.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
        await page.getByRole('button', { name: zh ? '登录' : 'Sign in', exact: true }).click();
        await page.waitForURL((u) => u.pathname !== '/sign-in');
        for (const width of [320, 390]) {
          await page.setViewportSize({ width, height: 740 });
          await page.goto(`${server.url}/`);
          const bar = page.getByRole('navigation', { name: text.tabs });
          await bar.waitFor();
          // The top bar on a phone holds the brand and the language switch, no second nav row.
          expect(
            await page.locator('.site-header nav').evaluateAll((ns) => ns.filter((n) => (n as unknown as { offsetParent: unknown }).offsetParent).length),
          ).toBe(0);
          await noHorizontalOverflow(page);
          await pillsOnOneLine(page);
          for (const p of text.pages) {
            const tab = bar.getByRole('link', { name: p.tab, exact: true });
            const box = (await tab.boundingBox())!;
            expect(box.height, `${p.tab} is a thumb-sized target`).toBeGreaterThanOrEqual(44);
            expect(box.width).toBeGreaterThanOrEqual(44);
            await tab.click();
            await page.waitForURL((u) => u.pathname === p.path);
            await page.getByRole('heading', { level: 1, name: p.h1, exact: true }).waitFor();
            expect(await tab.getAttribute('aria-current')).toBe('page');
            expect(await bar.locator('[aria-current="page"]').count()).toBe(1);
            await noHorizontalOverflow(page);
            await pillsOnOneLine(page);
            // The page's end is not under the fixed bar.
            // Scrolled to the end, the page's last line (the footer) sits above the bar, not under it.
            await expect
              .poll(() =>
                page.evaluate(
                  "window.scrollTo(0, document.documentElement.scrollHeight), document.querySelector('.tab-bar').getBoundingClientRect().top - document.querySelector('.site-footer').getBoundingClientRect().bottom",
                ),
              )
              .toBeGreaterThanOrEqual(-0.5);
          }
          // The account page carries status pills (the campaign's, "this device"): still one line each.
          // Polled: the sessions list loads alongside the account page's other sections.
          await expect.poll(() => pillsOnOneLine(page)).toBeGreaterThan(0);
        }
      });
      await context.close();
    });
  }

  it('a page whose chunk fails to load reloads once, then offers a reload that recovers', async () => {
    const context = await phoneContext(browser, 'zh-CN');
    const page = await context.newPage();
    await withScreenshots(context, 'nav-chunk-error', async () => {
      await page.goto(`${server.url}/sign-in`);
      await page.getByRole('tab', { name: '用邮箱' }).click();
      await page.getByRole('textbox', { name: '邮箱', exact: true }).fill(email);
      await page.getByLabel('密码', { exact: true }).fill(password);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL((u) => u.pathname !== '/sign-in');
      // As after a deploy that removed the old chunks, or a dropped connection.
      await context.route(/\/assets\/earnings-[\w-]+\.js$/, (r) => r.abort('failed'));
      const documents: string[] = [];
      page.on('request', (r) => {
        if (r.resourceType() === 'document') documents.push(new URL(r.url()).pathname);
      });
      await page.getByRole('navigation', { name: '投稿人导航' }).getByRole('link', { name: '我的收益' }).click();
      const alert = page.getByRole('alert').filter({ hasText: '页面没能加载：拍客可能刚更新，或网络中断了。' });
      await alert.waitFor();
      expect(documents, 'one automatic reload, no loop').toEqual(['/earnings']);
      await page.waitForTimeout(1000);
      expect(documents).toEqual(['/earnings']);

      await context.unroute(/\/assets\/earnings-[\w-]+\.js$/);
      await alert.getByRole('button', { name: '重新加载' }).click();
      await page.getByRole('heading', { level: 1, name: '我的收益' }).waitFor();
    });
    await context.close();
  });

  it('staff see the staff menu in the top bar and no contributor tab bar', async () => {
    const { email: editorEmail, password: editorPassword } = await createStaff(server, 'editor', 'Editor Nav');
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'nav-staff', async () => {
      await page.goto(`${server.url}/sign-in`);
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(editorEmail);
      await page.getByLabel('Password', { exact: true }).fill(editorPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((u) => u.pathname !== '/sign-in');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Desk', exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Review queue', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/desk/queue');
      expect(await nav.getByRole('link', { name: 'Finance', exact: true }).count(), 'an editor has no finance menu').toBe(0);
      expect(await page.getByRole('navigation', { name: 'Contributor pages' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Earnings', exact: true }).count()).toBe(0);

      // On a phone too the staff menu stays, and no contributor tab bar appears.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.url}/`);
      await nav.getByRole('link', { name: 'Desk', exact: true }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Contributor pages' }).count()).toBe(0);
      await noHorizontalOverflow(page);
    });
    await context.close();
  });
});
