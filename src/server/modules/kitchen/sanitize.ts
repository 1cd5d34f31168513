import sanitizeHtml from 'sanitize-html';

/**
 * The one sanitiser for story and form HTML (docs/kitchen-review.md): headings, paragraphs,
 * quotes, lists, emphasis, links to http(s) and images served by Paike itself. Everything else
 * (script, style, iframes, event handlers, foreign images) is dropped.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'h4', 'blockquote', 'ul', 'ol', 'li', 'a', 'strong', 'em', 'br', 'figure', 'figcaption', 'img'],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^\/api\/kitchen\/images\/[0-9a-f-]{36}\/(print|web|thumb)$/.test(frame.attribs.src ?? ''),
  transformTags: {
    a: (tagName, attribs): sanitizeHtml.Tag => ({ tagName, attribs: attribs.href ? { href: attribs.href, rel: 'noopener noreferrer' } : {} }),
  },
};

export function sanitizeStoryHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
