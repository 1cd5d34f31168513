import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import { startWeiboFake, type WeiboFake } from '../src/server/modules/distribution/channels/fakes/weibo.fake.js';
import { decodeQrPng } from '../src/server/testing/qr.js';
import { adoptedVideo, apiSession, createStaff, sessionCookie, signInEnglish } from './flows.js';
import { REPO, desktopContext, launchBrowser, phoneContext, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// Issue 14's whole kitchen in one journey: an editor writes a story with an image and an
// adopted contributor video; 三审 (a second editor, the studio lead, the chief) approves its
// web and Weibo forms; the chief publishes both (Weibo through the local fake platform and the
// real adapter); the print PDF is rendered, its text holds the headline and its QR code takes a
// phone to the video; the public page shows the story; the wall shows it, in Chinese, at 1920×1080.

const WEIBO_APP = { appKey: '3127004811', appSecret: 'b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5' };
const HEADLINE = '春运首日 返乡路上的年味';

interface Person {
  email: string;
  password: string;
  id: string;
}

describe('the central kitchen: write, review, publish to web and Weibo, print, the wall', () => {
  let server: TestServer;
  let browser: Browser;
  let weibo: WeiboFake;
  const contexts: BrowserContext[] = [];
  const suffix = uniqueSuffix();
  const studioName = `侠客岛 ${suffix}`;
  const videoTitle = `返乡列车 ${suffix}`;
  let writer: Person, second: Person, lead: Person, chief: Person;
  let submissionId = '';

  async function person(role: 'editor' | 'chief_editor', name: string): Promise<Person> {
    const p = await createStaff(server, role, name);
    const me = await (await apiSession(server, p.email, p.password))<{ user?: { id: string }; id?: string }>('/api/me');
    return { ...p, id: me.data.user?.id ?? me.data.id! };
  }
  async function signedIn(p: Person, viewport?: { width: number; height: number }): Promise<Page> {
    const context = viewport ? await browser.newContext({ locale: 'en-US', viewport }) : await desktopContext(browser, 'en-US');
    contexts.push(context);
    const page = await context.newPage();
    await signInEnglish(page, server, p.email, p.password);
    return page;
  }

  beforeAll(async () => {
    weibo = await startWeiboFake();
    // Many staff sign in from 127.0.0.1 within a minute here: above the default 10 sign-ins a minute per address.
    server = await startServer({ env: { WEIBO_API_URL: weibo.url, AUTH_RATE_LIMIT_PER_MINUTE: '100' } });
    weibo.registerApp({ ...WEIBO_APP, secureDomain: '127.0.0.1', redirectUri: `${server.url}/api/admin/channels/weibo/callback` });
    weibo.registerAccount({ uid: '6600112233', screenName: '封面拍客' });
    browser = await launchBrowser();

    writer = await person('editor', 'Editor Li');
    second = await person('editor', 'Editor Chen');
    lead = await person('editor', 'Lead Wang');
    chief = await person('chief_editor', 'Chief Zhao');
    const admin = await apiSession(server);
    const studio = await admin('/api/desk/studios', {
      method: 'POST',
      body: { name: studioName, leadUserId: lead.id, memberIds: [writer.id, second.id, lead.id] },
    });
    expect(studio.status, JSON.stringify(studio.data)).toBe(201);

    // Weibo connected through its OAuth page (the fake) and Paike's callback.
    expect(
      (
        await admin('/api/admin/channels/weibo', {
          method: 'PUT',
          body: { appId: WEIBO_APP.appKey, appSecret: WEIBO_APP.appSecret, extra: { rip: '203.0.113.7' } },
        })
      ).status,
    ).toBe(200);
    const auth = await admin<{ url: string }>('/api/admin/channels/weibo/authorize', { method: 'POST' });
    const back = new URL((await fetch(auth.data.url, { redirect: 'manual' })).headers.get('location') ?? '');
    expect(back.pathname).toBe('/api/admin/channels/weibo/callback');
    // Paike's callback answers with a redirect to the channels page; the admin's cookie proves who connects.
    const cookie = await sessionCookie(server);
    const callback = await fetch(`${server.url}${back.pathname}${back.search}`, { headers: { cookie }, redirect: 'manual' });
    expect(callback.status).toBe(302);
    const channels = await admin<{ accounts: { channel: string; status: string }[] }>('/api/admin/channels');
    expect(channels.data.accounts.find((a) => a.channel === 'weibo')?.status).toBe('connected');

    // A contributor's adopted video (its upload and processing are the submissions journeys').
    ({ submissionId } = await adoptedVideo(server, { title: videoTitle, contributorName: '拍客小王' }));
  }, 300_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    await weibo?.close();
  });

  it('goes from an editor’s draft to web, Weibo, a print PDF with a working QR code, and the wall', { timeout: 420_000 }, async () => {
    // 1. The editor writes the story in the browser: headline, body, an image, the video.
    const page = await signedIn(writer);
    let storyId = '';
    await withScreenshots(page.context(), 'kitchen-journey-write', async () => {
      await page.goto(`${server.url}/kitchen/stories/new`);
      await page.getByRole('heading', { level: 1, name: 'New story' }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.getByLabel('Headline', { exact: true }).fill(HEADLINE);
      await page.getByLabel('Standfirst', { exact: true }).fill('记者与拍客一起记录返乡路。');
      await page.getByRole('textbox', { name: 'Body' }).click();
      await page.keyboard.type('清晨六点，车站已排起长队。');
      await page.getByRole('combobox', { name: /^Studio/ }).selectOption({ label: studioName });
      await page.getByRole('button', { name: 'Create story' }).click();
      await page.waitForURL(/\/kitchen\/stories\/[0-9a-f-]{36}$/);
      storyId = new URL(page.url()).pathname.split('/').pop()!;

      const photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 180, g: 40, b: 40 } } })
        .jpeg()
        .toBuffer();
      await page.getByLabel(/^Image file/).setInputFiles({ name: 'station.jpg', mimeType: 'image/jpeg', buffer: photo });
      const upload = page.locator('form.k-stories-upload');
      await upload.getByLabel('Caption').fill('清晨的车站');
      await upload.getByLabel('Credit').fill('拍客 小王');
      await upload.getByRole('button', { name: 'Upload' }).click();
      await page
        .locator('.k-stories-image')
        .filter({ has: page.locator('img[alt="清晨的车站"]') })
        .waitFor();
      await page.getByRole('searchbox', { name: 'Search adopted videos' }).fill(suffix);
      await page.getByRole('searchbox', { name: 'Search adopted videos' }).press('Enter');
      await page.getByRole('button', { name: `Embed: ${videoTitle}` }).click();
      await page.locator('.k-stories-videos li').filter({ hasText: videoTitle }).filter({ hasText: 'by 拍客小王' }).waitFor();
    });

    // 2. Its web and Weibo forms, made from the story and sent into review.
    const writerApi = await apiSession(server, writer.email, writer.password);
    for (const form of ['web', 'weibo']) {
      const made = await writerApi(`/api/kitchen/stories/${storyId}/forms/${form}`, { method: 'PUT', body: {} });
      expect(made.status, JSON.stringify(made.data)).toBeLessThan(300);
      const sent = await writerApi(`/api/kitchen/stories/${storyId}/forms/${form}/submit`, { method: 'POST', body: {} });
      expect(sent.status, JSON.stringify(sent.data)).toBe(200);
    }
    // Publishing before the chain is complete is refused.
    const early = await writerApi<{ error: { code: string } }>(`/api/kitchen/stories/${storyId}/forms/web/publish`, { method: 'POST', body: {} });
    expect(early.data.error.code).toBe('kitchen.review_incomplete');

    // 3. 三审: a second editor, then the studio lead and the chief editor in their browsers.
    const secondApi = await apiSession(server, second.email, second.password);
    for (const form of ['web', 'weibo']) {
      const r = await secondApi(`/api/kitchen/stories/${storyId}/forms/${form}/approve`, { method: 'POST', body: {} });
      expect(r.status, JSON.stringify(r.data)).toBe(200);
    }
    const formsUrl = `${server.url}/kitchen/stories/${storyId}/forms`;
    for (const [who, role] of [
      [lead, 'Studio lead'],
      [chief, 'Chief editor'],
    ] as const) {
      const reviewer = await signedIn(who);
      await withScreenshots(reviewer.context(), `kitchen-journey-${role === 'Studio lead' ? 'lead' : 'chief'}`, async () => {
        await reviewer.goto(`${server.url}/kitchen/review`);
        await reviewer.getByRole('heading', { level: 1, name: 'Review inbox' }).waitFor();
        await reviewer.getByRole('row').filter({ hasText: 'Web 网' }).getByRole('link', { name: HEADLINE }).click();
        await reviewer.waitForURL(formsUrl);
        for (const tab of ['Web 网', 'Weibo 微博']) {
          await reviewer.getByRole('tab', { name: `${tab} · In review` }).click();
          await reviewer.getByRole('button', { name: `Approve (${role})` }).click();
          await reviewer.getByText('Approved.').waitFor();
        }
      });
      if (who === chief) {
        // 4. The chief publishes both forms from the same page.
        await withScreenshots(reviewer.context(), 'kitchen-journey-publish', async () => {
          for (const tab of ['Web 网', 'Weibo 微博']) {
            await reviewer.getByRole('tab', { name: new RegExp(`^${tab} · Ready`) }).click();
            await reviewer.getByRole('button', { name: `Publish ${tab}` }).click();
          }
          await reviewer.getByRole('tab', { name: 'Web 网 · Published' }).waitFor({ timeout: 30_000 });
        });
      }
    }
    const chiefApi = await apiSession(server, chief.email, chief.password);
    await expect
      .poll(
        async () => {
          const r = await chiefApi<{ forms: { form: string; status: string; lastError: string | null }[] }>(`/api/kitchen/stories/${storyId}/forms`);
          // The platform's refusal, if any, shows in the failure message.
          return r.data.forms.map((f) => `${f.form}:${f.status}${f.lastError ? ` (${f.lastError})` : ''}`).sort();
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toEqual(['web:published', 'weibo:published']);
    // One post on Weibo, linking to the story's page on Paike.
    const posts = weibo.statuses.filter((s) => s.status.includes(`/stories/${storyId}`));
    expect(posts).toHaveLength(1);

    // 5. The public article, on a phone in Chinese.
    const phone = await phoneContext(browser, 'zh-CN');
    contexts.push(phone);
    const reader = await phone.newPage();
    await reader.goto(`${server.url}/stories/${storyId}`);
    await reader.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
    await reader.getByText('清晨的车站').first().waitFor();

    // 6. The print PDF: rendered from the print page; its text holds the headline and its QR
    // code, drawn on the page, decodes to the video's page.
    const desk = await signedIn(chief);
    let pdf = Buffer.alloc(0);
    await withScreenshots(desk.context(), 'kitchen-journey-print', async () => {
      await desk.goto(`${server.url}/kitchen/stories/${storyId}/print`);
      await desk.getByRole('button', { name: 'Render PDF' }).click();
      const download = desk.getByRole('link', { name: 'Download PDF' });
      await download.waitFor({ timeout: 120_000 });
      const res = await desk.request.get(`${server.url}${await download.getAttribute('href')}`);
      expect(res.headers()['content-type']).toBe('application/pdf');
      pdf = Buffer.from(await res.body());
    });
    const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
    const content = await (await doc.getPage(1)).getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str : '')).join('');
    await doc.destroy();
    // The CJK font's glyphs map some characters to their Kangxi-radical look-alikes (⾸ for 首);
    // NFKC folds them back, as a reader's search would.
    expect(text.normalize('NFKC').replace(/\s+/g, '')).toContain(HEADLINE.replace(/\s+/g, ''));
    expect(text).toContain('扫码看视频');
    const qr = decodeQrPng(await rasterisePdf(desk, pdf));
    expect(qr.text).toMatch(new RegExp(`^https?://[^/]+/v/${submissionId}$`));

    // 7. The wall, at 1920×1080 in Chinese, counts the published web form.
    const wall = await signedIn(chief, { width: 1920, height: 1080 });
    await withScreenshots(wall.context(), 'kitchen-journey-wall', async () => {
      await wall.goto(`${server.url}/wall`);
      await wall.getByRole('heading', { name: '传播力大屏', exact: true }).waitFor();
      await expect.poll(() => wall.locator('[data-form="web"][data-status="published"]').textContent(), { timeout: 30_000 }).toBe('1');
      expect(await wall.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(1080);
    });
  });
});

