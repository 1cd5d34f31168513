import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Form, FormStatus } from '../../../contracts/kitchen.js';
import { storyImages, storyVideos } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { startWechatFake, type WechatFake } from '../distribution/channels/fakes/wechat.fake.js';
import { startWeiboFake, type WeiboFake } from '../distribution/channels/fakes/weibo.fake.js';
import { insertForm, insertStory } from './testing/fixtures.js';

// Publishing a story's forms on a real Paike (PGlite, or PostgreSQL with DATABASE_URL): the
// own forms at once, the social ones through the real Weibo and WeChat adapters against their
// local fakes. The kitchen.publish-form job is run by calling the service its handler calls.

const clock = fixedClock('2026-12-03T02:00:00Z');
const PUBLIC_URL = 'https://paike.test';
const WEIBO = { appKey: '2045436852', secret: '8e1f0c3b5a7d9e2f4a6c8b0d1e3f5a7c', uid: '5920114733' };
const WECHAT = { appId: 'wx0123456789abcdef', secret: 'f00dbabef00dbabef00dbabef00dbabe' };

let weibo: WeiboFake;
let wechat: WechatFake;
let ctx: TestContext;
let admin: { cookie: string; user: { id: string } };
let chief: { cookie: string; user: { id: string } };
let outsider: { cookie: string; user: { id: string } };
let campaignId: string;
let workDir: string;

const s = () => ctx.runtime.services;
type Inject = Awaited<ReturnType<TestContext['app']['inject']>>;
const call = (cookie: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, lang = 'zh-CN'): Promise<Inject> =>
  ctx.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), 'accept-language': lang }, payload });
const publish = (storyId: string, form: Form, cookie = chief.cookie) => call(cookie, 'POST', `/api/kitchen/stories/${storyId}/forms/${form}/publish`);
const unpublish = (storyId: string, form: Form, cookie = chief.cookie) => call(cookie, 'POST', `/api/kitchen/stories/${storyId}/forms/${form}/unpublish`);
const formRow = async (storyId: string, form: Form) =>
  (
    await s().database.sql.query<{ status: string; url: string | null; external_id: string | null; last_error: string | null }>(
      'SELECT status, url, external_id, last_error FROM story_forms WHERE story_id = $1 AND form = $2',
      [storyId, form],
    )
  ).rows[0]!;

const WEB = (headline: string) => ({ headline, standfirst: '记者与拍客一起记录返乡路。', bodyHtml: '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2>' });

