import { createHash } from 'node:crypto';
import type { Locale } from '../../../contracts/common.js';
import { localeFromAcceptLanguage } from '../../lib/messages.js';

/** Text that came from users (titles, names, summaries) or from the address, made inert in HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SHELL_TEXT: Record<Locale, { loading: string; title: string }> = {
  'zh-CN': { loading: '正在加载…', title: '拍客 Paike' },
  en: { loading: 'Loading…', title: 'Paike 拍客' },
};

/** The cookie the web app writes when the user picks a language (src/web/i18n). */
export const LOCALE_COOKIE = 'paike_locale';

/**
 * The page's language: the user's own choice (the `paike_locale` cookie), else what the browser
 * asks for (zh* → Chinese, en* → English, anything else → English), else, with no
 * Accept-Language at all, Chinese: the newsroom's language and what a QR code in a print
 * edition most often reaches.
 */
export function pageLocale(cookieValue: string | undefined, acceptLanguage: string | undefined): Locale {
  if (cookieValue === 'zh-CN' || cookieValue === 'en') return cookieValue;
  if (!acceptLanguage?.trim()) return 'zh-CN';
  return localeFromAcceptLanguage(acceptLanguage) ?? 'en';
}

export interface ShellPage {
  /** What goes in <head> in place of the default title: title, description, canonical, Open Graph … */
  head?: string;
  /** What goes in #root below the brand bar, in place of the bare loading shell. */
  body?: string;
}

export interface Shell {
  render(locale: Locale, page?: ShellPage): string;
  /** `sha256-…` of each inline <style> block, for the page CSP of HTML answers. */
  styleHashes: readonly string[];
}

const HEAD = ['<!--paike:head-->', '<!--/paike:head-->'] as const;
const ROOT = ['<!--paike:root-->', '<!--/paike:root-->'] as const;
const LANG = '<html lang="zh-CN">';

function between(html: string, [open, close]: readonly [string, string]): { before: string; after: string } {
  const a = html.indexOf(open);
  const b = html.indexOf(close, a);
  if (a < 0 || b < 0) throw new Error(`index.html: marker ${open} … ${close} not found (rebuild the web app: npm run build:web)`);
  return { before: html.slice(0, a), after: html.slice(b + close.length) };
}

/** The loading shell: the brand mark, the name and one line in the user's language. */
export function shellBody(locale: Locale): string {
  return (
    `<div class="pk-shell" role="status"><span class="pk-mark" aria-hidden="true">拍</span>` +
    `<p class="pk-name">${SHELL_TEXT[locale].title}</p><p class="pk-msg">${SHELL_TEXT[locale].loading}</p></div>`
  );
}

/** A server-rendered page under the brand bar; the app replaces the whole of #root when it starts. */
function pageBody(locale: Locale, body: string): string {
  return (
    `<div class="pk-shell pk-page"><header class="pk-brand"><span class="pk-mark" aria-hidden="true">拍</span>` +
    `<a class="pk-name" href="/">${SHELL_TEXT[locale].title}</a></header>${body}` +
    `<p class="pk-msg" role="status">${SHELL_TEXT[locale].loading}</p></div>`
  );
}

/**
 * Parses the built index.html once, at start-up, into the fixed parts between the places a page
 * fills in (the `lang`, the head's title block, the contents of #root), so each answer is a
 * few string joins. The markers are HTML comments in src/web/index.html that Vite keeps.
 */
export function createShell(html: string): Shell {
  const langAt = html.indexOf(LANG);
  if (langAt < 0) throw new Error(`index.html: ${LANG} not found`);
  const head = between(html, HEAD);
  const root = between(head.after, ROOT);
  const p0 = html.slice(0, langAt) + '<html lang="';
  // The markers go: they are for this parse only.
  const p1 = '">' + head.before.slice(langAt + LANG.length);
  const p2 = root.before;
  const p3 = root.after;
  const styleHashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}`);
  return {
    styleHashes,
    render(locale, page) {
      const headHtml = page?.head ?? `<title>${SHELL_TEXT[locale].title}</title>`;
      const bodyHtml = page?.body === undefined ? shellBody(locale) : pageBody(locale, page.body);
      return p0 + locale + p1 + headHtml + p2 + bodyHtml + p3;
    },
  };
}
