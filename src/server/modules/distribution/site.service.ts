import type { WeeklyChart } from '../../../contracts/charts.js';
import type { FeedItem } from '../../../contracts/distribution.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import type { DistributionRepository, SiteRow } from './distribution.repository.js';

export interface SiteDeps {
  repo: DistributionRepository;
  storage: Storage;
  publicUrl: () => string;
  reachOf: (submissionId: string) => Promise<{ reach: number }>;
  /** Views counted so far on the site (beacons), ahead of the next metrics pull. */
  liveViews: (submissionId: string) => Promise<number>;
  frozenChart: (campaignId: string, week: string) => Promise<WeeklyChart | undefined>;
  now: () => Date;
  /** Published kitchen stories (their web form), newest first (modules/kitchen/publish.service.ts). */
  stories?: (limit: number) => Promise<StoryEntry[]>;
}

/** A staff story as a syndication entry; `image` is a path on this site. */
export interface StoryEntry {
  id: string;
  url: string;
  title: string;
  summary: string;
  html: string;
  image: string | null;
  tags: string[];
  author: string;
  at: string;
}

/** A frozen weekly chart as a syndication entry: title, link and the ten lines. */
interface ChartEntry {
  id: string;
  url: string;
  title: string;
  text: string;
  at: string;
}

const FEED_PAGE = 20;
const SYNDICATION_ITEMS = 50;
const mediaPath = (key: string) => `/api/media/${key}`;

/** Where a live own-channel video's player and picture are: the HLS master, and the package's cover or the poster. */
export function mediaOf(r: Pick<SiteRow, 'submission' | 'coverKey'>): { hlsUrl: string; posterUrl: string | null } {
  const cover = r.coverKey ?? r.submission.outputs?.poster ?? null;
  return { hlsUrl: r.submission.outputs?.master ? mediaPath(r.submission.outputs.master) : '', posterUrl: cover ? mediaPath(cover) : null };
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) throw new AppError('request.invalid');
  return { at, id: id! };
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/**
 * Paike's own channel: the public site's feed, video pages and contributor profiles (拍客故事),
 * and the same as JSON Feed 1.1 and RSS 2.0 for the app and readers. Only live 'app'
 * publications appear; the editor's app package (headline, summary, cover) is what shows.
 */