/** A story with a web image and an adopted, embedded contributor video; its forms as given. */
async function story(headline: string, forms: Partial<Record<Form, { status: FormStatus; content: Record<string, unknown> }>>, studioId: string | null = null) {
  const st = await insertStory(s().database.db, { authorId: chief.user.id, headline, studioId });
  const contributor = await signUp(ctx.app, { campaignId, name: '拍客林勇刚' });
  const sub = await processedSubmission(ctx, { userId: contributor.user.id, campaignId, at: clock.now(), title: '候车大厅里的年货' });
  const poster = path.join(workDir, `${sub.id}.jpg`);
  await sharp({ create: { width: 720, height: 1280, channels: 3, background: '#c0392b' } })
    .jpeg()
    .toFile(poster);
  await s().storage.putFile(`submissions/${sub.id}/poster.jpg`, poster);
  await s().submissionsRepo.update(sub.id, {
    status: 'adopted',
    outputs: { original: `submissions/${sub.id}/original`, poster: `submissions/${sub.id}/poster.jpg` },
  });
  await s().database.db.insert(storyVideos).values({ storyId: st.id, submissionId: sub.id, position: 0 });
  const image = path.join(workDir, `${st.id}.jpg`);
  await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#2c3e50' } })
    .jpeg()
    .toFile(image);
  await s().storage.putFile(`kitchen/${st.id}/web.jpg`, image);
  const [img] = await s()
    .database.db.insert(storyImages)
    .values({
      storyId: st.id,
      printKey: `kitchen/${st.id}/web.jpg`,
      webKey: `kitchen/${st.id}/web.jpg`,
      thumbKey: `kitchen/${st.id}/web.jpg`,
      width: 1600,
      height: 900,
      bytes: 1000,
      caption: '候车的旅客',
      credit: '本报记者 王芳',
      uploadedBy: chief.user.id,
    })
    .returning();
  for (const [form, f] of Object.entries(forms))
    await insertForm(s().database.db, { storyId: st.id, form: form as Form, status: f.status, content: f.content });
  return { id: st.id, submissionId: sub.id, imageId: img!.id };
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'paike-kpub-'));
  const now = () => clock.now();
  weibo = await startWeiboFake({ now, tokenLifetimeSeconds: 90 * 86_400 });
  weibo.registerApp({
    appKey: WEIBO.appKey,
    appSecret: WEIBO.secret,
    secureDomain: 'paike.test',
    redirectUri: `${PUBLIC_URL}/api/admin/channels/weibo/callback`,
  });
  weibo.registerAccount({ uid: WEIBO.uid, screenName: '拍客新闻' });
  wechat = await startWechatFake({ now });
  wechat.registerApp({ appId: WECHAT.appId, secret: WECHAT.secret, verified: true });
  ctx = await createTestContext({ clock, env: { WEIBO_API_URL: weibo.url, WECHAT_API_URL: wechat.url, PUBLIC_URL, PUBLISH_MAX_ATTEMPTS: '3' } });
  admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  outsider = await staff(ctx, ['editor']);
  campaignId = (await call(admin.cookie, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'kitchen-publish-test' })).json().campaign.id;

  // The admin connects both accounts: WeChat by its secret, Weibo through its OAuth page and our callback.
  expect((await call(admin.cookie, 'PUT', '/api/admin/channels/wechat', { appId: WECHAT.appId, appSecret: WECHAT.secret })).json().account.status).toBe(
    'connected',
  );
  expect(
    (await call(admin.cookie, 'PUT', '/api/admin/channels/weibo', { appId: WEIBO.appKey, appSecret: WEIBO.secret, extra: { rip: '203.0.113.7' } })).statusCode,
  ).toBe(200);
  const auth = await call(admin.cookie, 'POST', '/api/admin/channels/weibo/authorize');
  const back = new URL((await fetch(auth.json().url as string, { redirect: 'manual' })).headers.get('location') ?? '');
  expect((await call(admin.cookie, 'GET', `${back.pathname}${back.search}`)).statusCode).toBe(302);
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  await Promise.all([weibo?.close(), wechat?.close()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('publishing is refused before review', () => {
  it('a form in edit or in review is refused with 409 kitchen.review_incomplete, in the reader’s language, and nothing changes', async () => {
    const st = await story('审核未完的稿件', {
      web: { status: 'in_edit', content: WEB('审核未完的稿件') },
      weibo: { status: 'in_review', content: { text: '审核未完' } },
    });
    const web = await publish(st.id, 'web');
    expect(web.statusCode).toBe(409);
    expect(web.json().error.code).toBe('kitchen.review_incomplete');
    expect(web.json().error.message).toContain('审核尚未完成');
    const en = await call(chief.cookie, 'POST', `/api/kitchen/stories/${st.id}/forms/weibo/publish`, undefined, 'en');
    expect(en.statusCode).toBe(409);
    expect(en.json().error.message).toMatch(/review is not complete \(it is in_review\)/);
    expect(await formRow(st.id, 'web')).toMatchObject({ status: 'in_edit', url: null });
    expect(weibo.count('/2/statuses/share.json')).toBe(0);
    expect((await call(null, 'GET', `/api/site/stories/${st.id}`)).statusCode).toBe(404);
  });

  it('a missing form is 404, an editor outside the story’s studio is 403, an anonymous caller 401', async () => {
    const studio = await s().deskRepo.createStudio({ name: '侠客岛', leadUserId: null }, s().database.db);
    const st = await story('工作室的稿件', { web: { status: 'ready', content: WEB('工作室的稿件') } }, studio!.id);
    expect((await publish(st.id, 'print')).json().error.code).toBe('kitchen.form_not_found');
    const out = await publish(st.id, 'web', outsider.cookie);
    expect(out.statusCode).toBe(403);
    expect(out.json().error.code).toBe('kitchen.out_of_scope');
    expect((await call(null, 'POST', `/api/kitchen/stories/${st.id}/forms/web/publish`)).statusCode).toBe(401);
    expect((await formRow(st.id, 'web')).status).toBe('ready');
  });
});

describe('web and app (网/端)', () => {
  it('a ready web form goes live at once: the public API, /feed.json and /rss.xml show it with its image and video credit; unpublished, it is gone', async () => {
    const st = await story('春运首日 返乡路上的年味', { web: { status: 'ready', content: WEB('春运首日 返乡路上的年味') } });
    const res = await publish(st.id, 'web');
    expect(res.statusCode).toBe(200);
    expect(res.json().form).toMatchObject({ form: 'web', status: 'published', url: `${PUBLIC_URL}/stories/${st.id}`, lastError: null });
    expect(res.json().form.publishedAt).toBe(clock.now().toISOString());

    const pub = await call(null, 'GET', `/api/site/stories/${st.id}`);
    expect(pub.statusCode).toBe(200);
    const a = pub.json().story;
    expect(a).toMatchObject({ headline: '春运首日 返乡路上的年味', byline: '本报记者 李明', bodyHtml: '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2>' });
    expect(a.images).toEqual([expect.objectContaining({ url: `/api/kitchen/images/${st.imageId}/web`, caption: '候车的旅客', credit: '本报记者 王芳' })]);
    expect(a.videos).toEqual([expect.objectContaining({ submissionId: st.submissionId, credit: '拍客林勇刚', pageUrl: `/v/${st.submissionId}` })]);

    const feed = (await call(null, 'GET', '/feed.json')).json();
    const item = feed.items.find((i: { id: string }) => i.id === `story:${st.id}`);
    expect(item).toMatchObject({
      url: `${PUBLIC_URL}/stories/${st.id}`,
      title: '春运首日 返乡路上的年味',
      image: `${PUBLIC_URL}/api/kitchen/images/${st.imageId}/web`,
    });
    expect(item.content_html).toContain('车站已排起长队');
    const rss = (await call(null, 'GET', '/rss.xml')).body;
    expect(rss).toContain(`<link>${PUBLIC_URL}/stories/${st.id}</link>`);
    expect(rss).toContain('<title>春运首日 返乡路上的年味</title>');

    // Publishing again is answered as it is; a second press posts nothing new.
    expect((await publish(st.id, 'web')).json().form.status).toBe('published');

    const down = await unpublish(st.id, 'web');
    expect(down.statusCode).toBe(200);
    expect(down.json().form).toMatchObject({ status: 'ready', url: null });
    expect((await call(null, 'GET', `/api/site/stories/${st.id}`)).statusCode).toBe(404);
    expect((await call(null, 'GET', '/rss.xml')).body).not.toContain(`/stories/${st.id}<`);
    expect((await unpublish(st.id, 'web')).json().error.code).toBe('kitchen.not_published');
  });

  it('print goes to press for its edition and page, and is refused without them', async () => {
    const print = { headline: '返乡路上', standfirst: '', bodyHtml: '<p>正文</p>', columns: 3, edition: null, page: '', imageIds: [] };
    const st = await story('付印的稿件', { print: { status: 'ready', content: print } });
    expect((await publish(st.id, 'print')).json().error.code).toBe('kitchen.print_slot_missing');
    await s().database.sql.query(`UPDATE story_forms SET content = content || '{"edition":"2026-12-04","page":"A1"}'::jsonb WHERE story_id = $1`, [st.id]);
    const res = await publish(st.id, 'print');
    expect(res.json().form).toMatchObject({ status: 'published', url: null, externalId: '2026-12-04 A1' });
  });
});

describe('social forms (微) through the channel adapters', () => {
  it('Weibo: queued in the request’s transaction, then a text post with the story link; published with its weibo.com link', async () => {
    const st = await story('雪夜里的最后一班公交', { weibo: { status: 'ready', content: { text: '雪夜里，司机等到最后一位乘客才发车。' } } });
    const res = await publish(st.id, 'weibo');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ queued: true, form: { status: 'ready', publication: { status: 'queued' } } });
    const boss = ctx.config.DATABASE_SCHEMA === 'public' ? 'pgboss' : `${ctx.config.DATABASE_SCHEMA}_pgboss`;
    const jobs = await s().database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${boss}.job WHERE name = 'kitchen.publish-form'`);
    expect(jobs.rows[0]!.n).toBeGreaterThan(0);
    // A second press while queued queues nothing more.
    expect((await publish(st.id, 'weibo')).json().queued).toBe(false);

    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'weibo'`, [st.id])).rows[0]!.id;
    await s().kitchenPublish.run(formId);
    const row = await formRow(st.id, 'weibo');
    expect(row.status).toBe('published');
    expect(row.url).toMatch(/^https:\/\/weibo\.com\/5920114733\/[0-9A-Za-z]+$/);
    expect(row.last_error).toBeNull();
    const posts = weibo.statuses.filter((x) => x.status.includes('雪夜里，司机'));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.status).toContain(`${PUBLIC_URL}/stories/${st.id}`);
    expect(posts[0]!.id).toBe(row.external_id);

    // Unpublished: the post is deleted on Weibo and the form is ready again.
    expect((await unpublish(st.id, 'weibo')).statusCode).toBe(202);
    await s().kitchenPublish.run(formId);
    expect(await formRow(st.id, 'weibo')).toMatchObject({ status: 'ready', url: null, external_id: null });
    expect(weibo.statuses.find((x) => x.id === posts[0]!.id)!.deleted).toBe(true);
  });

  it('WeChat: an article through draft/add and freepublish whose content holds the cover and the video link with its credit', async () => {
    const st = await story('候车大厅里的年货', {
      wechat: {
        status: 'ready',
        content: { title: '候车大厅里的年货', digest: '一位拍客记录下的春运。', author: '本报记者', bodyHtml: '<p>大厅里堆满了年货。</p>' },
      },
    });
    expect((await publish(st.id, 'wechat')).statusCode).toBe(202);
    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'wechat'`, [st.id])).rows[0]!.id;
    await s().kitchenPublish.run(formId);
    // WeChat decides in the background: the first attempt leaves it pending; the next run asks and finds it out.
    if ((await formRow(st.id, 'wechat')).status !== 'published') await s().kitchenPublish.run(formId);
    const row = await formRow(st.id, 'wechat');
    expect(row).toMatchObject({ status: 'published', last_error: null });
    const article = wechat.articles.find((a) => a.articleId === row.external_id)!;
    const item = article.items[0]!;
    expect(item.title).toBe('候车大厅里的年货');
    expect(item.content_source_url).toBe(`${PUBLIC_URL}/stories/${st.id}`);
    expect(item.content).toContain('大厅里堆满了年货');
    expect(item.content).toContain(`href="${PUBLIC_URL}/v/${st.submissionId}"`);
    expect(item.content).toContain('拍客林勇刚');
    const cover = wechat.contentImages.at(-1)!;
    expect(item.content).toContain(`<img src="${cover.url}"`);
    expect(wechat.materials.find((m) => m.mediaId === item.thumb_media_id)?.type).toBe('image');
  });

  it('a Weibo failure leaves the web form published and the Weibo form ready with the platform’s reason', async () => {
    weibo.rejectWord('违禁词');
    const st = await story('一条会被微博拒绝的稿件', {
      web: { status: 'ready', content: WEB('一条会被微博拒绝的稿件') },
      weibo: { status: 'ready', content: { text: '这条里有违禁词。' } },
    });
    expect((await publish(st.id, 'web')).statusCode).toBe(200);
    expect((await publish(st.id, 'weibo')).statusCode).toBe(202);
    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'weibo'`, [st.id])).rows[0]!.id;
    await s().kitchenPublish.run(formId);
    const w = await formRow(st.id, 'weibo');
    expect(w.status).toBe('ready');
    expect(w.last_error).toMatch(/20021/);
    expect(await formRow(st.id, 'web')).toMatchObject({ status: 'published', last_error: null });
    expect((await call(null, 'GET', `/api/site/stories/${st.id}`)).statusCode).toBe(200);
    // The job does not try again on a refusal: a second run finds nothing to do.
    await s().kitchenPublish.run(formId);
    expect(weibo.statuses.filter((x) => x.status.includes('违禁词'))).toHaveLength(0);
  });

  it('a retry after a crash mid-publish (Weibo posted, the reply lost) finds the post and never posts twice', async () => {
    const st = await story('停电夜里的菜市场', { weibo: { status: 'ready', content: { text: '停电的夜里，摊主们点起了蜡烛。' } } });
    await publish(st.id, 'weibo');
    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'weibo'`, [st.id])).rows[0]!.id;
    weibo.acceptThenFail('/2/statuses/share.json');
    await s().kitchenPublish.run(formId);
    const after = await formRow(st.id, 'weibo');
    expect(after.status).toBe('ready');
    expect(after.last_error).not.toBeNull();
    expect(weibo.statuses.filter((x) => x.status.includes('摊主们点起了蜡烛'))).toHaveLength(1);

    await s().kitchenPublish.run(formId); // the retry the job queued with its backoff
    const row = await formRow(st.id, 'weibo');
    expect(row).toMatchObject({ status: 'published', last_error: null });
    const posts = weibo.statuses.filter((x) => x.status.includes('摊主们点起了蜡烛'));
    expect(posts).toHaveLength(1);
    expect(row.external_id).toBe(posts[0]!.id);
  });

  it('a Weibo form edited and approved again after it went out is posted anew under a new key', async () => {
    const st = await story('江边的早市', { weibo: { status: 'ready', content: { text: '江边早市，六点开张。' } } });
    await publish(st.id, 'weibo');
    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'weibo'`, [st.id])).rows[0]!.id;
    await s().kitchenPublish.run(formId);
    const first = await formRow(st.id, 'weibo');
    expect(first.status).toBe('published');
    // The forms part sends an edited form back to review; its chain brings it to ready again.
    await s().database.sql.query(`UPDATE story_forms SET status = 'ready', content = '{"text":"江边早市，五点半就开张了。"}'::jsonb WHERE id = $1`, [formId]);
    expect((await publish(st.id, 'weibo')).statusCode).toBe(202);
    await s().kitchenPublish.run(formId);
    const second = await formRow(st.id, 'weibo');
    expect(second.status).toBe('published');
    expect(second.external_id).not.toBe(first.external_id);
    expect(weibo.statuses.find((x) => x.id === second.external_id)!.status).toContain('五点半');
  });

  it('a live Weibo post can be taken down while its form is back in edit; the form stays in edit', async () => {
    const st = await story('旧城改造的最后一户', { weibo: { status: 'ready', content: { text: '旧城改造，最后一户搬走了。' } } });
    await publish(st.id, 'weibo');
    const formId = (await s().database.sql.query<{ id: string }>(`SELECT id FROM story_forms WHERE story_id = $1 AND form = 'weibo'`, [st.id])).rows[0]!.id;
    await s().kitchenPublish.run(formId);
    const postId = (await formRow(st.id, 'weibo')).external_id!;
    await s().database.sql.query(`UPDATE story_forms SET status = 'in_edit' WHERE id = $1`, [formId]);
    expect((await unpublish(st.id, 'weibo')).statusCode).toBe(202);
    await s().kitchenPublish.run(formId);
    expect(await formRow(st.id, 'weibo')).toMatchObject({ status: 'in_edit', url: null, external_id: null });
    expect(weibo.statuses.find((x) => x.id === postId)!.deleted).toBe(true);
    expect((await publish(st.id, 'weibo')).json().error.code).toBe('kitchen.review_incomplete');
  });

  it('Toutiao without a connected account is refused plainly', async () => {
    const st = await story('无账号的头条号', { toutiao: { status: 'ready', content: { title: '无账号的头条号', summary: '' } } });
    const res = await publish(st.id, 'toutiao');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('channel.not_connected');
  });
});

