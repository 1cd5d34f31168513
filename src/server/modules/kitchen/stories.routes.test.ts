import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, submissions } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { insertForm } from './testing/fixtures.js';

const clock = fixedClock('2026-12-03T06:00:00Z');
let ctx: TestContext;
let chief: { cookie: string; user: { id: string } };
let editorA: { cookie: string; user: { id: string } };
let editorB: { cookie: string; user: { id: string } };
let studioA: string;
let studioB: string;
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  editorA = await staff(ctx, ['editor']);
  editorB = await staff(ctx, ['editor']);
  const mk = async (name: string, memberIds: string[]) =>
    (await ctx.app.inject({ method: 'POST', url: '/api/desk/studios', headers: { cookie: chief.cookie }, payload: { name, memberIds } })).json().studio
      .id as string;
  studioA = await mk('麻辣财经', [editorA.user.id]);
  studioB = await mk('侠客岛', [editorB.user.id]);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: 'kitchen-stories' },
  });
  campaignId = res.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, cookie: string | null, payload?: unknown, lang = 'zh-CN') => {
  const res = await ctx.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), 'accept-language': lang }, payload: payload as object });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json, headers: res.headers };
};
const upload = (storyId: string, cookie: string, bytes: Buffer, type: string, qs = '') =>
  ctx.app.inject({ method: 'POST', url: `/api/kitchen/stories/${storyId}/images${qs}`, headers: { cookie, 'content-type': type }, payload: bytes });
const newStory = async (cookie: string, body: Json = {}) => {
  const res = await call('POST', '/api/kitchen/stories', cookie, { headline: '春运首日 返乡路上的年味', ...body });
  expect(res.status).toBe(201);
  return res.body.story as Json;
};
const jpeg = (width: number, height: number, orientation?: number) => {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg();
  return (orientation ? img.withMetadata({ orientation }) : img).toBuffer();
};

