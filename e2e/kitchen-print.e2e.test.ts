import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { apiSession, createStaff, signInEnglish, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, startServer, withScreenshots, type TestServer } from './harness.js';

describe('the print page renders a story’s PDF and the chief editor sets the grid', () => {
  let server: TestServer;
  let browser: Browser;
  let desk: BrowserContext;
  let chief: { email: string; password: string };
  let storyId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    chief = await createStaff(server, 'chief_editor', '总编 王');
    const me = await (await apiSession(server, chief.email, chief.password))<{ id: string }>('/api/me');
    // The story routes are another part's; the story goes straight into the table here.
    storyId = await withServerServices(server, async (services) => {
      const { insertStory } = await import('../src/server/modules/kitchen/testing/fixtures.js');
      return (await insertStory(services.database.db, { authorId: me.data.id, headline: '春运首日 返乡路上的年味' })).id;
    });
    desk = await desktopContext(browser, 'en-US');
  }, 180_000);
  afterAll(async () => {
    await desk?.close();
    await browser?.close();
    await server?.stop();
  });

  it('previews the block, renders it and offers the PDF and the exports', { timeout: 180_000 }, async () => {
    await withScreenshots(desk, 'kitchen-print', async () => {
      const page = await desk.newPage();
      await signInEnglish(page, server, chief.email, chief.password);
      await page.goto(`${server.url}/kitchen/stories/${storyId}/print`);
      await page.getByRole('heading', { name: 'Print (报)' }).waitFor();
      await page.getByText('Not rendered yet').waitFor();
      const frame = page.frameLocator('iframe[title="Preview"]');
      await frame.getByRole('heading', { name: '春运首日 返乡路上的年味' }).waitFor();

      await page.getByRole('button', { name: 'Render PDF' }).click();
      const download = page.getByRole('link', { name: 'Download PDF' });
      await download.waitFor({ timeout: 120_000 });
      await page.getByText('Ready', { exact: true }).waitFor();
      const href = await download.getAttribute('href');
      const pdf = await page.request.get(`${server.url}${href}`);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

      const ninjs = await page.request.get(`${server.url}${await page.getByRole('link', { name: 'ninjs 2.0 (JSON)' }).getAttribute('href')}`);
      expect((await ninjs.json()).headlines[0].value).toBe('春运首日 返乡路上的年味');
    });
  });

  it('lets the chief editor change the newspaper’s columns, and the preview follows', { timeout: 120_000 }, async () => {
    const page = await desk.newPage();
    await page.goto(`${server.url}/kitchen/newspapers`);
    const columns = page.getByLabel('Columns', { exact: true });
    await columns.fill('8');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. The next render uses the new settings.').waitFor();
    await page.goto(`${server.url}/kitchen/stories/${storyId}/print`);
    const slug = page.frameLocator('iframe[title="Preview"]').getByText('8/8');
    await slug.waitFor();
  });
});
