import type { Locale } from '../../../contracts/common.js';
import type { SiteStory } from '../../../contracts/kitchen.js';
import { AppError } from '../../lib/errors.js';
import { renderHead } from '../web/web.pages.js';
import { escapeHtml as e, type ShellPage } from '../web/web.shell.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const T = {
  'zh-CN': { videoBy: (name: string) => `拍客 ${name} 拍摄`, watch: '观看视频' },
  en: { videoBy: (name: string) => `Shot by contributor ${name}`, watch: 'Watch' },
} as const;

/**
 * `/stories/:id` as the server answers it: a link preview's head (title, standfirst, the lead
 * image, og:type article) and a readable body from the same public read as
 * `GET /api/site/stories/:id`, so a preview shows nothing the API would refuse. The body HTML is
 * the sanitised field; the page CSP (script-src 'self') stops any inline script regardless.
 */
export function createStoryPage(deps: { story: (id: string) => Promise<SiteStory>; publicUrl: () => string }) {
  return async function storyPage(id: string, locale: Locale): Promise<ShellPage | null> {
    if (!UUID.test(id)) return null;
    let s: SiteStory;
    try {
      s = await deps.story(id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
    const base = deps.publicUrl();
    const lead = s.images[0];
    const head =
      renderHead(locale, {
        title: s.headline,
        description: s.standfirst || s.headline,
        path: `${base}/stories/${s.id}`,
        type: 'website',
        image: lead ? base + lead.url : s.videos[0]?.posterUrl ? base + s.videos[0].posterUrl : null,
        imageAlt: lead?.caption || s.headline,
      }) +
      `<meta property="article:published_time" content="${e(s.publishedAt)}">` +
      s.tags.map((t) => `<meta property="article:tag" content="${e(t)}">`).join('');
    const videos = s.videos
      .map(
        (v) =>
          `<li><a href="/v/${v.submissionId}">${T[locale].watch}：${e(v.title)}</a> — <a href="/u/${v.contributorId}">${e(T[locale].videoBy(v.credit))}</a></li>`,
      )
      .join('');
    const body =
      `<main><article class="k-publish-story"><h1>${e(s.headline)}</h1>` +
      `${s.standfirst ? `<p>${e(s.standfirst)}</p>` : ''}${s.byline ? `<p>${e(s.byline)}</p>` : ''}` +
      `${lead ? `<img src="${e(lead.url)}" alt="${e(lead.caption)}" width="${lead.width}" height="${lead.height}">` : ''}` +
      `<div>${s.bodyHtml}</div>${videos ? `<ul>${videos}</ul>` : ''}</article></main>`;
    return { head, body };
  };
}
