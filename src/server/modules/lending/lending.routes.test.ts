import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminTitle, Hold, LendingTitle, Loan, OpdsFeed } from '../../../contracts/lending.js';
import { jobRegistry } from '../../jobs/registry.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { buildEpub, buildPdf } from './testing/fixtures.js';

const clock = fixedClock('2026-12-01T02:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let ctx: TestContext;
let chief: { cookie: string };
const readers: { cookie: string; user: { id: string } }[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  chief = await staff(ctx, ['chief_editor']);
  for (let i = 0; i < 4; i++) readers.push(await signUp(ctx.app));
});
afterAll(() => ctx?.close());

const reader = (i: number) => () => readers[i]!;
const [A, B, C, D] = [reader(0), reader(1), reader(2), reader(3)];

let seq = 0;
function upload(bytes: Uint8Array, opts: { type?: string; query?: Record<string, string>; cookie?: string } = {}) {
  const query = new URLSearchParams(opts.query ?? {}).toString();
  return ctx.app.inject({
    method: 'POST',
    url: `/api/admin/lending/titles${query ? `?${query}` : ''}`,
    headers: { cookie: opts.cookie ?? chief.cookie, 'content-type': opts.type ?? 'application/epub+zip', 'accept-language': 'zh-CN' },
    payload: Buffer.from(bytes),
  });
}
/** A listed EPUB with its own bytes, under the licence given. */
async function title(licence: Record<string, string> = {}): Promise<AdminTitle> {
  seq += 1;
  const res = await upload(buildEpub({ title: `人民日报 第${seq}期` }), { query: { kind: 'periodical', ...licence } });
  expect(res.statusCode).toBe(201);
  return res.json<AdminTitle>();
}
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: { cookie: string }, payload?: object) =>
  ctx.app.inject({ method, url, headers: { cookie: who.cookie }, ...(payload ? { payload } : {}) });
const borrow = (id: string, who: { cookie: string }) => call('POST', `/api/lending/titles/${id}/borrow`, who);
const shelf = async (who: { cookie: string }) => (await call('GET', '/api/me/loans', who)).json<{ loans: Loan[]; holds: Hold[] }>();
/** The reader's "a copy is yours" notices, as their phone lists them (in Chinese). */
const offerNotices = async (who: { cookie: string }) =>
  (await ctx.app.inject({ url: '/api/me/notices', headers: { cookie: who.cookie, 'accept-language': 'zh-CN' } }))
    .json<{ notices: { kind: string; text: string; params: Record<string, unknown> }[] }>()
    .notices.filter((n) => n.kind === 'lending_offered');
const sweep = () => jobRegistry['lending.expire'].handle({}, ctx.runtime.services, { jobId: 'test', attempt: 1, isLastAttempt: false });
const token = async (loanId: string, who: { cookie: string }) => {
  const res = await call('POST', `/api/lending/loans/${loanId}/token`, who);
  expect(res.statusCode).toBe(200);
  return res.json<{ url: string; expiresAt: string; contentType: string }>();
};

