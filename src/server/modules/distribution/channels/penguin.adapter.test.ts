import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL_LIMITS } from '../../../../contracts/packaging.limits.js';
import { FFMPEG_BIN, runProcess } from '../../media/ffmpeg.runner.js';
import { fixture } from '../../media/media.fixtures.js';
import { ChannelError, type ChannelCredentials, type PublishInput, type PublishedRef } from './channel.js';
import { startPenguinFake, type PenguinFake } from './fakes/penguin.fake.js';
import { PENGUIN_AUTH_BASE_URL, PENGUIN_DESC_MAX, PENGUIN_TITLE_MAX, composeText, createPenguinAdapter } from './penguin.adapter.js';
import { memoryCheckpoint } from './fakes/memory-checkpoint.js';

// Contract tests: the real adapter against the local 企鹅号 fake over HTTP on 127.0.0.1.
const CHUNK = 256 * 1024;
const APP = { id: 'paike-app', secret: 'app-secret-0123456789' };
const OPENID = 'openid-paike-1';

let videoPath: string;
let videoBytes: Buffer;
let coverPath: string;
let smallCoverPath: string;
let dir: string;

beforeAll(async () => {
  videoPath = await fixture('short-10s.mp4');
  videoBytes = await readFile(videoPath);
  dir = await mkdtemp(join(tmpdir(), 'paike-penguin-'));
  coverPath = join(dir, 'cover.jpg');
  smallCoverPath = join(dir, 'small.jpg');
  const jpeg = (size: string, out: string) =>
    runProcess(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=red:s=${size}`, '-frames:v', '1', out], {
      timeoutMs: 30_000,
    });
  await Promise.all([jpeg('640x360', coverPath), jpeg('320x180', smallCoverPath)]);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let clock: number;
const now = () => new Date(clock);
let fake: PenguinFake;

beforeEach(async () => {
  clock = Date.parse('2025-05-01T02:00:00Z');
  fake = await startPenguinFake({ now, maxChunkBytes: CHUNK });
  fake.registerApp(APP.id, APP.secret);
  fake.addAccount(OPENID);
});

afterEach(async () => {
  await fake.close();
});

function adapter(fetchImpl?: typeof fetch) {
  return createPenguinAdapter({ baseUrl: fake.url, now, fetch: fetchImpl, timeoutMs: 5_000 }, { chunkBytes: CHUNK });
}

function connected(): ChannelCredentials {
  const t = fake.grant(APP.id, OPENID);
  return {
    appId: APP.id,
    appSecret: APP.secret,
    accessToken: t.accessToken,
    accessTokenExpiresAt: new Date(clock + t.expiresIn * 1000).toISOString(),
    refreshToken: t.refreshToken,
    accountId: OPENID,
  };
}

function publishInput(over: Partial<PublishInput> = {}, cover: string | null = coverPath): PublishInput & { maxBytesAsked: (number | undefined)[] } {
  const maxBytesAsked: (number | undefined)[] = [];
  return {
    idempotencyKey: 'sub-1:penguin',
    publicationId: 'pub-1',
    submissionId: 'sub-1',
    headline: '暴雨后街坊合力清理积水',
    summary: '周六傍晚一场暴雨后，老街的居民自发拿起工具疏通下水道。',
    tags: ['暴雨', '社区'],
    credit: '王小明',
    pageUrl: 'https://paike.example/v/sub-1',
    maxBytesAsked,
    async video(o) {
      maxBytesAsked.push(o?.maxBytes);
      const { size } = await stat(videoPath);
      return { path: videoPath, bytes: size, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 };
    },
    async cover() {
      if (!cover) return null;
      const { size } = await stat(cover);
      return { path: cover, bytes: size, mime: 'image/jpeg' };
    },
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelError);
    return err as ChannelError;
  }
  throw new Error('expected a ChannelError');
}

/** Calls the fake directly, as a wrong adapter would. */
async function raw(method: string, path: string, query: Record<string, string>, body?: FormData) {
  const url = new URL(fake.url + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { method, body });
  return (await res.json()) as { code: string | number; msg: string; data: Record<string, unknown> };
}

describe('OAuth', () => {
  it('sends the admin to the authorize page, exchanges the code and refreshes before expiry', async () => {
    const a = adapter();
    const base: ChannelCredentials = { appId: APP.id, appSecret: APP.secret };
    const url = new URL(a.authorizeUrl!(base, 'https://paike.example/admin/channels/penguin/callback', 'st-1'));
    expect(url.pathname).toBe('/omoauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: APP.id,
      redirect_uri: 'https://paike.example/admin/channels/penguin/callback',
      state: 'st-1',
    });

    fake.consentAs(OPENID);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code')!;

    const creds = await a.exchangeCode!(base, code, 'https://paike.example/admin/channels/penguin/callback');
    expect(creds.accountId).toBe(OPENID);
    expect(creds.accessToken).toBeTruthy();
    expect(creds.refreshToken).toBeTruthy();
    expect(creds.accessTokenExpiresAt).toBe(new Date(clock + 7200_000).toISOString());

    // A code is single use.
    const reused = await rejection(a.exchangeCode!(base, code, 'https://paike.example/cb'));
    expect(reused.errorClass).toBe('auth_expired');
    expect(reused.details.platformCode).toBe(10003);
    expect(reused.message).not.toContain(APP.secret);

    // Ten minutes before expiry the service refreshes; the new token works, the old one still
    // runs out on time.
    clock += 7200_000 - 600_000;
    const fresh = await a.refreshCredentials(creds);
    expect(fresh.accessToken).not.toBe(creds.accessToken);
    expect(fresh.accessTokenExpiresAt).toBe(new Date(clock + 7200_000).toISOString());
    expect(fresh.refreshToken).toBe(creds.refreshToken);
    clock += 600_000;
    const ref = { externalId: 'nope', url: null, publishedAt: now(), checkpoint: memoryCheckpoint() };
    const before = fake.log.length;
    const stale = await rejection(a.fetchMetrics(ref, creds));
    expect(stale.errorClass).toBe('auth_expired');
    expect(fake.log.length).toBe(before); // past its expiry on Paike's clock: not even sent
    // Sent anyway (clocks disagree), the platform refuses it the same way.
    const skewed = await rejection(a.fetchMetrics(ref, { ...creds, accessTokenExpiresAt: undefined }));
    expect(skewed.errorClass).toBe('auth_expired');
    expect(skewed.details.platformCode).toBe(10005);
    const withFresh = await rejection(a.fetchMetrics(ref, fresh));
    expect(withFresh.details.platformCode).toBe(20012); // token accepted, the article just does not exist
  });

  it('turns a wrong secret into auth_expired without leaking it', async () => {
    fake.consentAs(OPENID);
    const a = adapter();
    const res = await fetch(a.authorizeUrl!({ appId: APP.id, appSecret: '' }, 'https://paike.example/cb', 's'), { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const err = await rejection(a.exchangeCode!({ appId: APP.id, appSecret: 'wrong-secret-123' }, code, 'https://paike.example/cb'));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.details.platformCode).toBe(10002);
    expect(err.message).not.toContain('wrong-secret-123');
  });

  it('a refresh after the account owner revoked access is auth_expired, with no token in the message', async () => {
    const creds = connected();
    fake.revoke(OPENID);
    const err = await rejection(adapter().refreshCredentials(creds));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.details.platformCode).toBe(10007);
    for (const secret of [creds.refreshToken!, creds.accessToken!, APP.secret]) expect(err.message).not.toContain(secret);

    const published = await rejection(adapter().publish(publishInput(), creds, memoryCheckpoint()));
    expect(published.errorClass).toBe('auth_expired');
  });

  it('an expired refresh token, or none at all, needs a human', async () => {
    const creds = connected();
    fake.expireRefreshTokens(OPENID);
    expect((await rejection(adapter().refreshCredentials(creds))).details.platformCode).toBe(10006);
    const before = fake.log.length;
    const none = await rejection(adapter().refreshCredentials({ ...creds, refreshToken: undefined }));
    expect(none.errorClass).toBe('auth_expired');
    expect(fake.log.length).toBe(before);
  });
});

describe('publish', () => {
  it('uploads in chunks, attaches the cover and goes live with the right text and video', async () => {
    const cp = memoryCheckpoint();
    const input = publishInput();
    const result = await adapter().publish(input, connected(), cp);

    const [post, ...others] = fake.posts();
    expect(others).toHaveLength(0);
    expect(result).toEqual({ kind: 'live', externalId: post!.articleId, url: `https://kuaibao.qq.com/s/${post!.articleId}` });
    expect(post!.title).toBe('暴雨后街坊合力清理积水');
    expect(post!.desc).toBe('周六傍晚一场暴雨后，老街的居民自发拿起工具疏通下水道。（拍客：王小明）');
    expect(post!.tags).toEqual(['暴雨', '社区']);
    expect(post!.cat).toBe(1102);
    expect(post!.status).toBe('发布成功');
    expect(Buffer.compare(post!.video, videoBytes)).toBe(0);
    expect(Buffer.compare(post!.cover!, await readFile(coverPath))).toBe(0);
    expect(input.maxBytesAsked).toEqual([1024 * 1024 * 1024]);

    // Real byte counts: every chunk but the last is exactly the chunk size, in order, none twice.
    const chunks = fake.chunks();
    expect(chunks.length).toBe(Math.ceil(videoBytes.length / CHUNK));
    expect(chunks.map((c) => c.start)).toEqual(chunks.map((_, i) => i * CHUNK));
    expect(chunks.reduce((n, c) => n + c.bytes, 0)).toBe(videoBytes.length);
    expect(chunks.every((c) => c.accepted)).toBe(true);
    expect(fake.count('/video/authuploadready')).toBe(1);
    expect(cp.state.uploadedBytes).toBe(videoBytes.length);

    // Publishing again with the same checkpoint answers from it and posts nothing.
    const again = await adapter().publish(input, connected(), cp);
    expect(again).toEqual(result);
    expect(fake.count('/article/authpubvideo')).toBe(1);
  });

  it('trims text to the platform limits (the fake refuses anything over them)', async () => {
    const longTitle = '一'.repeat(40);
    await adapter().publish(
      publishInput({ headline: longTitle, summary: '长'.repeat(300), tags: ['a', 'b b', '#c', 'd', 'e', 'f', 'a'], credit: '摄影师' }),
      connected(),
      memoryCheckpoint(),
    );
    const post = fake.posts()[0]!;
    expect([...post.title]).toHaveLength(PENGUIN_TITLE_MAX);
    expect(post.title.endsWith('…')).toBe(true);
    expect([...post.desc]).toHaveLength(PENGUIN_DESC_MAX);
    expect(post.desc.endsWith('（拍客：摄影师）')).toBe(true);
    expect(post.tags).toEqual(['a', 'bb', 'c', 'd', 'e']);
    expect(CHANNEL_LIMITS.penguin.headline[1]).toBe(PENGUIN_TITLE_MAX);
  });

  it('the fake counts characters, not bytes, and refuses a 31-character title', async () => {
    const creds = connected();
    await adapter().publish(publishInput(), creds, memoryCheckpoint());
    const vid = fake.posts()[0]!.vid;
    const q = { access_token: creds.accessToken!, openid: OPENID, tags: '测试', cat: '1102', desc: '', vid };
    const over = await raw('POST', '/article/authpubvideo', { ...q, title: '字'.repeat(31) });
    expect(over.code).toBe(20001);
    const exact = await raw('POST', '/article/authpubvideo', { ...q, title: '字'.repeat(30) });
    expect(exact.code).toBe(0);
    expect((await raw('POST', '/article/authpubvideo', { ...q, title: 'ok', tags: 'a b c d e f' })).code).toBe(20002);
    expect((await raw('POST', '/article/authpubvideo', { ...q, title: 'ok', cat: '99' })).code).toBe(20011);
    expect((await raw('POST', '/article/authpubvideo', { ...q, title: 'ok', desc: '简'.repeat(201) })).code).toBe(20002);
    const noOpenid = await raw('POST', '/article/authpubvideo', { ...q, openid: '', title: 'ok' });
    expect(noOpenid).toMatchObject({ code: 10001, msg: '缺少参数openid' });
    expect(composeText({ headline: 'x', summary: '', tags: [], credit: '' }).tags).toBe('拍客');
  });

  it('is refused by the fake when a chunk is too big or out of order', async () => {
    const creds = connected();
    const q = { access_token: creds.accessToken!, openid: OPENID };
    const ready = await raw('POST', '/video/authuploadready', { ...q, size: String(videoBytes.length), md5: 'a'.repeat(32), sha: 'b'.repeat(40) });
    const txn = String(ready.data.transaction_id);
    const form = (bytes: Buffer) => {
      const f = new FormData();
      f.append('mediatrunk', new Blob([bytes]), 'mediatrunk');
      return f;
    };
    expect((await raw('POST', '/video/authuploadtrunk', { ...q, transaction_id: txn, start_offset: '0' }, form(videoBytes.subarray(0, CHUNK + 1)))).code).toBe(
      20005,
    );
    const gap = await raw(
      'POST',
      '/video/authuploadtrunk',
      { ...q, transaction_id: txn, start_offset: String(CHUNK) },
      form(videoBytes.subarray(CHUNK, 2 * CHUNK)),
    );
    expect(gap).toMatchObject({ code: 20006, data: { start_offset: 0 } });
    expect((await raw('POST', '/video/authuploadready', { ...q, size: String(2 * 1024 ** 3), md5: 'a'.repeat(32), sha: 'b'.repeat(40) })).code).toBe(20004);
  });

  it('an upload transaction the platform no longer knows is started again', async () => {
    const cp = memoryCheckpoint();
    const md5 = createHash('md5').update(videoBytes).digest('hex');
    await cp.save({ uploadTxn: '7265967899999999999', uploadMd5: md5, uploadSize: videoBytes.length, uploadedBytes: CHUNK });
    const result = await adapter().publish(publishInput(), connected(), cp);
    expect(result.kind).toBe('live');
    expect(fake.count('/video/authuploadready')).toBe(1);
    expect(cp.state.uploadTxn).not.toBe('7265967899999999999');
    expect(Buffer.compare(fake.posts()[0]!.video, videoBytes)).toBe(0);
  });

  it('a checkpoint from another rendition of the video starts a new upload', async () => {
    const cp = memoryCheckpoint();
    await cp.save({ uploadTxn: '7265967899999999999', uploadMd5: 'another-file', uploadSize: 1, uploadedBytes: 1 });
    expect((await adapter().publish(publishInput(), connected(), cp)).kind).toBe('live');
    expect(fake.chunks()[0]).toMatchObject({ start: 0, accepted: true });
  });

  it('refuses a cover smaller than 640x360 as content_rejected', async () => {
    const err = await rejection(adapter().publish(publishInput({}, smallCoverPath), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('content_rejected');
    expect(err.details.platformCode).toBe(20010);
    expect(err.message).toContain('640x360');
  });

  it('publishes without a cover when the package has none', async () => {
    const result = await adapter().publish(publishInput({}, null), connected(), memoryCheckpoint());
    expect(result.kind).toBe('live');
    expect(fake.posts()[0]!.cover).toBeNull();
    expect(fake.count('/video/authvideopic')).toBe(0);
  });
});

describe('errors', () => {
  it('rate limiting in the result code is rate_limited', async () => {
    fake.rateLimitAfter(2);
    const err = await rejection(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('rate_limited');
    expect(err.details.platformCode).toBe(10009);
    expect(err.details.retryAfterSeconds).toBeUndefined();
  });

  it('an HTTP 429 from the gateway carries the platform’s Retry-After', async () => {
    fake.rateLimitAfter(0, { http429: true, retryAfterSeconds: 30 });
    const err = await rejection(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('rate_limited');
    expect(err.details.retryAfterSeconds).toBe(30);
  });

  it('content the platform refuses is content_rejected with its reason', async () => {
    fake.rejectWord('积水');
    const err = await rejection(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('content_rejected');
    expect(err.details.platformCode).toBe(20003);
    expect(err.message).toContain('内容包含敏感词：积水');
    expect(fake.posts()).toHaveLength(0);
  });

  it('a platform that is down is transient, and the retry finishes the job once', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.down = true;
    const err = await rejection(adapter().publish(publishInput(), creds, cp));
    expect(err.errorClass).toBe('transient');
    fake.down = false;
    expect((await adapter().publish(publishInput(), creds, cp)).kind).toBe('live');
    expect(fake.posts()).toHaveLength(1);
  });

  it('an unreachable platform is transient', async () => {
    const a = createPenguinAdapter({ baseUrl: 'http://127.0.0.1:9', now, timeoutMs: 2_000 });
    expect((await rejection(a.publish(publishInput(), connected(), memoryCheckpoint()))).errorClass).toBe('transient');
  });

  it('a publication without a connected account is auth_expired before any request', async () => {
    const before = fake.log.length;
    const err = await rejection(adapter().publish(publishInput(), { appId: APP.id, appSecret: APP.secret }, memoryCheckpoint()));
    expect(err.errorClass).toBe('auth_expired');
    expect(fake.log.length).toBe(before);
  });
});

describe('retries never post twice', () => {
  it('a crash after the platform accepted the create: the retry finds the article by vid', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.failAfterAccept('/article/authpubvideo');
    const err = await rejection(adapter().publish(publishInput(), creds, cp));
    expect(err.errorClass).toBe('transient');
    expect(cp.state.creating).toBe(1);
    expect(cp.state.vid).toBeTruthy();
    expect(cp.state.publishTxn).toBeUndefined();
    expect(fake.posts()).toHaveLength(1); // the platform did take it

    const result = await adapter().publish(publishInput(), creds, cp);
    const posts = fake.posts();
    expect(posts).toHaveLength(1);
    expect(fake.count('/article/authpubvideo')).toBe(1);
    expect(fake.count('/video/authuploadready')).toBe(1);
    expect(result).toEqual({ kind: 'live', externalId: posts[0]!.articleId, url: `https://kuaibao.qq.com/s/${posts[0]!.articleId}` });
  });

  it('a create that never reached the platform is made on the retry', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.failNext({ status: 503, text: 'busy' }, 1, '/article/authpubvideo');
    await rejection(adapter().publish(publishInput(), creds, cp));
    expect(fake.posts()).toHaveLength(0);
    expect((await adapter().publish(publishInput(), creds, cp)).kind).toBe('live');
    expect(fake.posts()).toHaveLength(1);
  });

  it('resuming an interrupted upload sends only the chunks the platform has not confirmed', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    let chunkCalls = 0;
    const flaky: typeof fetch = (url, init) => {
      if (new URL(String(url)).pathname === '/video/authuploadtrunk' && ++chunkCalls === 3) return Promise.reject(new TypeError('fetch failed'));
      return fetch(url, init);
    };
    expect((await rejection(adapter(flaky).publish(publishInput(), creds, cp))).errorClass).toBe('transient');
    expect(cp.state.uploadedBytes).toBe(2 * CHUNK);
    expect(fake.chunks().map((c) => c.start)).toEqual([0, CHUNK]);

    expect((await adapter().publish(publishInput(), creds, cp)).kind).toBe('live');
    const starts = fake.chunks().map((c) => c.start);
    expect(starts).toEqual([...Array(Math.ceil(videoBytes.length / CHUNK)).keys()].map((i) => i * CHUNK));
    expect(fake.count('/video/authuploadready')).toBe(1);
    expect(Buffer.compare(fake.posts()[0]!.video, videoBytes)).toBe(0);
  });

  it('a chunk the platform took but whose answer was lost is not sent twice into the file', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.failAfterAccept('/video/authuploadtrunk');
    await rejection(adapter().publish(publishInput(), creds, cp));
    expect(cp.state.uploadedBytes).toBe(0); // Paike never saw the answer…
    expect((await adapter().publish(publishInput(), creds, cp)).kind).toBe('live');
    const chunks = fake.chunks();
    // …so it offered chunk 0 again; the platform said it already holds it and the upload went on.
    expect(chunks[1]).toMatchObject({ start: 0, accepted: false });
    expect(chunks.filter((c) => c.accepted).map((c) => c.start)).toEqual([...Array(Math.ceil(videoBytes.length / CHUNK)).keys()].map((i) => i * CHUNK));
    expect(Buffer.compare(fake.posts()[0]!.video, videoBytes)).toBe(0);
  });
});

