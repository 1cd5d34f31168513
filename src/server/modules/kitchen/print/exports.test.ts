import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// fast-xml-parser 3 (installed with the S3 client): a validating parser, no network, no native code.
import fxp from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toNewsMl, toNinjs, toXhtml, type ExportStory } from './exports.js';

const GOLDEN = path.join(import.meta.dirname, '__golden__');
const ctx = { publicUrl: 'https://paike.example.cn', provider: 'Paike' };

/** A fixed story: fixed ids and clock, so the exports are the same bytes every run. */
export const GOLDEN_STORY: ExportStory = {
  id: '11111111-2222-4333-8444-555555555555',
  version: 3,
  headline: '春运首日 返乡路上的年味 <特稿> & 速报',
  standfirst: '记者与拍客一起记录返乡路。',
  bodyHtml:
    '<p>清晨六点，车站已排起长队。&nbsp;“回家真好”</p><h2>一路向家</h2><blockquote>回家过年。</blockquote><ul><li>北京西站</li><li>广州南站</li></ul><p>第一行<br>第二行 <a href="https://example.cn/a?b=1&amp;c=2">链接</a></p>',
  tags: ['春运', '民生'],
  byline: '本报记者 李明',
  studio: '麻辣财经',
  createdAt: new Date('2026-01-20T06:00:00Z'),
  updatedAt: new Date('2026-01-20T08:30:00Z'),
  images: [
    { id: 'aaaaaaaa-0000-4000-8000-000000000001', caption: '候车大厅里的旅客', credit: '摄影 张华', width: 3000, height: 2000, bytes: 812345 },
    { id: 'aaaaaaaa-0000-4000-8000-000000000002', caption: '', credit: '', width: 1600, height: 1200, bytes: 204800 },
  ],
  videos: [
    {
      submissionId: 'bbbbbbbb-0000-4000-8000-000000000001',
      title: '站台上的告别',
      contributor: '王小拍',
      durationSeconds: 75.4,
      width: 720,
      height: 1280,
      posterKey: 'submissions/bbbbbbbb-0000-4000-8000-000000000001/poster.jpg',
    },
  ],
};

