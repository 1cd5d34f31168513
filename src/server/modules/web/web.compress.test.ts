import { describe, expect, it } from 'vitest';
import { negotiateEncoding } from './web.compress.js';
import { pageLocale } from './web.shell.js';
import { sitemapXml } from './web.seo.js';
import type { WebRepository } from './web.repository.js';

describe('negotiateEncoding', () => {
  it('prefers brotli, falls back to gzip, honours q=0 and *', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip;q=1.0, br;q=0.1')).toBe('br');
    expect(negotiateEncoding('gzip')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
    expect(negotiateEncoding('deflate')).toBeNull();
  });
});

describe('pageLocale', () => {
  it('takes the cookie, else Accept-Language (zh* → zh-CN, else en), else Chinese', () => {
    expect(pageLocale('en', 'zh-CN')).toBe('en');
    expect(pageLocale('zh-CN', 'en')).toBe('zh-CN');
    expect(pageLocale('fr', 'zh-TW,zh;q=0.9')).toBe('zh-CN');
    expect(pageLocale(undefined, 'fr-FR,fr;q=0.9')).toBe('en');
    expect(pageLocale(undefined, 'fr-FR,zh;q=0.5')).toBe('zh-CN');
    expect(pageLocale(undefined, undefined)).toBe('zh-CN');
  });
});

describe('sitemapXml', () => {
  it('stops at the limit, keeping the newest videos, and escapes what it writes', async () => {
    const at = new Date('2026-11-26T04:00:00Z');
    const repo: WebRepository = {
      listPublicCampaigns: async () => [{ id: 'c1', slug: 'a&b', at }],
      listFrozenCharts: async () => [],
      listLiveVideos: async (limit) => Array.from({ length: Math.min(limit, 10) }, (_, i) => ({ id: `v${i}`, userId: 'u1', at })),
      listPublishedStories: async () => [{ id: 's1', at }],
    };
    const xml = await sitemapXml({ base: 'https://paike.test', repo, max: 6 });
    expect(xml.match(/<url>/g)).toHaveLength(6);
    expect(xml).toContain('<loc>https://paike.test/c/a%26b</loc>');
    expect(xml).toContain('<loc>https://paike.test/v/v0</loc>');
    expect(xml).not.toContain('/v/v3<');
    expect(xml).toContain('<lastmod>2026-11-26T04:00:00.000Z</lastmod>');
  });
});