describe('review, status and metrics', () => {
  it('a post under review is pending, and checkStatus brings it live', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.setReview({ polls: 1 });
    const a = adapter();
    expect(await a.publish(publishInput(), creds, cp)).toEqual({ kind: 'pending', pollAfterSeconds: 60 });
    const live = await a.checkStatus!(creds, cp);
    expect(live).toEqual({ kind: 'live', externalId: fake.posts()[0]!.articleId, url: expect.stringContaining(fake.posts()[0]!.articleId) });
    expect(fake.count('/article/authpubvideo')).toBe(1);
  });

  it('a post the reviewers reject is content_rejected with their reason', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    fake.setReview({ polls: 1, rejectReason: '画面含有未打码的车牌' });
    const a = adapter();
    expect((await a.publish(publishInput(), creds, cp)).kind).toBe('pending');
    const err = await rejection(a.checkStatus!(creds, cp));
    expect(err.errorClass).toBe('content_rejected');
    expect(err.message).toContain('画面含有未打码的车牌');
  });

  it('fetchMetrics returns the platform’s figures, even when they go backwards', async () => {
    const creds = connected();
    const cp = memoryCheckpoint();
    const a = adapter();
    const result = await a.publish(publishInput(), creds, cp);
    if (result.kind !== 'live') throw new Error('expected live');
    const ref: PublishedRef = { externalId: result.externalId, url: result.url, publishedAt: now(), checkpoint: cp };
    expect(a.metricsIntervalMinutes).toBe(60);

    fake.setFigures(result.externalId, { play_count: 1200, read_count: 3000, like_count: 45, comment_count: 6, share_count: 7, collect_count: 8 });
    expect(await a.fetchMetrics(ref, creds)).toEqual({ views: 1200, likes: 45, shares: 7, comments: 6, extra: { read_count: 3000, collect_count: 8 } });

    // The platform recounts (bots removed): the adapter reports what it says; the metrics
    // service decides what to keep.
    fake.setFigures(result.externalId, { play_count: 1100, like_count: 40 });
    expect(await a.fetchMetrics(ref, creds)).toMatchObject({ views: 1100, likes: 40 });
  });

  it('unpublish is manual on this platform: a clear, repeatable content_rejected and no request', async () => {
    const a = adapter();
    const ref: PublishedRef = { externalId: '20250501A00001', url: null, publishedAt: now(), checkpoint: memoryCheckpoint() };
    const before = fake.log.length;
    for (let i = 0; i < 2; i += 1) {
      const err = await rejection(a.unpublish(ref, connected()));
      expect(err.errorClass).toBe('content_rejected');
      expect(err.message).toContain('om.qq.com');
    }
    expect(fake.log.length).toBe(before);
    expect((await rejection(a.update!(ref, publishInput(), connected()))).errorClass).toBe('content_rejected');
  });
});

it('derives the OAuth host from the production API root', () => {
  const a = createPenguinAdapter({ baseUrl: 'https://api.om.qq.com' });
  expect(a.authorizeUrl!({ appId: 'id', appSecret: 's' }, 'https://x/cb', 'st')).toMatch(new RegExp(`^${PENGUIN_AUTH_BASE_URL}/omoauth2/authorize\\?`));
  const b = createPenguinAdapter({ baseUrl: 'https://api.om.qq.com' }, { authBaseUrl: 'http://127.0.0.1:1' });
  expect(b.authorizeUrl!({ appId: 'id', appSecret: 's' }, 'https://x/cb', 'st')).toMatch(/^http:\/\/127\.0\.0\.1:1\/omoauth2\/authorize/);
});
