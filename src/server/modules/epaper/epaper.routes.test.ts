import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminEdition, Edition, EditionSummary, EpaperPage, ImportZonesReply } from '../../../contracts/epaper.js';
import { jobRegistry } from '../../jobs/registry.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { insertForm, insertStory } from '../kitchen/testing/fixtures.js';
import { buildNewspaperPdf, pagesOf, type PdfPageSpec } from './testing/fixtures.js';

// 10:00 in Beijing on 1 December 2026.
const clock = fixedClock('2026-12-01T02:00:00Z');
const TODAY = '2026-12-01';

let ctx: TestContext;
let chief: { cookie: string; user: { id: string } };
let reader: { cookie: string };
let editor: { cookie: string };

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  chief = await staff(ctx, ['chief_editor']);
  editor = await staff(ctx, ['editor']);
  reader = await signUp(ctx.app);
}, 60_000);
afterAll(() => ctx?.close());

let seq = 0;
function upload(
  bytes: Uint8Array,
  opts: { date?: string; title?: string; labels?: string; cookie?: string; type?: string; headers?: Record<string, string> } = {},
) {
  seq += 1;
  const query = new URLSearchParams({ date: opts.date ?? TODAY, title: opts.title ?? `人民日报 ${seq}`, ...(opts.labels ? { labels: opts.labels } : {}) });
  return ctx.app.inject({
    method: 'POST',
    url: `/api/admin/epaper/editions?${query}`,
    headers: { cookie: opts.cookie ?? chief.cookie, 'content-type': opts.type ?? 'application/pdf', 'accept-language': 'en', ...opts.headers },
    payload: Buffer.from(bytes),
  });
}
const render = (editionId: string, isLastAttempt = false) =>
  jobRegistry['epaper.render'].handle({ editionId }, ctx.runtime.services, { jobId: 'test', attempt: 1, isLastAttempt });
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: { cookie: string } | null, payload?: object) =>
  ctx.app.inject({ method, url, headers: { 'accept-language': 'en', ...(who ? { cookie: who.cookie } : {}) }, ...(payload ? { payload } : {}) });
const adminGet = async (id: string) => (await call('GET', `/api/admin/epaper/editions/${id}`, chief)).json<AdminEdition>();

/** An uploaded and rendered edition. */
async function readyEdition(pages: PdfPageSpec[] = pagesOf(2), opts: { date?: string; title?: string; labels?: string } = {}): Promise<AdminEdition> {
  const res = await upload(buildNewspaperPdf(pages), opts);
  expect(res.statusCode, res.body).toBe(202);
  await render(res.json<AdminEdition>().id);
  const e = await adminGet(res.json<AdminEdition>().id);
  expect(e.status).toBe('ready');
  return e;
}

