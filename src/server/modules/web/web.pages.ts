import type { Campaign } from '../../../contracts/campaigns.js';
import type { WeeklyChart } from '../../../contracts/charts.js';
import type { Locale } from '../../../contracts/common.js';
import type { FeedItem } from '../../../contracts/distribution.js';
import { AppError } from '../../lib/errors.js';
import { escapeHtml as e, type ShellPage } from './web.shell.js';

/**
 * The public reads a link preview needs, the same functions the public JSON routes call, so a
 * page shows exactly what `/api/videos/:id`, `/api/campaigns/:slug`, `/api/charts/weekly` and
 * `/api/contributors/:id` would show an anonymous visitor, and nothing they would refuse.
 */
export interface PagesDeps {
  video: (id: string) => Promise<FeedItem>;
  /** Anonymous: a draft campaign is not found, whoever asks (a preview is for everyone). */
  campaign: (idOrSlug: string) => Promise<Campaign>;
  campaignVideos: (campaignId: string, limit: number) => Promise<FeedItem[]>;
  chart: (q: { campaignId: string; week?: string }) => Promise<WeeklyChart>;
  profile: (id: string) => Promise<{ contributor: { id: string; name: string; videoCount: number }; items: FeedItem[] }>;
  publicUrl: () => string;
}

const SITE = '拍客 Paike';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const T = {
  'zh-CN': {
    by: '署名：',
    contributor: '拍客',
    campaign: '征集活动',
    join: '报名参加',
    chart: '风云榜',
    chartOf: (week: string) => `风云榜 · ${week}`,
    chartDesc: (title: string, week: string) => `${title} ${week} 周榜 Top 10`,
    live: '本周实时',
    noEntries: '本周还没有上榜的视频。',
    dates: (a: string, b: string) => `${a} 至 ${b}`,
    videos: '视频',
    profileDesc: (name: string, n: number) => `拍客 ${name} 的 ${n} 条视频`,
    more: '更多视频',
    home: '首页',
  },
  en: {
    by: 'By ',
    contributor: 'Contributor',
    campaign: 'Campaign',
    join: 'Join',
    chart: 'Weekly chart',
    chartOf: (week: string) => `Weekly chart · ${week}`,
    chartDesc: (title: string, week: string) => `${title}: the top 10 of ${week}`,
    live: 'This week so far',
    noEntries: 'No videos on the chart yet this week.',
    dates: (a: string, b: string) => `${a} to ${b}`,
    videos: 'Videos',
    profileDesc: (name: string, n: number) => `${n} videos by ${name}, a Paike contributor`,
    more: 'More videos',
    home: 'Home',
  },
} as const;

/** A day as the newsroom counts it (Asia/Shanghai), so a campaign ending at midnight in Beijing shows that day. */
const day = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

