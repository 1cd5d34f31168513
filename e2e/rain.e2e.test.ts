import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { RainSession } from '../src/contracts/rain.js';
import { apiSession, signInEnglish, signUpInto } from './flows.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  desktopContext,
  launchBrowser,
  phoneContext,
  screenshot,
  startServer,
  uniqueSuffix,
  withScreenshots,
  type TestServer,
} from './harness.js';

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
        body: { startsAt: new Date(Date.now() + 8_000).toISOString(), durationSeconds: 30, budgetFen: 1000, packetCount: 1 },
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

      // The rain.pay job credits the ledger once the session has ended.
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

  it(
    'in English: three accounts grab on one phone, the third win is held as a device cluster, and the admin sees the session and releases it',
    { timeout: 240_000 },
    async () => {
      // Four packets of 1 fen each (the only split of 4 fen into 4), open now for ten minutes.
      const admin = await apiSession(server);
      const made = await admin<{ session: RainSession }>(`/api/admin/campaigns/${campaign.id}/rain/sessions`, {
        method: 'POST',
        body: { startsAt: new Date(Date.now() - 1_000).toISOString(), durationSeconds: 600, budgetFen: 4, packetCount: 4 },
      });
      expect(made.status, JSON.stringify(made.data)).toBe(201);
      const session = made.data.session;

      // Three contributors of the campaign, English speakers.
      const people: { email: string; password: string }[] = [];
      for (const name of ['Ada', 'Ben', 'Cai']) {
        const email = `rain.${name.toLowerCase()}.${uniqueSuffix()}@example.test`;
        const password = `Lantern rain over the harbour ${uniqueSuffix()}`;
        const r = await fetch(`${server.url}/api/auth/sign-up/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password, name, campaignId: campaign.id, locale: 'en' }),
        });
        expect(r.status, await r.text()).toBe(201);
        people.push({ email, password });
      }

      // One phone, one browser: the rain page's device id lives in its localStorage, so all
      // three accounts grab from the same device. Reduced motion: the page offers a button.
      const en = await phoneContext(browser, 'en-US');
      const enPage = await en.newPage();
      await enPage.emulateMedia({ reducedMotion: 'reduce' });
      try {
        await withScreenshots(en, 'rain-en', async () => {
          for (const [i, p] of people.entries()) {
            await en.clearCookies();
            await signInEnglish(enPage, server, p.email, p.password);
            await enPage.goto(`${server.url}/rain/${session.id}`);
            await enPage.getByRole('heading', { name: 'Red-packet rain', level: 1 }).waitFor();
            await enPage.getByText('Press the button to grab a packet.').waitFor();
            await enPage.getByRole('button', { name: 'Grab a red packet' }).click();
            await enPage.getByRole('heading', { name: 'You won' }).waitFor();
            await enPage.getByText('¥0.01', { exact: true }).waitFor();
            await enPage.getByText('Your red-packet total in this campaign: ¥0.01').waitFor();
            if (i < 2) await enPage.getByText('It goes to your earnings balance when this rain ends.').waitFor();
            else await enPage.getByText('This win is held for a routine review and is paid once it is released.').waitFor();
            if (i === 0) await screenshot(enPage, 'rain-en-won', false);
          }
          // Cai's held win waits on the earnings page as pending, apart from the balance; the rain
          // is in the tab bar while it rains; with nothing published, Cai's own page says so.
          await enPage.goto(`${server.url}/earnings`);
          const pending = enPage.getByTestId('rain-held-pending');
          await pending.getByText('¥0.01', { exact: true }).waitFor();
          await pending
            .getByText(/under review/)
            .first()
            .waitFor();
          await enPage.getByRole('navigation', { name: 'Contributor pages' }).getByTestId('tab-rain').waitFor();
          const me = (await (await enPage.request.get(`${server.url}/api/me`)).json()) as { id: string };
          await enPage.goto(`${server.url}/u/${me.id}`);
          await enPage
            .getByTestId('profile-empty')
            .getByText(/Nothing public yet/)
            .waitFor();
          const deviceId = await enPage.evaluate(() =>
            (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('paike.rain.device'),
          );
          expect(deviceId).toMatch(/^[0-9a-f]{32}$/);
        });
      } finally {
        await en.close();
      }

      // The admin's view of the session, in a desktop browser.
      const desk = await desktopContext(browser, 'en-US');
      const adminPage = await desk.newPage();
      try {
        await withScreenshots(desk, 'rain-admin', async () => {
          await signInEnglish(adminPage, server, ADMIN_EMAIL, ADMIN_PASSWORD);
          await adminPage.goto(`${server.url}/admin/rain`);
          await adminPage.getByRole('heading', { name: 'Red-packet rain', level: 1 }).waitFor();
          await adminPage.getByLabel('Campaign').selectOption({ label: campaign.title.en });
          const row = adminPage.getByRole('row').filter({ hasText: '3 / 4' });
          await row.waitFor();
          const cells = row.getByRole('cell');
          await expect.poll(() => cells.allTextContents()).toEqual(['Raining now', '¥0.04', '¥0.03', '¥0.01', '3 / 4', expect.stringMatching(/^\d+\.\d$/)]);

          await adminPage.getByRole('combobox', { name: 'Sessions' }).selectOption(session.id);
          const release = adminPage.getByRole('button', { name: 'Release the ¥0.01 win held for many accounts from one device' });
          await release.waitFor();
          const heldItem = adminPage.getByRole('listitem').filter({ has: release });
          await heldItem.getByText('many accounts from one device').waitFor();
          await heldItem.getByText(/device [0-9a-f]{8}/).waitFor();
          await heldItem.getByRole('button', { name: 'Refuse the ¥0.01 win held for many accounts from one device' }).waitFor();
          await screenshot(adminPage, 'rain-admin-held', false);
          await release.click();
          await adminPage.getByText('Released: ¥0.01 will be paid.').waitFor();
          await adminPage.getByRole('listitem').filter({ hasText: 'Released' }).waitFor();
          await expect.poll(() => adminPage.getByRole('button', { name: /^Release the/ }).count()).toBe(0);
        });
      } finally {
        await desk.close();
      }

      // Released means paid: the held win now has its ledger transfer.
      const grabs = await admin<{ grabs: { held: boolean; holdReason: string | null; releasedAt: string | null; transferId: string | null }[] }>(
        `/api/admin/rain/sessions/${session.id}/grabs`,
      );
      const held = grabs.data.grabs.filter((g) => g.held);
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ holdReason: 'device_cluster', releasedAt: expect.any(String), transferId: expect.any(String) });
    },
  );
});
