import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildNewspaperPdf } from '../src/server/modules/epaper/testing/fixtures.js';
import { buildPdf } from '../src/server/modules/lending/testing/fixtures.js';
import type { Campaign } from '../src/contracts/campaigns.js';
import { apiSession, sessionCookie, signInEnglish } from './flows.js';
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

// Issue 16: the kiosk's e-paper and study tabs. The e-paper (docs/epaper.md): staff upload today's
// newspaper as a PDF, the server renders its pages (poppler), staff mark an article zone and
// publish; the tab shows the page and the article opens on a tap. Study (docs/study.md): a reader
// signs in on the kiosk by scanning its QR with their phone, studies, answers the quiz, signs out.

describe('the kiosk’s e-paper and study', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is uploaded, zoned by dragging on the page and published on the admin page, then shown on the kiosk with a tappable article', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const pdf = buildNewspaperPdf([
      { widthMm: 210, heightMm: 297, texts: [{ xMm: 20, yMm: 30, size: 28, text: 'Community canteen opens' }] },
      { widthMm: 210, heightMm: 297 },
    ]);
    const admin = await apiSession(server);
    const desk = await desktopContext(browser, 'en-US');
    const page = await desk.newPage();
    await withScreenshots(desk, 'epaper-admin', async () => {
      await signInEnglish(page, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.goto(`${server.url}/admin/epaper`);
      await page.getByLabel('Date').fill(today);
      await page.getByLabel('Newspaper').fill('人民日报');
      await page.getByLabel('Page names (separated by |, optional)').fill('第01版 要闻|第02版 国内');
      await page.getByLabel('PDF file').setInputFiles({ name: 'paper.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      // The render runs as a job (pdftoppm, then sharp); the list follows its status.
      const row = page.locator('tr', { hasText: '人民日报' });
      await expect.poll(() => row.getByTestId('epaper-status').textContent(), { timeout: 60_000 }).toBe('Ready to publish');
      await row.getByRole('button', { name: 'Edit zones' }).click();
      // Drag a box over the headline: a zone; name it and save.
      const canvas = page.getByTestId('epaper-canvas');
      await canvas.getByRole('img', { name: '第01版 要闻' }).waitFor();
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.05, box.y + box.height * 0.05);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.12, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.2, { steps: 5 });
      await page.mouse.up();
      await page.getByLabel('Headline of zone 1').fill('社区食堂开张');
      await page.getByLabel('Summary (optional)').fill('老人们在家门口吃上了热乎饭。');
      await page.getByRole('button', { name: 'Save this page’s zones' }).click();
      await page.getByText('1 zones saved.').waitFor();
      await page.getByRole('button', { name: 'Publish to the kiosks' }).click();
      await page.getByText('Published: the kiosks show it now.').waitFor();
      await screenshot(page, 'epaper-admin');
    });
    await desk.close();
    const { data } = await admin<{ editions: { title: string; status: string; pages: { zones: { x: number; y: number; w: number; h: number }[] }[] }[] }>(
      '/api/admin/epaper/editions',
    );
    const edition = data.editions.find((e) => e.title === '人民日报')!;
    expect(edition.status).toBe('published');
    const zone = edition.pages[0]!.zones[0]!;
    // Where it was drawn, as fractions of the page.
    expect(zone.x).toBeCloseTo(0.05, 1);
    expect(zone.y).toBeCloseTo(0.05, 1);
    expect(zone.w).toBeCloseTo(0.6, 1);
    expect(zone.h).toBeCloseTo(0.15, 1);

    const context = await desktopContext(browser, 'zh-CN');
    const kiosk = await context.newPage();
    await kiosk.setViewportSize({ width: 1920, height: 1080 });
    await withScreenshots(context, 'kiosk-epaper', async () => {
      await kiosk.goto(`${server.url}/kiosk`);
      const code = ((await kiosk.getByTestId('pairing-code').textContent({ timeout: 15_000 })) ?? '').replace(/\s/g, '');
      expect((await admin('/api/admin/kiosk-screens/claim', { method: 'POST', body: { code, name: `报栏 ${uniqueSuffix()}` } })).status).toBe(201);
      await kiosk.getByText('轻触屏幕 · 看新闻、视频和风云榜').click({ timeout: 20_000 });
      await kiosk.getByRole('tab', { name: '电子报' }).click();
      const paper = kiosk.getByTestId('kiosk-epaper');
      await paper.getByRole('heading', { name: `人民日报 · ${today}` }).waitFor();
      const page1 = paper.getByRole('img', { name: '第01版 要闻' });
      await expect.poll(() => page1.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(1000);
      await paper.getByRole('button', { name: '社区食堂开张' }).click();
      await paper.getByTestId('kiosk-epaper-article').getByText('老人们在家门口吃上了热乎饭。').waitFor();
      await screenshot(kiosk, 'kiosk-epaper', false);
      await paper.getByRole('button', { name: '第02版 国内' }).click();
      await paper.getByRole('img', { name: '第02版 国内' }).waitFor();
      expect(await paper.getByRole('button', { name: '社区食堂开张' }).count()).toBe(0);
    });
    await context.close();
  });

  it('signs a reader in from their phone, records a read and a quiz with points, and signs out', async () => {
    const cookie = await sessionCookie(server);
    const up = await fetch(`${server.url}/api/admin/lending/titles?kind=periodical&title=${encodeURIComponent('学习材料')}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/pdf' },
      body: buildPdf(),
    });
    expect(up.status).toBe(201);
    const titleId = ((await up.json()) as { id: string }).id;
    const admin = await apiSession(server);
    const col = await admin<{ id: string }>('/api/admin/study/collections', {
      method: 'POST',
      body: { title: '学习二十大精神', pointsEnabled: true, pointsPerTask: 2 },
    });
    expect(col.status).toBe(201);
    const cid = col.data.id;
    expect(
      (await admin(`/api/admin/study/collections/${cid}/items`, { method: 'POST', body: { kind: 'pdf', refId: titleId, minDwellSeconds: 5 } })).status,
    ).toBe(201);
    const question = await admin(`/api/admin/study/collections/${cid}/questions`, {
      method: 'POST',
      body: { prompt: '中国共产党第二十次全国代表大会在哪一年召开？', options: ['2021年', '2022年', '2023年'], correct: [1], explanation: '2022年10月召开。' },
    });
    expect(question.status).toBe(201);
    expect((await admin(`/api/admin/study/collections/${cid}`, { method: 'PATCH', body: { published: true } })).status).toBe(200);

    const context = await desktopContext(browser, 'zh-CN');
    const kiosk = await context.newPage();
    await kiosk.setViewportSize({ width: 1080, height: 1920 });
    // The screen's clock flows as usual until the test moves it on (the idle timers).
    await kiosk.clock.install();
    const phone = await phoneContext(browser, 'zh-CN');
    const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
    const suffix = uniqueSuffix();
    const signUp = await phone.request.post(`${server.url}/api/auth/sign-up/email`, {
      data: { email: `study.${suffix}@example.test`, password: `Bamboo river ${suffix}`, name: '李学习', campaignId: campaigns[0]!.id },
    });
    expect(signUp.status()).toBe(201);
    await withScreenshots(context, 'kiosk-study', async () => {
      await kiosk.goto(`${server.url}/kiosk`);
      const code = ((await kiosk.getByTestId('pairing-code').textContent({ timeout: 15_000 })) ?? '').replace(/\s/g, '');
      expect((await admin('/api/admin/kiosk-screens/claim', { method: 'POST', body: { code, name: `学习角 ${uniqueSuffix()}` } })).status).toBe(201);
      await kiosk.getByText('轻触屏幕 · 看新闻、视频和风云榜').click({ timeout: 20_000 });
      await kiosk.getByRole('tab', { name: '学习' }).click();
      const study = kiosk.getByTestId('kiosk-study');
      await study.getByRole('button', { name: '扫码登录，记录学习' }).click();
      const url = (await study.getByRole('img', { name: '用已登录拍客的手机扫码，在手机上确认' }).getAttribute('data-url'))!;
      expect(url).toMatch(/\/study\/sign-in\/[A-Za-z0-9_-]+$/);

      // The phone that scanned it confirms; the kiosk greets the reader.
      const p = await phone.newPage();
      await withScreenshots(phone, 'kiosk-study-phone', async () => {
        await p.goto(url.replace(/^https?:\/\/[^/]+/, server.url));
        await p.getByRole('button', { name: '确认登录' }).click();
        await p.getByText(/已登录，请在阅报栏/).waitFor();
      });
      await expect.poll(() => study.getByTestId('study-reader').textContent(), { timeout: 15_000 }).toContain('李学习，你好');

      // A read finished too soon is refused; after the minimum it is recorded with points.
      await study.getByRole('button', { name: /学习二十大精神/ }).click();
      await study.getByRole('button', { name: '阅读 · 学习材料' }).click();
      const item = kiosk.getByTestId('study-item');
      await item.getByRole('button', { name: '读完了' }).click();
      await item.getByText(/再读一会儿/).waitFor();
      await kiosk.waitForTimeout(5500);
      await item.getByRole('button', { name: '读完了' }).click();
      await item.getByText('获得 2 积分').waitFor();
      await expect.poll(() => study.getByTestId('study-reader').textContent()).toContain('今日积分 2');
      await item.getByRole('button', { name: '‹ 返回' }).click();

      // The quiz: a server-drawn attempt, answered by option, graded with the explanation.
      await study.getByRole('button', { name: '专题答题' }).click();
      const quiz = kiosk.getByTestId('study-quiz');
      await quiz.getByRole('radio', { name: '2022年' }).click();
      await kiosk.waitForTimeout(2500);
      await quiz.getByRole('button', { name: '交卷' }).click();
      await expect.poll(() => quiz.getByTestId('study-score').textContent()).toBe('答对 1 / 1 题 · 获得 2 积分');
      await quiz.getByText('2022年10月召开。').waitFor();
      await screenshot(kiosk, 'kiosk-study-quiz', false);

      // Reading without a touch for two minutes: a signed-in reader keeps the screen, where an
      // idle passer-by's touch mode would have closed after 90 s.
      await kiosk.clock.fastForward('02:00');
      expect(await kiosk.getByTestId('kiosk-touch').count()).toBe(1);

      // Signing out ends the session: the next person starts with the sign-in QR.
      await study.getByRole('button', { name: '退出' }).click();
      await study.getByRole('button', { name: '扫码登录，记录学习' }).waitFor();
      // Nobody there now: 90 s later the screen is back on its loop.
      await kiosk.clock.fastForward('01:40');
      await kiosk.getByTestId('kiosk-touch').waitFor({ state: 'detached' });
    });
    await phone.close();
    await context.close();
  });
});
