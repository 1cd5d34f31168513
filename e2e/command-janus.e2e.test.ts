import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { insertAssignment, insertOffer } from '../src/server/modules/command/testing/fixtures.js';
import { janusInstalled, startTestJanus, type TestJanus } from '../src/server/modules/command/testing/janus.js';
import { launchMediaBrowser } from '../src/server/modules/command/testing/browser.js';
import { createStaff, withServerServices } from './flows.js';
import { PHONE_DEVICE, screenshot, startServer, uniqueSuffix, type TestServer } from './harness.js';

if (!janusInstalled) console.warn('SKIPPED: /usr/bin/janus is not installed (apt-get install janus janus-tools); the Janus journey needs it.');

/** Signs in through the API and returns the session cookie ("name=value"). */
async function cookieOf(server: TestServer, path: string, body: Record<string, unknown>): Promise<{ cookie: string; id: string }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  return { cookie, id: ((await res.json()) as { user: { id: string } }).user.id };
}

// Issue 15 items 3–5 through Janus: the desk (director) and a phone (field guest) in one Janus
// call made from the desk's call page and answered on the phone's contact page, negotiated
// through Paike's routes, video both ways; the broadcast played by a third page with its
// audience; the call hung up on the desk's page and its recording in the desk queue, processed.
describe.skipIf(!janusInstalled)('a call through Janus', () => {
  let janus: TestJanus;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    janus = await startTestJanus();
    server = await startServer({ env: { JANUS_URL: janus.url, JANUS_RECORDINGS_DIR: janus.recordingsDir } });
    browser = await launchMediaBrowser({ executablePath: process.env.CHROMIUM_PATH });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await janus?.close();
  });

  it('carries video both ways, broadcasts to a watch page with its audience, and files the recording in the desk queue', { timeout: 300_000 }, async () => {
    const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const campaign = campaigns[0]!;
    const chiefLogin = await createStaff(server, 'chief_editor', '导播');
    const director = await cookieOf(server, '/api/auth/sign-in/email', chiefLogin);
    const suffix = uniqueSuffix();
    const guest = await cookieOf(server, '/api/auth/sign-up/email', {
      email: `field.${suffix}@example.test`,
      password: `Luanping hills ${suffix}`,
      name: '林勇刚',
      campaignId: campaign.id,
    });
    const title = `滦平县第一书记 ${suffix}`;
    const assignmentId = await withServerServices(server, async (s) => {
      const { db } = s.database;
      const a = await insertAssignment(db, { createdBy: director.id, campaignId: campaign.id, title });
      await insertOffer(db, { assignmentId: a.id, userId: guest.id });
      return a.id;
    });

    // The desk calls from its call page and the phone answers on its contact page: with
    // JANUS_URL set, the call goes through Janus (the pages' controller opens call/janus-session.ts).
    const withCookie = async (cookie: string, opts: Parameters<Browser['newContext']>[0]) => {
      const context = await browser.newContext(opts);
      await context.addCookies([{ name: cookie.split('=')[0]!, value: cookie.split('=').slice(1).join('='), url: server.url }]);
      return { context, page: await context.newPage() };
    };
    const desk = await withCookie(director.cookie, { locale: 'en-US', viewport: { width: 1440, height: 900 }, permissions: ['camera', 'microphone'] });
    const phone = await withCookie(guest.cookie, { ...PHONE_DEVICE, locale: 'zh-CN', permissions: ['camera', 'microphone'] });
    await desk.page.goto(`${server.url}/command/calls/${assignmentId}`);
    await phone.page.goto(`${server.url}/tasks/${assignmentId}/contact`);
    await phone.page.locator('.live-contact[data-hub="open"]').waitFor();
    await desk.page.getByRole('button', { name: 'Call 林勇刚' }).click();
    await phone.page.getByRole('button', { name: '接听' }).click();
    const frames = (page: Page) =>
      expect
        .poll(async () => ((await page.evaluate('window.__paikeCall.inboundStats()')) as { framesDecoded: number } | null)?.framesDecoded ?? 0, {
          timeout: 60_000,
          interval: 500,
        })
        .toBeGreaterThan(10);
    await frames(desk.page);
    await frames(phone.page);
    const calls = (await (await fetch(`${server.url}/api/command/assignments/${assignmentId}/calls`, { headers: { cookie: director.cookie } })).json()) as {
      calls: { id: string; media: string; status: string; recordingStatus: string }[];
    };
    const call = calls.calls.find((c) => c.status === 'active')!;
    expect(call).toMatchObject({ media: 'janus', recordingStatus: 'recording' });
    const callId = call.id;
    await screenshot(desk.page, 'command-janus-desk-call', false);

    // Broadcast on: a viewer's page plays the guest's picture and counts itself.
    const on = await fetch(`${server.url}/api/command/calls/${callId}/broadcast`, {
      method: 'POST',
      headers: { cookie: director.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ on: true }),
    });
    expect(on.status, await on.clone().text()).toBe(200);
    const viewer = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const watch = await viewer.newPage();
    // CI keeps only the log: what the watch page fetched and what its <video> did, if it fails.
    const started = Date.now();
    const heard: string[] = [];
    watch.on('response', (r) => void (r.url().includes('/broadcasts/') && heard.push(`${Date.now() - started} ms ${r.status()} ${r.url().split('/').pop()}`)));
    watch.on('console', (m) => void (m.type() === 'error' && heard.push(`${Date.now() - started} ms console: ${m.text()}`)));
    try {
      await watch.goto(`${server.url}/live/${callId}`);
      await watch.getByRole('heading', { level: 1, name: title }).waitFor();
      await watch.getByTestId('audience').filter({ hasText: 'Audience: 1' }).waitFor({ timeout: 30_000 });
      await expect
        .poll(() => watch.locator('video').evaluate((v) => (v as unknown as { currentTime: number }).currentTime), { timeout: 60_000, interval: 500 })
        .toBeGreaterThan(1);
    } catch (e) {
      const video = await watch
        .locator('video')
        .evaluate(
          (v) => {
            const m = v as unknown as { currentTime: number; readyState: number; networkState: number; paused: boolean; error: { code: number } | null };
            return JSON.stringify({
              currentTime: m.currentTime,
              readyState: m.readyState,
              networkState: m.networkState,
              paused: m.paused,
              error: m.error?.code ?? null,
            });
          },
          undefined,
          { timeout: 2_000 },
        )
        .catch(() => 'no <video>');
      const page = await watch
        .locator('body')
        .innerText({ timeout: 2_000 })
        .catch(() => '(unreadable)');
      const log = server
        .output()
        .split('\n')
        .filter((l) => /broadcast|ffmpeg|janus/i.test(l))
        .slice(-20);
      console.error(
        `[command-janus] the watch page showed:\n${page}\nvideo: ${video}\nit heard:\n${heard.slice(-40).join('\n')}\nthe server logged:\n${log.join('\n')}`,
      );
      throw e;
    }
    await screenshot(watch, 'command-janus-watch', false);
    const state = (await (await fetch(`${server.url}/api/command/calls/${callId}/broadcast`, { headers: { cookie: director.cookie } })).json()) as {
      audience: number;
      audiencePeak: number;
    };
    expect(state).toMatchObject({ audience: 1, audiencePeak: 1 });

    // The desk hangs up: the call ends, the room closes and its recording job runs by itself.
    await desk.page.getByRole('button', { name: 'Hang up' }).click();
    await phone.page.getByText('连线已结束。').waitFor();
    await Promise.all([desk.context.close(), phone.context.close()]);
    expect((await fetch(`${server.url}/api/command/broadcasts/${callId}`)).status).toBe(404);
    // The viewer's page learns it from its next heartbeat and says so instead of a frozen picture.
    await watch.getByText('This broadcast is not on air').waitFor({ timeout: 20_000 });
    expect(await watch.locator('video').count()).toBe(0);
    await viewer.close();

    // The desk queue lists the recording once the media pipeline has processed it.
    const deskCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    await deskCtx.addCookies([{ name: director.cookie.split('=')[0]!, value: director.cookie.split('=').slice(1).join('='), url: server.url }]);
    const queue = await deskCtx.newPage();
    const row = queue.getByRole('row').filter({ has: queue.getByRole('link', { name: new RegExp(`^连线：${title}`) }) });
    await expect
      .poll(
        async () => {
          await queue.goto(`${server.url}/desk/queue`);
          await queue.getByRole('heading', { level: 1 }).first().waitFor();
          return row.count();
        },
        { timeout: 120_000, interval: 3000 },
      )
      .toBe(1);
    await screenshot(queue, 'command-janus-desk-queue', false);
  });
});
