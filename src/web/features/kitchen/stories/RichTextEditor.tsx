import { useEffect, useRef, type ClipboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

const KEEP = new Set(['P', 'H2', 'H3', 'H4', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A', 'STRONG', 'EM', 'B', 'I', 'U', 'S', 'BR', 'HR']);
const RENAME: Record<string, string> = { H1: 'H2', H5: 'H4', H6: 'H4', DIV: 'P' };
const DROP = new Set(['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'TEMPLATE', 'NOSCRIPT', 'TITLE', 'HEAD', 'META', 'LINK', 'IMG']);

/**
 * Pasted HTML reduced to the story's tags with no attributes but a link's http(s)/mailto address.
 * Only a first pass so the editor shows what will be kept: the server's sanitiser
 * (modules/kitchen/sanitize.ts) is the rule, applied on every save. DOMParser documents are
 * inert: nothing in them runs or loads.
 */
export function cleanPaste(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const out = document.createElement('div');
  const walk = (from: Node, to: HTMLElement) => {
    for (const n of Array.from(from.childNodes)) {
      if (n.nodeType === Node.TEXT_NODE) to.append(n.textContent ?? '');
      else if (n instanceof Element) {
        const tag = RENAME[n.tagName] ?? n.tagName;
        if (DROP.has(n.tagName)) continue;
        if (!KEEP.has(tag)) {
          walk(n, to);
          continue;
        }
        const el = document.createElement(tag.toLowerCase());
        if (tag === 'A') {
          const href = n.getAttribute('href') ?? '';
          if (/^(https?:|mailto:)/i.test(href.trim())) el.setAttribute('href', href.trim());
        }
        walk(n, el);
        to.append(el);
      }
    }
  };
  walk(doc.body, out);
  return out.innerHTML;
}

export interface RichTextHandle {
  insertHtml(html: string): void;
}

/**
 * The story body: a contenteditable with a toolbar (headings, quote, lists, link, bold,
 * italic). The HTML it edits came from the server, already sanitised; what it sends is
 * sanitised again there.
 */
export function RichTextEditor(props: {
  initialHtml: string;
  resetKey: string | number;
  onChange: (html: string) => void;
  handle?: (h: RichTextHandle) => void;
  label: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const { onChange, handle } = props;
  useEffect(() => {
    if (ref.current) ref.current.innerHTML = props.initialHtml;
    // Only when the story itself is (re)loaded, never while typing.
  }, [props.resetKey]);
  useEffect(() => {
    handle?.({
      insertHtml(html) {
        const el = ref.current;
        if (!el) return;
        el.focus();
        const sel = window.getSelection();
        if (!sel || !sel.rangeCount || !el.contains(sel.anchorNode)) {
          el.insertAdjacentHTML('beforeend', html);
        } else document.execCommand('insertHTML', false, html);
        onChange(el.innerHTML);
      },
    });
  }, [handle, onChange]);
  const exec = (cmd: string, value?: string) => {
    ref.current?.focus();
    document.execCommand(cmd, false, value);
    if (ref.current) onChange(ref.current.innerHTML);
  };
  const link = () => {
    const href = window.prompt(t('kitchenStories.editor.linkPrompt'), 'https://');
    if (href && /^(https?:|mailto:)/i.test(href.trim())) exec('createLink', href.trim());
  };
  const paste = (e: ClipboardEvent<HTMLDivElement>) => {
    e.preventDefault();
    const html = e.clipboardData.getData('text/html');
    const text = e.clipboardData.getData('text/plain');
    if (html) document.execCommand('insertHTML', false, cleanPaste(html));
    else document.execCommand('insertText', false, text);
    if (ref.current) onChange(ref.current.innerHTML);
  };
  const tools: [string, string, () => void][] = [
    ['h2', t('kitchenStories.editor.h2'), () => exec('formatBlock', 'h2')],
    ['h3', t('kitchenStories.editor.h3'), () => exec('formatBlock', 'h3')],
    ['p', t('kitchenStories.editor.paragraph'), () => exec('formatBlock', 'p')],
    ['quote', t('kitchenStories.editor.quote'), () => exec('formatBlock', 'blockquote')],
    ['ul', t('kitchenStories.editor.bullets'), () => exec('insertUnorderedList')],
    ['ol', t('kitchenStories.editor.numbers'), () => exec('insertOrderedList')],
    ['link', t('kitchenStories.editor.link'), link],
    ['bold', t('kitchenStories.editor.bold'), () => exec('bold')],
    ['italic', t('kitchenStories.editor.italic'), () => exec('italic')],
  ];
  return (
    <div className="k-stories-editor">
      <div role="toolbar" aria-label={t('kitchenStories.editor.toolbar')} className="k-stories-toolbar">
        {tools.map(([key, label, run]) => (
          <button key={key} type="button" className="btn btn-secondary btn-small" onMouseDown={(e) => e.preventDefault()} onClick={run}>
            {label}
          </button>
        ))}
      </div>
      <div
        ref={ref}
        className="k-stories-body"
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label={props.label}
        onInput={(e) => onChange(e.currentTarget.innerHTML)}
        onPaste={paste}
      />
    </div>
  );
}