describe('stories: write, read, save with the version', () => {
  it('creates a story with the body sanitised, reads it back and audits it', async () => {
    const story = await newStory(editorA.cookie, {
      standfirst: '记者与拍客一起记录返乡路。',
      bodyHtml:
        '<h2>一路向家</h2><blockquote><p>回家过年。</p></blockquote><p onclick="x()">清晨<script>alert(1)</script></p><iframe src="https://evil.test"></iframe>',
      tags: ['春运', '春运', ' 返乡 '],
      byline: '本报记者 李明',
      studioId: studioA,
    });
    expect(story.version).toBe(1);
    expect(story.bodyHtml).toBe('<h2>一路向家</h2><blockquote><p>回家过年。</p></blockquote><p>清晨</p>');
    expect(story.tags).toEqual(['春运', '返乡']);
    expect(story.studio).toEqual({ id: studioA, name: '麻辣财经' });
    expect(story.author.id).toBe(editorA.user.id);
    const got = await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie);
    expect(got.body.story.headline).toBe('春运首日 返乡路上的年味');
    expect(got.body.story.forms).toEqual([]);
    const rows = await ctx.runtime.services.database.db.select().from(auditLog).where(eq(auditLog.objectId, story.id));
    expect(rows.map((r) => r.action)).toContain('story.create');
  });

  it('refuses a headline that is empty or too long, and a studio that does not exist', async () => {
    expect((await call('POST', '/api/kitchen/stories', editorA.cookie, { headline: '' })).status).toBe(400);
    expect((await call('POST', '/api/kitchen/stories', editorA.cookie, { headline: 'x'.repeat(201) })).status).toBe(400);
    const res = await call('POST', '/api/kitchen/stories', chief.cookie, { headline: 'x', studioId: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('kitchen.studio_not_found');
  });

  it('saves with the version it edited; a stale version is 409 naming who saved and when, and writes nothing', async () => {
    const story = await newStory(editorA.cookie, { studioId: studioA, bodyHtml: '<p>第一段。</p>' });
    clock.advance(60_000);
    const first = await call('PATCH', `/api/kitchen/stories/${story.id}`, chief.cookie, {
      version: 1,
      headline: '春运次日 返乡路上的年味',
      bodyHtml: '<p>第一段。</p><p>第二段。</p>',
    });
    expect(first.status).toBe(200);
    expect(first.body.story.version).toBe(2);
    expect(first.body.story.updatedBy.id).toBe(chief.user.id);

    const stale = await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, { version: 1, headline: '我的改动' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('kitchen.stale_version');
    expect(stale.body.error.message).toContain('Staff');
    expect(stale.body.error.message).toContain('2026-12-03 14:01');
    expect(stale.body.error.message).toContain('第 2 版');
    expect(stale.body.error.details).toEqual({ currentVersion: 2, updatedBy: { id: chief.user.id, name: 'Staff' }, updatedAt: '2026-12-03T06:01:00.000Z' });
    const en = await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, { version: 1, headline: '我的改动' }, 'en');
    expect(en.body.error.message).toMatch(/^Staff saved a newer version \(version 2\) at 2026-12-03 14:01 Beijing time/);
    const now = await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie);
    expect(now.body.story.headline).toBe('春运次日 返乡路上的年味');
    expect(now.body.story.version).toBe(2);

    // A save that changes nothing is no new version.
    const same = await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, { version: 2, headline: '春运次日 返乡路上的年味' });
    expect(same.body.story.version).toBe(2);
  });

  it('keeps every version and diffs two of them, by character for Chinese and block by block for the body', async () => {
    const story = await newStory(editorA.cookie, { bodyHtml: '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2>', tags: ['春运'] });
    await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, {
      version: 1,
      headline: '春运次日 返乡路上的年味',
      bodyHtml: '<p>清晨五点，车站已排起长队。</p><h2>一路向家</h2><blockquote><p>回家过年。</p></blockquote>',
      tags: ['春运', '返乡'],
    });
    await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, { version: 2, byline: '本报记者 王芳' });
    const revs = await call('GET', `/api/kitchen/stories/${story.id}/revisions`, editorA.cookie);
    expect(revs.body.revisions.map((r: Json) => r.version)).toEqual([3, 2, 1]);
    expect(revs.body.revisions[0].editor.id).toBe(editorA.user.id);

    const d = await call('GET', `/api/kitchen/stories/${story.id}/revisions/2/diff`, editorA.cookie);
    expect(d.status).toBe(200);
    expect(d.body.from.version).toBe(1);
    expect(d.body.fields.headline).toEqual([
      { value: '春运', added: false, removed: false },
      { value: '首', added: false, removed: true },
      { value: '次', added: true, removed: false },
      { value: '日 返乡路上的年味', added: false, removed: false },
    ]);
    expect(d.body.body.map((b: Json) => b.kind)).toEqual(['changed', 'same', 'added']);
    expect(d.body.body[0].parts.filter((p: Json) => p.removed).map((p: Json) => p.value)).toEqual(['六']);
    expect(d.body.body[2].parts[0].value).toBe('回家过年。');
    expect(d.body.fields.tags.some((p: Json) => p.added && p.value.includes('返乡'))).toBe(true);

    const across = await call('GET', `/api/kitchen/stories/${story.id}/revisions/3/diff?against=1`, editorA.cookie);
    expect(across.body.fields.byline.some((p: Json) => p.added)).toBe(true);
    const missing = await call('GET', `/api/kitchen/stories/${story.id}/revisions/9/diff`, editorA.cookie);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('kitchen.revision_not_found');
  });
});

