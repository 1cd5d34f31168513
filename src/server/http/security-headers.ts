import type { ServerResponse } from 'node:http';

/**
 * The web app's Content-Security-Policy. Everything the built app loads is its own: scripts and
 * styles are files from the Vite build (no inline script), the API, tus uploads and every media
 * file are same-origin (`/api/media/…` serves S3 objects too, so S3_ENDPOINT never reaches a
 * browser). The exceptions, each for a reason:
 *   - `blob:` media: hls.js plays through MediaSource (a blob: URL on the <video>), and the
 *     submit and edit pages preview the phone's own file through URL.createObjectURL;
 *   - `blob:` workers: hls.js runs its demuxer in a worker made from a blob: URL;
 *   - `data:`/`blob:` images: posters and thumbnails drawn from a local file before upload;
 *   - `style-src 'unsafe-inline'` is NOT granted: React's `style` props and echarts' tooltip are
 *     set through the CSSOM, which a CSP does not govern. HTML answers add one hash: the loading
 *     shell's inline <style> in index.html (pageCsp, modules/web/web.shell.ts).
 * `frame-ancestors 'none'`: no page is meant to be framed (kiosk screens play the kiosk
 * playlist from the API in their own app, not Paike's pages in a frame).
 */
export const PAGE_CSP = pageCsp([]);

/**
 * The page CSP with extra `style-src` hashes: an HTML answer that carries an inline <style> (the
 * loading shell's, painted before any stylesheet arrives) names that exact block's hash, so the
 * policy stays as strict as `'self'` for every other inline style.
 */
export function pageCsp(styleHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styleHashes.map((h) => `'${h}'`)].join(' '),
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The e-book reader's page (`/read/…`, docs/lending.md "Reading"): the page policy, with what
 * foliate-js needs to lay a book out: its sections in `blob:` frames, which inherit this policy,
 * and the books' own and the paginator's inline styles. Scripts stay `'self'`: a book's scripts
 * (inline, or from a blob or the web) never run, in the page or in its frames.
 */
export function readerCsp(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    'frame-src blob:',
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** API answers are data, never documents to render: nothing may load from them or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const COMMON: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
];

/**
 * Sets the security headers on a response before anything else writes it, by path:
 *   - pages and the web app's files: the page CSP, `strict-origin-when-cross-origin` (links to
 *     other sites carry our origin, never a path or query);
 *   - `/api/…` and `/healthz`: the API CSP and `no-referrer` (an API answer is not a page, so the
 *     stricter policy costs nothing), except media files, which a browser may open as a
 *     document of its own (a video or image viewer) that a `default-src 'none'` would break.
 * A route may still set its own value for any of these; its value wins (Node merges headers set
 * here with the ones written later, the later taking precedence).
 */
export function setSecurityHeaders(url: string | undefined, res: ServerResponse): void {
  for (const [name, value] of COMMON) res.setHeader(name, value);
  const p = url ?? '/';
  if (p.startsWith('/api/') || p === '/healthz' || p.startsWith('/healthz?')) {
    res.setHeader('referrer-policy', 'no-referrer');
    if (!p.startsWith('/api/media/')) res.setHeader('content-security-policy', API_CSP);
    return;
  }
  res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
  res.setHeader('content-security-policy', PAGE_CSP);
}

/** The same headers as raw lines, for answers written straight to a socket (a client error). */
export function securityHeaderLines(): string {
  return [...COMMON, ['referrer-policy', 'no-referrer'], ['content-security-policy', API_CSP]].map(([k, v]) => `${k}: ${v}\r\n`).join('');
}