function golden(name: string, actual: string) {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/**
 * The top-level and nested fields ninjs 2.0 defines (ninjs-schema_2.0.json; the schema has
 * additionalProperties false at the top level, so any other name is invalid there).
 */
const rendition = z.strictObject({
  name: z.string(),
  href: z.string().url(),
  contenttype: z.string().optional(),
  mimetype: z.string().optional(),
  title: z.string().optional(),
  height: z.number().int().optional(),
  width: z.number().int().optional(),
  sizeinbytes: z.number().int().optional(),
  duration: z.number().optional(),
  format: z.string().optional(),
});
const textRole = z.strictObject({ role: z.string(), contenttype: z.string().optional(), value: z.string() });
const body = z.strictObject({
  role: z.string(),
  contenttype: z.string(),
  charcount: z.number().int().optional(),
  wordcount: z.number().int().optional(),
  value: z.string(),
});
const association = z.strictObject({
  name: z.string(),
  uri: z.string(),
  type: z.enum(['text', 'audio', 'video', 'picture', 'graphic', 'composite', 'component']),
  mimetype: z.string().optional(),
  representationtype: z.enum(['full', 'incomplete']).optional(),
  by: z.string().optional(),
  headlines: z.array(textRole).optional(),
  descriptions: z.array(textRole).optional(),
  renditions: z.array(rendition).optional(),
});
const ninjs20 = z.strictObject({
  standard: z.strictObject({ name: z.literal('ninjs'), version: z.literal('2.0'), schema: z.string().url() }),
  uri: z.string().url(),
  type: z.literal('text'),
  representationtype: z.enum(['full', 'incomplete']),
  version: z.string(),
  firstcreated: z.iso.datetime(),
  versioncreated: z.iso.datetime(),
  pubstatus: z.enum(['usable', 'withheld', 'canceled']),
  language: z.string(),
  copyrightholder: z.string(),
  slugline: z.string().optional(),
  headlines: z.array(textRole).min(1),
  descriptions: z.array(textRole).optional(),
  bodies: z.array(body),
  by: z.string().optional(),
  keywords: z.array(z.string()),
  subjects: z.array(z.strictObject({ name: z.string(), rel: z.string().optional(), uri: z.string().optional(), literal: z.string().optional() })),
  associations: z.array(association),
});

describe('NewsML-G2 export', () => {
  const xml = toNewsMl(GOLDEN_STORY, ctx);

  it('matches the golden file', () => golden('story.newsml.xml', xml));

  it('is well-formed XML whose body is XHTML and whose text is escaped', () => {
    expect(fxp.validate(xml)).toBe(true);
    const doc = fxp.parse(xml, { ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseNodeValue: false });
    const item = doc.newsItem;
    expect(item['@guid']).toBe(`urn:paike:story:${GOLDEN_STORY.id}`);
    expect(item['@version']).toBe('3');
    expect(item.contentMeta.headline).toBe('春运首日 返乡路上的年味 &lt;特稿&gt; &amp; 速报');
    expect(item.contentMeta.keyword).toEqual(['春运', '民生']);
    expect(item.contentMeta.slugline).toBe('春运-民生');
    expect(item.contentMeta.creator.name).toBe('本报记者 李明');
    expect(item.contentMeta.language['@tag']).toBe('zh-CN');
    const remote = item.contentSet.remoteContent as { '@href': string }[];
    expect(remote.map((r) => r['@href'])).toEqual([
      'https://paike.example.cn/api/kitchen/images/aaaaaaaa-0000-4000-8000-000000000001/print',
      'https://paike.example.cn/api/kitchen/images/aaaaaaaa-0000-4000-8000-000000000001/web',
      'https://paike.example.cn/api/kitchen/images/aaaaaaaa-0000-4000-8000-000000000002/print',
      'https://paike.example.cn/api/kitchen/images/aaaaaaaa-0000-4000-8000-000000000002/web',
      'https://paike.example.cn/v/bbbbbbbb-0000-4000-8000-000000000001',
    ]);
    expect(xml).not.toContain('&nbsp;');
    expect(xml).toContain('<br />');
  });

  it('keeps hostile text inert in every field', () => {
    const evil = { ...GOLDEN_STORY, headline: '"/><script>alert(1)</script>', tags: ['a]]>b'], byline: "O'Brien & <co>" };
    const out = toNewsMl(evil, ctx);
    expect(fxp.validate(out)).toBe(true);
    expect(out).not.toContain('<script>');
  });

  it('turns HTML into XHTML that an XML parser accepts', () => {
    expect(fxp.validate(`<div>${toXhtml('<p>a<br>b &nbsp; &copy; <img src="x"><hr></p><p>unclosed')}</div>`)).toBe(true);
  });
});

describe('ninjs export', () => {
  const doc = toNinjs(GOLDEN_STORY, ctx);

  it('matches the golden file', () => golden('story.ninjs.json', JSON.stringify(doc, null, 2) + '\n'));

  it('has the shape of ninjs 2.0', () => {
    const parsed = ninjs20.parse(doc);
    expect(parsed.headlines[0]!.value).toBe(GOLDEN_STORY.headline);
    expect(parsed.keywords).toEqual(['春运', '民生']);
    expect(parsed.associations.map((a) => a.type)).toEqual(['picture', 'picture', 'video']);
    const video = parsed.associations[2]!;
    expect(video.by).toBe('王小拍');
    expect(video.renditions!.map((r) => r.href)).toEqual([
      'https://paike.example.cn/v/bbbbbbbb-0000-4000-8000-000000000001',
      'https://paike.example.cn/api/media/submissions/bbbbbbbb-0000-4000-8000-000000000001/poster.jpg',
    ]);
    expect(parsed.associations[0]!.renditions![0]).toMatchObject({ name: 'print', width: 3000, height: 2000, sizeinbytes: 812345 });
    expect(parsed.bodies.find((b) => b.contenttype === 'text/plain')!.value).toContain('清晨六点');
  });
});
