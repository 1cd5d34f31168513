import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Services } from '../src/server/services.js';
import { createStaff, signInEnglish, withServerServices } from './flows.js';
import { launchBrowser, screenshot, startServer, withScreenshots, type TestServer } from './harness.js';

/** A central-desk assignment someone is working: sharing their location, on a call, footage sent and published. */
async function fieldDay(services: Services) {
  const { db } = services.database;
  const schema = await import('../src/server/db/schema.js');
  const { insertAssignment, insertOffer } = await import('../src/server/modules/command/testing/fixtures.js');
  const [admin] = await db.select({ id: schema.users.id }).from(schema.users).limit(1);
  const [campaign] = await db.select({ id: schema.campaigns.id }).from(schema.campaigns).limit(1);
  const [reporter] = await db
    .insert(schema.users)
    .values({ name: '林勇刚', email: `field.${Date.now()}@example.test`, roles: ['contributor'], locale: 'zh-CN' })
    .returning();
  const a = await insertAssignment(db, { createdBy: admin!.id, campaignId: campaign!.id, title: '滦平第一书记连线' });
  await insertOffer(db, { assignmentId: a.id, userId: reporter!.id });
  await db.insert(schema.locationShares).values({ assignmentId: a.id, userId: reporter!.id, precision: 'coarse' });
  await db
    .insert(schema.fieldPositions)
    .values({ assignmentId: a.id, userId: reporter!.id, lat: 40.94, lng: 117.33, battery: 0.64, network: '4g', recordedAt: new Date() });
  await db.insert(schema.commandCalls).values({
    assignmentId: a.id,
    startedBy: admin!.id,
    direction: 'desk_to_field',
    calleeId: reporter!.id,
    media: 'p2p',
    status: 'active',
    answeredAt: new Date(),
  });
  const now = new Date();
  const s = await services.submissionsRepo.create({
    userId: reporter!.id,
    campaignId: campaign!.id,
    theme: 'way-home',
    title: '村里的一天',
    consentAt: now,
    status: 'in_review',
    progress: 100,
    uploadLength: 1000,
    originalFilename: 'a.mp4',
    durationSeconds: 75,
    width: 720,
    height: 1280,
    processedAt: now,
  });
  const { eq } = await import('drizzle-orm');
  await db.update(schema.submissions).set({ assignmentId: a.id }).where(eq(schema.submissions.id, s.id));
  const [pub] = await db
    .insert(schema.publications)
    .values({ submissionId: s.id, channel: 'weibo', status: 'live', idempotencyKey: `publish:${s.id}:weibo`, publishedAt: now })
    .returning();
  await services.metrics.recordSample(pub!.id, { views: 4321, likes: null, comments: null, shares: null }, now);
  return { assignmentId: a.id, campaignId: campaign!.id, reporterId: reporter!.id, adminId: admin!.id };
}

describe('the command wall on a 1920×1080 screen', () => {
  let server: TestServer;
  let browser: Browser;
  let day: Awaited<ReturnType<typeof fieldDay>>;

  beforeAll(async () => {
    server = await startServer({ env: { COMMAND_WALL_INTERVAL_SECONDS: '1' } });
    [browser, day] = await Promise.all([launchBrowser(), withServerServices(server, fieldDay)]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the field live without scrolling, says when the figures stop coming, and recovers without a reload', async () => {
    // The wall PC's own account: finance sees the whole newsroom and can change nothing.
    const wallAccount = await createStaff(server, 'finance', 'Command wall');
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await withScreenshots(context, 'command-wall', async () => {
      await signInEnglish(page, server, wallAccount.email, wallAccount.password);
      await page.goto(`${server.url}/command/wall`);
      for (const name of ['移动报道指挥大屏', '任务状态', '最紧急任务', '在外记者', '正在连线', '现场素材传播']) {
        await expect.poll(() => page.getByRole('heading', { name, exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
      }
      expect(await page.locator('[data-status="in_progress"] .cw-tile-n').textContent()).toBe('1');
      expect(await page.locator('[data-figure="field"]').textContent()).toBe('1');
      expect(await page.locator('[data-figure="calls"]').textContent()).toBe('1');
      expect(await page.locator('[data-figure="footage"]').textContent()).toBe('1');
      expect(await page.locator('[data-figure="reachTotal"] .k-wall-big-n').textContent()).toBe('4,321');
      // The call in progress: who, about what, how.
      const call = page.locator('.cw-call-list li[data-call="active"]');
      await expect.poll(() => call.textContent()).toContain('林勇刚');
      expect(await call.textContent()).toContain('滦平第一书记连线');
      expect(await call.textContent()).toContain('点对点');
      expect(await page.locator('.cw-people li').first().textContent()).toContain('64%');
      await page.getByText(/^最后更新 \d\d:\d\d:\d\d$/).waitFor();
      expect(await page.locator('.cw-screen').getAttribute('data-stale')).toBe('false');
      const size = (await page.evaluate('[document.documentElement.scrollHeight, document.documentElement.scrollWidth]')) as number[];
      expect(size[0]).toBeLessThanOrEqual(1080);
      expect(size[1]).toBeLessThanOrEqual(1920);
      const overflowing = await page.evaluate(
        "[...document.querySelectorAll('.k-wall-panel')].filter((p) => p.scrollHeight > p.clientHeight + 1).map((p) => p.querySelector('h2')?.textContent)",
      );
      expect(overflowing).toEqual([]);
      await screenshot(page, 'command-wall-1920x1080', false);

      // The server goes away: no more heartbeats, and after three intervals the wall says so.
      // Meanwhile the field rings the desk; when the server is back the wall shows it, unprompted.
      const navigations: string[] = [];
      page.on('framenavigated', (f) => navigations.push(f.url()));
      await withServerServices(server, async (services) => {
        await page.locator('.k-wall-stale-marker').waitFor({ timeout: 20_000 });
        expect(await page.locator('.cw-screen').getAttribute('data-stale')).toBe('true');
        await screenshot(page, 'command-wall-stale', false);
        const { commandCalls } = await import('../src/server/db/schema.js');
        const { insertAssignment } = await import('../src/server/modules/command/testing/fixtures.js');
        // Another assignment: one live call per assignment (migration 0033).
        const other = await insertAssignment(services.database.db, { createdBy: day.adminId, campaignId: day.campaignId, title: '滦平第二现场' });
        await services.database.db.insert(commandCalls).values({
          assignmentId: other.id,
          startedBy: day.reporterId,
          direction: 'field_to_desk',
          media: 'p2p',
          status: 'ringing',
        });
      });
      await expect.poll(() => page.locator('[data-figure="calls"]').textContent(), { timeout: 60_000, interval: 500 }).toBe('2');
      await expect.poll(() => page.locator('.cw-screen').getAttribute('data-stale')).toBe('false');
      expect(await page.locator('.k-wall-stale-marker').count()).toBe(0);
      expect(navigations).toEqual([]);

      // A visitors' screen in English.
      await page.goto(`${server.url}/command/wall?lang=en`);
      await page.getByRole('heading', { name: 'Command wall', exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Live contact', exact: true }).waitFor();
    });
    await context.close();
  });
});
