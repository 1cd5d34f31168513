import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { Submission } from '../src/contracts/submissions.js';
import { apiSession, createStaff, makeVideo, signUpInto, submitVideo } from './flows.js';
import { launchBrowser, phoneContext, startServer, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

// What a crawler, a chat app's link preview and a slow phone get from `paike start` over real
// HTTP: the shared video's head and body with no JavaScript run, robots.txt and the sitemap,
// precompressed hashed assets with a year's cache, index.html revalidated, no source maps,
// compressed API JSON, and HEAD wherever GET works.

const DEMO_TITLE = '全球寻找封面拍客';
// User text that would end the <title> and open a script if it were not escaped.
const HEADLINE = '回家的路 </title><script>alert(1)</script>';
const CRAWLER = 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with nothing added or decoded (fetch would ask for and undo compression itself). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const meta = (html: string, property: string) => new RegExp(`<meta (?:property|name)="${property.replace(/[:]/g, '\\:')}" content="([^"]*)">`).exec(html)?.[1];

describe('links that preview, and what the server sends a slow phone', () => {
  let server: TestServer;
  let browser: Browser;
  let contributor: BrowserContext;
  let dir: string;
  let videoId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paike-e2e-links-'));
    server = await startServer({ env: { PUBLISH_HOLD_MINUTES: '0' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await contributor?.close();
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves hashed assets precompressed and immutable, index.html revalidated, no source maps, compressed API JSON, HEAD with no body', async () => {
    const index = await raw(`${server.url}/`, { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(index.status).toBe(200);
    expect(index.headers['cache-control']).toBe('private, no-cache');
    const html = index.body.toString();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Loading…');
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();

    const br = await raw(server.url + script, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const js = brotliDecompressSync(br.body);
    const gz = await raw(server.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(gz.body).equals(js)).toBe(true);
    expect(br.body.length).toBeLessThan(gz.body.length);

    // Built with hidden maps, moved out of the served directory.
    expect(js.toString()).not.toContain('sourceMappingURL');
    const map = await raw(`${server.url}${script}.map`);
    expect(map.status).toBe(404);

    const openapi = await raw(`${server.url}/api/openapi.json`, { headers: { 'accept-encoding': 'br' } });
    expect(openapi.status).toBe(200);
    expect(openapi.headers['content-encoding']).toBe('br');
    expect(openapi.headers['cache-control']).toBe('private, no-store');
    expect(JSON.parse(brotliDecompressSync(openapi.body).toString()).paths['/robots.txt']).toBeDefined();

    const headPage = await raw(`${server.url}/submit`, { method: 'HEAD' });
    expect(headPage.status).toBe(200);
    expect(headPage.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headPage.body.length).toBe(0);
    const headAsset = await raw(server.url + script, { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(headAsset.status).toBe(200);
    expect(headAsset.headers['content-encoding']).toBe('br');
    expect(headAsset.body.length).toBe(0);
  });

  it(
    'a shared video URL carries its title and poster for a crawler that runs no JavaScript; robots.txt and the sitemap list it',
    { timeout: 420_000 },
    async () => {
      const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
      const campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE)!;
      contributor = await phoneContext(browser, 'zh-CN');
      const page = await contributor.newPage();
      const title = `回家的路 ${uniqueSuffix()}`;
      await withScreenshots(contributor, 'links-contributor-upload', async () => {
        await signUpInto(page, server, campaign, '林勇刚');
        await submitVideo(page, server, makeVideo(dir, 'way-home.mp4', 62), title);
      });
      const mine = (await (await page.request.get(`${server.url}/api/me/submissions`)).json()) as { submissions: Submission[] };
      videoId = mine.submissions.find((s) => s.title === title)!.id;

      const editor = await createStaff(server, 'editor', 'Editor Zhang');
      const desk = await apiSession(server, editor.email, editor.password);
      expect((await desk(`/api/desk/submissions/${videoId}/adopt`, { method: 'POST', body: { grade: 'B' } })).status).toBe(200);
      const pkg = await desk(`/api/desk/submissions/${videoId}/packages/app`, {
        method: 'PUT',
        body: { headline: HEADLINE, summary: '拍客林勇刚记录从成都东站回家的一路街景。', tags: ['回家的路'], credit: '拍客 林勇刚' },
      });
      expect(pkg.status, JSON.stringify(pkg.data)).toBe(200);
      await expect.poll(async () => (await fetch(`${server.url}/api/videos/${videoId}`)).status, { timeout: 90_000, interval: 1_000 }).toBe(200);

      // The crawler: one plain request, no script run.
      const res = await raw(`${server.url}/v/${videoId}`, { headers: { 'user-agent': CRAWLER, 'accept-language': 'zh-CN' } });
      expect(res.status).toBe(200);
      const html = res.body.toString();
      const escaped = '回家的路 &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;';
      expect(meta(html, 'og:title')).toBe(escaped);
      expect(html).toContain(`<title>${escaped} · 拍客 Paike</title>`);
      expect(html).not.toContain('<script>alert(1)');
      expect(meta(html, 'og:description')).toBe('拍客林勇刚记录从成都东站回家的一路街景。');
      expect(meta(html, 'og:url')).toBe(`${server.url}/v/${videoId}`);
      expect(meta(html, 'twitter:card')).toBe('summary_large_image');
      expect(html).toContain(`<h1>${escaped}</h1>`);
      const image = meta(html, 'og:image')!;
      expect(image.startsWith(`${server.url}/api/media/`), image).toBe(true);
      const picture = await raw(image);
      expect(picture.status).toBe(200);
      expect(picture.headers['content-type']).toMatch(/^image\//);
      expect(picture.body.length).toBeGreaterThan(1000);
      // WeChat's in-app browser reads the same title and picture.
      expect(html).toContain(`<meta itemprop="image" content="${image}">`);

      // A phone with no JavaScript (or before it arrives) paints the shared page: the inline
      // shell style applies under the page CSP (its hash is allowed) and the headline shows.
      const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      const refused: string[] = [];
      const still = await noJs.newPage();
      still.on('console', (m) => {
        if (m.text().includes('Content Security Policy')) refused.push(m.text());
      });
      await still.goto(`${server.url}/v/${videoId}`);
      await still.getByRole('heading', { level: 1, name: HEADLINE }).waitFor();
      expect(
        await still
          .locator('.pk-mark')
          .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor),
      ).toBe('rgb(179, 38, 30)');
      expect(await still.title()).toBe(`${HEADLINE} · 拍客 Paike`);
      expect(refused).toEqual([]);
      await noJs.close();

      const robots = await raw(`${server.url}/robots.txt`);
      expect(robots.status).toBe(200);
      expect(robots.body.toString()).toContain('Disallow: /desk');
      expect(robots.body.toString()).toContain(`Sitemap: ${server.url}/sitemap.xml`);
      const sitemap = await raw(`${server.url}/sitemap.xml`);
      expect(sitemap.status).toBe(200);
      expect(sitemap.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(sitemap.body.toString()).toContain(`<loc>${server.url}/v/${videoId}</loc>`);
      expect(sitemap.body.toString()).toContain(`<loc>${server.url}/c/${campaign.slug}</loc>`);
    },
  );
});