/** Meta descriptions are cut where previews cut them anyway; the whole text is in the body. */
function clip(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

interface HeadInput {
  title: string;
  description: string;
  /** Path and query on this site. */
  path: string;
  type: 'website' | 'video.other' | 'profile';
  /** Absolute. */
  image?: string | null;
  imageAlt?: string;
  video?: { url: string; type: string; seconds: number | null } | null;
}

export function renderHead(locale: Locale, h: HeadInput): string {
  const url = e(h.path);
  const title = e(h.title);
  const description = e(clip(h.description));
  const image = h.image ? e(h.image) : null;
  const lines = [
    `<title>${title} · ${SITE}</title>`,
    `<meta name="description" content="${description}">`,
    `<link rel="canonical" href="${url}">`,
    `<meta property="og:site_name" content="${SITE}">`,
    `<meta property="og:locale" content="${locale === 'zh-CN' ? 'zh_CN' : 'en_US'}">`,
    `<meta property="og:type" content="${h.type}">`,
    `<meta property="og:title" content="${title}">`,
    `<meta property="og:description" content="${description}">`,
    `<meta property="og:url" content="${url}">`,
  ];
  if (image) {
    lines.push(`<meta property="og:image" content="${image}">`);
    if (h.imageAlt) lines.push(`<meta property="og:image:alt" content="${e(h.imageAlt)}">`);
  }
  if (h.video) {
    const v = e(h.video.url);
    lines.push(`<meta property="og:video" content="${v}">`, `<meta property="og:video:type" content="${e(h.video.type)}">`);
    if (h.video.url.startsWith('https:')) lines.push(`<meta property="og:video:secure_url" content="${v}">`);
    if (h.video.seconds) lines.push(`<meta property="video:duration" content="${Math.round(h.video.seconds)}">`);
  }
  lines.push(
    `<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">`,
    `<meta name="twitter:title" content="${title}">`,
    `<meta name="twitter:description" content="${description}">`,
  );
  if (image) lines.push(`<meta name="twitter:image" content="${image}">`);
  // WeChat's in-app browser reads schema.org microdata for the card it shows when a link is shared
  // without the JS-SDK (docs/web.md has the JS-SDK way for a newsroom with a 公众号).
  lines.push(`<meta itemprop="name" content="${title}">`, `<meta itemprop="description" content="${description}">`);
  if (image) lines.push(`<meta itemprop="image" content="${image}">`);
  return lines.join('');
}

/** Turns `AppError` not-found (and the chart's refusals of a bad week) into "no page"; anything else is a real failure. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && (err.status === 404 || err.code.startsWith('chart.'))) return null;
    throw err;
  }
}

export function createPages(deps: PagesDeps) {
  const abs = (p: string | null | undefined) => (p ? deps.publicUrl() + p : null);
  const t = (l: Locale) => T[l];

  function videoList(items: FeedItem[]): string {
    return items.length ? `<ul>${items.map((i) => `<li><a href="/v/${i.id}">${e(i.headline)}</a> — ${e(i.contributor.name)}</li>`).join('')}</ul>` : '';
  }

  return {
    async video(id: string, locale: Locale): Promise<ShellPage | null> {
      if (!UUID.test(id)) return null;
      const v = await orNull(deps.video(id));
      if (!v) return null;
      const campaign = await orNull(deps.campaign(v.campaignId));
      const poster = abs(v.posterUrl);
      const hls = abs(v.hlsUrl || null);
      const head = renderHead(locale, {
        title: v.headline,
        description: v.summary || `${t(locale).by}${v.credit}`,
        path: abs(`/v/${v.id}`)!,
        type: 'video.other',
        image: poster,
        imageAlt: v.headline,
        video: hls ? { url: hls, type: 'application/vnd.apple.mpegurl', seconds: v.durationSeconds } : null,
      });
      const links = [
        `<li><a href="/u/${v.contributor.id}">${e(v.contributor.name)}</a></li>`,
        campaign ? `<li><a href="/c/${e(encodeURIComponent(campaign.slug))}">${e(campaign.title[locale])}</a></li>` : '',
        campaign ? `<li><a href="/charts/${campaign.id}">${t(locale).chart}</a></li>` : '',
      ].join('');
      const body =
        `<main><article>${poster ? `<img src="${e(v.posterUrl!)}" alt="" width="640" height="360">` : ''}` +
        `<h1>${e(v.headline)}</h1><p>${t(locale).by}<a href="/u/${v.contributor.id}">${e(v.credit)}</a></p>` +
        `${v.summary ? `<p>${e(v.summary)}</p>` : ''}<ul>${links}</ul></article></main>`;
      return { head, body };
    },

    async campaign(slug: string, locale: Locale): Promise<ShellPage | null> {
      if (slug.length > 200) return null;
      const c = await orNull(deps.campaign(slug));
      if (!c) return null;
      const videos = await deps.campaignVideos(c.id, 5);
      const title = c.title[locale];
      const description = c.description[locale];
      const head = renderHead(locale, {
        title,
        description,
        path: abs(`/c/${encodeURIComponent(c.slug)}`)!,
        type: 'website',
        image: abs(videos[0]?.posterUrl),
        imageAlt: title,
      });
      const body =
        `<main><article><p>${t(locale).campaign}</p><h1>${e(title)}</h1>` +
        `<p><time datetime="${c.startsAt}">${day(c.startsAt)}</time> – <time datetime="${c.endsAt}">${day(c.endsAt)}</time></p>` +
        `<p>${e(description)}</p>` +
        `<p><a href="/c/${e(encodeURIComponent(c.slug))}/join">${t(locale).join}</a> · <a href="/charts/${c.id}">${t(locale).chart}</a></p>` +
        `${videos.length ? `<h2>${t(locale).videos}</h2>${videoList(videos)}` : ''}</article></main>`;
      return { head, body };
    },

    async chart(campaignId: string, week: string | undefined, locale: Locale): Promise<ShellPage | null> {
      if (!UUID.test(campaignId) || (week !== undefined && week.length > 16)) return null;
      const c = await orNull(deps.campaign(campaignId));
      if (!c) return null;
      const chart = await orNull(deps.chart({ campaignId, week }));
      if (!chart) return null;
      const campaignTitle = c.title[locale];
      const first = chart.entries[0] ? await orNull(deps.video(chart.entries[0].submissionId)) : null;
      const path = `/charts/${campaignId}${week ? `?week=${encodeURIComponent(week)}` : ''}`;
      const head = renderHead(locale, {
        title: `${t(locale).chartOf(chart.week)} · ${campaignTitle}`,
        description: chart.entries.length
          ? `${t(locale).chartDesc(campaignTitle, chart.week)}: ${chart.entries.map((x) => `${x.rank}. ${x.headline}`).join(' ')}`
          : t(locale).chartDesc(campaignTitle, chart.week),
        path: abs(path)!,
        type: 'website',
        image: abs(first?.posterUrl),
        imageAlt: first?.headline,
      });
      const entries = chart.entries.length
        ? `<ol>${chart.entries
            .map(
              (x) =>
                `<li value="${x.rank}"><a href="/v/${x.submissionId}">${e(x.headline)}</a> — <a href="/u/${x.contributor.id}">${e(x.contributor.name)}</a></li>`,
            )
            .join('')}</ol>`
        : `<p>${t(locale).noEntries}</p>`;
      const body =
        `<main><article><p><a href="/c/${e(encodeURIComponent(c.slug))}">${e(campaignTitle)}</a></p>` +
        `<h1>${t(locale).chartOf(chart.week)}</h1>${chart.frozen ? '' : `<p>${t(locale).live}</p>`}${entries}</article></main>`;
      return { head, body };
    },

    async profile(id: string, locale: Locale): Promise<ShellPage | null> {
      if (!UUID.test(id)) return null;
      const p = await orNull(deps.profile(id));
      if (!p) return null;
      const name = p.contributor.name;
      const head = renderHead(locale, {
        title: name,
        description: t(locale).profileDesc(name, p.contributor.videoCount),
        path: abs(`/u/${p.contributor.id}`)!,
        type: 'profile',
        image: abs(p.items[0]?.posterUrl),
        imageAlt: p.items[0]?.headline,
      });
      const body = `<main><article><p>${t(locale).contributor}</p><h1>${e(name)}</h1><h2>${t(locale).videos}</h2>${videoList(p.items.slice(0, 20))}</article></main>`;
      return { head, body };
    },
  };
}
export type Pages = ReturnType<typeof createPages>;
