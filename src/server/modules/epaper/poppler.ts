import { execFile } from 'node:child_process';

/**
 * Debian's poppler-utils (pdfinfo, pdftoppm, pdftotext), run with execFile: an argument array,
 * no shell, a timeout, a bounded output buffer, and an empty environment but PATH and a C locale
 * (so sizes print with a dot). Every file they read or write is in a scratch directory the caller
 * made; nothing a client sent becomes an argument except through a path Paike chose.
 */
export const POPPLER_DIR = '/usr/bin';

export type PopplerFault = 'epaper.poppler_missing' | 'epaper.pdf_unreadable' | 'epaper.render_timeout';

/** A failure of a poppler tool: a message code and the first lines of what the tool said. */
export class PopplerError extends Error {
  constructor(
    readonly code: PopplerFault,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'PopplerError';
  }
}

export interface PdfPageSize {
  /** In PDF points (1/72 inch), after the page's rotation. */
  width: number;
  height: number;
}

export interface PdfInfo {
  pages: number;
  /** The first `maxPages` pages' sizes, in order. */
  sizes: PdfPageSize[];
}

/** A line of text on a page with its box, in PDF points from the top-left corner. */
export interface TextLine {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PageText {
  width: number;
  height: number;
  lines: TextLine[];
}

export interface Poppler {
  info(file: string, opts: { maxPages: number }): Promise<PdfInfo>;
  /** Renders one page (1-based) to `<outPrefix>.png`, `width` pixels wide; returns the PNG's path. */
  renderPage(file: string, opts: { page: number; width: number; outPrefix: string }): Promise<string>;
  /** The text lines of one page with their boxes (pdftotext -bbox-layout). */
  pageText(file: string, page: number): Promise<PageText>;
}

function run(bin: string, args: string[], timeoutMs: number, maxBuffer = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      `${POPPLER_DIR}/${bin}`,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (e.code === 'ENOENT') return reject(new PopplerError('epaper.poppler_missing', `${POPPLER_DIR}/${bin} is not installed`));
        if (e.killed || e.signal === 'SIGKILL')
          return reject(new PopplerError('epaper.render_timeout', `${bin} took longer than ${Math.round(timeoutMs / 1000)} s`));
        const said = String(stderr || e.message)
          .split('\n')
          .filter((l) => l.trim())
          .slice(0, 3)
          .join(' / ');
        reject(new PopplerError('epaper.pdf_unreadable', `${bin}: ${said}`.slice(0, 500)));
      },
    );
  });
}

/** Reads `Pages:` and `Page    N size: W x H pts` from pdfinfo's output. */
export function parsePdfInfo(out: string): PdfInfo {
  const pages = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1] ?? NaN);
  if (!Number.isInteger(pages) || pages < 1) throw new PopplerError('epaper.pdf_unreadable', 'pdfinfo found no pages');
  const sizes: PdfPageSize[] = [];
  for (const m of out.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm)) {
    sizes[Number(m[1]) - 1] = { width: Number(m[2]), height: Number(m[3]) };
  }
  // pdfinfo prints `Page N rot: 90` after the size; a quarter turn swaps what a reader sees.
  for (const m of out.matchAll(/^Page\s+(\d+)\s+rot:\s+(\d+)/gm)) {
    const s = sizes[Number(m[1]) - 1];
    if (s && Number(m[2]) % 180 === 90) sizes[Number(m[1]) - 1] = { width: s.height, height: s.width };
  }
  return { pages, sizes };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });

/**
 * pdftotext -bbox-layout's XHTML: `<page width height>` then flows, blocks and `<line>`s of
 * `<word xMin yMin xMax yMax>`. Lines keep their words joined with a space (Chinese words are
 * runs of characters; the matcher ignores spaces).
 */
export function parseBboxLayout(xhtml: string): PageText {
  const page = /<page width="([\d.]+)" height="([\d.]+)">/.exec(xhtml);
  const lines: TextLine[] = [];
  for (const m of xhtml.matchAll(/<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([\s\S]*?)<\/line>/g)) {
    const words = [...m[5]!.matchAll(/<word[^>]*>([\s\S]*?)<\/word>/g)].map((w) => unescape(w[1]!));
    lines.push({ text: words.join(' '), xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
  }
  return { width: Number(page?.[1] ?? 0), height: Number(page?.[2] ?? 0), lines };
}

export function createPoppler(opts: { timeoutMs: number }): Poppler {
  return {
    async info(file, { maxPages }) {
      // -l bounds the per-page lines pdfinfo prints, whatever the page count claims.
      return parsePdfInfo(await run('pdfinfo', ['-f', '1', '-l', String(maxPages), '--', file], opts.timeoutMs));
    },
    async renderPage(file, { page, width, outPrefix }) {
      // -singlefile: exactly <outPrefix>.png; -scale-to-y -1 keeps the page's proportions.
      const p = String(page);
      await run(
        'pdftoppm',
        ['-f', p, '-l', p, '-singlefile', '-png', '-scale-to-x', String(width), '-scale-to-y', '-1', '--', file, outPrefix],
        opts.timeoutMs,
      );
      return `${outPrefix}.png`;
    },
    async pageText(file, page) {
      const p = String(page);
      return parseBboxLayout(await run('pdftotext', ['-f', p, '-l', p, '-bbox-layout', '-enc', 'UTF-8', '--', file, '-'], opts.timeoutMs, 32 * 1024 * 1024));
    },
  };
}
