import sanitizeHtml from 'sanitize-html';

/**
 * A story for layout systems and partner media (docs/print.md, "Exports"): NewsML-G2 (one
 * newsItem) and ninjs 2.0. Pure functions of what they are handed, so a fixed story and clock
 * give the same bytes (the golden files in __golden__).
 */
export interface ExportImage {
  id: string;
  caption: string;
  credit: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ExportVideo {
  submissionId: string;
  title: string;
  contributor: string;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  /** Storage key of the video's poster (served at /api/media/<key>), if it has one. */
  posterKey: string | null;
}

export interface ExportStory {
  id: string;
  version: number;
  headline: string;
  standfirst: string;
  /** Sanitised HTML (stories store it sanitised). */
  bodyHtml: string;
  tags: string[];
  byline: string;
  studio: string | null;
  createdAt: Date;
  updatedAt: Date;
  images: ExportImage[];
  videos: ExportVideo[];
}

export interface ExportContext {
  /** Paike's public origin, e.g. https://paike.example.cn (no trailing slash). */
  publicUrl: string;
  provider: string;
}

export const NINJS_SCHEMA_URL = 'http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json';

const imageHref = (c: ExportContext, id: string, size: 'print' | 'web' | 'thumb') => `${c.publicUrl}/api/kitchen/images/${id}/${size}`;
const videoPage = (c: ExportContext, id: string) => `${c.publicUrl}/v/${id}`;
const posterHref = (c: ExportContext, key: string) => `${c.publicUrl}/api/media/${key}`;
const storyUri = (c: ExportContext, id: string) => `${c.publicUrl}/stories/${id}`;

// eslint-disable-next-line no-control-regex -- these control characters are what it removes
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** XML text and attribute escaping (the five predefined entities). */
export function xmlEscape(s: string): string {
  // Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR) are dropped.
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

const BODY_TAGS = [
  'p',
  'h2',
  'h3',
  'h4',
  'blockquote',
  'ul',
  'ol',
  'li',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'a',
  'br',
  'hr',
  'figure',
  'figcaption',
  'sub',
  'sup',
  'span',
];

/**
 * The body as XHTML: the stored HTML is already safe; this re-serialises it with every element
 * closed (`<br />`), attributes quoted and only XML's own entities, so it sits in XML as is.
 */
export function toXhtml(html: string): string {
  const out = sanitizeHtml(html, {
    allowedTags: BODY_TAGS,
    allowedAttributes: { a: ['href', 'title'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    selfClosing: ['br', 'hr'],
    disallowedTagsMode: 'discard',
  });
  // sanitize-html writes `<br />`; any `&nbsp;`-style entity would be an HTML one, so none may remain.
  return out.replace(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/gi, '&amp;');
}

/** Plain text of sanitised HTML (for char counts and descriptions). */
export function plainText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h\d|li|blockquote)>/gi, '$&\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{2,}/g, '\n')
    .trim();
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function toNewsMl(story: ExportStory, c: ExportContext): string {
  const e = xmlEscape;
  const lines: string[] = [];
  const push = (indent: number, s: string) => lines.push(`${'  '.repeat(indent)}${s}`);
  push(0, '<?xml version="1.0" encoding="UTF-8"?>');
  push(
    0,
    `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:paike:story:${e(story.id)}" version="${story.version}" standard="NewsML-G2" standardversion="2.33" conformance="power" xml:lang="zh-CN">`,
  );
  push(1, '<catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>');
  push(1, '<itemMeta>');
  push(2, '<itemClass qcode="ninat:text"/>');
  push(2, `<provider literal="${e(c.provider)}"/>`);
  push(2, `<versionCreated>${iso(story.updatedAt)}</versionCreated>`);
  push(2, `<firstCreated>${iso(story.createdAt)}</firstCreated>`);
  push(2, '<pubStatus qcode="stat:usable"/>');
  push(2, `<title>${e(story.headline)}</title>`);
  push(2, `<link rel="irel:seeAlso" href="${e(storyUri(c, story.id))}" contenttype="text/html"/>`);
  push(1, '</itemMeta>');
  push(1, '<contentMeta>');
  push(2, `<contentCreated>${iso(story.createdAt)}</contentCreated>`);
  push(2, `<contentModified>${iso(story.updatedAt)}</contentModified>`);
  if (story.byline) push(2, `<creator><name>${e(story.byline)}</name></creator>`);
  for (const v of story.videos) push(2, `<contributor role="paike:videographer"><name>${e(v.contributor)}</name></contributor>`);
  push(2, '<language tag="zh-CN"/>');
  for (const t of story.tags) push(2, `<keyword>${e(t)}</keyword>`);
  if (story.studio) push(2, `<subject type="cpnat:abstract" literal="${e(story.studio)}"><name>${e(story.studio)}</name></subject>`);
  if (story.tags.length) push(2, `<slugline>${e(story.tags.join('-'))}</slugline>`);
  push(2, `<headline>${e(story.headline)}</headline>`);
  if (story.byline) push(2, `<by>${e(story.byline)}</by>`);
  if (story.standfirst) push(2, `<description role="drol:summary">${e(story.standfirst)}</description>`);
  push(1, '</contentMeta>');
  push(1, '<contentSet>');
  const body = toXhtml(story.bodyHtml);
  // wordcount: characters of the body's text, the way Chinese newsrooms count a story (字数).
  push(2, `<inlineXML contenttype="application/xhtml+xml" wordcount="${plainText(story.bodyHtml).replace(/\s/g, '').length}">`);
  push(3, `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="zh-CN"><head><title>${e(story.headline)}</title></head><body>`);
  push(4, `<h1>${e(story.headline)}</h1>`);
  if (story.standfirst) push(4, `<p class="standfirst">${e(story.standfirst)}</p>`);
  if (story.byline) push(4, `<p class="byline">${e(story.byline)}</p>`);
  push(4, body);
  for (const img of story.images) {
    push(
      4,
      `<figure><img src="${e(imageHref(c, img.id, 'web'))}" alt="${e(img.caption)}" width="${img.width}" height="${img.height}"/>` +
        (img.caption || img.credit ? `<figcaption>${e(img.caption)}${img.credit ? ` <span class="credit">${e(img.credit)}</span>` : ''}</figcaption>` : '') +
        '</figure>',
    );
  }
  for (const v of story.videos) {
    push(4, `<p class="video"><a href="${e(videoPage(c, v.submissionId))}">${e(v.title)}</a> <span class="credit">拍客 ${e(v.contributor)}</span></p>`);
  }
  push(3, '</body></html>');
  push(2, '</inlineXML>');
  for (const img of story.images) {
    push(
      2,
      `<remoteContent href="${e(imageHref(c, img.id, 'print'))}" contenttype="image/jpeg" rendition="rnd:highRes" width="${img.width}" height="${img.height}" size="${img.bytes}"/>`,
    );
    push(2, `<remoteContent href="${e(imageHref(c, img.id, 'web'))}" contenttype="image/jpeg" rendition="rnd:web"/>`);
  }
  for (const v of story.videos) {
    const dims = v.width && v.height ? ` width="${v.width}" height="${v.height}"` : '';
    const dur = v.durationSeconds !== null ? ` duration="${Math.round(v.durationSeconds)}" durationunit="timeunit:seconds"` : '';
    push(2, `<remoteContent href="${e(videoPage(c, v.submissionId))}" contenttype="text/html" rendition="rnd:web"${dims}${dur}/>`);
  }
  push(1, '</contentSet>');
  push(0, '</newsItem>');
  return lines.join('\n') + '\n';
}

export function toNinjs(story: ExportStory, c: ExportContext): Record<string, unknown> {
  const text = plainText(story.bodyHtml);
  const associations = [
    ...story.images.map((img, i) => ({
      name: `image${i + 1}`,
      uri: `urn:paike:story-image:${img.id}`,
      type: 'picture',
      mimetype: 'image/jpeg',
      representationtype: 'full',
      ...(img.credit ? { by: img.credit } : {}),
      ...(img.caption ? { descriptions: [{ role: 'caption', contenttype: 'text/plain', value: img.caption }] } : {}),
      renditions: [
        { name: 'print', href: imageHref(c, img.id, 'print'), mimetype: 'image/jpeg', width: img.width, height: img.height, sizeinbytes: img.bytes },
        { name: 'web', href: imageHref(c, img.id, 'web'), mimetype: 'image/jpeg' },
        { name: 'thumbnail', href: imageHref(c, img.id, 'thumb'), mimetype: 'image/jpeg' },
      ],
    })),
    ...story.videos.map((v, i) => ({
      name: `video${i + 1}`,
      uri: `urn:paike:submission:${v.submissionId}`,
      type: 'video',
      representationtype: 'incomplete',
      headlines: [{ role: 'main', value: v.title }],
      by: v.contributor,
      renditions: [
        {
          name: 'page',
          href: videoPage(c, v.submissionId),
          mimetype: 'text/html',
          ...(v.width ? { width: v.width } : {}),
          ...(v.height ? { height: v.height } : {}),
          ...(v.durationSeconds !== null ? { duration: Math.round(v.durationSeconds) } : {}),
        },
        ...(v.posterKey ? [{ name: 'poster', href: posterHref(c, v.posterKey), mimetype: 'image/jpeg' }] : []),
      ],
    })),
  ];
  return {
    standard: { name: 'ninjs', version: '2.0', schema: NINJS_SCHEMA_URL },
    uri: storyUri(c, story.id),
    type: 'text',
    representationtype: 'full',
    version: String(story.version),
    firstcreated: iso(story.createdAt),
    versioncreated: iso(story.updatedAt),
    pubstatus: 'usable',
    language: 'zh-CN',
    copyrightholder: c.provider,
    ...(story.tags.length ? { slugline: story.tags.join('-') } : {}),
    headlines: [{ role: 'main', contenttype: 'text/plain', value: story.headline }],
    ...(story.standfirst ? { descriptions: [{ role: 'summary', contenttype: 'text/plain', value: story.standfirst }] } : {}),
    bodies: [
      { role: 'main', contenttype: 'text/html', charcount: text.length, value: story.bodyHtml },
      { role: 'main', contenttype: 'text/plain', charcount: text.length, value: text },
    ],
    ...(story.byline ? { by: story.byline } : {}),
    keywords: story.tags,
    subjects: story.studio ? [{ name: story.studio, rel: 'about' }] : [],
    associations,
  };
}
