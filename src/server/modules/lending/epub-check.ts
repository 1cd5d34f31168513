// Hard checks and cleaning of an uploaded EPUB before it enters the lending catalogue.
//
// Structural problems are refused (zip bomb, path traversal, missing mimetype / container / OPF):
// nothing sensible can be served from such a file. Active content is neutralised instead: scripts,
// event-handler attributes, javascript: URLs and remote (http/https) resource references are
// stripped from XHTML/SVG/CSS so the stored book is clean, and the count of what was removed is
// returned so staff can see it. Regex cleaning is not a full HTML sanitiser; the reader route's
// `Content-Security-Policy: sandbox; default-src 'none'` is the second wall.
import { Unzip, UnzipInflate, zipSync, type Zippable } from 'fflate';

export const EPUB_LIMITS = {
  maxFileBytes: 100 * 1024 * 1024,
  maxEntries: 2000,
  maxTotalUncompressed: 300 * 1024 * 1024,
  maxEntryUncompressed: 100 * 1024 * 1024,
  /** Ratio above which an entry bigger than ratioFloorBytes counts as a zip bomb. */
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
} as const;

export type EpubRefusal =
  | 'epub.too_large'
  | 'epub.not_zip'
  | 'epub.too_many_entries'
  | 'epub.zip_bomb'
  | 'epub.unsafe_path'
  | 'epub.bad_mimetype'
  | 'epub.no_container'
  | 'epub.no_opf';

export class EpubRefused extends Error {
  constructor(
    readonly reason: EpubRefusal,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}

export interface EpubNeutralised {
  scripts: number;
  eventHandlers: number;
  javascriptUrls: number;
  remoteReferences: number;
}

export interface EpubCheckResult {
  /** The cleaned EPUB, repacked with `mimetype` first and stored, as the spec requires. */
  bytes: Uint8Array;
  opfPath: string;
  title: string | null;
  author: string | null;
  language: string | null;
  cover: { path: string; mediaType: string; bytes: Uint8Array } | null;
  neutralised: EpubNeutralised;
}

/** Rejects absolute paths, drive letters, backslashes and any `..` segment. */
export function isSafeEntryPath(name: string): boolean {
  if (name.length === 0 || name.length > 1024) return false;
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return false;
  return !name.split('/').some((seg) => seg === '..' || seg === '.');
}

/** Decompresses every entry with running byte counts, so a bomb is stopped while it inflates, not after. */
function unzipLimited(input: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let total = 0;
  let entries = 0;
  let failure: EpubRefused | null = null;
  const un = new Unzip((file) => {
    if (failure) return;
    entries += 1;
    if (entries > EPUB_LIMITS.maxEntries) {
      failure = new EpubRefused('epub.too_many_entries', String(EPUB_LIMITS.maxEntries));
      return;
    }
    if (!isSafeEntryPath(file.name)) {
      failure = new EpubRefused('epub.unsafe_path', file.name);
      return;
    }
    if (file.name.endsWith('/')) return; // directory entry: nothing to store
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new EpubRefused('epub.not_zip', err.message);
        return;
      }
      size += chunk.byteLength;
      total += chunk.byteLength;
      const compressed = file.size ?? 0;
      if (
        size > EPUB_LIMITS.maxEntryUncompressed ||
        total > EPUB_LIMITS.maxTotalUncompressed ||
        (size > EPUB_LIMITS.ratioFloorBytes && compressed > 0 && size / compressed > EPUB_LIMITS.maxRatio)
      ) {
        failure = new EpubRefused('epub.zip_bomb', file.name);
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) files.set(file.name, Buffer.concat(chunks));
    };
    file.start();
  });
  un.register(UnzipInflate);
  try {
    un.push(input, true);
  } catch (e) {
    if (!failure) failure = new EpubRefused('epub.not_zip', e instanceof Error ? e.message : 'unreadable zip');
  }
  if (failure) throw failure as EpubRefused;
  if (files.size === 0) throw new EpubRefused('epub.not_zip', 'no entries');
  return files;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? (m[2] ?? m[3] ?? '') : null;
}

function xmlText(xml: string, tag: string): string | null {
  const m = new RegExp(`<(?:[\\w-]+:)?${tag}\\b[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`, 'i').exec(xml);
  if (!m) return null;
  const t = m[1]!
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
  return t.length > 0 ? t.slice(0, 500) : null;
}

/** Resolves an OPF-relative href to an entry path, or null if it escapes the book. */
function resolveHref(baseDir: string, href: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(href.split('#')[0]!);
  } catch {
    return null;
  }
  const parts = (baseDir ? `${baseDir}/${path}` : path).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

const REMOTE = /^\s*(?:https?:)?\/\//i;

