import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  desktopContext,
  launchBrowser,
  screenshot,
  startServer,
  uniqueSuffix,
  withScreenshots,
  type TestServer,
} from './harness.js';

/** datetime-local value for a moment, read as Beijing time (UTC+8, no DST). */
function shanghaiLocal(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

async function fillRow(group: Locator, values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    await group.getByLabel(label, { exact: true }).fill(value);
  }
}

describe('admin on a desktop, in English', () => {
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

  it('creates a campaign with themes, grades and weekly prizes', async () => {
    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    const slug = `e2e-${uniqueSuffix()}`;
    const start = new Date(Date.now() - 24 * 3600_000);
    start.setUTCSeconds(0, 0);
    const end = new Date(Date.now() + 60 * 24 * 3600_000);
    end.setUTCSeconds(0, 0);

    await withScreenshots(context, 'admin-campaign', async () => {
      await page.goto(`${server.url}/sign-in`);
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN_EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/desk');
      await page.getByRole('heading', { level: 1, name: 'Newsroom desk' }).waitFor();

      await page.getByRole('link', { name: 'Open: Campaigns' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/campaigns');
      await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/campaigns/new');

      const basics = page.getByRole('group', { name: 'Basics' });
      await fillRow(basics, {
        'Slug (address)': slug,
        'Title (Chinese)': '回家的路',
        'Title (English)': `The way home ${slug}`,
        'Description (Chinese)': '拍下你回家路上的风景。',
        'Description (English)': 'Film the road that takes you home.',
      });

      await fillRow(page.getByRole('group', { name: 'Theme 1' }), { Key: 'food', 'Title (Chinese)': '美食', 'Title (English)': 'Food' });
      await page.getByRole('button', { name: 'Add theme' }).click();
      await fillRow(page.getByRole('group', { name: 'Theme 2' }), { Key: 'way-home', 'Title (Chinese)': '回家的路', 'Title (English)': 'The way home' });

      await page.getByLabel('Starts (Beijing time)').fill(shanghaiLocal(start));
      await page.getByLabel('Ends (Beijing time)').fill(shanghaiLocal(end));
      await page.getByLabel('Quota (contributors)').fill('500');

      // A reward under 100 yuan is refused before anything is sent.
      await fillRow(page.getByRole('group', { name: 'Grade row 1' }), { Grade: 'A', 'Reward (yuan)': '50' });
      await page.getByRole('button', { name: 'Create campaign' }).click();
      await page.getByText('Each grade’s reward must be between 100 and 10,000 yuan').waitFor();
      const reward1 = page.getByRole('group', { name: 'Grade row 1' }).getByLabel('Reward (yuan)', { exact: true });
      expect(await reward1.getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toContain('/admin/campaigns/new');

      await reward1.fill('10000');
      await page.getByRole('button', { name: 'Add grade' }).click();
      await fillRow(page.getByRole('group', { name: 'Grade row 2' }), { Grade: 'B', 'Reward (yuan)': '2000' });
      await page.getByRole('button', { name: 'Add grade' }).click();
      await fillRow(page.getByRole('group', { name: 'Grade row 3' }), { Grade: 'C', 'Reward (yuan)': '100.50' });

      await page.getByRole('button', { name: 'Add prize' }).click();
      await fillRow(page.getByRole('group', { name: 'Prize row 1' }), { Rank: '1', 'Prize (yuan)': '5000' });
      await page.getByRole('button', { name: 'Add prize' }).click();
      await fillRow(page.getByRole('group', { name: 'Prize row 2' }), { Rank: '2', 'Prize (yuan)': '2000' });

      expect(await page.getByLabel('Minimum video length (seconds)').inputValue()).toBe('60');
      expect(await page.getByLabel('Maximum video length (seconds)').inputValue()).toBe('180');
      expect(await page.getByLabel('Reach threshold (views)').inputValue()).toBe('10000000');
      await page.getByLabel('Largest upload (MB)').fill('512');
      await page.getByLabel('Grand prize amount (yuan)').fill('10000');
      await screenshot(page, 'admin-campaign-form');

      await page.getByRole('button', { name: 'Create campaign' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/campaigns');
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `The way home ${slug}` }) });
      await row.waitFor();
      expect(await row.getByText('0 / 500').count()).toBe(1);
      await row.getByText('Open', { exact: true }).waitFor();
      await screenshot(page, 'admin-campaigns-list');
    });
    await context.close();

    const res = await fetch(`${server.url}/api/campaigns`, { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(200);
    const created = ((await res.json()) as { campaigns: Campaign[] }).campaigns.find((c) => c.slug === slug);
    expect(created, 'the new campaign is public and open').toBeDefined();
    expect(created!.title).toEqual({ 'zh-CN': '回家的路', en: `The way home ${slug}` });
    expect(created!.themes).toEqual([
      { key: 'food', title: { 'zh-CN': '美食', en: 'Food' } },
      { key: 'way-home', title: { 'zh-CN': '回家的路', en: 'The way home' } },
    ]);
    expect(created!.quota).toBe(500);
    expect(Date.parse(created!.startsAt)).toBe(start.getTime());
    expect(Date.parse(created!.endsAt)).toBe(end.getTime());
    expect(created!.rules.grades).toEqual([
      { grade: 'A', rewardFen: 1_000_000 },
      { grade: 'B', rewardFen: 200_000 },
      { grade: 'C', rewardFen: 10_050 },
    ]);
    expect(created!.rules.weeklyPrizes).toEqual([
      { rank: 1, amountFen: 500_000 },
      { rank: 2, amountFen: 200_000 },
    ]);
    expect(created!.rules.grandPrize).toEqual({ thresholdReach: 10_000_000, amountFen: 1_000_000, holdBackDays: 7 });
    expect(created!.rules.minDurationSeconds).toBe(60);
    expect(created!.rules.maxDurationSeconds).toBe(180);
    expect(created!.rules.maxUploadBytes).toBe(512 * 1024 * 1024);
  });
});