describe('uploading titles', () => {
  it('catalogues a clean EPUB with its metadata and a re-encoded cover; readers see it, only staff upload', async () => {
    const png = await sharp({ create: { width: 300, height: 450, channels: 3, background: '#b22' } })
      .png()
      .toBuffer();
    const epub = buildEpub({ title: '边城', cover: new Uint8Array(png) });
    expect((await upload(epub, { cookie: A().cookie })).statusCode).toBe(403);

    const res = await upload(epub, { query: { copies: '2', description: '沈从文的中篇小说' } });
    expect(res.statusCode).toBe(201);
    const t = res.json<AdminTitle>();
    expect(t).toMatchObject({ title: '边城', author: '沈从文', language: 'zh-CN', format: 'epub', kind: 'book', contentType: 'application/epub+zip' });
    expect(t.licence).toMatchObject({ copies: 2, loanDays: 14, maxLoans: null, loansUsed: 0 });
    expect(t.coverUrl).toBe(`/api/lending/titles/${t.id}/cover`);
    expect((await upload(epub)).json().error.code).toBe('lending.title_exists');

    const cover = await ctx.app.inject({ url: t.coverUrl! });
    expect(cover.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(cover.rawPayload).metadata()).height).toBe(450);

    const list = (await ctx.app.inject({ url: '/api/lending/titles' })).json<{ titles: LendingTitle[] }>().titles;
    expect(list.find((x) => x.id === t.id)?.availability).toEqual({ state: 'available', copies: 2, available: 2, holds: 0, loanDays: 14 });
  });

  it('stores a hostile EPUB cleaned: the borrowed file has no script left', async () => {
    const res = await upload(buildEpub({ title: '不速之客', chapter: '<script>steal()</script><p onclick="x()">正文</p>' }));
    expect(res.statusCode).toBe(201);
    const t = res.json<AdminTitle>();
    expect(t.neutralised).toMatchObject({ scripts: 1, eventHandlers: 1 });
    const loan = (await borrow(t.id, D())).json<{ loan: Loan }>().loan;
    const file = await ctx.app.inject({ url: (await token(loan.id, D())).url });
    expect(file.statusCode).toBe(200);
    const page = new TextDecoder().decode(unzipSync(new Uint8Array(file.rawPayload))['OEBPS/c1.xhtml']);
    expect(page).toContain('正文');
    expect(page).not.toMatch(/<script|onclick/i);
  });

  it('refuses zip bombs, path traversal and PDFs with JavaScript with 422 and the refusal code', async () => {
    const bomb = await upload(buildEpub({ title: '炸弹', extra: { 'OEBPS/zeros.bin': new Uint8Array(20 * 1024 * 1024) } }));
    expect(bomb.statusCode).toBe(422);
    expect(bomb.json().error).toMatchObject({ code: 'epub.zip_bomb', message: expect.stringContaining('压缩炸弹') });
    const traversal = await upload(buildEpub({ title: '越界', extra: { '../evil.sh': 'x' } }));
    expect([traversal.statusCode, traversal.json().error.code]).toEqual([422, 'epub.unsafe_path']);

    const js = await upload(buildPdf('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>'), { type: 'application/pdf', query: { title: '脚本' } });
    expect([js.statusCode, js.json().error.code]).toEqual([422, 'pdf.active_content']);
    expect(js.json().error.details.found).toContain('/JavaScript');

    expect((await upload(buildPdf(), { type: 'application/pdf' })).json().error.code).toBe('lending.title_required');
    const pdf = await upload(buildPdf(), { type: 'application/pdf', query: { title: '半月谈', kind: 'periodical' } });
    expect(pdf.json<AdminTitle>()).toMatchObject({ format: 'pdf', coverUrl: null, contentType: 'application/pdf' });
    const wrongType = await upload(new TextEncoder().encode('{}'), { type: 'application/json' });
    expect([wrongType.statusCode, wrongType.json().error.code]).toEqual([415, 'lending.file_type']);
  });
});

