import type { WebRepository } from './web.repository.js';

/** Pages that are someone's own or staff's: nothing for a search engine, and often behind a sign-in. */
export const DISALLOWED = [
  '/desk',
  '/admin',
  '/finance',
  '/dashboards',
  '/api/',
  '/account',
  '/submit',
  '/submissions',
  '/earnings',
  '/notices',
  '/sign-in',
  '/rain',
] as const;

/** The public pages a crawler is welcome on (Allow is more specific than nothing, and says what the site is). */
export const ALLOWED = ['/$', '/c/', '/v/', '/charts/', '/u/', '/stories/', '/rss.xml', '/feed.json'] as const;

export function robotsTxt(base: string): string {
  return ['User-agent: *', ...ALLOWED.map((p) => `Allow: ${p}`), ...DISALLOWED.map((p) => `Disallow: ${p}`), '', `Sitemap: ${base}/sitemap.xml`, ''].join('\n');
}

/** The sitemap protocol's limit for one file (https://www.sitemaps.org/protocol.html). */
export const SITEMAP_MAX_URLS = 50_000;

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

interface Entry {
  loc: string;
  lastmod: Date;
}

/**
 * The sitemap: published videos (newest first, so a cut at the limit drops the oldest), public
 * campaigns, each campaign's chart page and its frozen weeks, the profiles of contributors
 * with a live video, and the kitchen's published stories (their web form). One file; past 50,000
 * URLs the oldest are left out.
 */
export async function sitemapXml(opts: { base: string; repo: WebRepository; max?: number }): Promise<string> {
  const { base, repo } = opts;
  const max = opts.max ?? SITEMAP_MAX_URLS;
  const entries: Entry[] = [{ loc: `${base}/`, lastmod: new Date(0) }];
  const campaignRows = await repo.listPublicCampaigns(max);
  for (const c of campaignRows) {
    entries.push({ loc: `${base}/c/${encodeURIComponent(c.slug)}`, lastmod: c.at });
    entries.push({ loc: `${base}/charts/${c.id}`, lastmod: c.at });
  }
  for (const w of await repo.listFrozenCharts(max)) {
    entries.push({ loc: `${base}/charts/${w.campaignId}?week=${encodeURIComponent(w.week)}`, lastmod: w.at });
  }
  const videos = await repo.listLiveVideos(max);
  const profiles = new Map<string, Date>();
  for (const v of videos) {
    entries.push({ loc: `${base}/v/${v.id}`, lastmod: v.at });
    if (!profiles.has(v.userId)) profiles.set(v.userId, v.at); // newest first: the first is the latest
  }
  for (const [id, at] of profiles) entries.push({ loc: `${base}/u/${id}`, lastmod: at });
  for (const st of await repo.listPublishedStories(max)) entries.push({ loc: `${base}/stories/${st.id}`, lastmod: st.at });
  const newest = entries.reduce((a, e) => (e.lastmod > a ? e.lastmod : a), new Date(0));
  entries[0]!.lastmod = newest;
  const kept = entries.slice(0, max);
  const lines = kept.map((e) => `  <url><loc>${xml(e.loc)}</loc>${e.lastmod.getTime() > 0 ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : ''}</url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${lines.join('\n')}\n</urlset>\n`;
}