export function createSiteService(deps: SiteDeps) {
  function present(r: SiteRow): FeedItem {
    const s = r.submission;
    return {
      id: s.id,
      url: `${deps.publicUrl()}/v/${s.id}`,
      headline: r.headline ?? s.title,
      summary: r.summary ?? s.description ?? '',
      tags: r.tags ?? [],
      credit: r.credit || r.contributorName,
      contributor: { id: s.userId, name: r.contributorName },
      campaignId: s.campaignId,
      ...mediaOf(r),
      durationSeconds: s.durationSeconds,
      width: s.width,
      height: s.height,
      publishedAt: r.publishedAt.toISOString(),
      views: r.views,
    };
  }

  async function feed(q: { cursor?: string; limit?: number; campaignId?: string; userId?: string }) {
    const limit = Math.min(50, Math.max(1, q.limit ?? FEED_PAGE));
    const rows = await deps.repo.siteFeed({
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: limit + 1,
      campaignId: q.campaignId,
      userId: q.userId,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(present), nextCursor: rows.length > limit && last ? encodeCursor(last.publishedAt, last.submission.id) : null };
  }

  /** Charts frozen in the last two weeks: the weekly chart is published on the site's feeds too. */
  async function recentCharts(): Promise<ChartEntry[]> {
    const base = deps.publicUrl();
    const rows = await deps.repo.recentFrozenCharts(new Date(deps.now().getTime() - 14 * 86_400_000));
    const charts = await Promise.all(rows.map((r) => deps.frozenChart(r.campaignId, r.week)));
    return charts
      .filter((c): c is WeeklyChart => Boolean(c))
      .map((c) => ({
        id: `chart:${c.campaignId}:${c.week}`,
        url: `${base}/charts/${c.campaignId}?week=${c.week}`,
        title: `风云榜 ${c.week} Top ${c.entries.length}`,
        text: c.entries.map((e) => `${e.rank}. ${e.headline} — ${e.contributor.name}`).join('\n'),
        at: c.frozenAt ?? c.computedAt,
      }));
  }

  return {
    feed,

    async video(id: string): Promise<FeedItem> {
      const row = await deps.repo.siteVideo(id);
      if (!row) throw new AppError('request.not_found');
      // The page shows its views as of now; lists use the last pull (a count per item would cost a query each).
      return { ...present(row), views: Math.max(row.views, await deps.liveViews(id)) };
    },

    async profile(userId: string) {
      const who = await deps.repo.contributor(userId);
      if (!who) throw new AppError('request.not_found');
      const { items } = await feed({ userId, limit: 50 });
      if (!items.length) throw new AppError('request.not_found'); // only contributors with published work have a public page
      const reaches = await Promise.all(items.map((i) => deps.reachOf(i.id).then((f) => f.reach)));
      return {
        contributor: { id: who.id, name: who.name, joinedAt: who.createdAt.toISOString(), videoCount: items.length, reach: reaches.reduce((a, b) => a + b, 0) },
        items,
      };
    },

    /** Media of a video live on Paike's own channels may be served to anyone. */
    isPublicMedia: (submissionId: string) => deps.repo.isLiveOwn(submissionId),

    /** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
    async jsonFeed() {
      const base = deps.publicUrl();
      const { items } = await feed({ limit: SYNDICATION_ITEMS });
      const charts = await recentCharts();
      const stories = (await deps.stories?.(SYNDICATION_ITEMS)) ?? [];
      return {
        version: 'https://jsonfeed.org/version/1.1',
        title: '拍客 Paike',
        home_page_url: `${base}/`,
        feed_url: `${base}/feed.json`,
        language: 'zh-CN',
        items: [
          ...items.map((i) => ({
            id: i.id,
            url: i.url,
            title: i.headline,
            content_text: i.summary,
            image: i.posterUrl ? base + i.posterUrl : undefined,
            date_published: i.publishedAt,
            tags: i.tags,
            authors: [{ name: i.credit }],
            attachments: i.hlsUrl
              ? [{ url: base + i.hlsUrl, mime_type: 'application/vnd.apple.mpegurl', duration_in_seconds: i.durationSeconds ?? undefined }]
              : [],
          })),
          ...charts.map((c) => ({ id: c.id, url: c.url, title: c.title, content_text: c.text, date_published: c.at, tags: ['风云榜'] })),
          ...stories.map((st) => ({
            id: st.id,
            url: st.url,
            title: st.title,
            summary: st.summary || undefined,
            content_html: st.html,
            image: st.image ? base + st.image : undefined,
            date_published: st.at,
            tags: st.tags,
            authors: st.author ? [{ name: st.author }] : undefined,
          })),
        ].sort((a, b) => Date.parse(b.date_published) - Date.parse(a.date_published)),
      };
    },

    /** RSS 2.0 with Media RSS thumbnails, newest first. */
    async rss(): Promise<string> {
      const base = deps.publicUrl();
      const { items } = await feed({ limit: SYNDICATION_ITEMS });
      const chartEntries = (await recentCharts()).map(
        (c) => `    <item>
      <title>${xml(c.title)}</title>
      <link>${xml(c.url)}</link>
      <guid isPermaLink="false">paike:${xml(c.id)}</guid>
      <pubDate>${new Date(c.at).toUTCString()}</pubDate>
      <category>风云榜</category>
      <description>${xml(c.text)}</description>
    </item>`,
      );
      const storyEntries = ((await deps.stories?.(SYNDICATION_ITEMS)) ?? []).map(
        (st) => `    <item>
      <title>${xml(st.title)}</title>
      <link>${xml(st.url)}</link>
      <guid isPermaLink="false">paike:${xml(st.id)}</guid>
      <pubDate>${new Date(st.at).toUTCString()}</pubDate>
${st.author ? `      <dc:creator>${xml(st.author)}</dc:creator>\n` : ''}      <description>${xml(st.summary)}</description>
${st.tags.map((t) => `      <category>${xml(t)}</category>\n`).join('')}${st.image ? `      <media:thumbnail url="${xml(base + st.image)}"/>\n` : ''}    </item>`,
      );
      const entries = items
        .map(
          (i) => `    <item>
      <title>${xml(i.headline)}</title>
      <link>${xml(i.url)}</link>
      <guid isPermaLink="false">paike:${i.id}</guid>
      <pubDate>${new Date(i.publishedAt).toUTCString()}</pubDate>
      <dc:creator>${xml(i.credit)}</dc:creator>
      <description>${xml(i.summary)}</description>
${i.tags.map((t) => `      <category>${xml(t)}</category>\n`).join('')}${i.posterUrl ? `      <media:thumbnail url="${xml(base + i.posterUrl)}"/>\n` : ''}${i.hlsUrl ? `      <media:content url="${xml(base + i.hlsUrl)}" type="application/vnd.apple.mpegurl" medium="video"${i.durationSeconds ? ` duration="${Math.round(i.durationSeconds)}"` : ''}/>\n` : ''}    </item>`,
        )
        .concat(chartEntries, storyEntries)
        .join('\n');
      return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>拍客 Paike</title>
    <link>${xml(base)}/</link>
    <atom:link href="${xml(base)}/rss.xml" rel="self" type="application/rss+xml"/>
    <description>拍客的新闻视频 — citizen news videos</description>
    <language>zh-CN</language>
${entries}
  </channel>
</rss>
`;
    },
  };
}
export type SiteService = ReturnType<typeof createSiteService>;
