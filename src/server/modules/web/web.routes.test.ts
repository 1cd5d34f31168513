import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { publications, submissions } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { insertForm, insertStory } from '../kitchen/testing/fixtures.js';

// The web app as the server answers it, on a real database through app.inject, with a small
// built app of its own (the real index.html template, one hashed asset with its twins, a map).

const clock = fixedClock('2026-11-26T04:00:00Z');
const HOSTILE = '</title><script>alert(1)</script>"\'&';
const BIG_JS = `console.log(${JSON.stringify('拍客 '.repeat(800))});\n`;

let ctx: TestContext;
let app: FastifyInstance;
let webDir: string;
let campaignId: string;
let draftSlug: string;
let liveId: string;
let hiddenId: string;
let contributorId: string;
let storyId: string;
let draftStoryId: string;

const webSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/index.html');

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  webDir = mkdtempSync(path.join(tmpdir(), 'paike-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(
    path.join(webDir, 'index.html'),
    readFileSync(webSrc, 'utf8').replace('<script type="module" src="./main.tsx"></script>', '<script type="module" src="/assets/index-abc123.js"></script>'),
  );
  writeFileSync(path.join(webDir, 'assets/index-abc123.js'), BIG_JS);
  writeFileSync(path.join(webDir, 'assets/index-abc123.js.br'), brotliCompressSync(BIG_JS));
  writeFileSync(path.join(webDir, 'assets/index-abc123.js.gz'), gzipSync(BIG_JS));
  writeFileSync(path.join(webDir, 'assets/index-abc123.js.map'), '{"version":3}');
  writeFileSync(path.join(webDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  app = await buildApp({ services: ctx.runtime.services, webDir });

  const admin = await staff(ctx, ['admin']);
  const s = ctx.runtime.services;
  const c = await s.campaigns.create(null, { ...demoCampaign(clock.now()), slug: 'web-test' });
  campaignId = c.id;
  const draft = await s.campaigns.create(null, { ...demoCampaign(clock.now()), slug: 'web-draft', published: false });
  draftSlug = draft.slug;
  expect(admin.cookie).toBeTruthy();
  const who = await signUp(ctx.app, { name: `Lin ${HOSTILE}` });
  contributorId = who.user.id;
  const live = await processedSubmission(ctx, { userId: contributorId, campaignId, at: clock.now(), title: `Way home ${HOSTILE}` });
  const hidden = await processedSubmission(ctx, { userId: contributorId, campaignId, at: clock.now(), title: 'Secret draft video' });
  liveId = live.id;
  hiddenId = hidden.id;
  const db = s.database.db;
  await db
    .update(submissions)
    .set({
      status: 'adopted',
      outputs: { original: `submissions/${liveId}/original`, poster: `submissions/${liveId}/poster.jpg`, master: `submissions/${liveId}/hls/master.m3u8` },
    })
    .where(eq(submissions.id, liveId));
  await db.insert(publications).values({
    submissionId: liveId,
    channel: 'app',
    status: 'live',
    idempotencyKey: `web-test:${liveId}`,
    publishedAt: clock.now(),
  });
  // Published on WeChat only: not on Paike's own site, so no page here.
  await db
    .insert(publications)
    .values({ submissionId: hiddenId, channel: 'wechat', status: 'live', idempotencyKey: `web-test:${hiddenId}`, publishedAt: clock.now() });
  // A kitchen story published on the web, and one whose web form is only ready.
  const web = { headline: '返乡', standfirst: '', bodyHtml: '<p>正文</p>' };
  storyId = (await insertStory(db, { authorId: admin.user.id })).id;
  await insertForm(db, { storyId, form: 'web', status: 'published', content: web });
  draftStoryId = (await insertStory(db, { authorId: admin.user.id })).id;
  await insertForm(db, { storyId: draftStoryId, form: 'web', status: 'ready', content: web });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await ctx?.close();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url, headers });

describe('page addresses: index.html as a template', () => {
  it('answers every client-routed address with the shell in the language asked for, not stored by shared caches', async () => {
    const zh = await get('/submit', { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(zh.headers['cache-control']).toBe('private, no-cache');
    expect(String(zh.headers.vary)).toMatch(/Cookie/);
    expect(String(zh.headers.vary)).toMatch(/Accept-Language/);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('正在加载…');
    // The service worker may keep this one as its shell (sw.js reads the header).
    expect(zh.headers['paike-shell']).toBe('plain');
    const en = await get('/submit', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Loading…');
    // The user's own choice beats the browser's.
    const chosen = await get('/earnings', { 'accept-language': 'en', cookie: 'paike_locale=zh-CN' });
    expect(chosen.body).toContain('<html lang="zh-CN">');
    const other = await get('/', { 'accept-language': 'fr-FR' });
    expect(other.body).toContain('<html lang="en">');
    expect(zh.body).not.toContain('paike:');
  });

  it('allows the shell’s inline style by its hash in the page CSP, and nothing else inline', async () => {
    const res = await get('/');
    const csp = String(res.headers['content-security-policy']);
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1]!;
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`style-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('is compressed, brotli first, gzip when only that is accepted', async () => {
    const br = await get('/desk', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toContain('<div id="root">');
    const gz = await get('/desk', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toContain('<div id="root">');
    expect(String(gz.headers.vary)).toMatch(/Accept-Encoding/);
    expect((await get('/desk')).headers['content-encoding']).toBeUndefined();
  });

  it('answers HEAD like GET with no body', async () => {
    const head = await get('/desk', {}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.body).toBe('');
    const preview = await get(`/v/${liveId}`, {}, 'HEAD');
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toBe('');
  });

  it('answers a revalidation of an unchanged page with 304 and no body', async () => {
    const first = await get('/desk', { 'accept-language': 'en' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await get('/desk', { 'accept-language': 'en', 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Another language is another page.
    expect((await get('/desk', { 'accept-language': 'zh-CN', 'if-none-match': etag })).statusCode).toBe(200);
  });

  it('gives /index.html the rendered page, not the raw template', async () => {
    const res = await get('/index.html');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<!--paike:root-->');
  });
});

describe('static files', () => {
  it('serves hashed assets precompressed with a year’s immutable cache; source maps are not served', async () => {
    const br = await get('/assets/index-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(br.headers.vary)).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(BIG_JS);
    const gz = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(BIG_JS);
    const plain = await get('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_JS);
    expect((await get('/assets/index-abc123.js', {}, 'HEAD')).statusCode).toBe(200);
    expect((await get('/assets/index-abc123.js.map')).statusCode).toBe(404);
    expect((await get('/assets/index-abc123.js.br')).statusCode).toBe(404);
    expect((await get('/assets/nope-123.js')).statusCode).toBe(404);
  });

  it('makes files with a stable name (the service worker) revalidate every time', async () => {
    const sw = await get('/sw.js');
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['cache-control']).toBe('no-cache');
  });
});

describe('API answers', () => {
  it('are private and not stored unless the route chose otherwise, and compressed over 1 KB', async () => {
    const me = await get('/api/me');
    expect(me.headers['cache-control']).toBe('private, no-store');
    const feed = await get('/api/feed');
    expect(feed.headers['cache-control']).toBe('public, max-age=30');
    const openapi = await get('/api/openapi.json', { 'accept-encoding': 'br' });
    expect(openapi.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(openapi.rawPayload).toString()).openapi).toMatch(/^3\.1/);
    // Small answers are not worth it.
    const small = await get('/healthz', { 'accept-encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('link previews', () => {
  it('a live video: title, description, canonical, Open Graph with an absolute poster, Twitter card, WeChat microdata, readable body; user text escaped', async () => {
    const res = await get(`/v/${liveId}`, { 'user-agent': 'facebookexternalhit/1.1', 'accept-language': 'en' });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const escaped = '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;';
    expect(html).toContain(`<title>Way home ${escaped} · 拍客 Paike</title>`);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain(`<meta property="og:title" content="Way home ${escaped}">`);
    expect(html).toContain('<meta property="og:type" content="video.other">');
    expect(html).toContain(`<meta property="og:url" content="http://paike.test/v/${liveId}">`);
    expect(html).toContain(`<link rel="canonical" href="http://paike.test/v/${liveId}">`);
    expect(html).toContain(`<meta property="og:image" content="http://paike.test/api/media/submissions/${liveId}/poster.jpg">`);
    expect(html).toContain(`<meta property="og:video" content="http://paike.test/api/media/submissions/${liveId}/hls/master.m3u8">`);
    expect(html).toContain('<meta property="og:locale" content="en_US">');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain(`<meta itemprop="image" content="http://paike.test/api/media/submissions/${liveId}/poster.jpg">`);
    expect(html).toContain(`<h1>Way home ${escaped}</h1>`);
    expect(html).toContain(`href="/u/${contributorId}"`);
    expect(html).toContain('href="/c/web-test"');
    // Only one <title>, the default one replaced.
    expect(html.match(/<title>/g)).toHaveLength(1);
  });

  it('an unpublished or unknown video, a draft campaign, a malformed id: the plain shell with 404, nothing leaked', async () => {
    for (const url of [
      `/v/${hiddenId}`,
      `/v/${randomUUID()}`,
      '/v/not-a-uuid',
      `/c/${draftSlug}`,
      '/c/no-such-campaign',
      `/u/${randomUUID()}`,
      `/charts/${randomUUID()}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('<div id="root">');
      expect(res.body, url).not.toContain('og:title');
      expect(res.body, url).not.toContain('Secret draft video');
    }
  });

  it('hostile addresses get a refusal or the 404 shell, never a 5xx', async () => {
    for (const url of [
      '/v/%00',
      '/c/%ED%A0%80',
      '/c/%E4',
      `/c/${'x'.repeat(150)}`,
      `/charts/${campaignId}?week=${'9'.repeat(40)}`,
      '/u/..%2F..%2Fetc%2Fpasswd',
      '/v/%3Cscript%3E',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain('<script>');
    }
  });

  it('a campaign: title, description, dates and a join link', async () => {
    const res = await get('/c/web-test', { 'accept-language': 'zh-CN' });
    expect(res.statusCode).toBe(200);
    // A preview belongs to its own address: never the service worker's shell for the others.
    expect(res.headers['paike-shell']).toBe('page');
    expect(res.body).toContain('<meta property="og:title" content="全球寻找封面拍客">');
    expect(res.body).toContain('<h1>全球寻找封面拍客</h1>');
    expect(res.body).toContain('href="/c/web-test/join"');
    expect(res.body).toMatch(/<time datetime="[^"]+">\d{4}-\d\d-\d\d<\/time>/);
    // The campaign's picture is its newest live video's poster.
    expect(res.body).toContain(`<meta property="og:image" content="http://paike.test/api/media/submissions/${liveId}/poster.jpg">`);
  });

  it('a weekly chart and a contributor profile', async () => {
    const chart = await get(`/charts/${campaignId}`, { 'accept-language': 'en' });
    expect(chart.statusCode).toBe(200);
    expect(chart.body).toMatch(/<h1>Weekly chart · 2026-W48<\/h1>/);
    expect((await get(`/charts/${campaignId}?week=bad`)).statusCode).toBe(404);
    const profile = await get(`/u/${contributorId}`, { 'accept-language': 'en' });
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain(`href="/v/${liveId}"`);
    expect(profile.body).not.toContain('Secret draft video');
  });
});

describe('robots.txt and sitemap.xml', () => {
  it('robots.txt keeps crawlers out of staff, account and API addresses and names the sitemap', async () => {
    const res = await get('/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    for (const p of ['/desk', '/admin', '/finance', '/dashboards', '/api/', '/account', '/submit', '/submissions', '/earnings', '/notices', '/sign-in']) {
      expect(res.body).toContain(`Disallow: ${p}\n`);
    }
    expect(res.body).toContain('Allow: /v/');
    expect(res.body).toContain('Sitemap: http://paike.test/sitemap.xml');
    expect((await get('/robots.txt', {}, 'HEAD')).statusCode).toBe(200);
  });

  it('sitemap.xml lists live videos, public campaigns and their charts and published stories, never drafts or unpublished videos or stories', async () => {
    const res = await get('/sitemap.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.body).toContain(`<loc>http://paike.test/v/${liveId}</loc><lastmod>2026-11-26T04:00:00.000Z</lastmod>`);
    expect(res.body).toContain('<loc>http://paike.test/c/web-test</loc>');
    expect(res.body).toContain(`<loc>http://paike.test/charts/${campaignId}</loc>`);
    expect(res.body).toContain(`<loc>http://paike.test/u/${contributorId}</loc>`);
    expect(res.body).toContain(`<loc>http://paike.test/stories/${storyId}</loc>`);
    expect(res.body).not.toContain(hiddenId);
    expect(res.body).not.toContain(draftSlug);
    expect(res.body).not.toContain(draftStoryId);
  });
});