describe('borrowing, holds and the queue', () => {
  it('lends the free copy, queues the rest with positions and waits, and offers a returned copy for 48 hours', async () => {
    const t = await title({ loanDays: '2' });
    const first = await borrow(t.id, A());
    expect(first.statusCode).toBe(201);
    const loan = first.json<{ outcome: 'loan'; loan: Loan }>().loan;
    expect(Date.parse(loan.dueAt) - clock.now().getTime()).toBe(2 * DAY);

    const b = await borrow(t.id, B());
    expect(b.statusCode).toBe(202);
    expect(b.json()).toMatchObject({ outcome: 'hold', position: 1, estimatedWaitDays: 2, hold: { status: 'waiting' } });
    expect((await borrow(t.id, C())).json()).toMatchObject({ outcome: 'hold', position: 2, estimatedWaitDays: 4 });
    // Asking again changes nothing.
    expect((await borrow(t.id, B())).json()).toMatchObject({ outcome: 'hold', position: 1 });
    const listed = (await ctx.app.inject({ url: `/api/lending/titles/${t.id}`, headers: { cookie: C().cookie } })).json();
    expect(listed.title.availability).toMatchObject({ state: 'unavailable', available: 0, holds: 2 });
    expect(listed.mine).toMatchObject({ loan: null, hold: { position: 2 } });

    clock.advance(HOUR);
    expect((await call('POST', `/api/lending/loans/${loan.id}/return`, A())).json().loan.status).toBe('returned');
    const offered = (await shelf(B())).holds[0]!;
    expect(offered.status).toBe('offered');
    expect(Date.parse(offered.offerExpiresAt!) - clock.now().getTime()).toBe(48 * HOUR);
    // B is told, once, with the title and until when in Beijing time (02:00Z + 1 h + 48 h = 12-03 11:00); C, still waiting, is not.
    const [told] = await offerNotices(B());
    expect(told).toMatchObject({ params: { titleId: t.id } });
    expect(told!.text).toContain(t.title);
    expect(told!.text).toContain('12-03 11:00');
    expect(await offerNotices(C())).toEqual([]);
    // The copy is B's: A, back again, queues behind C.
    expect((await borrow(t.id, A())).json()).toMatchObject({ outcome: 'hold', position: 2 });
    expect((await call('POST', `/api/lending/holds/${(await shelf(C())).holds[0]!.id}/accept`, C())).json().error.code).toBe('lending.hold_not_offered');

    const accepted = await call('POST', `/api/lending/holds/${offered.id}/accept`, B());
    expect(accepted.statusCode).toBe(201);
    const bLoan = accepted.json<{ loan: Loan }>().loan;
    expect(bLoan.status).toBe('active');
    expect((await shelf(B())).holds).toEqual([]);

    // B returns; C is offered and lets the offer lapse: after 48 hours the sweep offers it to A.
    await call('POST', `/api/lending/loans/${bLoan.id}/return`, B());
    expect((await shelf(C())).holds[0]!.status).toBe('offered');
    clock.advance(48 * HOUR + 60_000);
    await sweep();
    expect((await shelf(C())).holds).toEqual([]);
    expect((await shelf(A())).holds[0]!.status).toBe('offered');
    expect(await offerNotices(C())).toHaveLength(1);
    expect(await offerNotices(A())).toHaveLength(1);
    expect(await offerNotices(B())).toHaveLength(1);
    // A declines: nobody is left, so the copy is free again.
    await call('DELETE', `/api/lending/holds/${(await shelf(A())).holds[0]!.id}`, A());
    expect((await borrow(t.id, D())).statusCode).toBe(201);
  });

  it('gives the last copy to one of the readers racing for it, and queues the others in order', async () => {
    const t = await title();
    const results = await Promise.all(readers.map((r) => borrow(t.id, r)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 202, 202, 202]);
    expect(results.flatMap((r) => (r.statusCode === 202 ? [r.json().position] : [])).sort()).toEqual([1, 2, 3]);
    const stats = (await ctx.app.inject({ url: `/api/lending/titles/${t.id}` })).json().title.availability;
    expect(stats).toMatchObject({ copies: 1, available: 0, holds: 3 });
  });

  it('refuses borrowing once the licence’s checkouts are used up', async () => {
    const t = await title({ maxLoans: '1' });
    expect((await borrow(t.id, A())).statusCode).toBe(201);
    expect((await borrow(t.id, B())).json().error.code).toBe('lending.licence_ended');
  });
});

