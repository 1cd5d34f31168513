import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import { buildEpub, buildPdf } from '../src/server/modules/lending/testing/fixtures.js';
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

// Issue 16 (docs/lending.md): a kiosk shows a title's QR; a phone that reads it borrows the book and
// reads it in the browser (foliate-js for EPUB, pdf.js for PDF, under the reader's strict CSP);
// where the reader is goes to the server and another device opens the loan there.

const CHAPTER = Array.from(
  { length: 80 },
  (_, i) => `<p>第${i + 1}段：由四川过湖南去，靠东有一条官路。这官路将近湘西边境到了一个地方名为“茶峒”的小山城时，有一小溪，溪边有座白色小塔。</p>`,
).join('');

/** Signs a new reader up inside `context` (its cookie jar), as the sign-up page does. */
async function reader(server: TestServer, context: BrowserContext, name: string) {
  const { campaigns } = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
  const suffix = uniqueSuffix();
  const creds = { email: `reader.${suffix}@example.test`, password: `Bamboo river ${suffix}` };
  const res = await context.request.post(`${server.url}/api/auth/sign-up/email`, { data: { ...creds, name, campaignId: campaigns[0]!.id } });
  expect(res.status()).toBe(201);
  return creds;
}

/** All the text the page shows, its frames included (foliate-js lays each section out in a frame). */
const shownText = async (page: Page) =>
  (await Promise.all(page.frames().map((f) => f.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '')))).join('\n');

