import { PAGE_SIZE_MM, type PageSize } from '../../../../contracts/kitchen.js';

/**
 * The print block as HTML for headless Chromium (docs/print.md). Pure: everything it shows is
 * handed in (images as data: URLs, QR codes as SVG), so the page needs no network and the same
 * input gives the same bytes. Every text except the body is escaped here; the body is the
 * story's (or the print form's) HTML, which is stored sanitised (modules/kitchen/sanitize.ts).
 *
 * Colours: black (#000) and white only, and tints of black for rules — values a press converts
 * to K alone. The PDF is RGB (Chromium writes no CMYK); the press's RIP converts it, and pure
 * #000 maps to 100 % K there, so text stays sharp on one plate.
 */
export interface PrintNewspaper {
  name: string;
  pageSize: PageSize;
  columns: number;
  gutterMm: number;
  marginMm: number;
  bleedMm: number;
  headlinePt: number;
  standfirstPt: number;
  bodyPt: number;
  captionPt: number;
}

export interface PrintImage {
  src: string;
  width: number;
  height: number;
  caption: string;
  credit: string;
}

export interface PrintVideo {
  title: string;
  contributor: string;
  url: string;
  /** An SVG QR code of `url` (print/qr.ts). */
  qrSvg: string;
  posterSrc: string | null;
}

export interface PrintBlock {
  headline: string;
  standfirst: string;
  byline: string;
  /** Sanitised HTML. */
  bodyHtml: string;
  /** Width of the block in the paper's columns. */
  columns: number;
  edition: string | null;
  page: string;
  images: PrintImage[];
  videos: PrintVideo[];
}

/** The CJK font stacks (Debian: fonts-noto-cjk, else fonts-wqy-zenhei). */
export const SERIF_STACK = '"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "Songti SC", "WenQuanYi Zen Hei", serif';
export const SANS_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", sans-serif';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const mm = (n: number) => `${round(n)}mm`;
const pt = (n: number) => `${round(n)}pt`;
function round(n: number) {
  return Math.round(n * 100) / 100;
}

/** The block's width in millimetres on the paper's grid. */
export function blockWidthMm(paper: PrintNewspaper, columns: number): number {
  const area = PAGE_SIZE_MM[paper.pageSize].width - 2 * paper.marginMm;
  const col = (area - (paper.columns - 1) * paper.gutterMm) / paper.columns;
  const c = Math.min(columns, paper.columns);
  return c * col + (c - 1) * paper.gutterMm;
}