describe('uploading and rendering', () => {
  it('answers 202 at once, and the job renders every page at 1600 px with a thumbnail', async () => {
    const res = await upload(buildNewspaperPdf(pagesOf(2)), { title: '人民日报', labels: '第01版 要闻|' });
    expect(res.statusCode).toBe(202);
    const e = res.json<AdminEdition>();
    expect(e).toMatchObject({ status: 'processing', date: TODAY, title: '人民日报', pageCount: 2, pages: [], error: null, publishedAt: null });

    await render(e.id);
    const ready = await adminGet(e.id);
    expect(ready.status).toBe('ready');
    expect(ready.pages.map((p) => [p.number, p.label])).toEqual([
      [1, '第01版 要闻'],
      [2, '第02版'],
    ]);
    // A4 is 210 × 297 mm: 1600 px wide is about 2263 px tall.
    for (const p of ready.pages) {
      expect(p).toMatchObject({ width: 1600, contentType: 'image/webp', zones: [] });
      expect(Math.abs(p.height - 2263)).toBeLessThanOrEqual(2);
      const img = await call('GET', p.imageUrl, chief);
      expect(img.statusCode).toBe(200);
      expect(img.headers['content-type']).toBe('image/webp');
      expect(await sharp(img.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 1600, height: p.height });
      const thumb = await call('GET', p.thumbUrl, chief);
      expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320 });
    }
    expect(ready.coverUrl).toBe(ready.pages[0]!.thumbUrl);

    // Running the job again changes nothing.
    await render(e.id);
    expect((await adminGet(e.id)).pages).toHaveLength(2);
    // The same newspaper and date again is refused.
    const again = await upload(buildNewspaperPdf(pagesOf(1)), { title: '人民日报' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('epaper.edition_exists');
  });

  it('refuses hostile, oversized, broken and odd PDFs with a 422 and its code, before any job', async () => {
    const hostile = await upload(buildNewspaperPdf(pagesOf(1), { extra: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>' }));
    expect(hostile.statusCode).toBe(422);
    expect(hostile.json().error).toMatchObject({ code: 'pdf.active_content', details: { found: ['/JavaScript', '/JS'] } });

    const launch = await upload(buildNewspaperPdf(pagesOf(1), { extra: '/OpenAction << /S /Launch /F (calc.exe) >>' }));
    expect(launch.json().error.code).toBe('pdf.active_content');

    const tooMany = await upload(buildNewspaperPdf(pagesOf(65)));
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.code).toBe('epaper.too_many_pages');
    expect(tooMany.json().error.message).toContain('65');
    // 64 is the limit itself.
    const sixtyFour = await upload(buildNewspaperPdf(pagesOf(64)));
    expect(sixtyFour.statusCode).toBe(202);

    const huge = await upload(buildNewspaperPdf(pagesOf(1)), { headers: { 'content-length': String(201 * 1024 * 1024) } });
    expect(huge.statusCode).toBe(422);
    expect(huge.json().error.code).toBe('pdf.too_large');

    const broken = await upload(new TextEncoder().encode('%PDF-1.4\nnot really a pdf\n%%EOF\n'));
    expect(broken.statusCode).toBe(422);
    expect(broken.json().error.code).toBe('epaper.pdf_unreadable');

    const notPdf = await upload(new TextEncoder().encode('hello'));
    expect(notPdf.json().error.code).toBe('pdf.not_pdf');

    const ribbon = await upload(buildNewspaperPdf([{ widthMm: 50, heightMm: 1000 }]));
    expect(ribbon.statusCode).toBe(422);
    expect(ribbon.json().error.code).toBe('epaper.page_shape');

    const wrongType = await upload(buildNewspaperPdf(pagesOf(1)), { type: 'application/octet-stream' });
    expect(wrongType.statusCode).toBe(415);

    const nothing = (await call('GET', '/api/admin/epaper/editions?status=processing', chief)).json<{ editions: AdminEdition[] }>().editions;
    expect(nothing.filter((e) => e.pageCount === 65)).toEqual([]);
  });

  it('is for chief editors and admins only', async () => {
    expect((await upload(buildNewspaperPdf(pagesOf(1)), { cookie: reader.cookie })).statusCode).toBe(403);
    expect((await upload(buildNewspaperPdf(pagesOf(1)), { cookie: editor.cookie })).statusCode).toBe(403);
    expect((await call('GET', '/api/admin/epaper/editions', null)).statusCode).toBe(401);
    expect((await call('GET', '/api/admin/epaper/editions', reader)).statusCode).toBe(403);
  });

  it('marks the edition failed with a readable reason when the render cannot read the file', async () => {
    const res = await upload(buildNewspaperPdf(pagesOf(1)));
    const e = res.json<AdminEdition>();
    // The stored PDF vanishes before the worker gets to it.
    await ctx.runtime.services.storage.deletePrefix(`epaper/${e.id}`);
    await render(e.id);
    const failed = await adminGet(e.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('epaper.pdf_unreadable');
    expect(failed.error?.message).toMatch(/^This PDF cannot be read \(pdfinfo: .+\)/);
    const pub = await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, chief);
    expect(pub.statusCode).toBe(409);
    expect(pub.json().error.code).toBe('epaper.not_ready');
  });
});

describe('zones drawn by staff', () => {
  let page: EpaperPage;
  beforeAll(async () => {
    page = (await readyEdition(pagesOf(1))).pages[0]!;
  });
  const put = (zones: object[], who: { cookie: string } = chief) => call('PUT', `/api/admin/epaper/pages/${page.id}/zones`, who, { zones });
  const zone = (o: object = {}) => ({ x: 0.1, y: 0.1, w: 0.4, h: 0.3, headline: '两会开幕', ...o });

  it('refuses a rectangle outside the page, naming the field', async () => {
    for (const [bad, path] of [
      [{ x: 1.2 }, '/zones/0/x'],
      [{ y: -0.1 }, '/zones/0/y'],
      [{ w: 0 }, '/zones/0/w'],
      [{ x: 0.7, w: 0.4 }, '/zones/0/w'],
      [{ y: 0.8, h: 0.3 }, '/zones/0/h'],
      [{ headline: '' }, '/zones/0/headline'],
      [{ headline: '长'.repeat(201) }, '/zones/0/headline'],
    ] as const) {
      const res = await put([zone(bad)]);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('request.invalid');
      expect((res.json().error.details as { path: string }[]).map((d) => d.path)).toContain(path);
    }
    const tooMany = await put(Array.from({ length: 201 }, () => zone()));
    expect(tooMany.statusCode).toBe(400);
    const unknownStory = await put([zone(), zone({ storyId: '00000000-0000-4000-8000-000000000001' })]);
    expect(unknownStory.statusCode).toBe(400);
    expect(unknownStory.json().error).toMatchObject({ code: 'epaper.story_unknown', details: { field: 'zones/1/storyId' } });
    expect((await put([zone()], editor)).statusCode).toBe(403);
  });

  it('replaces the list, keeps a zone’s source by its id, and links a story once its web page is up', async () => {
    const story = await insertStory(ctx.runtime.services.database.db, { authorId: chief.user.id, headline: '两会开幕' });
    const first = await put([zone({ storyId: story.id, text: '第十四届全国人大……' }), zone({ x: 0.5, w: 0.5, headline: '天气' })]);
    expect(first.statusCode).toBe(200);
    const p = first.json<EpaperPage>();
    expect(p.zones).toHaveLength(2);
    expect(p.zones[0]).toMatchObject({ x: 0.1, y: 0.1, w: 0.4, h: 0.3, headline: '两会开幕', storyId: story.id, source: 'drawn', url: null });
    expect(p.zones[1]).toMatchObject({ x: 0.5, w: 0.5, storyId: null, url: null });

    await insertForm(ctx.runtime.services.database.db, {
      storyId: story.id,
      form: 'web',
      status: 'published',
      content: { headline: '两会开幕', standfirst: '', bodyHtml: '' },
    });
    const second = (await put([{ ...zone({ id: p.zones[0]!.id, storyId: story.id }), y: 0.2 }])).json<EpaperPage>();
    expect(second.zones).toHaveLength(1);
    expect(second.zones[0]).toMatchObject({ id: p.zones[0]!.id, y: 0.2, url: `http://paike.test/stories/${story.id}` });
    expect((await put([])).json<EpaperPage>().zones).toEqual([]);
  });
});

describe('publishing and who sees what', () => {
  it('hides an edition, its pages and images from everyone but staff until it is published', async () => {
    const e = await readyEdition(pagesOf(2), { title: '光明日报' });
    const img = e.pages[0]!.imageUrl;
    expect((await call('GET', `/api/epaper/editions/${e.id}`, null)).statusCode).toBe(404);
    expect((await call('GET', `/api/epaper/editions/${e.id}`, reader)).statusCode).toBe(404);
    for (const who of [null, reader, editor]) {
      const res = await call('GET', img, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('epaper.page_not_found');
    }
    const staffImg = await call('GET', img, chief);
    expect(staffImg.statusCode).toBe(200);
    expect(staffImg.headers['cache-control']).toBe('private, no-store');
    const before = (await call('GET', `/api/epaper/days/${TODAY}`, null)).json<{ editions: Edition[] }>().editions;
    expect(before.find((x) => x.id === e.id)).toBeUndefined();

    expect((await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, reader)).statusCode).toBe(403);
    const pub = await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, chief);
    expect(pub.statusCode).toBe(200);
    expect(pub.json<AdminEdition>()).toMatchObject({ status: 'published', publishedAt: clock.now().toISOString() });
    expect((await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, chief)).statusCode).toBe(200);

    const open = await call('GET', img, null);
    expect(open.statusCode).toBe(200);
    expect(open.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const pubEdition = (await call('GET', `/api/epaper/editions/${e.id}`, null)).json<Edition>();
    expect(pubEdition.pages.map((p) => p.label)).toEqual(['第01版', '第02版']);

    const latest = await call('GET', `/api/epaper/latest?title=${encodeURIComponent('光明日报')}`, null);
    expect(latest.json()).toMatchObject({ today: TODAY, isToday: true, edition: { id: e.id, title: '光明日报', pageCount: 2 } });
    const day = (await call('GET', `/api/epaper/days/${TODAY}?title=${encodeURIComponent('光明日报')}`, null)).json<{ editions: Edition[] }>();
    expect(day.editions.map((x) => x.id)).toEqual([e.id]);
    const list = (await call('GET', '/api/epaper/editions', null)).json<{ editions: EditionSummary[] }>().editions;
    expect(list.find((x) => x.id === e.id)).toMatchObject({ date: TODAY, coverUrl: e.pages[0]!.thumbUrl });
    expect((await call('GET', '/api/epaper/days/2026-02-30', null)).statusCode).toBe(400);
  });

  it('gives the latest edition dated today or before, never one dated in the future', async () => {
    const title = '参考消息';
    const old = await readyEdition(pagesOf(1), { title, date: '2026-11-28' });
    const future = await readyEdition(pagesOf(1), { title, date: '2026-12-02' });
    expect((await call('GET', `/api/epaper/latest?title=${encodeURIComponent(title)}`, null)).statusCode).toBe(404);
    for (const e of [old, future]) await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, chief);
    const latest = (await call('GET', `/api/epaper/latest?title=${encodeURIComponent(title)}`, null)).json();
    expect(latest).toMatchObject({ isToday: false, edition: { id: old.id, date: '2026-11-28' } });
  });

  it('deletes an edition with its files', async () => {
    const e = await readyEdition(pagesOf(1));
    await call('POST', `/api/admin/epaper/editions/${e.id}/publish`, chief);
    expect((await call('DELETE', `/api/admin/epaper/editions/${e.id}`, reader)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/admin/epaper/editions/${e.id}`, chief)).statusCode).toBe(204);
    expect((await call('GET', `/api/epaper/editions/${e.id}`, null)).statusCode).toBe(404);
    expect((await call('GET', e.pages[0]!.imageUrl, null)).statusCode).toBe(404);
    expect(await ctx.runtime.services.storage.list(`epaper/${e.id}`)).toEqual([]);
    expect((await call('DELETE', `/api/admin/epaper/editions/${e.id}`, chief)).statusCode).toBe(404);
    const audit = await ctx.runtime.services.database.sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`, [e.id]);
    expect(audit.rows.map((r) => r.action).sort()).toEqual(['epaper.delete', 'epaper.publish', 'epaper.upload']);
  });
});

describe('zones from the central kitchen’s print forms', () => {
  // Paike's default newspaper: A3 (297 × 420 mm), 3 mm bleed, 15 mm margins, 6 columns, 4 mm gutter.
  // A page rendered by Paike is the bleed box, 303 × 426 mm; the type area starts 18 mm in.
  const W = 303;
  const H = 426;
  const col = (267 - 5 * 4) / 6;
  const colX = (k: number) => 18 + k * (col + 4);
  const DATE = '2026-11-30';

  it('places each planned block by its headline, snapped to the grid, and lists what it cannot find', async () => {
    const db = ctx.runtime.services.database.db;
    const form = async (headline: string, columns: number, page: string, date = DATE) => {
      const s = await insertStory(db, { authorId: chief.user.id, headline });
      await insertForm(db, {
        storyId: s.id,
        form: 'print',
        status: 'published',
        content: { headline, standfirst: '', bodyHtml: '', columns, edition: date, page, imageIds: [] },
      });
      return s.id;
    };
    const lead = await form('Spring Festival rush begins', 3, 'A1');
    const market = await form('Night market reopens', 3, '第1版');
    const below = await form('River cleanup finished', 6, '1');
    const missing = await form('A story that did not make the page', 2, 'A1');
    await form('Another day entirely', 2, 'A1', '2026-11-29');
    await form('Page two lead', 2, 'A2');

    const e = await readyEdition(
      [
        {
          widthMm: W,
          heightMm: H,
          texts: [
            { xMm: colX(0) + 1, yMm: 30, size: 28, text: 'Spring Festival rush begins' },
            { xMm: colX(0), yMm: 60, size: 10, text: 'Body text of the lead, which quotes Night market reopens in passing.' },
            { xMm: colX(3), yMm: 31, size: 22, text: 'Night market reopens' },
            { xMm: colX(0), yMm: 200, size: 24, text: 'River cleanup finished' },
          ],
        },
        { widthMm: W, heightMm: H },
      ],
      { date: DATE },
    );
    const page = e.pages[0]!;
    // A drawn zone is kept through the import.
    await call('PUT', `/api/admin/epaper/pages/${page.id}/zones`, chief, { zones: [{ x: 0.8, y: 0.9, w: 0.1, h: 0.05, headline: '广告' }] });

    const res = await call('POST', `/api/admin/epaper/pages/${page.id}/zones/import`, chief, {});
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<ImportZonesReply>();
    expect(r.placed.map((p) => p.storyId).sort()).toEqual([lead, market, below].sort());
    expect(r.unplaced).toEqual([{ storyId: missing, headline: 'A story that did not make the page', columns: 2, reason: 'not_found' }]);

    const byStory = new Map(r.page.zones.map((z) => [z.storyId, z]));
    const near = (a: number, b: number, tol = 0.006) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);
    const leadZ = byStory.get(lead)!;
    near(leadZ.x, colX(0) / W, 0.0001);
    near(leadZ.w, (3 * col + 2 * 4) / W, 0.0001);
    near(leadZ.y, 30 / H);
    // Down to the next block below it in the same columns: the river story.
    near(leadZ.y + leadZ.h, 200 / H);
    const marketZ = byStory.get(market)!;
    near(marketZ.x, colX(3) / W, 0.0001);
    near(marketZ.y, 31 / H);
    // The river story spans all six columns, so the market block also stops above it.
    near(marketZ.y + marketZ.h, 200 / H);
    const riverZ = byStory.get(below)!;
    near(riverZ.w, 267 / W, 0.0001);
    // To the foot of the type area.
    near(riverZ.y + riverZ.h, (H - 3 - 15) / H, 0.0001);
    for (const z of [leadZ, marketZ, riverZ]) expect(z).toMatchObject({ source: 'print_form', url: null });
    expect(r.page.zones.filter((z) => z.source === 'drawn').map((z) => z.headline)).toEqual(['广告']);

    // Again: the print-form zones are replaced, not doubled.
    const again = (await call('POST', `/api/admin/epaper/pages/${page.id}/zones/import`, chief, {})).json<ImportZonesReply>();
    expect(again.page.zones).toHaveLength(4);

    // Page 2 has a form planned ("A2") but its page has no text (a scan): nothing can be placed.
    const p2 = await call('POST', `/api/admin/epaper/pages/${e.pages[1]!.id}/zones/import`, chief, {});
    expect(p2.json<ImportZonesReply>().unplaced.map((u) => u.reason)).toEqual(['no_text']);
    // A page no form names.
    const none = await call('POST', `/api/admin/epaper/pages/${e.pages[1]!.id}/zones/import`, chief, { page: 'C7' });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.code).toBe('epaper.print_forms_none');
    expect((await call('POST', `/api/admin/epaper/pages/${page.id}/zones/import`, editor, {})).statusCode).toBe(403);
  });
});
