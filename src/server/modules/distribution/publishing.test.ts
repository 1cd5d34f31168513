import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { fixture } from '../media/media.fixtures.js';
import { probeMedia } from '../media/probe.js';
import { extractPoster, transcodeToHls } from '../media/transcode.js';
import { startWechatFake, type WechatFake } from './channels/fakes/wechat.fake.js';
import type { Publication } from '../../../contracts/distribution.js';

// Publishing end to end on a real Paike (PGlite or PostgreSQL): adoption → outbox → one
// publication per channel → the real WeChat adapter against the local WeChat fake, plus the
// own site and kiosk channels. Jobs are run by calling the service the job handlers call.

const clock = fixedClock('2026-11-26T02:00:00Z');
const APP_ID = 'wx0123456789abcdef';
const SECRET = 'f00dbabef00dbabef00dbabef00dbabe';
let fake: WechatFake;
let ctx: TestContext;
let admin: { cookie: string };
let editor: { cookie: string; user: { id: string } };
let campaignId: string;
let hlsDir: string;
let posterPath: string;

const s = () => ctx.runtime.services;
const post = (cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method: 'POST', url, headers: { cookie, 'accept-language': lang }, payload: payload as object });
const channels = async (id: string) =>
  (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${id}/publications`, headers: { cookie: editor.cookie } })).json().channels as {
    channel: string;
    connected: boolean;
    publication: Publication | null;
  }[];
const pubOf = async (id: string, channel: string) => (await channels(id)).find((c) => c.channel === channel)!.publication!;

beforeAll(async () => {
  fake = await startWechatFake({ now: () => clock.now() });
  fake.registerApp({ appId: APP_ID, secret: SECRET, verified: true });
  ctx = await createTestContext({ clock, env: { WECHAT_API_URL: fake.url, PUBLISH_HOLD_MINUTES: '30', PUBLISH_MAX_ATTEMPTS: '3' } });
  admin = await staff(ctx, ['admin']);
  editor = await staff(ctx, ['chief_editor']);
  const res = await post(admin.cookie, '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'publishing-test' });
  campaignId = res.json().campaign.id;
  // One real rendition, made once and copied into each test video's storage.
  const work = await mkdtemp(path.join(tmpdir(), 'paike-pub-'));
  const src = await fixture('short-10s.mp4');
  const facts = await probeMedia(src);
  hlsDir = path.join(work, 'hls');
  await transcodeToHls({ input: src, facts, outDir: hlsDir });
  posterPath = (await extractPoster({ input: src, facts, outPath: path.join(work, 'poster.jpg') })).path;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  await fake?.close();
  if (hlsDir) await rm(path.dirname(hlsDir), { recursive: true, force: true });
});

/** A contributor's processed video, adopted by the desk. */
async function adopted(title = '暴雨中的外卖小哥') {
  const u = await signUp(ctx.app, { campaignId });
  const row = await s().submissionsRepo.create({
    userId: u.user.id,
    campaignId,
    theme: 'food',
    title,
    description: '拍客在解放路拍下外卖骑手为路人撑伞的一幕。',
    consentAt: clock.now(),
    status: 'in_review',
    progress: 100,
    uploadLength: 1000,
    originalFilename: 'a.mp4',
    durationSeconds: 10,
    width: 320,
    height: 568,
    processedAt: clock.now(),
  });
  const prefix = `submissions/${row.id}`;
  await s().storage.putDir(`${prefix}/hls`, hlsDir);
  await s().storage.putFile(`${prefix}/poster.jpg`, posterPath);
  await s().submissionsRepo.update(row.id, {
    outputs: { original: `${prefix}/original`, master: `${prefix}/hls/master.m3u8`, poster: `${prefix}/poster.jpg` },
  });
  const res = await post(editor.cookie, `/api/desk/submissions/${row.id}/adopt`, { grade: 'C' });
  expect(res.statusCode).toBe(200);
  return { id: row.id, contributor: u };
}

async function connectWechat() {
  const res = await ctx.app.inject({
    method: 'PUT',
    url: '/api/admin/channels/wechat',
    headers: { cookie: admin.cookie },
    payload: { appId: APP_ID, appSecret: SECRET },
  });
  expect(res.statusCode).toBe(200);
  return res.json().account;
}

describe('platform accounts', () => {
  it('an admin connects WeChat with the app secret; the secret is never shown back, and only admins manage accounts', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/channels', headers: { cookie: editor.cookie } })).statusCode).toBe(403);
    const account = await connectWechat();
    expect(account).toMatchObject({ channel: 'wechat', status: 'connected', appId: APP_ID, oauth: false });
    expect(account.accessExpiresAt).not.toBeNull();
    const list = await ctx.app.inject({ method: 'GET', url: '/api/admin/channels', headers: { cookie: admin.cookie } });
    expect(list.body).not.toContain(SECRET);
    expect(list.body).not.toContain(fake.currentToken(APP_ID)!.value);
    // Stored sealed, not in clear.
    const raw = await s().database.sql.query<{ credentials: string }>("SELECT credentials FROM channel_accounts WHERE channel = 'wechat'");
    expect(raw.rows[0]!.credentials).not.toContain(SECRET);
    expect(list.json().accounts.map((a: { channel: string; status: string }) => `${a.channel}:${a.status}`)).toEqual(
      ['penguin:disconnected', 'toutiao:disconnected', 'wechat:connected', 'weibo:disconnected'].sort(
        (a, b) => ['weibo', 'wechat', 'toutiao', 'penguin'].indexOf(a.split(':')[0]!) - ['weibo', 'wechat', 'toutiao', 'penguin'].indexOf(b.split(':')[0]!),
      ),
    );
  });

  it('a wrong secret is reported as needing reconnection, in the platform’s words', async () => {
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/api/admin/channels/wechat',
      headers: { cookie: admin.cookie },
      payload: { appId: APP_ID, appSecret: 'not-the-secret-not-the-secret-00' },
    });
    expect(res.json().account.status).toBe('reconnect');
    expect(res.json().account.lastError).toMatch(/40125|40001|secret/i);
    await connectWechat();
  });
});

describe('publishing', () => {
  it('adoption queues every connected channel after the packaging hold; the site and kiosks go live and WeChat goes through review; nothing posts twice', async () => {
    await connectWechat();
    const v = await adopted();
    // The adoption transaction queued the dispatch; the job runs it (twice, as a retried job would).
    const [first, second] = await Promise.all([s().publishing.dispatch(v.id), s().publishing.dispatch(v.id)]);
    expect(first.length + second.length).toBe(3);
    const before = await channels(v.id);
    expect(before.filter((c) => c.publication).map((c) => c.channel)).toEqual(['app', 'wechat', 'kiosk']);
    expect(before.find((c) => c.channel === 'weibo')).toMatchObject({ connected: false, publication: null });
    const queued = before.find((c) => c.channel === 'wechat')!.publication!;
    expect(queued.status).toBe('queued');
    expect(Date.parse(queued.notBefore!) - clock.now().getTime()).toBe(30 * 60_000);

    // During the hold nothing goes out: a job that wakes early puts itself back.
    await s().publishing.publish(queued.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('queued');
    expect(fake.publishJobs).toHaveLength(0);

    // The editor packages WeChat and publishes now.
    const pkg = await ctx.app.inject({
      method: 'PUT',
      url: `/api/desk/submissions/${v.id}/packages/wechat`,
      headers: { cookie: editor.cookie },
      payload: { headline: '一把伞撑起整条街', summary: '暴雨中的外卖小哥', tags: [], coverKey: null, credit: '拍客' },
    });
    expect(pkg.statusCode).toBe(200);
    fake.holdPublishing(true);
    for (const c of await channels(v.id))
      if (c.publication) expect((await post(editor.cookie, `/api/desk/publications/${c.publication.id}/schedule`, { at: null })).statusCode).toBe(200);
    // Two copies of the job at once (a redelivery): the lease lets one through.
    await Promise.all([s().publishing.publish(queued.id), s().publishing.publish(queued.id)]);
    for (const ch of ['app', 'kiosk']) await s().publishing.publish((await pubOf(v.id, ch)).id);

    const app = await pubOf(v.id, 'app');
    expect(app).toMatchObject({ status: 'live', url: `http://paike.test/v/${v.id}` });
    expect((await pubOf(v.id, 'kiosk')).status).toBe('live');
    const wechat = await pubOf(v.id, 'wechat');
    expect(wechat.status).toBe('pending');
    expect(fake.publishJobs).toHaveLength(1);
    expect(fake.publishJobs[0]!.articles[0]!.title).toBe('一把伞撑起整条街');
    expect(fake.materials.filter((m) => m.type === 'video')).toHaveLength(1);

    // The platform's review passes; the status poll brings it live with its link.
    await s().publishing.checkStatus(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('pending');
    fake.finishPublishing();
    clock.advance(60_000);
    await s().publishing.checkStatus(wechat.id);
    const live = await pubOf(v.id, 'wechat');
    expect(live.status).toBe('live');
    expect(live.url).toMatch(/^https?:\/\//);
    expect(live.events.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'scheduled', 'publishing', 'pending', 'live']));

    // The contributor is told, once per channel.
    const notices = (await ctx.app.inject({ method: 'GET', url: '/api/me/notices', headers: { cookie: v.contributor.cookie } })).json().notices as {
      kind: string;
      text: string;
    }[];
    expect(notices.filter((n) => n.kind === 'publication')).toHaveLength(3);
    expect(notices.map((n) => n.text).join('\n')).toContain('微信');

    // A late duplicate job and an editor's retry change nothing.
    await s().publishing.publish(wechat.id);
    expect((await post(editor.cookie, `/api/desk/publications/${wechat.id}/retry`)).statusCode).toBe(409);
    expect(fake.publishJobs).toHaveLength(1);

    // The video is now public on the site, in the feed, RSS and the kiosk playlist.
    // Its display size rides along, so the player takes the video's shape before loading anything.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/videos/${v.id}` })).json().video).toMatchObject({
      headline: '暴雨中的外卖小哥',
      width: 320,
      height: 568,
    });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/feed' })).json().items.map((i: { id: string }) => i.id)).toContain(v.id);
    const rss = await ctx.app.inject({ method: 'GET', url: '/rss.xml' });
    expect(rss.headers['content-type']).toContain('application/rss+xml');
    expect(rss.body).toContain(`http://paike.test/v/${v.id}`);
    const master = (await ctx.app.inject({ method: 'GET', url: `/api/videos/${v.id}` })).json().video.hlsUrl;
    expect((await ctx.app.inject({ method: 'GET', url: master })).statusCode).toBe(200);
    fake.holdPublishing(false);
  }, 60_000);

  it('the platform down: retried with backoff, then failed with the reason; Retry resumes without a second upload', async () => {
    const v = await adopted('台风过后的渔港');
    await s().publishing.dispatch(v.id);
    const wechat = await pubOf(v.id, 'wechat');
    await post(editor.cookie, `/api/desk/publications/${wechat.id}/schedule`, { at: null });
    fake.down = true;
    for (let i = 0; i < 3; i++) {
      await s().publishing.publish(wechat.id);
      const p = await pubOf(v.id, 'wechat');
      if (i < 2) {
        expect(p).toMatchObject({ status: 'queued', errorClass: 'transient' });
        expect(Date.parse(p.notBefore!)).toBeGreaterThan(clock.now().getTime());
        clock.set(p.notBefore!);
      }
    }
    const failed = await pubOf(v.id, 'wechat');
    expect(failed).toMatchObject({ status: 'failed', errorClass: 'transient', attempts: 3 });
    expect(failed.error).toMatch(/connect|503/i);
    fake.down = false;
    const videosBefore = fake.materials.filter((m) => m.type === 'video').length;
    expect((await post(editor.cookie, `/api/desk/publications/${wechat.id}/retry`)).statusCode).toBe(200);
    await s().publishing.publish(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('pending');
    expect(fake.materials.filter((m) => m.type === 'video').length).toBe(videosBefore + 1);
    clock.advance(60_000);
    await s().publishing.checkStatus(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('live');
  }, 60_000);

  it('a lost reply after the platform accepted the submit: the retry finds the post instead of posting again', async () => {
    const v = await adopted('夜市里的修鞋匠');
    await s().publishing.dispatch(v.id);
    const wechat = await pubOf(v.id, 'wechat');
    await post(editor.cookie, `/api/desk/publications/${wechat.id}/schedule`, { at: null });
    const jobsBefore = fake.publishJobs.length;
    fake.loseResponseAfterAccept('/cgi-bin/freepublish/submit');
    await s().publishing.publish(wechat.id);
    const p = await pubOf(v.id, 'wechat');
    expect(p).toMatchObject({ status: 'queued', errorClass: 'transient' });
    clock.set(p.notBefore!);
    clock.advance(10 * 60_000);
    await s().publishing.publish(wechat.id);
    for (let i = 0; i < 5 && (await pubOf(v.id, 'wechat')).status === 'pending'; i++) {
      clock.advance(10 * 60_000);
      await s().publishing.checkStatus(wechat.id);
    }
    expect((await pubOf(v.id, 'wechat')).status).toBe('live');
    expect(fake.publishJobs.length).toBe(jobsBefore + 1);
  }, 60_000);

  it('content rejected by review: failed with the platform’s reason for the editor; fixing the package and retrying publishes once', async () => {
    const v = await adopted('违禁词测试');
    await s().publishing.dispatch(v.id);
    const wechat = await pubOf(v.id, 'wechat');
    fake.rejectWord('违禁词');
    await post(editor.cookie, `/api/desk/publications/${wechat.id}/schedule`, { at: null });
    await s().publishing.publish(wechat.id);
    clock.advance(60_000);
    await s().publishing.checkStatus(wechat.id);
    const rejected = await pubOf(v.id, 'wechat');
    expect(rejected).toMatchObject({ status: 'failed', errorClass: 'content_rejected' });
    expect(rejected.error).toBeTruthy();
    await ctx.app.inject({
      method: 'PUT',
      url: `/api/desk/submissions/${v.id}/packages/wechat`,
      headers: { cookie: editor.cookie },
      payload: { headline: '街头一幕', summary: '', tags: [], coverKey: null, credit: '' },
    });
    expect((await post(editor.cookie, `/api/desk/publications/${wechat.id}/retry`)).statusCode).toBe(200);
    await s().publishing.publish(wechat.id);
    clock.advance(60_000);
    await s().publishing.checkStatus(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('live');
  }, 60_000);

  it('a revoked secret: the channel needs reconnecting, its posts wait, and reconnecting sends them', async () => {
    const v = await adopted('老街的最后一家照相馆');
    await s().publishing.dispatch(v.id);
    const wechat = await pubOf(v.id, 'wechat');
    fake.revokeAccess(APP_ID);
    await post(editor.cookie, `/api/desk/publications/${wechat.id}/schedule`, { at: null });
    await s().publishing.publish(wechat.id);
    expect(await pubOf(v.id, 'wechat')).toMatchObject({ status: 'failed', errorClass: 'auth_expired' });
    const accounts = (await ctx.app.inject({ method: 'GET', url: '/api/admin/channels', headers: { cookie: admin.cookie } })).json().accounts;
    expect(accounts.find((a: { channel: string }) => a.channel === 'wechat').status).toBe('reconnect');
    // The admin enters the new secret: the waiting post is queued again and goes out.
    const secret2 = 'a11ce5a11ce5a11ce5a11ce5a11ce5a1';
    fake.registerApp({ appId: APP_ID, secret: secret2, verified: true });
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/api/admin/channels/wechat',
      headers: { cookie: admin.cookie },
      payload: { appId: APP_ID, appSecret: secret2 },
    });
    expect(res.json().account.status).toBe('connected');
    expect((await pubOf(v.id, 'wechat')).status).toBe('queued');
    await s().publishing.publish(wechat.id);
    clock.advance(60_000);
    await s().publishing.checkStatus(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('live');
  }, 60_000);

  it('rate limited: backs off for as long as the platform says, without failing', async () => {
    const v = await adopted('清晨的菜市场');
    await s().publishing.dispatch(v.id);
    const wechat = await pubOf(v.id, 'wechat');
    await post(editor.cookie, `/api/desk/publications/${wechat.id}/schedule`, { at: null });
    fake.rateLimitAfter(0, { errcode: 45011 });
    await s().publishing.publish(wechat.id);
    const p = await pubOf(v.id, 'wechat');
    expect(p).toMatchObject({ status: 'queued', errorClass: 'rate_limited' });
    expect(Date.parse(p.notBefore!) - clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    fake.clearRateLimit();
    clock.set(p.notBefore!);
    await s().publishing.publish(wechat.id);
    expect((await pubOf(v.id, 'wechat')).status).toBe('pending');
  }, 60_000);

  it('editors schedule and unpublish; the site stops showing an unpublished video and its media stop being public', async () => {
    const v = await adopted('江边晨练的老人');
    await s().publishing.dispatch(v.id);
    const app = await pubOf(v.id, 'app');
    const inPast = await post(editor.cookie, `/api/desk/publications/${app.id}/schedule`, { at: '2020-01-01T00:00:00+08:00' }, 'en');
    expect(inPast.statusCode).toBe(400);
    expect(inPast.json().error.message).toMatch(/future/);
    const at = new Date(clock.now().getTime() + 2 * 3600_000);
    expect((await post(editor.cookie, `/api/desk/publications/${app.id}/schedule`, { at: at.toISOString() })).statusCode).toBe(200);
    expect((await pubOf(v.id, 'app')).notBefore).toBe(at.toISOString());
    clock.set(at);
    await s().publishing.publish(app.id);
    expect((await pubOf(v.id, 'app')).status).toBe('live');
    const contributorOnly = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/publications/${app.id}/unpublish`,
      headers: { cookie: v.contributor.cookie },
    });
    expect(contributorOnly.statusCode).toBe(403);
    expect((await post(editor.cookie, `/api/desk/publications/${app.id}/unpublish`)).statusCode).toBe(200);
    await s().publishing.unpublishNow(app.id);
    expect((await pubOf(v.id, 'app')).status).toBe('unpublished');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/videos/${v.id}` })).statusCode).toBe(404);
    // Put back up: a new post (the old one was taken down), then down again for the kiosk check below.
    expect((await post(editor.cookie, `/api/desk/publications/${app.id}/retry`)).statusCode).toBe(200);
    await s().publishing.publish(app.id);
    expect((await pubOf(v.id, 'app')).status).toBe('live');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/videos/${v.id}` })).statusCode).toBe(200);
    await post(editor.cookie, `/api/desk/publications/${app.id}/unpublish`);
    await s().publishing.unpublishNow(app.id);
    // Kiosk still live: its media stay public; unpublish that too and they are private again.
    const kiosk = await pubOf(v.id, 'kiosk');
    await s().publishing.publish(kiosk.id);
    await post(editor.cookie, `/api/desk/publications/${kiosk.id}/unpublish`);
    await s().publishing.unpublishNow(kiosk.id);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/media/submissions/${v.id}/hls/master.m3u8` })).statusCode).toBe(401);
  }, 60_000);

  it('a crashed worker’s publication is picked up again by the sweep once its lease runs out', async () => {
    const v = await adopted('工地上的午饭');
    await s().publishing.dispatch(v.id);
    const app = await pubOf(v.id, 'app');
    await post(editor.cookie, `/api/desk/publications/${app.id}/schedule`, { at: null });
    // Simulate a worker that claimed the publication and died.
    await s().distributionRepo.claim(app.id, ['queued'], clock.now(), new Date(clock.now().getTime() + 60_000), { status: 'publishing' });
    await s().publishing.publish(app.id); // another copy: the lease keeps it out
    expect((await pubOf(v.id, 'app')).status).toBe('publishing');
    clock.advance(2 * 60_000);
    const swept = await s().publishing.sweep();
    expect(swept.requeued).toBeGreaterThanOrEqual(1);
    await s().publishing.publish(app.id);
    expect((await pubOf(v.id, 'app')).status).toBe('live');
  });
});