describe('stories: the list and its filters', () => {
  it('filters by studio, text, tag and form status (online published, print pending), pages by cursor, and keeps editors to their studios', async () => {
    const tag = `t${Date.now()}`;
    const a = await newStory(editorA.cookie, { headline: '甲 菜价回落', studioId: studioA, tags: [tag] });
    clock.advance(1000);
    const b = await newStory(editorB.cookie, { headline: '乙 岛上来信', studioId: studioB, tags: [tag] });
    clock.advance(1000);
    const c = await newStory(chief.cookie, { headline: '丙 中央厨房', tags: [tag] });
    const db = ctx.runtime.services.database.db;
    await insertForm(db, { storyId: a.id, form: 'web', status: 'published', content: {} });
    await insertForm(db, { storyId: a.id, form: 'print', status: 'ready', content: {} });
    await insertForm(db, { storyId: b.id, form: 'web', status: 'published', content: {} });
    await insertForm(db, { storyId: b.id, form: 'print', status: 'published', content: {} });
    await insertForm(db, { storyId: c.id, form: 'web', status: 'in_edit', content: {} });
    const ids = async (cookie: string, qs: string) =>
      ((await call('GET', `/api/kitchen/stories?tag=${tag}${qs}`, cookie)).body.items as Json[]).map((i) => i.id);

    expect(await ids(chief.cookie, '')).toEqual([c.id, b.id, a.id]);
    expect(await ids(chief.cookie, '&form=web:published&form=print:!published')).toEqual([a.id]);
    expect(await ids(chief.cookie, '&form=web:published')).toEqual([b.id, a.id]);
    expect(await ids(chief.cookie, '&form=print:!published')).toEqual([c.id, a.id]);
    expect(await ids(chief.cookie, `&studioId=${studioB}`)).toEqual([b.id]);
    expect(await ids(chief.cookie, `&q=${encodeURIComponent('岛上')}`)).toEqual([b.id]);
    expect(await ids(chief.cookie, `&q=${encodeURIComponent('%')}`)).toEqual([]);
    // Editor A sees their studio and the central desk's, never studio B's.
    expect(await ids(editorA.cookie, '')).toEqual([c.id, a.id]);
    const list = await call('GET', `/api/kitchen/stories?tag=${tag}`, chief.cookie);
    expect(list.body.items.find((i: Json) => i.id === a.id).forms).toEqual([
      { form: 'print', status: 'ready', url: null },
      { form: 'web', status: 'published', url: null },
    ]);

    const p1 = await call('GET', `/api/kitchen/stories?tag=${tag}&limit=2`, chief.cookie);
    expect(p1.body.items.map((i: Json) => i.id)).toEqual([c.id, b.id]);
    const p2 = await call('GET', `/api/kitchen/stories?tag=${tag}&limit=2&cursor=${p1.body.nextCursor}`, chief.cookie);
    expect(p2.body.items.map((i: Json) => i.id)).toEqual([a.id]);
    expect(p2.body.nextCursor).toBeNull();

    expect((await call('GET', '/api/kitchen/stories?form=web:gone', chief.cookie)).status).toBe(400);
    expect((await call('GET', '/api/kitchen/stories?form=fax:published', chief.cookie)).status).toBe(400);
  });
});

describe('stories: who may do what', () => {
  it('an editor of another studio gets 403 on read, save, images and videos; a contributor and a stranger get nothing', async () => {
    const story = await newStory(editorA.cookie, { studioId: studioA });
    for (const [m, url, body] of [
      ['GET', `/api/kitchen/stories/${story.id}`, undefined],
      ['PATCH', `/api/kitchen/stories/${story.id}`, { version: 1, headline: 'x' }],
      ['GET', `/api/kitchen/stories/${story.id}/revisions`, undefined],
      ['PUT', `/api/kitchen/stories/${story.id}/videos`, { submissionIds: [] }],
    ] as const) {
      const res = await call(m, url, editorB.cookie, body);
      expect(res.status, `${m} ${url}`).toBe(403);
      expect(res.body.error.code).toBe('kitchen.out_of_scope');
    }
    expect((await upload(story.id, editorB.cookie, await jpeg(50, 50), 'image/jpeg')).statusCode).toBe(403);
    // Moving a story into a studio one is not in is refused too.
    expect((await call('PATCH', `/api/kitchen/stories/${story.id}`, editorA.cookie, { version: 1, studioId: studioB })).status).toBe(403);
    const contributor = await signUp(ctx.app, { campaignId });
    expect((await call('GET', `/api/kitchen/stories/${story.id}`, contributor.cookie)).status).toBe(403);
    expect((await call('GET', '/api/kitchen/stories', null)).status).toBe(401);
    expect((await call('GET', '/api/kitchen/stories/00000000-0000-4000-8000-000000000000', chief.cookie)).status).toBe(404);
  });
});

