import { describe, expect, it } from 'vitest';
import { findHeadline, formPageMatches, gridFrame, locateBlocks, type GridPaper } from './epaper.import.js';
import { parseBboxLayout, parsePdfInfo } from './poppler.js';
import { pageLabels, shanghaiDay } from './epaper.service.js';

const line = (text: string, xMin: number, yMin: number, xMax: number, yMax: number) => ({ text, xMin, yMin, xMax, yMax });
const A3: GridPaper = { widthMm: 297, heightMm: 420, bleedMm: 3, marginMm: 15, gutterMm: 4, columns: 6 };

describe('finding a headline in the page text', () => {
  it('finds a Chinese headline wrapped over two lines, ignoring spaces between words', () => {
    const lines = [
      line('本报 讯', 10, 5, 60, 12),
      line('春运首日 返乡', 10, 20, 300, 60),
      line('路上的年味', 10, 62, 200, 100),
      line('正文……', 10, 110, 300, 118),
    ];
    expect(findHeadline(lines, '春运首日 返乡路上的年味')).toMatchObject({ xMin: 10, yMin: 20, xMax: 300, yMax: 100 });
  });
  it('prefers the headline itself to a paragraph quoting it, and a larger setting to a smaller one', () => {
    const lines = [
      line('正如《夜市重开》一文所说，今年的夜市比往年更热闹，摊位也更多了一些。', 10, 10, 300, 18),
      line('夜市重开', 320, 400, 500, 420),
      line('夜市重开', 320, 30, 500, 70),
    ];
    expect(findHeadline(lines, '夜市重开')).toMatchObject({ yMin: 30 });
    expect(findHeadline(lines, '没有这篇')).toBeNull();
  });
});

describe('the column grid', () => {
  it('takes the bleed box or the trim box, whichever the page is, and no grid for another shape', () => {
    const bleed = gridFrame(A3, { width: 303, height: 426 })!;
    expect(bleed.left).toBeCloseTo(18 / 303, 6);
    expect(bleed.top).toBeCloseTo(18 / 426, 6);
    const trim = gridFrame(A3, { width: 297, height: 420 })!;
    expect(trim.left).toBeCloseTo(15 / 297, 6);
    expect(gridFrame(A3, { width: 420, height: 297 })).toBeNull();
  });
  it('snaps a block to the column its headline starts in and keeps it inside the grid', () => {
    const text = { width: 303, height: 426, lines: [line('Wide story', 290, 50, 300, 60)] };
    const r = locateBlocks({ text, paper: A3, blocks: [{ storyId: 's', headline: 'Wide story', columns: 4 }] });
    const col = (267 - 20) / 6;
    // Four columns from the last column would leave the page: it starts two columns in.
    expect(r.placed[0]!.rect.x).toBeCloseTo((18 + 2 * (col + 4)) / 303, 4);
    expect(r.placed[0]!.rect.x + r.placed[0]!.rect.w).toBeLessThanOrEqual(1);
  });
  it('without a grid, the block is as wide as its headline at least', () => {
    const text = { width: 600, height: 800, lines: [line('Lonely', 300, 100, 500, 130)] };
    const r = locateBlocks({ text, paper: A3, blocks: [{ storyId: 's', headline: 'Lonely', columns: 1 }] });
    expect(r.placed[0]!.rect).toMatchObject({ x: 0.5 });
    expect(r.placed[0]!.rect.w).toBeGreaterThanOrEqual(200 / 600 - 1e-4);
    expect(r.placed[0]!.rect.y + r.placed[0]!.rect.h).toBeCloseTo(1, 5);
  });
  it('says no_text for a page without a text layer', () => {
    const r = locateBlocks({ text: { width: 600, height: 800, lines: [] }, paper: A3, blocks: [{ storyId: 's', headline: 'x', columns: 2 }] });
    expect(r.unplaced).toEqual([{ storyId: 's', headline: 'x', columns: 2, reason: 'no_text' }]);
  });
});

describe('which print-form page names which e-paper page', () => {
  it.each([
    ['A1', 1, '第01版 要闻', true],
    ['第1版', 1, '第01版', true],
    ['01', 1, '第01版', true],
    ['第01版', 1, '第01版 要闻', true],
    ['要闻', 1, '要闻', true],
    ['第4版', 1, '第01版', false],
    ['', 1, '第01版', false],
  ] as const)('%s on page %i (%s): %s', (form, n, label, ok) => {
    expect(formPageMatches(form, { number: n, label })).toBe(ok);
  });
});

describe('poppler output', () => {
  it('reads pdfinfo: the page count and each page’s size, turned by its rotation', () => {
    const out = 'Pages:           2\nPage    1 size:  595 x 842 pts (A4)\nPage    1 rot:   0\nPage    2 size:  595 x 842 pts (A4)\nPage    2 rot:   90\n';
    expect(parsePdfInfo(out)).toEqual({
      pages: 2,
      sizes: [
        { width: 595, height: 842 },
        { width: 842, height: 595 },
      ],
    });
    expect(() => parsePdfInfo('Title: x\n')).toThrow(/no pages/);
  });
  it('reads pdftotext -bbox-layout lines with their words and entities', () => {
    const xhtml = `<doc><page width="595.000000" height="842.000000"><flow><block xMin="1" yMin="2" xMax="3" yMax="4">
      <line xMin="50.000000" yMin="44.768000" xMax="310.088000" yMax="66.968000">
        <word xMin="50" yMin="44" xMax="136" yMax="66">Tom&amp;Jerry</word><word xMin="143" yMin="44" xMax="216" yMax="66">&#x4e2d;&lt;</word>
      </line></block></flow></page></doc>`;
    expect(parseBboxLayout(xhtml)).toEqual({
      width: 595,
      height: 842,
      lines: [{ text: 'Tom&Jerry 中<', xMin: 50, yMin: 44.768, xMax: 310.088, yMax: 66.968 }],
    });
  });
});

describe('small rules', () => {
  it('names pages “第NN版” unless staff gave a label', () => {
    expect(pageLabels('第01版 要闻||  第03版 国际  ', 4)).toEqual(['第01版 要闻', '第02版', '第03版 国际', '第04版']);
    expect(pageLabels(undefined, 1)).toEqual(['第01版']);
  });
  it('counts the day in Beijing', () => {
    expect(shanghaiDay(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(shanghaiDay(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
  });
});
