import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import fxp from 'fast-xml-parser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newspapers, stories, storyImages, storyVideos, studioMembers, studios } from '../../../db/schema.js';
import { demoCampaign } from '../../../seed.js';
import { createTestContext, processedSubmission, signUp, staff, type TestContext } from '../../../testing/harness.js';
import { decodeQrPng } from '../../../testing/qr.js';
import { insertForm, insertStory } from '../testing/fixtures.js';
import { createChromiumRenderer } from './chromium.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'paike-print-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const RADICALS: Record<string, string> = {
  '⻋': '车',
  '⻓': '长',
  '⻔': '门',
  '⻢': '马',
  '⻥': '鱼',
  '⻅': '见',
  '⻉': '贝',
  '⻜': '飞',
  '⻚': '页',
  '⻛': '风',
  '⻆': '角',
  '⻘': '青',
  '⻝': '食',
};

async function pdfText(buf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(buf), useSystemFonts: false, isEvalSupported: false }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text += content.items.map((it) => ('str' in it ? it.str : '')).join('');
  }
  await doc.destroy();
  // Noto CJK's ToUnicode maps some ideographs to their radical twins (⾸ U+2F78 for 首, ⻋ U+2EC6
  // for 车): NFKC folds the Kangxi radicals back, the table the simplified supplement ones, as a
  // search index reading the PDF would.
  return text
    .normalize('NFKC')
    .replace(/[\u2e80-\u2eff]/g, (c) => RADICALS[c] ?? c)
    .replace(/\s+/g, '');
}

async function jpeg(ctx: TestContext, key: string, colour: { r: number; g: number; b: number }) {
  const file = path.join(scratch, `${key.replace(/\//g, '_')}.jpg`);
  await sharp({ create: { width: 1200, height: 800, channels: 3, background: colour } })
    .jpeg({ quality: 80 })
    .toFile(file);
  await ctx.runtime.services.storage.putFile(key, file);
}

