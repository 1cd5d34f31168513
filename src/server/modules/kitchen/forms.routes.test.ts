import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyImages, storyVideos } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { insertStory } from './testing/fixtures.js';

const clock = fixedClock('2026-12-03T02:00:00Z');
let ctx: TestContext;
let chief: { cookie: string; user: { id: string } };
let editor: { cookie: string; user: { id: string } };
let outsider: { cookie: string; user: { id: string } };
let studioId: string;
let campaignId: string;

const req = (method: 'GET' | 'PUT' | 'PATCH' | 'POST', cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, payload: payload as object });

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  chief = await staff(ctx, ['chief_editor']);
  editor = await staff(ctx, ['editor']);
  outsider = await staff(ctx, ['editor']);
  const s = await req('POST', chief.cookie, '/api/desk/studios', { name: '侠客岛', memberIds: [editor.user.id] });
  expect(s.statusCode).toBe(201);
  studioId = s.json().studio.id;
  const admin = await staff(ctx, ['admin']);
  const c = await req('POST', admin.cookie, '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'kitchen-forms' });
  campaignId = c.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

const db = () => ctx.runtime.services.database.db;
const story = (opts: Parameters<typeof insertStory>[1]) => insertStory(db(), opts);
const put = (cookie: string, id: string, form: string, payload: unknown = {}, lang = 'zh-CN') =>
  req('PUT', cookie, `/api/kitchen/stories/${id}/forms/${form}`, payload, lang);
const patch = (cookie: string, id: string, form: string, payload: unknown, lang = 'zh-CN') =>
  req('PATCH', cookie, `/api/kitchen/stories/${id}/forms/${form}`, payload, lang);

describe('forms derived from one story', () => {
  it('derives each form with its own limits', async () => {
    const headline = '全国春运首日客流创新高，各地铁路部门加开夜间列车保障旅客平安返乡过年，记者在多个车站蹲点记录普通人的回家路与年味变化'.repeat(2);
    const s = await story({
      authorId: editor.user.id,
      studioId,
      headline,
      standfirst: '从北京西站到广州南站，记者与拍客一起记录返乡路上的故事。',
      byline: '本报记者 李明 王芳 张伟 刘洋 陈静 杨帆',
    });
    const [img1, img2] = await db()
      .insert(storyImages)
      .values(
        [0, 1].map((position) => ({
          storyId: s.id,
          printKey: `p${position}`,
          webKey: `w${position}`,
          thumbKey: `t${position}`,
          width: 100,
          height: 80,
          bytes: 1,
          uploadedBy: editor.user.id,
          position,
        })),
      )
      .returning();

    const print = await put(editor.cookie, s.id, 'print');
    expect(print.statusCode).toBe(201);
    const pc = print.json().content;
    expect([...pc.headline].length).toBe(60);
    expect(pc.headline.endsWith('…')).toBe(true);
    expect(pc).toMatchObject({ columns: 4, edition: null, page: '', imageIds: [img1!.id, img2!.id] });
    expect(pc.bodyHtml).toContain('<h2>一路向家</h2>');
    expect(print.json()).toMatchObject({ status: 'in_edit', version: 1, chain: ['editor', 'studio_lead', 'chief_editor'] });

    const web = (await put(editor.cookie, s.id, 'web')).json().content;
    expect(web.headline).toBe(headline.slice(0, 79) + '…');
    expect(web.standfirst).toBe('从北京西站到广州南站，记者与拍客一起记录返乡路上的故事。');

    const weibo = (await put(editor.cookie, s.id, 'weibo')).json().content;
    expect([...weibo.text].length).toBeLessThanOrEqual(110);
    expect(weibo.text.startsWith('【全国春运首日')).toBe(true);

    const wechat = (await put(editor.cookie, s.id, 'wechat')).json().content;
    expect([...wechat.title].length).toBe(32);
    expect([...wechat.author].length).toBeLessThanOrEqual(16);
    expect(wechat.author.startsWith('本报记者 李明')).toBe(true);
    expect(wechat.digest).toBe('从北京西站到广州南站，记者与拍客一起记录返乡路上的故事。');

    const screen = (await put(editor.cookie, s.id, 'screen')).json().content;
    expect([...screen.headline].length).toBe(24);
    expect(screen).toMatchObject({ imageId: img1!.id, videoSubmissionId: null });

    // A second PUT does not overwrite the variant.
    const again = await put(editor.cookie, s.id, 'web', {}, 'en');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('kitchen.form_exists');

    const list = (await req('GET', editor.cookie, `/api/kitchen/stories/${s.id}/forms`)).json();
    expect(list.forms.map((f: { form: string }) => f.form).sort()).toEqual(['print', 'screen', 'web', 'wechat', 'weibo']);
    expect(list.story.studioName).toBe('侠客岛');
  });

  it('refuses the video platforms without an embedded video, and takes the first video for the screen card', async () => {
    const s = await story({ authorId: editor.user.id, studioId });
    const refused = await put(editor.cookie, s.id, 'toutiao', {}, 'en');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('kitchen.form_needs_video');
    expect(refused.json().error.message).toContain('embed a video');

    const contributor = await signUp(ctx.app, { campaignId });
    const video = await processedSubmission(ctx, { userId: contributor.user.id, campaignId, at: clock.now() });
    await db().insert(storyVideos).values({ storyId: s.id, submissionId: video.id });
    const penguin = await put(editor.cookie, s.id, 'penguin');
    expect(penguin.statusCode).toBe(201);
    expect(penguin.json().content.title).toBe('春运首日 返乡路上的年味');
    expect((await put(editor.cookie, s.id, 'screen')).json().content).toMatchObject({ imageId: null, videoSubmissionId: video.id });
  });

  it('gives one clear error per field over its limit, counting a Chinese character as one', async () => {
    const s = await story({ authorId: editor.user.id, studioId });
    const f = (await put(editor.cookie, s.id, 'wechat')).json();
    // 32 Chinese characters fit; 33 do not.
    const ok = await patch(editor.cookie, s.id, 'wechat', { version: f.version, content: { title: '汉'.repeat(32) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(f.version + 1);
    const bad = await patch(editor.cookie, s.id, 'wechat', {
      version: ok.json().version,
      content: { title: '汉'.repeat(33), author: '作'.repeat(17), digest: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('kitchen.form_invalid');
    const fields = bad.json().error.details.fields as { field: string; limit: number; count: number; message: string }[];
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'title', limit: 32, count: 33 }),
        expect.objectContaining({ field: 'author', limit: 16, count: 17 }),
      ]),
    );
    expect(fields.find((x) => x.field === 'title')!.message).toBe('“title”最多 32 字，现在是 33 字');
    const en = await patch(editor.cookie, s.id, 'wechat', { version: ok.json().version, content: { title: '' } }, 'en');
    expect(en.json().error.details.fields).toEqual([expect.objectContaining({ field: 'title', message: '“title” cannot be empty' })]);
    // Print: no wider than the newspaper's columns; unknown fields refused.
    const p = (await put(editor.cookie, s.id, 'print')).json();
    const wide = await patch(editor.cookie, s.id, 'print', { version: p.version, content: { columns: 7, colour: 'red' } }, 'en');
    expect(wide.statusCode).toBe(400);
    expect(
      wide
        .json()
        .error.details.fields.map((x: { field: string }) => x.field)
        .sort(),
    ).toEqual(['(content)', 'columns']);
    const weibo = (await put(editor.cookie, s.id, 'weibo')).json();
    const long = await patch(editor.cookie, s.id, 'weibo', { version: weibo.version, content: { text: '微'.repeat(111) } });
    expect(long.json().error.details.fields).toEqual([expect.objectContaining({ field: 'text', limit: 110, count: 111 })]);
  });

  it('sanitises every HTML field of a form', async () => {
    const s = await story({
      authorId: editor.user.id,
      studioId,
      bodyHtml: '<p onclick="steal()">正文<script>alert(1)</script></p><iframe src="https://evil.test"></iframe>',
    });
    const web = (await put(editor.cookie, s.id, 'web')).json();
    expect(web.content.bodyHtml).toBe('<p>正文</p>');
    const edited = await patch(editor.cookie, s.id, 'web', {
      version: web.version,
      content: {
        bodyHtml: '<h2>小标题</h2><a href="javascript:alert(1)">坏</a><a href="https://paike.test/x">好</a><img src="https://evil.test/t.png" onerror="x()">',
      },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().content.bodyHtml).toBe(
      // A link whose address is not http(s) or mailto keeps its text and loses the link (sanitize.ts).
      '<h2>小标题</h2>坏<a href="https://paike.test/x" rel="noopener noreferrer">好</a>',
    );
    const wechat = (await put(editor.cookie, s.id, 'wechat')).json();
    const w = await patch(editor.cookie, s.id, 'wechat', { version: wechat.version, content: { bodyHtml: '<p style="x">微信<object data="x"></object></p>' } });
    expect(w.json().content.bodyHtml).toBe('<p>微信</p>');
  });

  it('refuses a stale version, naming who saved the newer one', async () => {
    const s = await story({ authorId: editor.user.id, studioId });
    const web = (await put(editor.cookie, s.id, 'web')).json();
    expect((await patch(chief.cookie, s.id, 'web', { version: web.version, content: { headline: '总编改的标题' } })).statusCode).toBe(200);
    const stale = await patch(editor.cookie, s.id, 'web', { version: web.version, content: { headline: '我改的标题' } }, 'en');
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('kitchen.stale_version');
    expect(stale.json().error.details).toMatchObject({ currentVersion: web.version + 1, updatedBy: { id: chief.user.id } });
    const now = (await req('GET', editor.cookie, `/api/kitchen/stories/${s.id}/forms`)).json().forms[0];
    expect(now.content.headline).toBe('总编改的标题');
  });

  it('reserves a planned form and fills it in later', async () => {
    const s = await story({ authorId: editor.user.id, studioId });
    const planned = await put(editor.cookie, s.id, 'app', { status: 'planned' });
    expect(planned.statusCode).toBe(201);
    expect(planned.json()).toMatchObject({ status: 'planned', content: {} });
    expect((await patch(editor.cookie, s.id, 'app', { version: 1, content: { headline: 'x' } })).json().error.code).toBe('kitchen.form_planned');
    const filled = await put(editor.cookie, s.id, 'app');
    expect(filled.statusCode).toBe(200);
    expect(filled.json()).toMatchObject({ status: 'in_edit', content: { headline: '春运首日 返乡路上的年味' } });
  });

  it('keeps editors to their studio and answers missing stories and forms', async () => {
    const s = await story({ authorId: editor.user.id, studioId });
    expect((await put(outsider.cookie, s.id, 'web')).json().error.code).toBe('kitchen.out_of_scope');
    expect((await req('GET', outsider.cookie, `/api/kitchen/stories/${s.id}/forms`)).statusCode).toBe(403);
    const contributor = await signUp(ctx.app, { campaignId });
    expect((await req('GET', contributor.cookie, `/api/kitchen/stories/${s.id}/forms`)).statusCode).toBe(403);
    expect((await put(editor.cookie, '00000000-0000-4000-8000-000000000000', 'web')).statusCode).toBe(404);
    expect((await patch(editor.cookie, s.id, 'web', { version: 1, content: {} })).json().error.code).toBe('kitchen.form_not_found');
    // A central-desk story (no studio) is everyone's.
    const desk = await story({ authorId: chief.user.id, studioId: null });
    expect((await put(outsider.cookie, desk.id, 'web')).statusCode).toBe(201);
    // Audit rows for creation and edits.
    const audit = await ctx.runtime.services.audit.list(200);
    expect(audit.some((a) => a.action === 'kitchen.form_create' && (a.data as { storyId: string }).storyId === desk.id)).toBe(true);
  });
});
