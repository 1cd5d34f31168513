import { diffArrays, diffChars, diffWordsWithSpace } from 'diff';
import type { DiffPart, StoryDiffBlock } from '../../../contracts/kitchen.js';
import { storyBlocks } from './sanitize.js';

const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/**
 * Text diff for an editor: by character where the text is Chinese (or Japanese), whose words
 * have no spaces between them, and by word (spaces kept) otherwise.
 */
export function diffText(before: string, after: string): DiffPart[] {
  const changes = CJK.test(before) || CJK.test(after) ? diffChars(before, after) : diffWordsWithSpace(before, after);
  return changes.map((c) => ({ value: c.value, added: !!c.added, removed: !!c.removed }));
}

/**
 * The body compared block by block (paragraphs, headings, quotes, list items, captions,
 * images and videos as markers): unchanged blocks once, a removed block next to an added one
 * shown as one changed block with its text diff.
 */
export function diffBody(beforeHtml: string, afterHtml: string): StoryDiffBlock[] {
  const out: StoryDiffBlock[] = [];
  const changes = diffArrays(storyBlocks(beforeHtml), storyBlocks(afterHtml));
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const next = changes[i + 1];
    if (c.removed && next?.added) {
      const pairs = Math.min(c.value.length, next.value.length);
      for (let k = 0; k < pairs; k++) out.push({ kind: 'changed', parts: diffText(c.value[k]!, next.value[k]!) });
      for (const v of c.value.slice(pairs)) out.push({ kind: 'removed', parts: [{ value: v, added: false, removed: true }] });
      for (const v of next.value.slice(pairs)) out.push({ kind: 'added', parts: [{ value: v, added: true, removed: false }] });
      i++;
      continue;
    }
    const kind = c.added ? 'added' : c.removed ? 'removed' : 'same';
    for (const v of c.value) out.push({ kind, parts: [{ value: v, added: !!c.added, removed: !!c.removed }] });
  }
  return out;
}