describe('kiosk screens', () => {
  it('an admin adds a screen and sees its key once; the screen pulls its playlist with it', async () => {
    const created = await post(admin.cookie, '/api/admin/kiosk-screens', { name: '人民广场大屏', campaignId });
    expect(created.statusCode).toBe(201);
    const { key, screen } = created.json();
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/kiosk-screens', headers: { cookie: admin.cookie } })).body).not.toContain(key);
    const none = await ctx.app.inject({ method: 'GET', url: '/api/kiosk/playlist' });
    expect(none.statusCode).toBe(401);
    const v = await adopted('广场上的风筝');
    await s().publishing.dispatch(v.id);
    const kiosk = await pubOf(v.id, 'kiosk');
    await post(editor.cookie, `/api/desk/publications/${kiosk.id}/schedule`, { at: null });
    await s().publishing.publish(kiosk.id);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/kiosk/playlist', headers: { 'x-kiosk-key': key } });
    expect(list.statusCode).toBe(200);
    expect(list.json().screen).toBe('人民广场大屏');
    expect(list.json().items[0]).toMatchObject({ submissionId: v.id, headline: '广场上的风筝' });
    expect(list.json().chart).toBeNull();
    // Once a week's chart is frozen, the kiosks and the site's feeds carry it.
    const week = '2026-W47';
    await s().database.sql.query(`INSERT INTO weekly_charts (campaign_id, week, rank_by, frozen_at) VALUES ($1, $2, 'index', $3)`, [
      campaignId,
      week,
      clock.now().toISOString(),
    ]);
    await s().database.sql.query(
      `INSERT INTO weekly_chart_entries (campaign_id, week, rank, submission_id, user_id, score, reach, prize_fen) VALUES ($1, $2, 1, $3, $4, 812.5, 12000, 200000)`,
      [campaignId, week, v.id, v.contributor.user.id],
    );
    const withChart = (await ctx.app.inject({ method: 'GET', url: '/api/kiosk/playlist', headers: { 'x-kiosk-key': key } })).json();
    expect(withChart.chart).toMatchObject({ week, frozen: true });
    expect(withChart.chart.entries[0]).toMatchObject({ rank: 1, submissionId: v.id, reach: 12000 });
    const rss = (await ctx.app.inject({ method: 'GET', url: '/rss.xml' })).body;
    expect(rss).toContain(`风云榜 ${week} Top 1`);
    expect(rss).toContain(`/charts/${campaignId}?week=${week}`);
    const json = (await ctx.app.inject({ method: 'GET', url: '/feed.json' })).json();
    expect(json.items.some((i: { id: string }) => i.id === `chart:${campaignId}:${week}`)).toBe(true);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/admin/kiosk-screens/${screen.id}`, headers: { cookie: admin.cookie } })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/kiosk/playlist', headers: { 'x-kiosk-key': key } })).statusCode).toBe(401);
  }, 60_000);
});

describe('studio scope', () => {
  it('an editor acts only on publications of videos routed to their own studio', async () => {
    const mine = await staff(ctx, ['editor']);
    const other = await staff(ctx, ['editor']);
    const studio = await post(editor.cookie, '/api/desk/studios', { name: '城市工作室', memberIds: [mine.user.id], routes: [{ campaignId, theme: 'food' }] });
    expect(studio.statusCode).toBe(201);
    const v = await adopted('城中村的早点摊');
    await s().publishing.dispatch(v.id);
    const app = await pubOf(v.id, 'app');
    const as = (who: { cookie: string }, url: string) => post(who.cookie, url);
    const denied = await as(other, `/api/desk/publications/${app.id}/unpublish`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('desk.out_of_scope');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${v.id}/publications`, headers: { cookie: other.cookie } })).statusCode).toBe(
      403,
    );
    expect((await as(mine, `/api/desk/publications/${app.id}/schedule`)).statusCode).toBe(400); // in scope: reaches validation (no body)
    expect((await post(mine.cookie, `/api/desk/publications/${app.id}/schedule`, { at: null })).statusCode).toBe(200);
    expect((await pubOf(v.id, 'app')).status).toBe('queued');
  });
});
