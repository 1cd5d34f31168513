import type { PageText, TextLine } from './poppler.js';

/**
 * Print forms → zones (docs/epaper.md, "Zones from print forms"). The kitchen's print form keeps
 * no position on the page: only the block's width in grid columns, its edition date and page name,
 * and its headline. So the block is found on the page by its headline in the PDF's own text
 * (pdftotext -bbox-layout), its left edge snapped to the newspaper's column grid, its width that
 * many columns, and its height down to the next block found below it (or the type area's foot).
 * Pure functions: the service hands in the text and the newspaper.
 */

export interface GridPaper {
  /** Trim size, mm. */
  widthMm: number;
  heightMm: number;
  bleedMm: number;
  marginMm: number;
  gutterMm: number;
  columns: number;
}

export interface FormBlock {
  storyId: string;
  headline: string;
  /** The block's width in the paper's columns. */
  columns: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LocateResult {
  placed: (FormBlock & { rect: Rect })[];
  unplaced: (FormBlock & { reason: 'not_found' | 'no_text' })[];
}

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

/** Where the headline is printed: the lines it spans, the tallest such match (a headline is set larger than a mention of it). */
export function findHeadline(lines: TextLine[], headline: string): TextLine | null {
  const h = norm(headline);
  if (!h) return null;
  let best: { box: TextLine; size: number } | null = null;
  const texts = lines.map((l) => norm(l.text));
  for (let i = 0; i < lines.length; i++) {
    let acc = '';
    for (let j = i; j < Math.min(lines.length, i + 4); j++) {
      acc += texts[j];
      if (!acc.includes(h)) continue;
      // The match must start in line i, and the lines must be mostly the headline (not a paragraph quoting it).
      if (acc.slice(texts[i]!.length).includes(h)) break;
      if (acc.length > 2 * h.length + 4) break;
      const span = lines.slice(i, j + 1);
      const box: TextLine = {
        text: acc,
        xMin: Math.min(...span.map((l) => l.xMin)),
        yMin: Math.min(...span.map((l) => l.yMin)),
        xMax: Math.max(...span.map((l) => l.xMax)),
        yMax: Math.max(...span.map((l) => l.yMax)),
      };
      const size = Math.max(...span.map((l) => l.yMax - l.yMin));
      if (!best || size > best.size) best = { box, size };
      break;
    }
  }
  return best?.box ?? null;
}

interface Frame {
  /** Page units (fractions) of the type area and of one column step. */
  left: number;
  top: number;
  bottom: number;
  colWidth: number;
  step: number;
  columns: number;
}

/**
 * The paper's grid in page units, if the PDF page is the paper: Paike's render is the bleed box
 * (trim + 2 × bleed), a press PDF is often cropped to the trim; the nearer aspect ratio wins,
 * and a page more than 3 % off both is not this paper (no grid).
 */
export function gridFrame(paper: GridPaper, page: { width: number; height: number }): Frame | null {
  if (page.width <= 0 || page.height <= 0 || paper.columns < 1) return null;
  const aspect = page.width / page.height;
  const frames = [paper.bleedMm, 0].map((b) => ({ b, W: paper.widthMm + 2 * b, H: paper.heightMm + 2 * b }));
  const off = (f: { W: number; H: number }) => Math.abs(f.W / f.H - aspect) / aspect;
  const f = frames.sort((a, c) => off(a) - off(c))[0]!;
  if (off(f) > 0.03) return null;
  const typeWidth = paper.widthMm - 2 * paper.marginMm;
  const colWidth = (typeWidth - (paper.columns - 1) * paper.gutterMm) / paper.columns;
  if (colWidth <= 0) return null;
  return {
    left: (f.b + paper.marginMm) / f.W,
    top: (f.b + paper.marginMm) / f.H,
    bottom: (f.b + paper.heightMm - paper.marginMm) / f.H,
    colWidth: colWidth / f.W,
    step: (colWidth + paper.gutterMm) / f.W,
    columns: paper.columns,
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number) => Math.round(v * 1e5) / 1e5;

/** Places each print block on the page from its headline; blocks whose headline is not in the text are returned unplaced. */
export function locateBlocks(q: { text: PageText; blocks: FormBlock[]; paper: GridPaper | null }): LocateResult {
  const { text } = q;
  const result: LocateResult = { placed: [], unplaced: [] };
  if (text.width <= 0 || text.height <= 0 || text.lines.length === 0) {
    result.unplaced = q.blocks.map((b) => ({ ...b, reason: 'no_text' as const }));
    return result;
  }
  const frame = q.paper ? gridFrame(q.paper, text) : null;
  const found: { block: FormBlock; x: number; w: number; top: number }[] = [];
  for (const block of q.blocks) {
    const box = findHeadline(text.lines, block.headline);
    if (!box) {
      result.unplaced.push({ ...block, reason: 'not_found' });
      continue;
    }
    const hx = box.xMin / text.width;
    const hw = (box.xMax - box.xMin) / text.width;
    let x: number;
    let w: number;
    if (frame) {
      const cols = clamp(block.columns, 1, frame.columns);
      const k = clamp(Math.floor((hx - frame.left + (frame.step - frame.colWidth) / 2) / frame.step), 0, frame.columns - cols);
      x = frame.left + k * frame.step;
      w = cols * frame.colWidth + (cols - 1) * (frame.step - frame.colWidth);
    } else {
      // No grid: as wide as the headline, at least the block's share of the page.
      x = hx;
      w = Math.max(hw, block.columns / Math.max(block.columns, q.paper?.columns ?? 6));
    }
    x = clamp(x, 0, 0.99);
    w = clamp(w, 0.01, 1 - x);
    // A little above the headline's ascenders, never above the type area.
    const top = clamp(box.yMin / text.height - 0.004, frame?.top ?? 0, 0.99);
    found.push({ block, x, w, top });
  }
  const foot = frame?.bottom ?? 1;
  for (const f of found) {
    // Down to the next block found below that shares columns with this one.
    const below = found
      .filter((o) => o !== f && o.top > f.top + 0.005 && Math.min(f.x + f.w, o.x + o.w) - Math.max(f.x, o.x) > 0.2 * Math.min(f.w, o.w))
      .map((o) => o.top);
    let bottom = Math.min(foot, ...below);
    if (bottom - f.top < 0.01) bottom = Math.max(foot, f.top + 0.01);
    const y = f.top;
    const h = clamp(bottom - y, 0.01, 1 - y);
    result.placed.push({ ...f.block, rect: { x: round(f.x), y: round(y), w: round(Math.min(f.w, 1 - round(f.x))), h: round(Math.min(h, 1 - round(y))) } });
  }
  return result;
}

/**
 * Whether a print form's page (free text: "A1", "第4版", "4", "第04版 要闻") names this e-paper
 * page: the same text as its label (or the label's first word), or the same page number.
 */
export function formPageMatches(formPage: string, page: { number: number; label: string }): boolean {
  const f = norm(formPage);
  if (!f) return false;
  const label = norm(page.label);
  const firstWord = norm(page.label.trim().split(/\s+/)[0] ?? '');
  if (f === label || f === firstWord) return true;
  const n = /(\d+)/.exec(f)?.[1];
  return n !== undefined && Number(n) === page.number;
}
