import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExternalChannelName, Publication } from '../../../contracts/distribution.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { FFMPEG_BIN, runProcess } from '../media/ffmpeg.runner.js';
import { fixture } from '../media/media.fixtures.js';
import { probeMedia } from '../media/probe.js';
import { transcodeToHls } from '../media/transcode.js';
import { startDouyinFake, type DouyinFake } from './channels/fakes/douyin.fake.js';
import type { FakePlatform } from './channels/fakes/fake-platform.js';
import { startPenguinFake, type PenguinFake } from './channels/fakes/penguin.fake.js';
import { startWeiboFake, type WeiboFake } from './channels/fakes/weibo.fake.js';

// The OAuth platforms end to end through Paike (PGlite or PostgreSQL): an admin connects each
// account through the platform's authorize page and our callback, then an adopted video goes
// out through the real Weibo, Douyin/Toutiao and Penguin adapters against their local fakes, is
// counted, and is taken down. Jobs are run by calling the services the job handlers call.

const clock = fixedClock('2026-11-26T02:00:00Z');
const PUBLIC_URL = 'https://paike.test';
const DAY = 86_400_000;

let weibo: WeiboFake;
let douyin: DouyinFake;
let penguin: PenguinFake;
let ctx: TestContext;
let admin: { cookie: string };
let editor: { cookie: string };
let campaignId: string;
let workDir: string;
let hlsDir: string;
let posterPath: string;