describe('screens (屏)', () => {
  it('a published screen form is a card in the kiosk playlists, with its image and a QR to the story; unpublished, it leaves them', async () => {
    const st = await story('屏幕上的稿件', {});
    await insertForm(s().database.db, {
      storyId: st.id,
      form: 'screen',
      status: 'ready',
      content: { headline: '返乡路上的年味', subline: '扫码阅读全文', imageId: st.imageId, videoSubmissionId: st.submissionId },
    });
    const key = (await call(admin.cookie, 'POST', '/api/admin/kiosk-screens', { name: '车站大屏', campaignId: null })).json().key as string;
    const playlist = async () => (await ctx.app.inject({ method: 'GET', url: '/api/kiosk/playlist', headers: { 'x-kiosk-key': key } })).json();
    expect((await playlist()).cards).toEqual([]);
    expect((await publish(st.id, 'screen')).json().form.status).toBe('published');
    const [card] = (await playlist()).cards;
    expect(card).toMatchObject({
      storyId: st.id,
      headline: '返乡路上的年味',
      subline: '扫码阅读全文',
      imageUrl: `/api/kitchen/images/${st.imageId}/web`,
      posterUrl: `/api/media/submissions/${st.submissionId}/poster.jpg`,
      url: `${PUBLIC_URL}/stories/${st.id}`,
    });
    expect(card.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    await unpublish(st.id, 'screen');
    expect((await playlist()).cards).toEqual([]);
  });
});