/**
 * Draws page 1 of the PDF the way a reader's viewer would (pdf.js in Chromium, at 3× for a
 * phone camera's worth of detail) and returns it as a PNG. pdf.js is served from node_modules
 * on a made-up origin: nothing leaves the machine.
 */
async function rasterisePdf(page: Page, pdf: Buffer): Promise<Buffer> {
  const build = join(REPO, 'node_modules', 'pdfjs-dist', 'build');
  const viewer = await page.context().newPage();
  await viewer.route('http://pdf.local/**', (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === 'doc.pdf') return route.fulfill({ body: pdf, contentType: 'application/pdf' });
    if (name === 'pdf.min.mjs' || name === 'pdf.worker.min.mjs') {
      return route.fulfill({ body: readFileSync(join(build, name)), contentType: 'text/javascript' });
    }
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><canvas id="c"></canvas><script type="module">
        import * as pdfjs from '/pdf.min.mjs';
        pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.min.mjs';
        const doc = await pdfjs.getDocument('/doc.pdf').promise;
        const p = await doc.getPage(1);
        const viewport = p.getViewport({ scale: 3 });
        const canvas = document.getElementById('c');
        canvas.width = viewport.width; canvas.height = viewport.height;
        await p.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
        document.title = 'rendered';
      </script>`,
    });
  });
  try {
    await viewer.goto('http://pdf.local/');
    await viewer.waitForFunction("document.title === 'rendered'", undefined, { timeout: 60_000 });
    const dataUrl = (await viewer.evaluate("document.getElementById('c').toDataURL('image/png')")) as string;
    return Buffer.from(dataUrl.split(',')[1]!, 'base64');
  } finally {
    await viewer.close();
  }
}