describe('stories: images', () => {
  it('resizes a JPEG to print, web and thumb, serves them to staff only until a form is published, then publicly', async () => {
    const story = await newStory(editorA.cookie, { studioId: studioA });
    const res = await upload(
      story.id,
      editorA.cookie,
      await jpeg(4000, 2000),
      'image/jpeg',
      `?caption=${encodeURIComponent('车站')}&credit=${encodeURIComponent('拍客 小王')}`,
    );
    expect(res.statusCode).toBe(201);
    const image = res.json().image as Json;
    expect([image.width, image.height, image.caption, image.credit]).toEqual([3000, 1500, '车站', '拍客 小王']);
    const sizes: Record<string, number> = {};
    for (const size of ['print', 'web', 'thumb']) {
      const r = await ctx.app.inject({ method: 'GET', url: image.urls[size], headers: { cookie: editorA.cookie } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('image/jpeg');
      expect(r.headers['cache-control']).toBe('private, max-age=3600');
      const meta = await sharp(r.rawPayload).metadata();
      expect(meta.format).toBe('jpeg');
      sizes[size] = Math.max(meta.width!, meta.height!);
    }
    expect(sizes).toEqual({ print: 3000, web: 1600, thumb: 400 });
    expect((await ctx.app.inject({ method: 'GET', url: image.urls.web })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: image.urls.web, headers: { cookie: editorB.cookie } })).statusCode).toBe(403);
    await insertForm(ctx.runtime.services.database.db, { storyId: story.id, form: 'web', status: 'published', content: {} });
    const pub = await ctx.app.inject({ method: 'GET', url: image.urls.web });
    expect(pub.statusCode).toBe(200);
    expect(pub.headers['cache-control']).toBe('public, max-age=86400');
    const got = await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie);
    expect(got.body.story.images.map((i: Json) => i.id)).toEqual([image.id]);
  });

  it('applies the EXIF orientation and strips metadata; takes PNG; captions, reorders and deletes (files too)', async () => {
    const story = await newStory(editorA.cookie, { studioId: studioA });
    const turned = (await upload(story.id, editorA.cookie, await jpeg(200, 100, 6), 'image/jpeg')).json().image as Json;
    expect([turned.width, turned.height]).toEqual([100, 200]);
    const printed = await ctx.app.inject({ method: 'GET', url: turned.urls.print, headers: { cookie: editorA.cookie } });
    const meta = await sharp(printed.rawPayload).metadata();
    expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([100, 200, undefined, undefined]);

    const png = await sharp({ create: { width: 300, height: 300, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const second = (await upload(story.id, editorA.cookie, png, 'image/png')).json().image as Json;
    expect([second.width, second.height, second.position]).toEqual([300, 300, 1]);

    const moved = await call('PATCH', `/api/kitchen/stories/${story.id}/images/${second.id}`, editorA.cookie, { position: 0, caption: '蓝' });
    expect(moved.status).toBe(200);
    expect(moved.body.images.map((i: Json) => [i.id, i.position, i.caption])).toEqual([
      [second.id, 0, '蓝'],
      [turned.id, 1, ''],
    ]);

    const storage = ctx.runtime.services.storage;
    const prefix = `kitchen/stories/${story.id}/images/${second.id}`;
    expect((await storage.list(prefix)).sort()).toEqual([`${prefix}/print.jpg`, `${prefix}/thumb.jpg`, `${prefix}/web.jpg`]);
    expect((await call('DELETE', `/api/kitchen/stories/${story.id}/images/${second.id}`, editorA.cookie)).status).toBe(204);
    expect(await storage.list(prefix)).toEqual([]);
    expect((await ctx.app.inject({ method: 'GET', url: second.urls.web, headers: { cookie: editorA.cookie } })).statusCode).toBe(404);
    const audits = await ctx.runtime.services.database.db.select().from(auditLog).where(eq(auditLog.objectId, story.id));
    expect(audits.map((a) => a.action).sort()).toEqual(['story.create', 'story.image_add', 'story.image_add', 'story.image_delete', 'story.image_update']);
  });

  it('refuses oversized images, other types and bytes that are not an image, with a reason and nothing stored', async () => {
    const story = await newStory(editorA.cookie, { studioId: studioA });
    const big = await ctx.app.inject({
      method: 'POST',
      url: `/api/kitchen/stories/${story.id}/images`,
      headers: { cookie: editorA.cookie, 'content-type': 'image/jpeg', 'accept-language': 'en' },
      payload: Buffer.alloc(20 * 1024 * 1024 + 1),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'kitchen.image_too_large', message: 'The image is too large: at most 20 MB each.' });
    const text = await upload(story.id, editorA.cookie, Buffer.from('hello'), 'text/plain');
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('kitchen.image_type');
    const heic = await upload(story.id, editorA.cookie, Buffer.from('hello'), 'image/heic');
    expect(heic.statusCode).toBe(415);
    const fake = await upload(story.id, editorA.cookie, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/png');
    expect(fake.statusCode).toBe(400);
    expect(fake.json().error.code).toBe('kitchen.image_unreadable');
    expect(fake.json().error.details.reason).toBeTruthy();
    const truncated = (await jpeg(400, 400)).subarray(0, 300);
    expect((await upload(story.id, editorA.cookie, truncated, 'image/jpeg')).statusCode).toBe(400);
    expect(await ctx.runtime.services.storage.list(`kitchen/stories/${story.id}`)).toEqual([]);
    expect((await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie)).body.story.images).toEqual([]);
  });
});

describe('stories: embedded videos', () => {
  it('embeds adopted submissions only, credited to their contributor', async () => {
    const contributor = await signUp(ctx.app, { campaignId, name: '拍客 小王' });
    const adopted = await processedSubmission(ctx, { userId: contributor.user.id, campaignId, at: clock.now(), title: '返乡列车' });
    const pending = await processedSubmission(ctx, { userId: contributor.user.id, campaignId, at: clock.now(), title: '还在审' });
    await ctx.runtime.services.database.db.update(submissions).set({ status: 'adopted' }).where(eq(submissions.id, adopted.id));
    const story = await newStory(editorA.cookie, { studioId: studioA });

    const refused = await call('PUT', `/api/kitchen/stories/${story.id}/videos`, editorA.cookie, { submissionIds: [adopted.id, pending.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('kitchen.video_not_adopted');
    expect(refused.body.error.message).toContain('还在审');
    expect((await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie)).body.story.videos).toEqual([]);
    const unknown = await call('PUT', `/api/kitchen/stories/${story.id}/videos`, editorA.cookie, { submissionIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(404);

    const ok = await call('PUT', `/api/kitchen/stories/${story.id}/videos`, editorA.cookie, { submissionIds: [adopted.id] });
    expect(ok.status).toBe(200);
    const got = await call('GET', `/api/kitchen/stories/${story.id}`, editorA.cookie);
    expect(got.body.story.videos).toMatchObject([
      { submissionId: adopted.id, title: '返乡列车', contributor: { id: contributor.user.id, name: '拍客 小王' }, position: 0 },
    ]);
    expect((await call('PUT', `/api/kitchen/stories/${story.id}/videos`, editorA.cookie, { submissionIds: [] })).body.videos).toEqual([]);
  });
});