async function waitFor(ctx: TestContext, cookie: string, storyId: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print`, headers: { cookie, 'accept-language': 'en' } });
    expect(res.statusCode).toBe(200);
    const state = res.json();
    if (state.status === 'done' || state.status === 'failed') return state;
    if (Date.now() > deadline) throw new Error(`render still ${state.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('print renders, previews and exports', { timeout: 180_000 }, () => {
  let ctx: TestContext;
  let chief: { cookie: string; user: { id: string } };
  let editor: { cookie: string; user: { id: string } };
  let outsider: { cookie: string; user: { id: string } };
  let contributor: { cookie: string; user: { id: string } };
  let storyId: string;
  let videoIds: string[];
  let studioId: string;

  beforeAll(async () => {
    ctx = await createTestContext({ jobs: 'work' });
    const admin = await staff(ctx, ['admin']);
    chief = await staff(ctx, ['chief_editor']);
    editor = await staff(ctx, ['editor']);
    outsider = await staff(ctx, ['editor']);
    const db = ctx.runtime.services.database.db;
    const [studio] = await db.insert(studios).values({ name: '侠客岛', leadUserId: editor.user.id }).returning();
    studioId = studio!.id;
    await db.insert(studioMembers).values({ studioId, userId: editor.user.id });
    const campaign = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/campaigns',
      headers: { cookie: admin.cookie },
      payload: { ...demoCampaign(new Date()), slug: 'print-test' },
    });
    contributor = await signUp(ctx.app, { campaignId: campaign.json().campaign.id, name: '王小拍' });
    const story = await insertStory(db, {
      authorId: editor.user.id,
      studioId,
      headline: '春运首日返乡路上的年味',
      bodyHtml: '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2><blockquote>回家过年。</blockquote>',
    });
    storyId = story.id;
    const colours = [
      { r: 200, g: 30, b: 30 },
      { r: 30, g: 160, b: 60 },
      { r: 30, g: 60, b: 200 },
      { r: 220, g: 200, b: 40 },
    ];
    for (const [i, c] of colours.entries()) {
      const key = `kitchen/stories/${storyId}/img${i}/print.jpg`;
      await jpeg(ctx, key, c);
      await db.insert(storyImages).values({
        storyId,
        printKey: key,
        webKey: key,
        thumbKey: key,
        width: 1200,
        height: 800,
        bytes: 1000,
        caption: i === 0 ? '候车大厅里的旅客' : `图${i + 1}`,
        credit: i === 0 ? '摄影张华' : '',
        position: i,
        uploadedBy: editor.user.id,
      });
    }
    videoIds = [];
    for (const title of ['站台上的告别', '回家的列车']) {
      const sub = await processedSubmission(ctx, { userId: contributor.user.id, campaignId: campaign.json().campaign.id, at: new Date(), title });
      await ctx.runtime.services.submissionsRepo.update(sub.id, { status: 'adopted' });
      await db.insert(storyVideos).values({ storyId, submissionId: sub.id, position: videoIds.length });
      videoIds.push(sub.id);
    }
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('renders the story to a PDF that holds the headline, the caption and QR codes of the videos', async () => {
    const before = (await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print`, headers: { cookie: editor.cookie } })).json();
    expect(before).toMatchObject({ status: 'none', pdfUrl: null, source: 'story' });

    const res = await ctx.app.inject({ method: 'POST', url: `/api/kitchen/stories/${storyId}/print/render`, headers: { cookie: editor.cookie } });
    expect(res.statusCode).toBe(202);
    expect(['queued', 'rendering', 'done']).toContain(res.json().status);
    const state = await waitFor(ctx, editor.cookie, storyId);
    expect(state).toMatchObject({ status: 'done', storyVersion: 1, stale: false, error: null, pdfUrl: `/api/kitchen/stories/${storyId}/print.pdf` });

    const pdf = await ctx.app.inject({ method: 'GET', url: state.pdfUrl, headers: { cookie: editor.cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(/^attachment; filename="paike-print-[0-9a-f]{8}-v1\.pdf"; filename\*=UTF-8''/);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('春运首日返乡路上的年味');
    expect(text).toContain('候车大厅里的旅客');
    expect(text).toContain('扫码看视频');

    // The A3 page with a 3 mm bleed all round: 303 × 426 mm.
    const doc = await getDocument({ data: new Uint8Array(pdf.rawPayload) }).promise;
    const [, , w, h] = (await doc.getPage(1)).view;
    expect(Math.round((w! / 72) * 25.4)).toBe(303);
    expect(Math.round((h! / 72) * 25.4)).toBe(426);
    await doc.destroy();
  });

  it('shows the preview with a strict policy, and each QR code Chromium draws decodes to its video’s page', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print/preview`, headers: { cookie: editor.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    // Nothing on the page loads from anywhere: every picture is a data: URL.
    expect(res.body).not.toMatch(/(src|href|url\()\s*=?\s*"?(https?:|\/\/)/);
    const renderer = createChromiumRenderer();
    try {
      for (const [i, id] of videoIds.entries()) {
        const png = await renderer.screenshot(res.body, `.video:nth-of-type(${i + 1}) .qr svg`, { scale: 3 });
        expect(decodeQrPng(png).text).toBe(`http://paike.test/v/${id}`);
      }
    } finally {
      await renderer.close();
    }
  });

  it('lays the print form out when the story has one, on the newspaper’s grid', async () => {
    const db = ctx.runtime.services.database.db;
    const imgs = await db.select().from(storyImages).where(eq(storyImages.storyId, storyId));
    const second = imgs.find((i) => i.position === 1)!;
    await insertForm(db, {
      storyId,
      form: 'print',
      content: {
        headline: '返乡路上',
        standfirst: '<b>不是标签</b>',
        bodyHtml: '<p>印刷版正文。</p>',
        columns: 3,
        edition: '2026-01-21',
        page: 'A1',
        imageIds: [second.id],
      },
    });
    const html = (await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print/preview`, headers: { cookie: editor.cookie } })).body;
    expect(html).toContain('<h1>返乡路上</h1>');
    expect(html).toContain('&lt;b&gt;不是标签&lt;/b&gt;');
    expect(html).toContain('grid-template-columns: repeat(6, 1fr)');
    expect(html).toContain('grid-column: 1 / span 3');
    expect(html).toContain('图2');
    expect(html).not.toContain('候车大厅里的旅客');
    const state = (await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print`, headers: { cookie: editor.cookie } })).json();
    expect(state).toMatchObject({ source: 'form', stale: true });
  });

  it('keeps studios apart and refuses contributors', async () => {
    for (const url of [
      `/api/kitchen/stories/${storyId}/print`,
      `/api/kitchen/stories/${storyId}/print/preview`,
      `/api/kitchen/stories/${storyId}/export/ninjs`,
    ]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: { cookie: outsider.cookie } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('kitchen.out_of_scope');
      expect((await ctx.app.inject({ method: 'GET', url, headers: { cookie: contributor.cookie } })).statusCode).toBe(403);
    }
    const render = await ctx.app.inject({ method: 'POST', url: `/api/kitchen/stories/${storyId}/print/render`, headers: { cookie: outsider.cookie } });
    expect(render.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print`, headers: { cookie: chief.cookie } })).statusCode).toBe(200);
    const missing = await ctx.app.inject({
      method: 'GET',
      url: `/api/kitchen/stories/00000000-0000-4000-8000-000000000000/print.pdf`,
      headers: { cookie: chief.cookie },
    });
    expect(missing.json().error.code).toBe('kitchen.story_not_found');
  });

  it('exports the story as NewsML-G2 and ninjs with its images and videos', async () => {
    const xml = await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/export/newsml`, headers: { cookie: editor.cookie } });
    expect(xml.statusCode).toBe(200);
    expect(xml.headers['content-type']).toContain('application/vnd.iptc.g2.newsitem+xml');
    expect(fxp.validate(xml.body)).toBe(true);
    expect(xml.body).toContain('<headline>春运首日返乡路上的年味</headline>');
    expect(xml.body).toContain(`<remoteContent href="http://paike.test/v/${videoIds[0]}"`);
    expect(xml.body).toContain('<subject type="cpnat:abstract" literal="侠客岛">');
    const json = (await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/export/ninjs`, headers: { cookie: editor.cookie } })).json();
    expect(json).toMatchObject({ type: 'text', language: 'zh-CN', uri: `http://paike.test/stories/${storyId}`, keywords: ['春运'] });
    expect(json.associations.filter((a: { type: string }) => a.type === 'picture')).toHaveLength(4);
    expect(json.associations.filter((a: { type: string }) => a.type === 'video').map((a: { by: string }) => a.by)).toEqual(['王小拍', '王小拍']);
  });

  it('lets chief editors set the newspaper grid and refuses bad values and editors', async () => {
    const list = await ctx.app.inject({ method: 'GET', url: '/api/kitchen/newspapers', headers: { cookie: editor.cookie } });
    const paper = list.json().newspapers[0];
    expect(paper).toMatchObject({ name: 'Paike Daily', pageSize: 'A3', columns: 6, gutterMm: 4, bleedMm: 3, bodyPt: 10.5 });
    const body = { ...paper, id: undefined, updatedAt: undefined, columns: 8, pageSize: 'broadsheet', bodyPt: 9.5 };
    delete body.id;
    delete body.updatedAt;
    const denied = await ctx.app.inject({ method: 'PUT', url: `/api/kitchen/newspapers/${paper.id}`, headers: { cookie: editor.cookie }, payload: body });
    expect(denied.statusCode).toBe(403);
    const bad = await ctx.app.inject({
      method: 'PUT',
      url: `/api/kitchen/newspapers/${paper.id}`,
      headers: { cookie: chief.cookie },
      payload: { ...body, columns: 13 },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await ctx.app.inject({ method: 'PUT', url: `/api/kitchen/newspapers/${paper.id}`, headers: { cookie: chief.cookie }, payload: body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().newspaper).toMatchObject({ columns: 8, pageSize: 'broadsheet', bodyPt: 9.5 });
    const html = (await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${storyId}/print/preview`, headers: { cookie: editor.cookie } })).body;
    expect(html).toContain('size: 381mm 603mm');
    expect(html).toContain('repeat(8, 1fr)');
    const [row] = await ctx.runtime.services.database.db.select().from(newspapers).where(eq(newspapers.id, paper.id));
    expect(row!.columns).toBe(8);
    const none = await ctx.app.inject({
      method: 'PUT',
      url: `/api/kitchen/newspapers/00000000-0000-4000-8000-000000000000`,
      headers: { cookie: chief.cookie },
      payload: body,
    });
    expect(none.json().error.code).toBe('kitchen.newspaper_not_found');
  });
});

describe('a render that cannot run', { timeout: 120_000 }, () => {
  let ctx: TestContext;
  let chief: { cookie: string; user: { id: string } };
  const exe = path.join(scratch, 'chromium');

  beforeAll(async () => {
    ctx = await createTestContext({ jobs: 'work', env: { CHROMIUM_PATH: exe } });
    chief = await staff(ctx, ['chief_editor']);
  }, 60_000);
  afterAll(async () => ctx?.close());

  async function renderFails(code: string) {
    const db = ctx.runtime.services.database.db;
    const story = await insertStory(db, { authorId: chief.user.id });
    const res = await ctx.app.inject({ method: 'POST', url: `/api/kitchen/stories/${story.id}/print/render`, headers: { cookie: chief.cookie } });
    expect(res.statusCode).toBe(202);
    const state = await waitFor(ctx, chief.cookie, story.id);
    expect(state.status).toBe('failed');
    expect(state.error.code).toBe(code);
    expect(state.pdfUrl).toBeNull();
    const [after] = await db.select().from(stories).where(eq(stories.id, story.id));
    expect(after).toEqual(story);
    const pdf = await ctx.app.inject({ method: 'GET', url: `/api/kitchen/stories/${story.id}/print.pdf`, headers: { cookie: chief.cookie } });
    expect(pdf.statusCode).toBe(404);
    expect(pdf.json().error.code).toBe('kitchen.print_not_rendered');
    return state;
  }

  it('says Chromium is missing and how to install it when there is no executable', async () => {
    const state = await renderFails('kitchen.print_chromium_missing');
    expect(state.error.message).toContain('apt-get install chromium fonts-noto-cjk');
    expect(state.error.message).toContain(exe);
  });

  it('says Chromium failed when it exits at once', async () => {
    writeFileSync(exe, '#!/bin/sh\necho "broken chromium" >&2\nexit 1\n');
    chmodSync(exe, 0o755);
    const state = await renderFails('kitchen.print_chromium_failed');
    expect(state.error.message).toContain('apt-get install chromium fonts-noto-cjk');
  });
});
