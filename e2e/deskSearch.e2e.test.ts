import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { apiSession, createStaff, signInEnglish, withServerServices } from './flows.js';
import { desktopContext, launchBrowser, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 13 item 5: an editor finds a rejected video again by a Chinese word of its title and
// opens its timeline. Set-up through the API and the server's services; only the search is clicked.
describe('the desk finds a rejected video again', () => {
  let server: TestServer;
  let browser: Browser;
  const title = `回家的路上 ${uniqueSuffix()}`;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an editor searches 回家, sees it rejected and reads why on its timeline', { timeout: 180_000 }, async () => {
    const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const campaign = campaigns[0]!;
    const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `search.${uniqueSuffix()}@example.test`,
        password: `Bamboo river ${uniqueSuffix()}`,
        name: '林勇刚',
        campaignId: campaign.id,
      }),
    });
    expect(signUp.status).toBe(201);
    const contributorId = ((await signUp.json()) as { user: { id: string } }).user.id;
    const ids = await withServerServices(server, async (s) => {
      const make = (t: string) =>
        s.submissionsRepo.create({
          userId: contributorId,
          campaignId: campaign.id,
          theme: campaign.themes[0]!.key,
          title: t,
          consentAt: new Date(),
          status: 'in_review',
          progress: 100,
          uploadLength: 1000,
          originalFilename: 'a.mp4',
          durationSeconds: 75,
          processedAt: new Date(),
        });
      return { target: (await make(title)).id, other: (await make(`成都夜市 ${uniqueSuffix()}`)).id };
    });
    const editor = await createStaff(server, 'editor', 'Editor Li');
    const api = await apiSession(server, editor.email, editor.password);
    expect((await api(`/api/desk/submissions/${ids.target}/reject`, { method: 'POST', body: { reason: 'off_theme', note: '画面与主题无关' } })).status).toBe(
      200,
    );

    const context = await desktopContext(browser, 'en-US');
    const page = await context.newPage();
    await withScreenshots(context, 'desk-search', async () => {
      await signInEnglish(page, server, editor.email, editor.password);
      await page.goto(`${server.url}/desk/queue`);
      await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Search', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Search submissions' }).waitFor();
      await page.getByRole('searchbox', { name: 'Words' }).fill('回家');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      // The search is in the address, so it can be shared.
      await page.waitForURL((u) => u.searchParams.get('q') === '回家');
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: title }) });
      await row.getByText('Rejected', { exact: true }).waitFor();
      await row.getByText('林勇刚').waitFor();
      // The other video (no 回家 in it) leaves the list once the search's page arrives.
      await page.locator('.search-table[aria-busy="false"]').waitFor();
      expect(await page.getByRole('link', { name: /成都夜市/ }).count()).toBe(0);

      await row.getByRole('button', { name: `Timeline: ${title}` }).click();
      await page.waitForURL((u) => u.searchParams.get('item') === ids.target);
      const panel = page.getByRole('complementary', { name: `Timeline: ${title}` });
      await panel.getByText('Uploaded by the contributor').waitFor();
      await panel.getByText(/^Rejected: .*画面与主题无关/).waitFor();
      await panel.getByText('Editor Li').waitFor();
      await screenshot(page, 'desk-search-timeline', false);

      // Reloading the shared address shows the same list and the same open timeline.
      await page.reload();
      await page
        .getByRole('complementary', { name: `Timeline: ${title}` })
        .getByText(/画面与主题无关/)
        .waitFor();
    });
    await context.close();
  });
});
