import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiSession, createStaff, signInEnglish } from './flows.js';
import { desktopContext, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 14 item 3 and 5: the chief editor plans the day on the board and reads the studios side by side.
describe('the chief editor’s budget board', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('adds an idea with print, web and Weibo slots, sees it and a late one on the board, then the studios side by side', { timeout: 180_000 }, async () => {
    const chief = await createStaff(server, 'chief_editor', 'Chief Wang');
    const api = await apiSession(server, chief.email, chief.password);
    const suffix = uniqueSuffix();
    const studio = async (name: string) => {
      const r = await api<{ studio: { id: string } }>('/api/desk/studios', { method: 'POST', body: { name, memberIds: [], routes: [] } });
      expect(r.status, JSON.stringify(r.data)).toBe(201);
      return r.data.studio.id;
    };
    const money = `麻辣财经 ${suffix}`;
    const island = `侠客岛 ${suffix}`;
    await studio(money);
    const islandId = await studio(island);
    // Today in Beijing, with a deadline already past: late from the start.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const late = await api('/api/kitchen/ideas', {
      method: 'POST',
      body: { title: '早间快讯', studioId: islandId, day: today, deadline: new Date(Date.now() - 60_000).toISOString(), slots: [{ form: 'app' }] },
    });
    expect(late.status, JSON.stringify(late.data)).toBe(201);

    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'kitchen-plan', async () => {
      await signInEnglish(page, server, chief.email, chief.password);
      await page.goto(`${server.url}/kitchen/plan`);
      await page.getByRole('heading', { level: 1, name: 'Budget board' }).waitFor();

      await page.getByRole('button', { name: 'New idea', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New idea' });
      await dialog.getByLabel('Title', { exact: true }).fill('春耕里的金融活水');
      await dialog.getByLabel('Studio', { exact: true }).selectOption({ label: money });
      await dialog.getByRole('checkbox', { name: 'Print' }).check();
      await dialog.getByRole('textbox', { name: 'Place for Print' }).fill('第4版');
      await dialog.getByRole('checkbox', { name: 'Web' }).check();
      await dialog.getByRole('checkbox', { name: 'Weibo' }).check();
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });

      const column = page.getByRole('region', { name: money });
      const card = column.getByRole('article', { name: '春耕里的金融活水' });
      await card.waitFor();
      const chips = card.getByRole('list', { name: 'Slots' }).getByRole('listitem');
      expect(await chips.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
        'Print · 第4版 · not started',
        'Web · not started',
        'Weibo · not started',
      ]);
      await expect(card.getByText('Late', { exact: true }).count()).resolves.toBe(0);

      const lateCard = page.getByRole('region', { name: island }).getByRole('article', { name: '早间快讯' });
      await lateCard.getByText('Late', { exact: true }).first().waitFor();
      expect(await lateCard.evaluate((el) => el.classList.contains('k-plan-late'))).toBe(true);
      await page.getByRole('status').filter({ hasText: '1 late' }).waitFor();
      await screenshot(page, 'kitchen-plan-board');

      await page.getByRole('navigation', { name: 'Central kitchen' }).getByRole('link', { name: 'Studios' }).click();
      await page.getByRole('heading', { level: 1, name: 'Studios' }).waitFor();
      await page.getByRole('heading', { level: 2, name: money }).waitFor();
      await page.getByRole('heading', { level: 2, name: island }).waitFor();
      // Side by side: the two studio panels share a row on a desktop screen.
      const boxes = await Promise.all([money, island].map((n) => page.getByRole('region', { name: n }).boundingBox()));
      expect(boxes[0]!.y).toBe(boxes[1]!.y);
      await screenshot(page, 'kitchen-studios');
    });
  });
});
