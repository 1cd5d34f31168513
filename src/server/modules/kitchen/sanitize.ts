import sanitizeHtml from 'sanitize-html';

/** An image Paike itself serves: `/api/kitchen/images/<id>/<size>` (no foreign images, ever). */
export const OWN_IMAGE_SRC = /^\/api\/kitchen\/images\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/(print|web|thumb)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The tags a story body may hold (docs/kitchen.md, "The sanitiser"). */
export const STORY_ALLOWED_TAGS = [
  'p',
  'h2',
  'h3',
  'h4',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'strong',
  'em',
  'b',
  'i',
  'u',
  's',
  'br',
  'hr',
  'figure',
  'figcaption',
  'img',
] as const;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...STORY_ALLOWED_TAGS],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'], figure: ['data-paike-video'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  allowedStyles: {},
  allowedClasses: {},
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  // Whatever these hold is never text a reader should see: dropped whole, not unwrapped.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
    'title',
    'head',
    'select',
    'frameset',
    'noembed',
    'xmp',
  ],
  transformTags: {
    // Pasted documents: the story's own headline is its h1, so body headings start at h2.
    h1: 'h2',
    div: 'p',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs) => {
      const href = (attribs.href ?? '').trim();
      const keep: Record<string, string> = /^(https?:|mailto:)/i.test(href) ? { href, rel: 'noopener noreferrer' } : {};
      return { tagName, attribs: keep };
    },
    img: (tagName, attribs) => {
      const src = (attribs.src ?? '').trim();
      const keep: Record<string, string> = {};
      if (OWN_IMAGE_SRC.test(src)) keep.src = src;
      if (attribs.alt) keep.alt = attribs.alt;
      return { tagName, attribs: keep };
    },
    figure: (tagName, attribs) => {
      const id = (attribs['data-paike-video'] ?? '').trim().toLowerCase();
      const keep: Record<string, string> = UUID.test(id) ? { 'data-paike-video': id } : {};
      return { tagName, attribs: keep };
    },
  },
  // An image without an own source is dropped; so is a link that lost its address (its text stays).
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/**
 * THE sanitiser of story HTML (the story body and every form's HTML): an allowed set of tags,
 * links only to http(s) and mailto (with rel="noopener noreferrer"), images only from Paike's
 * own `/api/kitchen/images/…`, Paike videos as `<figure data-paike-video="<submission id>">`;
 * no scripts, styles, event handlers, iframes or foreign embeds. Idempotent.
 */
export function sanitizeStoryHtml(html: string): string {
  const out = sanitizeHtml(html, OPTIONS);
  // A link whose address was refused is kept as its text.
  return out.replace(/<a>([\s\S]*?)<\/a>/g, '$1');
}

/** The plain text of each block of a story body, for diffs and previews. */
export function storyBlocks(html: string): string[] {
  const text = sanitizeHtml(
    html
      .replace(/<figure[^>]*data-paike-video="([^"]+)"[^>]*>/g, '\n[video $1]')
      .replace(/<img[^>]*src="\/api\/kitchen\/images\/([0-9a-f-]+)\/[a-z]+"[^>]*>/g, '\n[image $1]\n')
      .replace(/<br\s*\/?>/g, '\n')
      .replace(/<\/(p|h2|h3|h4|blockquote|li|figcaption|figure)>/g, '\n')
      .replace(/<hr\s*\/?>/g, '\n---\n'),
    { allowedTags: [], allowedAttributes: {} },
  );
  return text
    .split('\n')
    .map((l) => decodeEntities(l).trim())
    .filter((l) => l.length > 0);
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}
