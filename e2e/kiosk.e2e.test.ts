import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { signInEnglish, withServerServices } from './flows.js';
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

// Issue 16 (docs/kiosk.md): a kiosk at 1920×1080 pairs by code, plays, takes commands from the
// admin page within seconds, follows its schedule, and goes back to pairing when revoked.
describe('an e-newspaper kiosk and its admin', () => {
  let server: TestServer;
  let browser: Browser;
  let kioskContext: BrowserContext;
  let adminContext: BrowserContext;
  let kiosk: Page;
  let admin: Page;

  beforeAll(async () => {
    server = await startServer();
    // A video live on the kiosk channel, written straight into the tables (not what this journey is about).
    const suffix = uniqueSuffix();
    const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const campaign = campaigns[0]!;
    const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `kiosk.${suffix}@example.test`, password: `Bamboo river ${suffix}`, name: '王小丫', campaignId: campaign.id }),
    });
    const contributorId = ((await signUp.json()) as { user: { id: string } }).user.id;
    await withServerServices(server, async (s) => {
      const row = await s.submissionsRepo.create({
        userId: contributorId,
        campaignId: campaign.id,
        theme: campaign.themes[0]!.key,
        title: '滦平的清晨',
        consentAt: new Date(),
        status: 'adopted',
        progress: 100,
        uploadLength: 1000,
        originalFilename: 'a.mp4',
        durationSeconds: 75,
        processedAt: new Date(),
      });
      const schema = await import('../src/server/db/schema.js');
      await s.database.db
        .insert(schema.publications)
        .values({ submissionId: row.id, channel: 'kiosk', status: 'live', idempotencyKey: `publish:${row.id}:kiosk`, publishedAt: new Date() });
      // A kitchen story in a studio (its section on the kiosk) with a published screen form (屏).
      const { eq } = await import('drizzle-orm');
      const [adminUser] = await s.database.db.select().from(schema.users).where(eq(schema.users.email, ADMIN_EMAIL));
      const [studio] = await s.database.db
        .insert(schema.studios)
        .values({ name: `民生 ${suffix}` })
        .returning();
      const [story] = await s.database.db
        .insert(schema.stories)
        .values({
          headline: '社区食堂开张',
          standfirst: '老人们在家门口吃上了热乎饭。',
          studioId: studio!.id,
          authorId: adminUser!.id,
          updatedBy: adminUser!.id,
        })
        .returning();
      await s.database.db.insert(schema.storyForms).values({
        storyId: story!.id,
        form: 'screen',
        status: 'published',
        content: { headline: '社区食堂开张', subline: '家门口的热乎饭' },
        publishedAt: new Date(),
      });
    });
    browser = await launchBrowser();
    // Both watch the pages' Content-Security-Policy (withScreenshots fails a test that broke it).
    kioskContext = await desktopContext(browser, 'zh-CN');
    adminContext = await desktopContext(browser, 'en-US');
    kiosk = await kioskContext.newPage();
    await kiosk.setViewportSize({ width: 1920, height: 1080 });
    admin = await adminContext.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('pairs by the code on the screen, plays, and answers a screenshot request from the admin page', async () => {
    await withScreenshots(kioskContext, 'kiosk-pair', () =>
      withScreenshots(adminContext, 'kiosk-pair-admin', async () => {
        await kiosk.goto(`${server.url}/kiosk`);
        await kiosk.getByRole('heading', { name: '配对这块屏幕' }).waitFor();
        const code = ((await kiosk.getByTestId('pairing-code').textContent()) ?? '').replace(/\s/g, '');
        expect(code).toMatch(/^[2-9A-Z]{6}$/);
        await screenshot(kiosk, 'kiosk-pairing', false);

        await signInEnglish(admin, server, ADMIN_EMAIL, ADMIN_PASSWORD);
        await admin.goto(`${server.url}/admin/kiosks`);
        // Typed as read aloud: lower case, with a space.
        await admin.getByLabel('Pairing code').fill(`${code.slice(0, 3)} ${code.slice(3)}`.toLowerCase());
        await admin.getByLabel('Screen name').fill('人民广场东侧');
        await admin.getByRole('button', { name: 'Pair', exact: true }).click();
        await admin.getByText('“人民广场东侧” is paired').waitFor();

        // The screen takes its key on its next poll and starts its loop: the adopted video, with a QR to the phone.
        const slide = kiosk.getByTestId('kiosk-slide').first();
        await slide.waitFor({ timeout: 15_000 });
        await kiosk.getByRole('heading', { name: '滦平的清晨' }).waitFor();
        await kiosk.getByLabel('用手机扫码继续观看').waitFor();
        expect(await kiosk.evaluate("localStorage.getItem('paike.kiosk.key')")).toMatch(/^pk_kiosk_/);

        // The admin sees it report in, then asks for a screenshot: it arrives over the screen's event stream.
        const row = admin.locator('tr', { hasText: '人民广场东侧' }).first();
        await expect.poll(() => row.getByTestId('kiosk-health').textContent(), { timeout: 20_000 }).toBe('Online');
        await row.getByRole('button', { name: 'Screenshot' }).click();
        const shot = row.getByRole('img', { name: 'Screenshot of “人民广场东侧”' });
        await shot.waitFor({ timeout: 25_000 });
        // The image Paike made from what the screen drew: its full width.
        await expect.poll(() => admin.evaluate("document.querySelector('img.kiosk-shot')?.naturalWidth"), { timeout: 10_000 }).toBe(1920);
        await screenshot(kiosk, 'kiosk-playing', false);
        await screenshot(admin, 'kiosk-admin-fleet');
      }),
    );
  });

  it('takes a layer added on the admin page at once, and the page shows what plays now', async () => {
    await withScreenshots(adminContext, 'kiosk-schedule', async () => {
      const row = admin.locator('tr', { hasText: '人民广场东侧' }).first();
      await row.getByRole('button', { name: 'Schedule' }).click();
      const panel = admin.getByRole('region', { name: 'Schedule of “人民广场东侧”' });
      await panel.getByText('(no schedule: everything)').first().waitFor();
      const form = panel.getByRole('form', { name: 'Add a layer' });
      await form.getByLabel('Kind').selectOption('default');
      await form.getByLabel('Name').fill('大堂日常');
      await form.getByRole('button', { name: 'Add', exact: true }).click();
      await expect.poll(() => panel.getByTestId('schedule-now').textContent(), { timeout: 10_000 }).toContain('大堂日常');
      // The kiosk was told on its event stream and resolved the new layer itself.
      await expect.poll(() => kiosk.locator('.kiosk-stage').getAttribute('data-layer'), { timeout: 10_000 }).toMatch(/^[0-9a-f-]{36}$/);
      await screenshot(admin, 'kiosk-admin-schedule');
    });
  });

  it('opens touch mode on a tap: news by section, a video with sound and a QR, then back to the loop', async () => {
    await withScreenshots(kioskContext, 'kiosk-touch', async () => {
      await kiosk.getByTestId('kiosk-slide').first().click();
      const touch = kiosk.getByTestId('kiosk-touch');
      await touch.waitFor();
      // News, by section: the story's studio.
      await touch.getByRole('tab', { name: '新闻' }).click();
      await touch
        .getByRole('group', { name: '栏目' })
        .getByRole('button', { name: /^民生 / })
        .click();
      await touch.getByRole('button', { name: /社区食堂开张/ }).click();
      const story = kiosk.getByTestId('kiosk-story');
      await story.getByText('老人们在家门口吃上了热乎饭。').waitFor();
      await story.getByRole('img', { name: '用手机扫码继续阅读' }).waitFor();
      await screenshot(kiosk, 'kiosk-touch-story', false);
      await story.getByRole('button', { name: '‹ 返回' }).click();
      // Videos: one plays with its controls and a QR to the phone, and counts as a play.
      await touch.getByRole('tab', { name: '视频' }).click();
      await touch.getByRole('button', { name: /滦平的清晨/ }).click();
      const watch = kiosk.getByTestId('kiosk-watch');
      await watch.getByRole('img', { name: '用手机扫码继续观看' }).waitFor();
      expect(await watch.locator('video').getAttribute('controls')).not.toBeNull();
      await touch.getByRole('tab', { name: '风云榜' }).click();
      await touch.getByText('本周风云榜尚未发布').waitFor();
      await screenshot(kiosk, 'kiosk-touch-chart', false);
      await touch.getByRole('button', { name: '返回轮播' }).click();
      await kiosk.getByTestId('kiosk-slide').first().waitFor();
      expect(await kiosk.getByTestId('kiosk-touch').count()).toBe(0);
    });
  });

  it('goes dark when the opening hours set on the admin page end, told at once by the server', async () => {
    await withScreenshots(kioskContext, 'kiosk-dark', () =>
      withScreenshots(adminContext, 'kiosk-dark-admin', async () => {
        const row = admin.locator('tr', { hasText: '人民广场东侧' }).first();
        await row.getByRole('button', { name: 'Settings' }).click();
        const form = admin.getByRole('form', { name: 'Settings of “人民广场东侧”' });
        // Open only in an hour that is not now (Beijing time): the screen must go dark.
        const hh = String((new Date().getUTCHours() + 8 + 12) % 24).padStart(2, '0');
        await form.getByRole('button', { name: 'Add opening hours' }).click();
        const hours = form.getByRole('group', { name: 'Opening hours 1' });
        await hours.getByLabel('Start').fill(`${hh}:00`);
        await hours.getByLabel('End').fill(`${hh}:30`);
        // A place with no coordinates is refused in the page, before anything is sent.
        await form.getByLabel('Place name').fill('人民广场');
        await form.getByRole('button', { name: 'Save' }).click();
        await form.getByRole('alert').filter({ hasText: 'A place needs its name, a latitude' }).waitFor();
        await form.getByLabel('Latitude').fill('39.9');
        await form.getByLabel('Longitude').fill('116.39');
        await form.getByRole('button', { name: 'Save' }).click();
        await form.waitFor({ state: 'detached' });
        await kiosk.getByTestId('kiosk-dark').waitFor({ timeout: 10_000 });
        await expect.poll(() => row.locator('th').innerText()).toContain('人民广场');
        // And lit again when the hours are removed.
        await row.getByRole('button', { name: 'Settings' }).click();
        await form.getByRole('group', { name: 'Opening hours 1' }).getByRole('button', { name: 'Remove' }).click();
        await form.getByText('No hours: the screen is always on.').waitFor();
        await form.getByRole('button', { name: 'Save' }).click();
        await form.waitFor({ state: 'detached' });
        await kiosk.getByTestId('kiosk-slide').first().waitFor({ timeout: 10_000 });
      }),
    );
  });

  it('groups screens on the admin page: a group is added, a screen put in it and shown by it, and the group removed after a confirmation', async () => {
    await withScreenshots(adminContext, 'kiosk-groups', async () => {
      const groups = admin.getByRole('region', { name: 'Groups' });
      await groups.getByRole('button', { name: 'Add group' }).click();
      await groups.getByRole('alert').waitFor();
      await groups.getByLabel('New group’s name').fill('广场屏');
      await groups.getByRole('button', { name: 'Add group' }).click();
      await groups.getByText('广场屏').waitFor();
      // The same name again: the server's refusal, in the page.
      await groups.getByLabel('New group’s name').fill('广场屏');
      await groups.getByRole('button', { name: 'Add group' }).click();
      await groups.getByRole('alert').waitFor();

      const row = admin.locator('tr', { hasText: '人民广场东侧' }).first();
      await row.getByRole('button', { name: 'Settings' }).click();
      const form = admin.getByRole('form', { name: 'Settings of “人民广场东侧”' });
      await form.getByLabel('Group').selectOption({ label: '广场屏' });
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await row.getByText('· 广场屏').waitFor();
      await groups.locator('li', { hasText: '广场屏' }).getByText('1 screen').waitFor();
      // Shown by group: the screen is under its group and not under "No group".
      await admin.getByLabel('Show').selectOption({ label: 'No group' });
      await admin.getByText('No screen in this group.').waitFor();
      await admin.getByLabel('Show').selectOption({ label: '广场屏' });
      await row.waitFor();
      await screenshot(admin, 'kiosk-admin-groups');

      await groups.getByRole('button', { name: 'Remove group “广场屏”' }).click();
      await groups.getByText('Its screen stays, without a group').waitFor();
      await groups.getByRole('button', { name: 'Remove group', exact: true }).click();
      await groups.getByText('No group yet.').waitFor();
      await admin.locator('tr', { hasText: '人民广场东侧' }).first().waitFor();
      expect(await admin.locator('tr', { hasText: '人民广场东侧' }).first().innerText()).not.toContain('广场屏');
    });
  });

  it('goes back to pairing, with a new code, when the admin revokes its key', async () => {
    await withScreenshots(kioskContext, 'kiosk-revoke', async () => {
      const row = admin.locator('tr', { hasText: '人民广场东侧' }).first();
      await row.getByRole('button', { name: 'Revoke key' }).click();
      await kiosk.getByRole('heading', { name: '配对这块屏幕' }).waitFor({ timeout: 10_000 });
      await expect
        .poll(async () => ((await kiosk.getByTestId('pairing-code').textContent()) ?? '').replace(/\s/g, ''), { timeout: 10_000 })
        .toMatch(/^[2-9A-Z]{6}$/);
      expect(await kiosk.evaluate("localStorage.getItem('paike.kiosk.key')")).toBeNull();
      await expect.poll(() => row.getByTestId('kiosk-health').textContent(), { timeout: 15_000 }).toBe('Revoked');
    });
  });
});
