import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { RainSession } from '../src/contracts/rain.js';
import { apiSession, signUpInto } from './flows.js';
import { launchBrowser, phoneContext, screenshot, startServer, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

/** Taps where a falling packet is now; a miss calls nothing, so trying again is safe. */
async function tapPacket(page: Page): Promise<void> {
  const field = page.getByRole('button', { name: '抢红包' });
  const fieldBox = (await field.boundingBox())!;
  const packets = field.locator('.rain-packet');
  for (let i = 0; i < (await packets.count()); i++) {
    const b = await packets.nth(i).boundingBox();
    if (!b) continue;
    const x = b.x + b.width / 2;
    const y = b.y + b.height / 2;
    if (y > fieldBox.y + 20 && y < fieldBox.y + fieldBox.height - 60) {
      await page.touchscreen.tap(x, y);
      return;
    }
  }
}

describe('red-packet rain on a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;
  let phone: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
    phone = await phoneContext(browser, 'zh-CN');
    page = await phone.newPage();
  });
  afterAll(async () => {
    await phone?.close();
    await browser?.close();
    await server?.stop();
  });

  it('a contributor counts down, taps a falling packet, wins ¥10 and sees it in the balance', { timeout: 180_000 }, async () => {
    await withScreenshots(phone, 'rain', async () => {
      await signUpInto(page, server, campaign, '陈雨');

      // One packet holding the whole budget, so the amount is known: ¥10.
      const admin = await apiSession(server);
      const made = await admin<{ session: RainSession }>(`/api/admin/campaigns/${campaign.id}/rain/sessions`, {
        method: 'POST',
        body: { startsAt: new Date(Date.now() + 8_000).toISOString(), durationSeconds: 120, budgetFen: 1000, packetCount: 1 },
      });
      expect(made.status, JSON.stringify(made.data)).toBe(201);
      const session = made.data.session;

      // From earnings to the list of sessions, then into the session.
      await page.goto(`${server.url}/earnings`);
      await page.getByRole('link', { name: '红包雨场次' }).click();
      await page.waitForURL((u) => u.pathname === '/rain');
      const row = page.getByRole('listitem').filter({ hasText: '即将开始' });
      await row.getByRole('link').click();
      await page.waitForURL((u) => u.pathname === `/rain/${session.id}`);
      await page.getByRole('heading', { name: '距开抢还有' }).waitFor();
      await page.getByRole('timer').waitFor();

      const field = page.getByRole('button', { name: '抢红包' });
      await field.waitFor({ timeout: 20_000 });
      await page.getByText('快点红包！').waitFor();
      await screenshot(page, 'rain-falling', false);

      const won = page.getByRole('heading', { name: '恭喜抢到' });
      await expect
        .poll(
          async () => {
            if (!(await won.isVisible())) await tapPacket(page);
            return won.isVisible();
          },
          { timeout: 20_000, interval: 300 },
        )
        .toBe(true);
      await page.getByText('¥10', { exact: true }).waitFor();
      await page.getByText('你在本活动红包雨中累计抢到 ¥10').waitFor();
      await screenshot(page, 'rain-won', false);

      // The rain.pay job credits the ledger shortly after the win.
      await page.getByRole('link', { name: '查看我的收益' }).click();
      await page.waitForURL((u) => u.pathname === '/earnings');
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('.balance').textContent();
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toBe('¥10');
      await page.getByText('红包雨', { exact: true }).first().waitFor();
    });
  });
});