export function buildPrintHtml(paper: PrintNewspaper, block: PrintBlock, opts: { title?: string } = {}): string {
  const trim = PAGE_SIZE_MM[paper.pageSize];
  const bleed = paper.bleedMm;
  const pageW = trim.width + 2 * bleed;
  const pageH = trim.height + 2 * bleed;
  const span = Math.max(1, Math.min(block.columns, paper.columns));
  // Body text runs in the block's own columns, each as wide as one column of the page grid.
  const bodyCols = span;
  const imageCols = span >= 4 ? 2 : 1;
  const css = `
@page { size: ${mm(pageW)} ${mm(pageH)}; margin: 0; bleed: ${mm(bleed)}; marks: crop; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: #000; }
body { font-family: ${SERIF_STACK}; font-size: ${pt(paper.bodyPt)}; line-height: 1.6; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.sheet { position: relative; width: ${mm(pageW)}; height: ${mm(pageH)}; overflow: hidden; }
.trim { position: absolute; left: ${mm(bleed)}; top: ${mm(bleed)}; width: ${mm(trim.width)}; height: ${mm(trim.height)}; padding: ${mm(paper.marginMm)}; }
.grid { display: grid; grid-template-columns: repeat(${paper.columns}, 1fr); column-gap: ${mm(paper.gutterMm)}; align-items: start; }
.block { grid-column: 1 / span ${span}; }
.slug { font-family: ${SANS_STACK}; font-size: ${pt(paper.captionPt)}; border-bottom: 0.5pt solid #000; padding-bottom: 1mm; margin-bottom: 3mm; display: flex; justify-content: space-between; }
h1 { font-family: ${SANS_STACK}; font-weight: 700; font-size: ${pt(paper.headlinePt)}; line-height: 1.2; margin: 0 0 3mm; }
.standfirst { font-family: ${SANS_STACK}; font-size: ${pt(paper.standfirstPt)}; line-height: 1.45; margin: 0 0 2mm; }
.byline { font-family: ${SANS_STACK}; font-size: ${pt(paper.captionPt + 1)}; margin: 0 0 4mm; }
.images { display: grid; grid-template-columns: repeat(${imageCols}, 1fr); gap: ${mm(paper.gutterMm)}; margin: 0 0 4mm; }
figure { margin: 0; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; max-height: 90mm; object-fit: cover; }
figcaption { font-family: ${SANS_STACK}; font-size: ${pt(paper.captionPt)}; line-height: 1.35; margin-top: 1mm; }
.credit { color: #000; font-style: italic; }
.body { column-count: ${bodyCols}; column-gap: ${mm(paper.gutterMm)}; column-fill: balance; text-align: justify; }
.body p { margin: 0 0 0.6em; text-indent: 2em; }
.body h2, .body h3 { font-family: ${SANS_STACK}; font-size: ${pt(paper.bodyPt * 1.25)}; margin: 0.8em 0 0.4em; break-after: avoid; }
.body blockquote { margin: 0.6em 0; padding-left: 3mm; border-left: 1pt solid #000; }
.body ul, .body ol { margin: 0 0 0.6em; padding-left: 1.6em; }
.body a { color: #000; text-decoration: none; }
.body img, .body iframe, .body video { display: none; }
.videos { display: flex; flex-wrap: wrap; gap: ${mm(paper.gutterMm)}; margin-top: 4mm; border-top: 0.5pt solid #000; padding-top: 3mm; }
.video { display: flex; gap: 3mm; align-items: flex-start; break-inside: avoid; width: ${mm(Math.min(90, blockWidthMm(paper, span)))}; }
.video .poster { width: 30mm; height: auto; }
.qr { width: 24mm; flex: none; text-align: center; }
.qr svg { display: block; width: 24mm; height: 24mm; }
.qr .label { font-family: ${SANS_STACK}; font-size: ${pt(paper.captionPt)}; font-weight: 700; display: block; margin-top: 0.5mm; }
.video .meta { font-family: ${SANS_STACK}; font-size: ${pt(paper.captionPt)}; line-height: 1.35; }
.mark { position: absolute; background: #000; }
`;
  const marks = bleed >= 2 ? cropMarks(bleed, trim.width, trim.height) : '';
  const slugLeft = [paper.name, block.edition ?? '', block.page].filter(Boolean).map(escapeHtml).join(' · ');
  const images = block.images.length
    ? `<div class="images">${block.images
        .map(
          (img) =>
            `<figure><img src="${escapeHtml(img.src)}" width="${img.width}" height="${img.height}" alt="${escapeHtml(img.caption)}">` +
            (img.caption || img.credit
              ? `<figcaption>${escapeHtml(img.caption)}${img.credit ? ` <span class="credit">${escapeHtml(img.credit)}</span>` : ''}</figcaption>`
              : '') +
            `</figure>`,
        )
        .join('')}</div>`
    : '';
  const videos = block.videos.length
    ? `<div class="videos">${block.videos
        .map(
          (v) =>
            `<div class="video">` +
            `<div class="qr">${v.qrSvg}<span class="label">扫码看视频</span></div>` +
            (v.posterSrc ? `<img class="poster" src="${escapeHtml(v.posterSrc)}" alt="">` : '') +
            `<div class="meta"><strong>${escapeHtml(v.title)}</strong><br>拍客 ${escapeHtml(v.contributor)}<br>${escapeHtml(v.url)}</div>` +
            `</div>`,
        )
        .join('')}</div>`
    : '';
  return (
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(opts.title ?? block.headline)}</title>` +
    `<style>${css}</style></head><body><div class="sheet">${marks}<div class="trim"><div class="grid"><article class="block">` +
    `<div class="slug"><span>${slugLeft}</span><span>${span}/${paper.columns}</span></div>` +
    `<h1>${escapeHtml(block.headline)}</h1>` +
    (block.standfirst ? `<p class="standfirst">${escapeHtml(block.standfirst)}</p>` : '') +
    (block.byline ? `<p class="byline">${escapeHtml(block.byline)}</p>` : '') +
    images +
    `<div class="body">${block.bodyHtml}</div>` +
    videos +
    `</article></div></div></div></body></html>`
  );
}

/**
 * Crop marks in the bleed, at the trim's corners (Chromium ignores the `marks` descriptor of
 * @page, so they are drawn): hairlines from the sheet's edge to 0.5 mm short of the trim.
 */
function cropMarks(bleed: number, w: number, h: number): string {
  const len = bleed - 0.5;
  const hair = 0.1;
  const out: string[] = [];
  for (const x of [bleed, bleed + w]) {
    for (const y of [0, bleed + h + 0.5]) out.push(`<i class="mark" style="left:${mm(x - hair / 2)};top:${mm(y)};width:${mm(hair)};height:${mm(len)}"></i>`);
  }
  for (const y of [bleed, bleed + h]) {
    for (const x of [0, bleed + w + 0.5]) out.push(`<i class="mark" style="left:${mm(x)};top:${mm(y - hair / 2)};width:${mm(len)};height:${mm(hair)}"></i>`);
  }
  return out.join('');
}