/** Strips active content from one XHTML/SVG/HTML document; counts what it removed. */
export function cleanMarkup(src: string, n: EpubNeutralised): string {
  let s = src.replace(/<script\b[\s\S]*?<\/script\s*>/gi, () => {
    n.scripts += 1;
    return '';
  });
  s = s.replace(/<script\b[^>]*\/>/gi, () => {
    n.scripts += 1;
    return '';
  });
  // Any <script that survived (unterminated) is cut to the end: better a truncated page than a live script.
  const open = s.search(/<script\b/i);
  if (open >= 0) {
    n.scripts += 1;
    s = s.slice(0, open);
  }
  // Only inside tags, so prose such as "online = good" is left alone.
  s = s.replace(/<[a-zA-Z][^>]*>/g, (tag) =>
    tag.replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, () => {
      n.eventHandlers += 1;
      return '';
    }),
  );
  s = s.replace(/(\s(?:href|src|xlink:href|action|formaction|poster|data)\s*=\s*)("|')\s*javascript:[^"']*\2/gi, (_m, pre: string, q: string) => {
    n.javascriptUrls += 1;
    return `${pre}${q}#${q}`;
  });
  // Remote resources (images, styles, media, frames) would phone home when the page opens. Plain
  // <a href> links to the web are navigation, not loads, and are kept.
  s = s.replace(/<(img|image|link|script|iframe|frame|embed|object|audio|video|source|track|use|input)\b[^>]*>/gi, (tag) =>
    tag.replace(/(\s(?:src|href|xlink:href|poster|data|srcset)\s*=\s*)("|')([^"']*)\2/gi, (m, pre: string, q: string, v: string) => {
      if (!REMOTE.test(v) && !/,\s*(?:https?:)?\/\//i.test(v)) return m;
      n.remoteReferences += 1;
      return `${pre}${q}${q}`;
    }),
  );
  return cleanCss(s, n);
}

/** Removes remote url() and @import from CSS (stylesheets and inline style blocks/attributes). */
export function cleanCss(src: string, n: EpubNeutralised): string {
  let s = src.replace(/@import\s+(?:url\()?\s*["']?(?:https?:)?\/\/[^;]*;?/gi, () => {
    n.remoteReferences += 1;
    return '';
  });
  s = s.replace(/url\(\s*(["']?)\s*(?:https?:)?\/\/[^)]*\)/gi, () => {
    n.remoteReferences += 1;
    return 'none';
  });
  return s;
}

function isMarkup(path: string): boolean {
  return /\.(x?html?|svg|xml|opf|ncx)$/i.test(path);
}

export function checkEpub(input: Uint8Array): EpubCheckResult {
  if (input.byteLength > EPUB_LIMITS.maxFileBytes) throw new EpubRefused('epub.too_large', String(EPUB_LIMITS.maxFileBytes));
  if (input.byteLength < 4 || input[0] !== 0x50 || input[1] !== 0x4b) throw new EpubRefused('epub.not_zip');
  const files = unzipLimited(input);

  const mimetype = files.get('mimetype');
  if (!mimetype || decoder.decode(mimetype).trim() !== 'application/epub+zip') throw new EpubRefused('epub.bad_mimetype');
  const container = files.get('META-INF/container.xml');
  if (!container) throw new EpubRefused('epub.no_container');
  const rootfileTag = /<(?:[\w-]+:)?rootfile\b[^>]*>/i.exec(decoder.decode(container));
  const opfHref = rootfileTag ? attr(rootfileTag[0], 'full-path') : null;
  const opfPath = opfHref ? resolveHref('', opfHref) : null;
  if (!opfPath || !files.has(opfPath)) throw new EpubRefused('epub.no_opf', opfHref ?? '');
  const opf = decoder.decode(files.get(opfPath));
  const opfDir = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/')) : '';

  // Cover: EPUB 3 `properties="cover-image"`, else EPUB 2 `<meta name="cover" content="id">`.
  const items = [...opf.matchAll(/<(?:[\w-]+:)?item\b[^>]*>/gi)].map((m) => m[0]);
  let coverTag = items.find((t) => (attr(t, 'properties') ?? '').split(/\s+/).includes('cover-image'));
  if (!coverTag) {
    const meta = [...opf.matchAll(/<(?:[\w-]+:)?meta\b[^>]*>/gi)].map((m) => m[0]).find((t) => attr(t, 'name') === 'cover');
    const id = meta ? attr(meta, 'content') : null;
    if (id) coverTag = items.find((t) => attr(t, 'id') === id);
  }
  let cover: EpubCheckResult['cover'] = null;
  if (coverTag) {
    const href = attr(coverTag, 'href');
    const path = href ? resolveHref(opfDir, href) : null;
    const mediaType = attr(coverTag, 'media-type') ?? '';
    const bytes = path ? files.get(path) : undefined;
    if (path && bytes && /^image\/(jpeg|png|gif|webp)$/.test(mediaType)) cover = { path, mediaType, bytes };
  }

  const neutralised: EpubNeutralised = { scripts: 0, eventHandlers: 0, javascriptUrls: 0, remoteReferences: 0 };
  const out: Zippable = { mimetype: [encoder.encode('application/epub+zip'), { level: 0 }] };
  for (const [name, bytes] of files) {
    if (name === 'mimetype') continue;
    if (isMarkup(name) && name !== opfPath && name !== 'META-INF/container.xml') {
      out[name] = encoder.encode(cleanMarkup(decoder.decode(bytes), neutralised));
    } else if (/\.css$/i.test(name)) {
      out[name] = encoder.encode(cleanCss(decoder.decode(bytes), neutralised));
    } else {
      out[name] = bytes;
    }
  }
  return {
    bytes: zipSync(out, { level: 6 }),
    opfPath,
    title: xmlText(opf, 'title'),
    author: xmlText(opf, 'creator'),
    language: xmlText(opf, 'language'),
    cover,
    neutralised,
  };
}