const s = () => ctx.runtime.services;
type Inject = Awaited<ReturnType<TestContext['app']['inject']>>;
const call = (cookie: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<Inject> =>
  ctx.app.inject({ method, url, headers: { cookie }, payload });

interface Account {
  channel: string;
  status: string;
  oauth: boolean;
  appId: string | null;
  accountId: string | null;
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  lastError: string | null;
  updatedAt: string;
}
const accountsRes = () => call(admin.cookie, 'GET', '/api/admin/channels');
const accountOf = async (channel: string) => ((await accountsRes()).json().accounts as Account[]).find((a) => a.channel === channel)!;

const deskRes = (id: string) => call(editor.cookie, 'GET', `/api/desk/submissions/${id}/publications`);
const pubOf = async (id: string, channel: string) =>
  ((await deskRes(id)).json().channels as { channel: string; publication: Publication | null }[]).find((c) => c.channel === channel)!.publication!;

async function samplesOf(publicationId: string) {
  const { rows } = await s().database.sql.query<{ views: number | null; likes: number | null; shares: number | null; comments: number | null }>(
    'SELECT views::int AS views, likes::int AS likes, shares::int AS shares, comments::int AS comments FROM metric_samples WHERE publication_id = $1 ORDER BY sampled_at',
    [publicationId],
  );
  return rows;
}

/** The platform's authorize page, as the admin's browser sees it: it redirects back to Paike with a code. */
async function followAuthorize(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

/** Platform-specific facts and controls; everything else in the flow is the same for the three. */
interface Platform {
  channel: Exclude<ExternalChannelName, 'wechat'>;
  fake: () => FakePlatform;
  appId: string;
  secret: string;
  accountId: string;
  extra?: Record<string, string>;
  authorizePath: string;
  tokenPath: string;
  /** The endpoint that creates the post: called once per video, whatever happens. */
  createPath: string;
  accessSeconds: number;
  refreshSeconds: number | null;
  /** The posts on the platform carrying this headline (not taken down), as text. */
  posts(headline: string): string[];
  link: RegExp;
  setFigures(externalId: string, f: { views: number; likes: number; shares: number; comments: number }): void;
  /** The platform gives no play count (Weibo): views stay as they were. */
  noViews?: boolean;
  revoke(): void;
  /** The platform reviews the post first (Penguin): the publication is pending until a status poll finds it out. */
  reviews?: boolean;
  /** The platform has no take-down API (Penguin): the desk says so and the post stays live. */
  manualUnpublish?: boolean;
  headlines: [string, string];
}

const platforms: Platform[] = [
  {
    channel: 'weibo',
    fake: () => weibo,
    appId: '2045436852',
    secret: '8e1f0c3b5a7d9e2f4a6c8b0d1e3f5a7c',
    accountId: '5920114733',
    // statuses/share wants the operator's IP, entered by the admin with the app key.
    extra: { rip: '203.0.113.7' },
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/access_token',
    createPath: '/2/statuses/share.json',
    accessSeconds: 90 * 86_400,
    refreshSeconds: null,
    posts: (headline) => weibo.statuses.filter((x) => !x.deleted && x.status.includes(headline)).map((x) => x.status),
    link: /^https:\/\/weibo\.com\/5920114733\/[0-9A-Za-z]+$/,
    setFigures: (id, f) => weibo.setCounts(id, { attitudes: f.likes, reposts: f.shares, comments: f.comments }),
    noViews: true,
    revoke: () => weibo.revoke('2045436852', '5920114733'),
    headlines: ['暴雨中撑伞的外卖小哥', '老街最后一家照相馆'],
  },
  {
    channel: 'toutiao',
    fake: () => douyin,
    appId: 'awx4k2f9c1m7q3z8',
    secret: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    accountId: '_000Hq8Xv0pQ2bM7cR1aT9yZ',
    authorizePath: '/platform/oauth/connect/',
    tokenPath: '/oauth/access_token/',
    createPath: '/api/douyin/v1/video/create_video/',
    accessSeconds: 15 * 86_400,
    refreshSeconds: 30 * 86_400,
    posts: (headline) => douyin.items.filter((x) => !x.deleted && x.text.includes(headline)).map((x) => x.text),
    link: /^https:\/\/www\.iesdouyin\.com\/share\/video\/\d+\/$/,
    setFigures: (id, f) => douyin.setFigures(id, { play: f.views, like: f.likes, share: f.shares, comment: f.comments, avgPlayDuration: 9 }),
    revoke: () => douyin.revoke('_000Hq8Xv0pQ2bM7cR1aT9yZ'),
    headlines: ['台风过后的渔港清晨', '夜市里的修鞋匠师傅'],
  },
  {
    channel: 'penguin',
    fake: () => penguin,
    appId: '1400123456',
    secret: 'b16b00b5b16b00b5b16b00b5b16b00b5',
    accountId: '8f3b2c1d0e9a',
    authorizePath: '/omoauth2/authorize',
    tokenPath: '/omoauth2/accesstoken',
    createPath: '/article/authpubvideo',
    accessSeconds: 7200,
    refreshSeconds: null,
    posts: (headline) =>
      penguin
        .posts()
        .filter((x) => x.title === headline)
        .map((x) => `${x.title}\n${x.desc}\n${x.tags.join(' ')}`),
    link: /^https:\/\/kuaibao\.qq\.com\/s\/\w+$/,
    setFigures: (id, f) =>
      penguin.setFigures(id, { play_count: f.views, like_count: f.likes, share_count: f.shares, comment_count: f.comments, read_count: f.views * 2 }),
    revoke: () => penguin.revoke('8f3b2c1d0e9a'),
    reviews: true,
    manualUnpublish: true,
    headlines: ['江边晨练的老人们', '工地上的一顿午饭'],
  },
];
const platform = (channel: string) => platforms.find((p) => p.channel === channel)!;
/** The video each channel sent after being reconnected: still live when the tokens are refreshed. */
const reconnected: Partial<Record<string, string>> = {};

beforeAll(async () => {
  const now = () => clock.now();
  // A Weibo app's token lifetime depends on its level; this one's lasts 90 days (it gets no refresh token).
  weibo = await startWeiboFake({ now, tokenLifetimeSeconds: 90 * 86_400 });
  douyin = await startDouyinFake({ now });
  penguin = await startPenguinFake({ now });
  const w = platform('weibo');
  weibo.registerApp({ appKey: w.appId, appSecret: w.secret, secureDomain: 'paike.test', redirectUri: `${PUBLIC_URL}/api/admin/channels/weibo/callback` });
  weibo.registerAccount({ uid: w.accountId, screenName: '拍客新闻' });
  const d = platform('toutiao');
  douyin.registerApp({ clientKey: d.appId, clientSecret: d.secret });
  douyin.registerAccount(d.accountId);
  const p = platform('penguin');
  penguin.registerApp(p.appId, p.secret);
  penguin.addAccount(p.accountId, '拍客新闻');
  penguin.consentAs(p.accountId);
  // Penguin reviews a video article before it is out: the first status query still says 处理中.
  penguin.setReview({ polls: 1 });

  ctx = await createTestContext({
    clock,
    env: {
      WEIBO_API_URL: weibo.url,
      DOUYIN_API_URL: douyin.url,
      PENGUIN_API_URL: penguin.url,
      // The platforms send the admin back only to an https address.
      PUBLIC_URL,
      PUBLISH_HOLD_MINUTES: '30',
      PUBLISH_MAX_ATTEMPTS: '3',
    },
  });
  admin = await staff(ctx, ['admin']);
  editor = await staff(ctx, ['chief_editor']);
  const res = await call(admin.cookie, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'publishing-oauth-test' });
  campaignId = res.json().campaign.id;
  // One real rendition, copied into each test video's storage, and a poster the size a phone video gives.
  workDir = await mkdtemp(path.join(tmpdir(), 'paike-oauth-'));
  const src = await fixture('short-10s.mp4');
  hlsDir = path.join(workDir, 'hls');
  await transcodeToHls({ input: src, facts: await probeMedia(src), outDir: hlsDir });
  posterPath = path.join(workDir, 'poster.jpg');
  await runProcess(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=720x1280:d=1', '-frames:v', '1', posterPath]);
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await Promise.all([weibo?.close(), douyin?.close(), penguin?.close()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A contributor's processed video, adopted by the desk and dispatched to every connected channel. */
async function adopted(title: string) {
  const u = await signUp(ctx.app, { campaignId });
  const row = await s().submissionsRepo.create({
    userId: u.user.id,
    campaignId,
    theme: 'food',
    title,
    description: '拍客在解放路拍下的一幕。',
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
  expect((await call(editor.cookie, 'POST', `/api/desk/submissions/${row.id}/adopt`, { grade: 'C' })).statusCode).toBe(200);
  await s().publishing.dispatch(row.id);
  return { id: row.id, pageUrl: `${PUBLIC_URL}/v/${row.id}` };
}

/** The editor packages the channel and presses "publish now"; the publish job runs. */
async function packageAndPublish(p: Platform, v: { id: string }, pkg: { headline: string; summary: string; tags: string[]; credit: string }) {
  expect((await call(editor.cookie, 'PUT', `/api/desk/submissions/${v.id}/packages/${p.channel}`, { ...pkg, coverKey: null })).statusCode).toBe(200);
  const pub = await pubOf(v.id, p.channel);
  expect(pub.status).toBe('queued');
  expect((await call(editor.cookie, 'POST', `/api/desk/publications/${pub.id}/schedule`, { at: null })).statusCode).toBe(200);
  await s().publishing.publish(pub.id);
  return pub.id;
}

/** The status job, while the platform is reviewing the post. */
async function untilLive(p: Platform, videoId: string) {
  for (let i = 0; i < 5 && (await pubOf(videoId, p.channel)).status === 'pending'; i++) {
    clock.advance(60_000);
    await s().publishing.checkStatus((await pubOf(videoId, p.channel)).id);
  }
  return pubOf(videoId, p.channel);
}

/** The admin's "Connect": authorize on the platform, come back to our callback with the code. */
async function connect(p: Platform) {
  const auth = await call(admin.cookie, 'POST', `/api/admin/channels/${p.channel}/authorize`);
  expect(auth.statusCode).toBe(200);
  const url = auth.json().url as string;
  expect(url.startsWith(`${p.fake().url}${p.authorizePath}?`)).toBe(true);
  const back = await followAuthorize(url);
  expect(`${back.origin}${back.pathname}`).toBe(`${PUBLIC_URL}/api/admin/channels/${p.channel}/callback`);
  expect(back.searchParams.get('state')).toBe(new URL(url).searchParams.get('state'));
  const callback = await call(admin.cookie, 'GET', `${back.pathname}${back.search}`);
  expect(callback.statusCode).toBe(302);
  expect(callback.headers.location).toBe(`/admin/channels?connected=${p.channel}`);
  return [auth, callback];
}

for (const p of platforms) {
  describe(`${p.channel} through Paike`, () => {
    const pkg = (headline: string) => ({ headline, summary: '暴雨里，一把伞撑起整条街。', tags: ['暖新闻', '拍客'], credit: '拍客小王' });

    it('an admin connects the account by OAuth: connected with its expiry dates, and no secret or token in any reply or at rest', async () => {
      const put = await call(admin.cookie, 'PUT', `/api/admin/channels/${p.channel}`, { appId: p.appId, appSecret: p.secret, extra: p.extra });
      expect(put.statusCode).toBe(200);
      // An OAuth platform is not connected by the secret alone: the admin has to grant access.
      expect(put.json().account).toMatchObject({ channel: p.channel, status: 'disconnected', oauth: true, appId: p.appId, accessExpiresAt: null });
      expect((await call(editor.cookie, 'POST', `/api/admin/channels/${p.channel}/authorize`)).statusCode).toBe(403);

      const exchanges = p.fake().count(p.tokenPath);
      const replies = [put, ...(await connect(p))];
      expect(p.fake().count(p.tokenPath)).toBe(exchanges + 1);

      const list = await accountsRes();
      const account = (list.json().accounts as Account[]).find((a) => a.channel === p.channel)!;
      expect(account).toMatchObject({ status: 'connected', appId: p.appId, accountId: p.accountId, lastError: null });
      expect(Date.parse(account.accessExpiresAt!)).toBe(clock.now().getTime() + p.accessSeconds * 1000);
      if (p.refreshSeconds) expect(Date.parse(account.refreshExpiresAt!)).toBe(clock.now().getTime() + p.refreshSeconds * 1000);
      else expect(account.refreshExpiresAt).toBeNull();

      const creds = await s().channelAccounts.usable(p.channel);
      const secrets = [p.secret, creds.accessToken!, ...(creds.refreshToken ? [creds.refreshToken] : [])];
      expect(creds.accessToken).toBeTruthy();
      const { rows } = await s().database.sql.query<{ credentials: string }>('SELECT credentials FROM channel_accounts WHERE channel = $1', [p.channel]);
      for (const text of [...replies, list].map((r) => `${r.body} ${JSON.stringify(r.headers)}`).concat(rows[0]!.credentials))
        for (const secret of secrets) expect(text).not.toContain(secret);
    });

    it('a forged, other-channel, other-session or expired state is refused and nothing changes', async () => {
      const before = await accountOf(p.channel);
      const exchanges = p.fake().count(p.tokenPath);
      const url = (await call(admin.cookie, 'POST', `/api/admin/channels/${p.channel}/authorize`)).json().url as string;
      const back = await followAuthorize(url);
      const code = back.searchParams.get('code')!;
      const state = back.searchParams.get('state')!;
      const callback = (channel: string, st: string, cookie: string | null = admin.cookie) =>
        ctx.app.inject({
          method: 'GET',
          url: `/api/admin/channels/${channel}/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(st)}`,
          headers: cookie ? { cookie } : {},
        });

      const tampered = `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`;
      const otherActor = state.replace(/^([^.]+)\.[^.]+/, `$1.${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
      const other = platforms.find((x) => x !== p)!.channel;
      const otherBefore = await accountOf(other);
      for (const res of [await callback(p.channel, tampered), await callback(p.channel, otherActor), await callback(other, state)]) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('channel.bad_state');
      }
      // The genuine state in anyone else's hands (a leaked URL): no session, or another admin's, cannot finish the connect.
      expect((await callback(p.channel, state, null)).statusCode).toBe(401);
      const res = await callback(p.channel, state, (await staff(ctx, ['admin'])).cookie);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('channel.bad_state');
      // The admin comes back after the state's 15 minutes.
      clock.advance(16 * 60_000);
      expect((await callback(p.channel, state)).statusCode).toBe(403);

      // The code was never spent and the account is as it was.
      expect(p.fake().count(p.tokenPath)).toBe(exchanges);
      expect(await accountOf(p.channel)).toEqual(before);
      expect(await accountOf(other)).toEqual(otherBefore);
    });

    it('an adopted video goes out once with the package’s text, shows live with the platform’s link, is counted, and comes down', async () => {
      const v = await adopted(`${p.headlines[0]}（原题）`);
      const created = p.fake().count(p.createPath);
      const pubId = await packageAndPublish(p, v, pkg(p.headlines[0]));
      // A second copy of the job (a redelivery) changes nothing.
      await s().publishing.publish(pubId);
      if (p.reviews) expect((await pubOf(v.id, p.channel)).status).toBe('pending');
      const live = await untilLive(p, v.id);
      expect(live).toMatchObject({ status: 'live', errorClass: null, error: null });
      expect(live.url).toMatch(p.link);
      expect(live.externalId).toBeTruthy();
      const history = live.events.map((e) => e.status);
      expect(history).toEqual(expect.arrayContaining(['queued', 'scheduled', 'publishing', 'live']));
      expect(history.includes('pending')).toBe(Boolean(p.reviews));

      expect(p.fake().count(p.createPath)).toBe(created + 1);
      const posts = p.posts(p.headlines[0]);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toContain('暴雨里，一把伞撑起整条街。');
      expect(posts[0]).toContain('拍客小王');
      if (p.channel === 'weibo') expect(posts[0]).toContain(v.pageUrl);
      // Later jobs and the editor's retry change nothing on the platform.
      await s().publishing.publish(pubId);
      expect((await call(editor.cookie, 'POST', `/api/desk/publications/${pubId}/retry`)).statusCode).toBe(409);
      expect(p.fake().count(p.createPath)).toBe(created + 1);

      // An hour on, the sweep finds the figures due; the pull raises them and keeps the sample.
      clock.advance(61 * 60_000);
      expect((await s().publishing.sweep()).metrics).toBeGreaterThanOrEqual(1);
      p.setFigures(live.externalId!, { views: 1500, likes: 40, shares: 12, comments: 5 });
      await s().publishing.pullMetrics(pubId);
      const counted = await pubOf(v.id, p.channel);
      expect(counted.figures).toMatchObject({ views: p.noViews ? 0 : 1500, likes: 40, shares: 12, comments: 5 });
      expect(counted.figures.at).toBe(clock.now().toISOString());
      clock.advance(61 * 60_000);
      p.setFigures(live.externalId!, { views: 9800, likes: 310, shares: 44, comments: 27 });
      await s().publishing.pullMetrics(pubId);
      expect((await pubOf(v.id, p.channel)).figures).toMatchObject({ views: p.noViews ? 0 : 9800, likes: 310, shares: 44, comments: 27 });
      expect(await samplesOf(pubId)).toEqual([
        { views: p.noViews ? null : 1500, likes: 40, shares: 12, comments: 5 },
        { views: p.noViews ? null : 9800, likes: 310, shares: 44, comments: 27 },
      ]);

      // The editor takes it down.
      expect((await call(editor.cookie, 'POST', `/api/desk/publications/${pubId}/unpublish`)).statusCode).toBe(200);
      expect((await pubOf(v.id, p.channel)).status).toBe('unpublishing');
      await s().publishing.unpublishNow(pubId);
      const after = await pubOf(v.id, p.channel);
      if (p.manualUnpublish) {
        // No take-down API: the desk keeps it live and tells the editor to remove it by hand.
        expect(after).toMatchObject({ status: 'live', errorClass: 'content_rejected' });
        expect(after.error).toMatch(/om\.qq\.com/);
        expect(after.events[0]!.status).toBe('unpublish_failed');
        expect(p.posts(p.headlines[0])).toHaveLength(1);
      } else {
        expect(after).toMatchObject({ status: 'unpublished', errorClass: null });
        expect(after.unpublishedAt).toBe(clock.now().toISOString());
        expect(p.posts(p.headlines[0])).toHaveLength(0);
      }
    }, 60_000);

    it('a revoked grant: the channel asks to be reconnected and the post waits; reconnecting sends it, once', async () => {
      const v = await adopted(p.headlines[1]);
      const created = p.fake().count(p.createPath);
      const creds = await s().channelAccounts.usable(p.channel);
      p.revoke();
      const pubId = await packageAndPublish(p, v, pkg(p.headlines[1]));
      const waiting = await pubOf(v.id, p.channel);
      expect(waiting).toMatchObject({ status: 'failed', errorClass: 'auth_expired' });
      expect(p.fake().count(p.createPath)).toBe(created);
      const list = await accountsRes();
      const account = (list.json().accounts as Account[]).find((a) => a.channel === p.channel)!;
      expect(account.status).toBe('reconnect');
      expect(account.lastError).toBeTruthy();
      for (const secret of [creds.accessToken!, creds.refreshToken ?? creds.accessToken!, p.secret]) {
        expect(list.body).not.toContain(secret);
        expect((await deskRes(v.id)).body).not.toContain(secret);
      }
      // Until the admin reconnects, another run of the job does nothing.
      await s().publishing.publish(pubId);
      expect((await pubOf(v.id, p.channel)).status).toBe('failed');

      await connect(p);
      expect(await accountOf(p.channel)).toMatchObject({ status: 'connected', lastError: null });
      const requeued = await pubOf(v.id, p.channel);
      expect(requeued).toMatchObject({ status: 'queued', errorClass: null, attempts: 0 });
      expect(requeued.events[0]).toMatchObject({ status: 'queued', message: 'channel reconnected' });
      await s().publishing.publish(pubId);
      const live = await untilLive(p, v.id);
      expect(live.status).toBe('live');
      expect(live.url).toMatch(p.link);
      expect(p.fake().count(p.createPath)).toBe(created + 1);
      expect(p.posts(p.headlines[1])).toHaveLength(1);
      reconnected[p.channel] = v.id;
    }, 60_000);
  });
}

describe('scheduled token refresh', () => {
  it('the Douyin access token is refreshed before it expires and its refresh token renewed in time; Penguin’s refreshed, Weibo’s left until due', async () => {
    const d = platform('toutiao');
    const before = await accountOf('toutiao');
    const weiboBefore = await accountOf('weibo');
    const oldExpiry = Date.parse(before.accessExpiresAt!);
    const refreshExpiry = Date.parse(before.refreshExpiresAt!);
    // Ten minutes before the refresh job's window, Douyin is not due yet; Penguin's two-hour token, long
    // run out, is renewed with its refresh token.
    clock.set(new Date(oldExpiry - 30 * 60_000));
    const refreshCalls = douyin.count('/oauth/refresh_token/');
    await s().channelAccounts.refreshDue();
    expect(douyin.count('/oauth/refresh_token/')).toBe(refreshCalls);
    expect(await accountOf('toutiao')).toEqual(before);
    expect(await accountOf('penguin')).toMatchObject({ status: 'connected', accessExpiresAt: new Date(clock.now().getTime() + 7200_000).toISOString() });

    clock.set(new Date(oldExpiry - 15 * 60_000));
    await s().channelAccounts.refreshDue();
    expect(douyin.count('/oauth/refresh_token/')).toBe(refreshCalls + 1);
    const after = await accountOf('toutiao');
    expect(after).toMatchObject({ status: 'connected', lastError: null, refreshExpiresAt: before.refreshExpiresAt });
    // The new expiry runs to a day before the refresh token's, so Paike is back in time to renew that.
    expect(Date.parse(after.accessExpiresAt!)).toBe(refreshExpiry - DAY);
    expect(await accountOf('weibo')).toEqual(weiboBefore);

    // Past the old expiry, the live post's figures come with the refreshed token and no further refresh.
    clock.set(new Date(oldExpiry + 60 * 60_000));
    const live = await pubOf(reconnected.toutiao!, 'toutiao');
    expect(live.status).toBe('live');
    const samples = (await samplesOf(live.id)).length;
    d.setFigures(live.externalId!, { views: 420, likes: 9, shares: 2, comments: 1 });
    await s().publishing.pullMetrics(live.id);
    expect(await samplesOf(live.id)).toHaveLength(samples + 1);
    expect(douyin.count('/oauth/refresh_token/')).toBe(refreshCalls + 1);
    expect((await accountOf('toutiao')).status).toBe('connected');

    // In the refresh token's last days, before Paike is due to renew it, calls do not refresh again and again.
    clock.set(new Date(refreshExpiry - 2.5 * DAY));
    for (let i = 0; i < 3; i++) {
      clock.advance(61 * 60_000);
      await s().publishing.pullMetrics(live.id);
    }
    expect(await samplesOf(live.id)).toHaveLength(samples + 4);
    expect(douyin.count('/oauth/refresh_token/')).toBe(refreshCalls + 1);

    // The scheduled refresh a day before the refresh token dies renews it for another 30 days.
    clock.set(new Date(refreshExpiry - DAY - 15 * 60_000));
    const renewals = douyin.count('/oauth/renew_refresh_token/');
    await s().channelAccounts.refreshDue();
    expect(douyin.count('/oauth/renew_refresh_token/')).toBe(renewals + 1);
    expect(await accountOf('toutiao')).toMatchObject({
      status: 'connected',
      accessExpiresAt: new Date(clock.now().getTime() + 15 * DAY).toISOString(),
      refreshExpiresAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
    });
  });

  it('a refresh the platform refuses marks the channel reconnect, with the platform’s reason and no token', async () => {
    // Weeks have passed on the clock since the admin signed in.
    admin = await staff(ctx, ['admin']);
    const before = await accountOf('toutiao');
    const creds = await s().channelAccounts.usable('toutiao');
    // The refresh token has died on the platform (e.g. its 30 days ran out unrenewed).
    douyin.expireRefreshToken(platform('toutiao').accountId);
    clock.set(new Date(Date.parse(before.accessExpiresAt!) - 15 * 60_000));
    const result = await s().channelAccounts.refreshDue();
    expect(result.failed).toBeGreaterThanOrEqual(1);
    const list = await accountsRes();
    const after = (list.json().accounts as Account[]).find((a) => a.channel === 'toutiao')!;
    expect(after).toMatchObject({ status: 'reconnect', accessExpiresAt: before.accessExpiresAt });
    expect(after.lastError).toMatch(/10010/);
    for (const secret of [creds.accessToken!, creds.refreshToken!, platform('toutiao').secret]) expect(list.body).not.toContain(secret);
    // The other accounts are untouched by Douyin's refusal.
    expect((await accountOf('penguin')).status).toBe('connected');
    expect((await accountOf('weibo')).status).toBe('connected');
  });
});
