import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { apiSession, createStaff, signInEnglish } from './flows.js';
import { desktopContext, launchBrowser, phoneContext, screenshot, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

// Issue 15 item 1: an editor sends work to the field; a contributor near the place takes it on a phone.
describe('assignments (任务) from the desk to a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let campaign: Campaign;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
    expect(campaign).toBeDefined();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'an editor creates and dispatches an assignment; the nearest opted-in contributor accepts it and sees the upload button',
    { timeout: 180_000 },
    async () => {
      // A contributor of the campaign who opted in 2 km from 滦平 (the API sets this up; the settings page is the phone's).
      const email = `field.${uniqueSuffix()}@example.test`;
      const password = `Village road at dawn ${uniqueSuffix()}`;
      const name = `Li Field ${uniqueSuffix()}`;
      const made = await fetch(`${server.url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, name, campaignId: campaign.id, locale: 'en' }),
      });
      expect(made.status, await made.text()).toBe(201);
      const field = await apiSession(server, email, password);
      const opted = await field('/api/command/field-profile', {
        method: 'PUT',
        body: { optedIn: true, lat: 40.958, lng: 117.33, placeName: '滦平', travelKm: 30 },
      });
      expect(opted.status, JSON.stringify(opted.data)).toBe(200);

      const editor = await createStaff(server, 'editor', 'Editor Zhao');
      const desk = await desktopContext(browser, 'en-US');
      const deskPage = await desk.newPage();
      let assignmentUrl = '';
      await withScreenshots(desk, 'command-assign-desk', async () => {
        await signInEnglish(deskPage, server, editor.email, editor.password);
        await deskPage.goto(`${server.url}/command/assignments/new`);
        await deskPage.getByRole('heading', { level: 1, name: 'New assignment' }).waitFor();
        await deskPage.getByLabel('Title', { exact: true }).fill('滦平县驻村第一书记');
        await deskPage.getByLabel('Brief', { exact: true }).fill('拍第一书记带领村民发展产业的一天。');
        await expect.poll(() => deskPage.getByLabel('Campaign (footage goes there)').locator('option').count()).toBeGreaterThan(1);
        await deskPage.getByLabel('Campaign (footage goes there)').selectOption(campaign.id);
        await deskPage.getByLabel('Place', { exact: true }).fill('河北承德滦平县');
        await deskPage.getByLabel('Latitude', { exact: true }).fill('40.94');
        await deskPage.getByLabel('Longitude', { exact: true }).fill('117.33');
        await deskPage.getByLabel('Deadline (Beijing time)').fill('2035-06-01T18:00');
        await deskPage.getByRole('button', { name: 'Save and dispatch' }).click();
        await deskPage.waitForURL((u) => /^\/command\/assignments\/[0-9a-f-]{36}$/.test(u.pathname));
        assignmentUrl = deskPage.url();
        await deskPage.getByRole('heading', { level: 1, name: '滦平县驻村第一书记' }).waitFor();
        const offer = deskPage.getByTestId('offers').getByRole('row').filter({ hasText: name });
        await offer.getByText('Offered', { exact: true }).waitFor();
        await offer.getByText(/^\d\.\d km$/).waitFor();
        await screenshot(deskPage, 'command-assign-desk-detail');
      });

      const phone = await phoneContext(browser, 'en-US');
      const page = await phone.newPage();
      await withScreenshots(phone, 'command-assign-phone', async () => {
        await signInEnglish(page, server, email, password);
        await page.goto(`${server.url}/tasks`);
        await page.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor();
        await page.getByRole('link', { name: '滦平县驻村第一书记' }).click();
        await page
          .getByRole('timer')
          .filter({ hasText: /Reply within \d+:\d\d/ })
          .waitFor();
        await page.getByRole('button', { name: 'Accept', exact: true }).click();
        const upload = page.getByRole('link', { name: 'Upload footage' });
        await upload.waitFor();
        await page.getByText('You accepted', { exact: true }).waitFor();
        await screenshot(page, 'command-assign-phone-accepted');
        await upload.click();
        await page.waitForURL((u) => u.pathname === '/submit' && u.searchParams.has('assignment'));
        await page.getByTestId('submit-task').filter({ hasText: 'Footage for the task “滦平县驻村第一书记”' }).waitFor();
      });

      // The desk sees the acceptance.
      await deskPage.goto(assignmentUrl);
      await deskPage.getByTestId('offers').getByRole('row').filter({ hasText: name }).getByText('Accepted', { exact: true }).waitFor();
      await desk.close();
      await phone.close();
    },
  );
});