describe('lending a book from a kiosk to a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let epubId: string;
  let pdfId: string;

  beforeAll(async () => {
    server = await startServer();
    // Staff upload the files themselves (raw bodies), so the admin's cookie is used directly.
    const cookie = await sessionCookie(server);
    const upload = async (query: string, type: string, body: Uint8Array) => {
      const res = await fetch(`${server.url}/api/admin/lending/titles?${query}`, { method: 'POST', headers: { cookie, 'content-type': type }, body });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    epubId = await upload('copies=1', 'application/epub+zip', buildEpub({ title: '边城', chapter: CHAPTER }));
    pdfId = await upload(`kind=periodical&title=${encodeURIComponent('半月谈 第23期')}&copies=2`, 'application/pdf', buildPdf());
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('borrows from the kiosk’s QR on a phone, reads, and another device opens where the reader left off', async () => {
    // The kiosk: paired, tapped, the lending tab, a title's QR.
    const kioskContext = await desktopContext(browser, 'zh-CN');
    const kiosk = await kioskContext.newPage();
    await kiosk.setViewportSize({ width: 1080, height: 1920 });
    let url = '';
    await withScreenshots(kioskContext, 'lending-kiosk', async () => {
      await kiosk.goto(`${server.url}/kiosk`);
      const code = ((await kiosk.getByTestId('pairing-code').textContent({ timeout: 15_000 })) ?? '').replace(/\s/g, '');
      const admin = await apiSession(server);
      expect((await admin('/api/admin/kiosk-screens/claim', { method: 'POST', body: { code, name: `图书馆阅报栏 ${uniqueSuffix()}` } })).status).toBe(201);
      await kiosk.getByText('轻触屏幕 · 看新闻、视频和风云榜').click({ timeout: 20_000 });
      await kiosk.getByRole('tab', { name: '借阅' }).click();
      await kiosk.getByRole('button', { name: /边城/ }).click();
      const qr = kiosk.getByTestId('kiosk-title').getByRole('img', { name: '用手机扫码借阅，在手机上读' });
      url = (await qr.getAttribute('data-url'))!;
      await screenshot(kiosk, 'lending-kiosk-qr', false);
    });
    expect(url).toBe(`${server.url}/lend/${epubId}`);

    // The phone that scanned it.
    const phone = await phoneContext(browser, 'zh-CN');
    const creds = await reader(server, phone, '沈读者');
    const page = await phone.newPage();
    let loanId = '';
    let saved = '';
    await withScreenshots(phone, 'lending-phone', async () => {
      await page.goto(url);
      await page.getByRole('heading', { name: '边城' }).waitFor();
      await expect.poll(() => page.getByTestId('lend-availability').textContent()).toContain('可借：1 / 1 册');
      await page.getByRole('button', { name: '借阅 14 天' }).click();
      await page.waitForURL(/\/read\/[0-9a-f-]{36}$/);
      loanId = new URL(page.url()).pathname.split('/').pop()!;
      // foliate-js lays the chapter out; the reader turns a page and the place is saved.
      await expect.poll(() => shownText(page), { timeout: 20_000 }).toContain('由四川过湖南去');
      for (let i = 0; i < 4; i++) await page.getByRole('button', { name: '下一页 ›' }).click();
      await expect.poll(() => page.getByTestId('reader-saved').textContent(), { timeout: 10_000 }).toMatch(/^已同步进度 \d+%$/);
      const pos = (await (await page.request.get(`${server.url}/api/lending/loans/${loanId}/position`)).json()) as {
        position: { locator: string; progress: number; device: string };
      };
      expect(pos.position.locator).toMatch(/^epubcfi\(/);
      expect(pos.position.device).toBe('phone');
      saved = pos.position.locator;
      await screenshot(page, 'lending-reader-epub');
    });

    // The book's file answers only through the loan's token, and never with a cookie alone.
    expect((await page.request.get(`${server.url}/api/lending/files/${loanId}.1.${'x'.repeat(43)}`)).status()).toBe(403);
    const readerPage = await page.request.get(`${server.url}/read/${loanId}`);
    const csp = readerPage.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain('frame-src blob:');

    // Another device of the same reader opens the loan at the same place.
    const second = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const signIn = await second.request.post(`${server.url}/api/auth/sign-in/email`, { data: creds });
    expect(signIn.status()).toBeLessThan(300);
    const other = await second.newPage();
    await other.goto(`${server.url}/read/${loanId}`);
    await expect.poll(() => shownText(other), { timeout: 20_000 }).toContain('茶峒');
    // Its page (wider, so it holds more paragraphs) is the one with the saved place in it.
    const paragraphs = (cfi: string) => {
      const m = /!\/4,\/(\d+)(?:\/\d+)*(?::\d+)?,\/(\d+)/.exec(cfi);
      return m ? [Number(m[1]) / 2, Number(m[2]) / 2] : [NaN, NaN];
    };
    const [savedFrom] = paragraphs(saved);
    await expect
      .poll(async () => {
        const [from, to] = paragraphs((await other.evaluate<string>("document.querySelector('foliate-view')?.lastLocation?.cfi ?? ''")) || '');
        return from! <= savedFrom! && savedFrom! <= to!;
      })
      .toBe(true);
    expect(savedFrom).toBeGreaterThan(3);
    await other.waitForTimeout(3000);
    const after = (await (await other.request.get(`${server.url}/api/lending/loans/${loanId}/position`)).json()) as { position: { locator: string } };
    expect(after.position.locator).toBe(saved);
    await second.close();

    // Someone else finds the only copy out: a place in the queue, on the same page.
    const neighbour = await phoneContext(browser, 'zh-CN');
    await reader(server, neighbour, '翠翠');
    const np = await neighbour.newPage();
    await withScreenshots(neighbour, 'lending-hold', async () => {
      await np.goto(url);
      await expect.poll(() => np.getByTestId('lend-availability').textContent()).toContain('1 册都已借出');
      await np.getByRole('button', { name: '排队预约' }).click();
      await np.getByText('已排队：第 1 位').waitFor();
    });
    await neighbour.close();
    await phone.close();
    await kioskContext.close();
  });

  it('reads a periodical’s PDF with pdf.js', async () => {
    const phone = await phoneContext(browser, 'zh-CN');
    await reader(server, phone, '王读者');
    const page = await phone.newPage();
    await withScreenshots(phone, 'lending-pdf', async () => {
      await page.goto(`${server.url}/lend/${pdfId}`);
      await page.getByRole('heading', { name: '半月谈 第23期' }).waitFor();
      await page.getByRole('button', { name: '借阅 14 天' }).click();
      await page.waitForURL(/\/read\//);
      await expect.poll(() => page.getByTestId('reader-page').textContent(), { timeout: 20_000 }).toBe('1 / 1');
      expect(await page.getByRole('img', { name: '第 1 / 1 页' }).evaluate((c) => (c as unknown as { width: number }).width)).toBeGreaterThan(100);
      await expect.poll(() => page.getByTestId('reader-saved').textContent(), { timeout: 10_000 }).toBe('已同步进度 100%');
    });
    await phone.close();
  });
  it('a librarian adds an EPUB on the admin page, sees it lent out and queued, adds a copy for the queue, and withdraws it', async () => {
    const desk = await desktopContext(browser, 'en-US');
    const page = await desk.newPage();
    const title = `Border Town ${uniqueSuffix()}`;
    await withScreenshots(desk, 'lending-admin', async () => {
      await signInEnglish(page, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.goto(`${server.url}/admin/lending`);
      const file = page.getByLabel('File (EPUB or PDF)');
      const add = page.getByRole('button', { name: 'Add to the catalogue' });
      // Refused before a byte is sent: not a book; a PDF with no title.
      await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await add.click();
      await page.getByText('Only EPUB and PDF files can be lent').waitFor();
      await file.setInputFiles({ name: 'issue.pdf', mimeType: 'application/pdf', buffer: Buffer.from(buildPdf()) });
      await add.click();
      await page.getByText('A PDF needs a title').waitFor();
      // Refused by the server, in the page's language: an .epub that is no zip.
      await file.setInputFiles({ name: 'broken.epub', mimeType: '', buffer: Buffer.from('PK not really a zip') });
      await add.click();
      await page.getByText('This is not a readable EPUB (ZIP) file.').waitFor();
      // A book with a script in it goes in cleaned, and the page says so.
      const epub = buildEpub({ title, chapter: '<p>Chapter one.</p><script>alert(1)</script><p onclick="steal()">Two.</p>' });
      await file.setInputFiles({ name: 'border-town.epub', mimeType: '', buffer: Buffer.from(epub) });
      await page.getByLabel('Copies lent at once').fill('1');
      await page.getByLabel('Loan length (days)').fill('21');
      await add.click();
      await page.getByText(new RegExp(`“${title}” is in the catalogue; \\d+ unsafe parts were removed from it.`)).waitFor({ timeout: 20_000 });
      const row = page.getByTestId('lending-title').filter({ hasText: title });
      await expect.poll(() => row.getByTestId('lending-circulation').textContent()).toBe('0 of 1 out · 0 waiting');
      expect(await row.textContent()).toContain('21-day loans');

      // Two readers: one loan, one hold.
      const { titles } = (await (await fetch(`${server.url}/api/lending/titles?limit=200`)).json()) as { titles: { id: string; title: string }[] };
      const id = titles.find((x) => x.title === title)!.id;
      const readers = await Promise.all([phoneContext(browser, 'en-US'), phoneContext(browser, 'en-US')]);
      const outcomes: string[] = [];
      for (const [i, r] of readers.entries()) {
        await reader(server, r, `Reader ${i}`);
        const res = await r.request.post(`${server.url}/api/lending/titles/${id}/borrow`, { data: {} });
        outcomes.push(((await res.json()) as { outcome: string }).outcome);
      }
      expect(outcomes).toEqual(['loan', 'hold']);
      await page.reload();
      await expect.poll(() => row.getByTestId('lending-circulation').textContent()).toBe('1 of 1 out · 1 waiting');

      // A second copy: it goes to the reader in the queue at once, as an offer.
      await row.getByRole('button', { name: 'Licence…' }).click();
      const form = page.getByRole('form', { name: `Licence of “${title}”` });
      await form.getByLabel('Copies lent at once').fill('0');
      await form.getByRole('button', { name: 'Save the licence' }).click();
      await form.getByText('Copies, days and loans are whole numbers of 1 or more').waitFor();
      await form.getByLabel('Copies lent at once').fill('2');
      await form.getByRole('button', { name: 'Save the licence' }).click();
      await form.waitFor({ state: 'detached' });
      const shelf = (await (await readers[1]!.request.get(`${server.url}/api/me/loans`)).json()) as { holds: { titleId: string; status: string }[] };
      expect(shelf.holds.find((h) => h.titleId === id)?.status).toBe('offered');
      await expect.poll(() => row.getByTestId('lending-circulation').textContent()).toBe('1 of 2 out · 1 waiting');
      await screenshot(page, 'lending-admin');

      // Withdrawn: gone from the catalogue, the loan runs on, listed under "Withdrawn only".
      await row.getByRole('button', { name: 'Licence…' }).click();
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Withdraw from lending' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await fetch(`${server.url}/api/lending/titles/${id}`)).status).toBe(404);
      const loans = (await (await readers[0]!.request.get(`${server.url}/api/me/loans`)).json()) as { loans: { titleId: string; status: string }[] };
      expect(loans.loans.find((l) => l.titleId === id)?.status).toBe('active');
      await page.getByLabel('Show').selectOption('only');
      await expect.poll(() => row.textContent()).toContain('withdrawn');
      for (const r of readers) await r.close();
    });
    await desk.close();
  });
});