describe('reading: file tokens and positions', () => {
  it('serves the file under a sandbox to a token, and answers 403 to forged or expired tokens and after the loan expires', async () => {
    const t = await title({ loanDays: '1' });
    const loan = (await borrow(t.id, A())).json<{ loan: Loan }>().loan;
    const { url, contentType } = await token(loan.id, A());
    expect((await call('POST', `/api/lending/loans/${loan.id}/token`, B())).statusCode).toBe(404);

    const file = await ctx.app.inject({ url });
    expect(file.statusCode).toBe(200);
    expect(contentType).toBe('application/epub+zip');
    expect(file.headers).toMatchObject({
      'content-type': 'application/epub+zip',
      'content-security-policy': "sandbox; default-src 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
    const forged = url.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect([(await ctx.app.inject({ url: forged })).statusCode, (await ctx.app.inject({ url: forged })).json().error.code]).toEqual([
      403,
      'lending.token_invalid',
    ]);
    clock.advance(11 * 60_000);
    expect((await ctx.app.inject({ url })).json().error.code).toBe('lending.token_invalid');

    // A link opened four minutes before the loan is due stops working when the loan expires.
    clock.advance(DAY - 15 * 60_000);
    const fresh = await token(loan.id, A());
    expect((await ctx.app.inject({ url: fresh.url })).statusCode).toBe(200);
    clock.advance(5 * 60_000);
    await sweep();
    expect((await shelf(A())).loans.find((l) => l.id === loan.id)?.status).toBe('expired');
    const gone = await ctx.app.inject({ url: fresh.url });
    expect([gone.statusCode, gone.json().error.code]).toEqual([403, 'lending.loan_ended']);
  });

  it('keeps the newest position across devices and refuses an older one', async () => {
    const t = await title();
    const loan = (await borrow(t.id, B())).json<{ loan: Loan }>().loan;
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const url = `/api/lending/loans/${loan.id}/position`;
    const kiosk = { locator: 'epubcfi(/6/4!/4/2)', progress: 0.4, updatedAt: at(0), device: '大厅阅报栏' };
    expect((await call('PUT', url, B(), kiosk)).statusCode).toBe(200);
    const stale = await call('PUT', url, B(), { locator: 'epubcfi(/6/2)', progress: 0.1, updatedAt: at(-60_000), device: 'phone' });
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'lending.position_stale']);
    expect(stale.json().error.details.position).toEqual(kiosk);
    const later = { ...kiosk, progress: 0.5, updatedAt: at(1000), device: 'phone' };
    expect((await call('PUT', url, B(), later)).statusCode).toBe(200);
    expect((await call('GET', url, B())).json().position).toEqual(later);
    expect((await call('GET', url, A())).statusCode).toBe(404);
    // Borrowed again later, the book opens where it was left.
    await call('POST', `/api/lending/loans/${loan.id}/return`, B());
    const again = (await borrow(t.id, B())).json<{ loan: Loan }>().loan;
    expect(again.position).toEqual(later);
  });
});

describe('OPDS', () => {
  it('lists the catalogue as an OPDS 2.0 feed with borrow links and availability', async () => {
    const t = await title({ copies: '3' });
    await borrow(t.id, C());
    const res = await ctx.app.inject({ url: '/opds/lending.json' });
    expect(res.headers['content-type']).toMatch(/^application\/opds\+json/);
    const feed = res.json<OpdsFeed>();
    expect(feed.links).toContainEqual({ rel: 'self', href: 'http://paike.test/opds/lending.json', type: 'application/opds+json' });
    const pub = feed.publications.find((p) => p.metadata.identifier === `urn:uuid:${t.id}`)!;
    expect(pub.metadata).toMatchObject({ '@type': 'http://schema.org/Periodical', title: t.title, author: '沈从文', language: 'zh-CN' });
    expect(pub.links[0]).toEqual({
      rel: 'http://opds-spec.org/acquisition/borrow',
      href: `http://paike.test/api/lending/titles/${t.id}/borrow`,
      type: 'application/epub+zip',
      properties: { availability: { state: 'available' }, holds: { total: 0 }, copies: { total: 3, available: 2 } },
    });
  });
});
