import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../media/media.fixtures.js';
import { ChannelError, type ChannelCredentials, type PublishInput, type PublishedRef } from './channel.js';
import { startWeiboFake, type WeiboFake } from './fakes/weibo.fake.js';
import { callPlatform } from './http.js';
import { composeWeiboStatus, createWeiboAdapter, weiboLength, weiboMid, WEIBO_MAX_VIDEO_BYTES } from './weibo.adapter.js';
import { memoryCheckpoint } from './fakes/memory-checkpoint.js';

/**
 * Contract tests: the real Weibo adapter against the local Weibo fake over real HTTP. The fake
 * refuses anything Weibo documents as invalid, so these pass only when the adapter speaks the
 * protocol (parameters, chunk rules, the 140-character and link rules, error codes).
 */

const APP = {
  appKey: '3061639762',
  appSecret: 'app-secret-5c1f9e',
  secureDomain: 'paike.example.cn',
  redirectUri: 'https://paike.example.cn/admin/weibo/callback',
};
const UID = '5829384756';
const PAGE_URL = 'https://paike.example.cn/v/sub_7H2k';
const CHUNK_KB = 256;
const START = Date.parse('2025-03-03T10:15:00+08:00');

let videoPath: string;
let videoBytes: Buffer;

beforeAll(async () => {
  videoPath = await fixture('short-10s.mp4');
  videoBytes = await readFile(videoPath);
}, 60_000);

let clockMs = START;
const now = () => new Date(clockMs);
let fake: WeiboFake;

beforeEach(async () => {
  clockMs = START;
  fake = await startWeiboFake({ now, chunkKb: CHUNK_KB });
  fake.registerApp(APP);
  fake.registerAccount({ uid: UID, screenName: '拍客新闻' });
});

afterEach(async () => {
  await fake.close();
});

function publishInput(over: Partial<PublishInput> = {}): PublishInput & { askedMaxBytes: (number | undefined)[] } {
  const askedMaxBytes: (number | undefined)[] = [];
  return {
    idempotencyKey: 'sub_7H2k:weibo',
    publicationId: 'pub_1',
    submissionId: 'sub_7H2k',
    headline: '暴雨中的外卖骑手',
    summary: '拍客在长江路口拍下骑手涉水送餐的一幕。',
    tags: ['暴雨', '城市'],
    credit: '王小明',
    pageUrl: PAGE_URL,
    async video(opts) {
      askedMaxBytes.push(opts?.maxBytes);
      const { size } = await stat(videoPath);
      return { path: videoPath, bytes: size, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 };
    },
    async cover() {
      return null;
    },
    askedMaxBytes,
    ...over,
  };
}

function connected(extra: Partial<ChannelCredentials> = {}): ChannelCredentials {
  const token = fake.issueToken({ appKey: APP.appKey, uid: UID });
  return {
    appId: APP.appKey,
    appSecret: APP.appSecret,
    accessToken: token.accessToken,
    accessTokenExpiresAt: token.expiresAt.toISOString(),
    accountId: UID,
    extra: { rip: '203.0.113.7' },
    ...extra,
  };
}

const adapter = (fetchImpl?: typeof fetch) => createWeiboAdapter({ baseUrl: fake.url, now, fetch: fetchImpl, timeoutMs: 5_000 });

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelError);
    return err as ChannelError;
  }
  throw new Error('expected a ChannelError');
}

const uploadCalls = () => fake.log.filter((l) => l.path === '/2/proxy/media/upload');
const chunkCount = () => Math.ceil(videoBytes.length / (CHUNK_KB * 1024));
const refOf = (externalId: string): PublishedRef => ({ externalId, url: null, publishedAt: now(), checkpoint: memoryCheckpoint() });

describe('Weibo text rules', () => {
  it('counts like Weibo: Chinese 1, half-width ½, a link as 10, rounded up', () => {
    expect(weiboLength('我司CEO与我司吉祥物...好大一坨！')).toBe(16);
    expect(weiboLength('Test')).toBe(2);
    expect(weiboLength(`看视频 ${PAGE_URL}`)).toBe(14);
  });

  it('turns status ids into the base62 mids of post URLs', () => {
    expect(weiboMid('3591268992667779')).toBe('zCik3bc0H');
    expect(weiboMid('3591370117495972')).toBe('zCkX9vs2M');
    expect(weiboMid('3591291856713634')).toBe('zCiUVsawq');
  });

  it('keeps the link, drops #topics# and trims a long package to 140', () => {
    const text = composeWeiboStatus({
      headline: '长'.repeat(30),
      summary: '摘'.repeat(110),
      tags: ['#暴雨#', '城市', '民生', '交通', '夜'],
      credit: '拍'.repeat(20),
      pageUrl: PAGE_URL,
    });
    expect(weiboLength(text)).toBeLessThanOrEqual(140);
    expect(text.endsWith(PAGE_URL)).toBe(true);
    expect(text).not.toContain('#');
    expect(text).toContain('【' + '长'.repeat(30) + '】');
    expect(text).toContain('…');
  });
});

describe('Weibo OAuth2', () => {
  it('sends the admin to authorize and exchanges the code for a token with its expiry and uid', async () => {
    const a = adapter();
    const base = { appId: APP.appKey, appSecret: APP.appSecret };
    const url = new URL(a.authorizeUrl!(base, APP.redirectUri, 'st-42'));
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe(APP.appKey);

    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('st-42');
    const creds = await a.exchangeCode!(base, back.searchParams.get('code') ?? '', APP.redirectUri);
    expect(creds.accountId).toBe(UID);
    expect(creds.refreshToken).toBeUndefined();
    expect(Date.parse(creds.accessTokenExpiresAt ?? '')).toBe(START + 86_400_000);

    // A code is single use: Weibo answers 21325 invalid_grant, which needs a new sign-in.
    const again = await failure(a.exchangeCode!(base, back.searchParams.get('code') ?? '', APP.redirectUri));
    expect(again.errorClass).toBe('auth_expired');
    expect(again.details.platformCode).toBe(21325);
    expect(again.message).not.toContain(APP.appSecret);
  });

  it('checks a healthy token with get_token_info and keeps it, with the expiry Weibo reports', async () => {
    const creds = connected({ accessTokenExpiresAt: undefined });
    clockMs += 3_600_000;
    const fresh = await adapter().refreshCredentials(creds);
    expect(fresh.accessToken).toBe(creds.accessToken);
    expect(Date.parse(fresh.accessTokenExpiresAt ?? '')).toBe(START + 86_400_000);
  });

  it('refreshes before expiry when Weibo gave a refresh token, and the old token stops working', async () => {
    const issued = fake.issueToken({ appKey: APP.appKey, uid: UID, withRefreshToken: true });
    const creds = { ...connected(), accessToken: issued.accessToken, refreshToken: issued.refreshToken };
    clockMs = issued.expiresAt.getTime() - 300_000; // inside REFRESH_MARGIN_SECONDS
    const fresh = await adapter().refreshCredentials(creds);
    expect(fresh.accessToken).not.toBe(creds.accessToken);
    expect(Date.parse(fresh.accessTokenExpiresAt ?? '')).toBe(clockMs + 86_400_000);
    const stale = await failure(adapter().fetchMetrics(refOf('1'), creds));
    expect(stale.errorClass).toBe('auth_expired');
  });

  it('asks for a reconnect when the token is about to expire and there is no refresh token', async () => {
    const creds = connected();
    clockMs = Date.parse(creds.accessTokenExpiresAt ?? '') - 120_000;
    const err = await failure(adapter().refreshCredentials(creds));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.message).toMatch(/reconnect/);
  });

  it('turns a revoked authorization into auth_expired, even with a refresh token, without leaking tokens', async () => {
    const issued = fake.issueToken({ appKey: APP.appKey, uid: UID, withRefreshToken: true });
    const creds = { ...connected(), accessToken: issued.accessToken, refreshToken: issued.refreshToken };
    fake.revoke(APP.appKey, UID);
    const err = await failure(adapter().refreshCredentials(creds));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.details.platformCode).toBe(21325);
    for (const secret of [issued.accessToken, issued.refreshToken ?? '', APP.appSecret]) expect(err.message).not.toContain(secret);

    const plain = connected();
    fake.revoke(APP.appKey, UID);
    const revoked = await failure(adapter().refreshCredentials(plain));
    expect(revoked.errorClass).toBe('auth_expired');
    expect(revoked.details.platformCode).toBe(21319);
  });

  it('reports an expired token as 21327 → auth_expired', async () => {
    const creds = connected({ accessTokenExpiresAt: undefined });
    fake.expireToken(creds.accessToken ?? '');
    const err = await failure(adapter().refreshCredentials(creds));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.details.platformCode).toBe(21327);
  });
});

describe('Weibo publishing', () => {
  it('uploads the video in chunks and shares a status with the link: live, with the post URL', async () => {
    const input = publishInput();
    const checkpoint = memoryCheckpoint();
    const result = await adapter().publish(input, connected(), checkpoint);

    expect(result.kind).toBe('live');
    if (result.kind !== 'live') return;
    expect(fake.statuses).toHaveLength(1);
    const posted = fake.statuses[0]!;
    expect(result.externalId).toBe(posted.id);
    expect(result.url).toBe(`https://weibo.com/${UID}/${weiboMid(posted.id)}`);
    expect(posted.status).toContain('【暴雨中的外卖骑手】');
    expect(posted.status).toContain('拍客：王小明');
    expect(posted.status).toContain(PAGE_URL);
    expect(posted.rip).toBe('203.0.113.7');
    expect(weiboLength(posted.status)).toBeLessThanOrEqual(140);

    // The bytes Weibo assembled are the file, sent in ceil(size / chunk) chunks of the size init handed out.
    expect(input.askedMaxBytes).toEqual([WEIBO_MAX_VIDEO_BYTES]);
    expect(uploadCalls()).toHaveLength(chunkCount());
    expect(chunkCount()).toBeGreaterThan(1);
    const received = fake.video(posted.mediaId ?? '');
    expect(received?.length).toBe(videoBytes.length);
    expect(
      createHash('md5')
        .update(received ?? '')
        .digest('hex'),
    ).toBe(createHash('md5').update(videoBytes).digest('hex'));
    expect(checkpoint.state.mediaId).toBe(posted.mediaId);
    expect(checkpoint.state.statusId).toBe(posted.id);

    // The token travelled in the Authorization header, never in a URL.
    expect(fake.log.every((l) => !('access_token' in l.query))).toBe(true);

    // Publishing again with the finished checkpoint makes no call at all.
    const calls = fake.log.length;
    expect(await adapter().publish(input, connected(), checkpoint)).toEqual(result);
    expect(fake.log.length).toBe(calls);
  });

  it('after a crash that lost the share reply, a retry finds the post by its media id and posts exactly once', async () => {
    const input = publishInput();
    const checkpoint = memoryCheckpoint();
    const creds = connected();
    fake.acceptThenFail('/2/statuses/share.json');
    const crash = await failure(adapter().publish(input, creds, checkpoint));
    expect(crash.errorClass).toBe('transient');
    expect(fake.statuses).toHaveLength(1);
    expect(checkpoint.state.creating).toBe(1);
    expect(checkpoint.state.mediaId).toBeTruthy();

    const retry = await adapter().publish(input, creds, checkpoint);
    expect(retry).toMatchObject({ kind: 'live', externalId: fake.statuses[0]!.id });
    expect(fake.statuses).toHaveLength(1);
    expect(fake.count('/2/statuses/share.json')).toBe(1);
    expect(fake.count('/2/statuses/user_timeline.json')).toBe(1);
    // The upload was not repeated either.
    expect(uploadCalls()).toHaveLength(chunkCount());
  });

  it('resumes a broken chunked upload from the checkpoint, sending only the missing chunks', async () => {
    let uploads = 0;
    const flaky: typeof fetch = async (url, init) => {
      if (new URL(String(url)).pathname === '/2/proxy/media/upload' && ++uploads === 3) return new Response('Service Unavailable', { status: 503 });
      return fetch(url, init);
    };
    const input = publishInput();
    const checkpoint = memoryCheckpoint();
    const creds = connected();
    const broken = await failure(adapter(flaky).publish(input, creds, checkpoint));
    expect(broken.errorClass).toBe('transient');
    expect(checkpoint.state.uploadedChunks).toBe('0,1');
    expect(fake.statuses).toHaveLength(0);

    const before = uploadCalls().length;
    await adapter().publish(input, creds, checkpoint);
    const resent = uploadCalls()
      .slice(before)
      .map((l) => Number(l.query.chunkindex));
    expect(resent).toEqual(Array.from({ length: chunkCount() - 2 }, (_, i) => i + 2));
    expect(fake.count('/2/proxy/media/init')).toBe(1);
    expect(fake.video(fake.statuses[0]!.mediaId ?? '')?.equals(videoBytes)).toBe(true);
  });

  it('maps Weibo 10023 to rate_limited with the seconds rate_limit_status gives until the hour resets', async () => {
    fake.rateLimitAfter(2);
    const err = await failure(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('rate_limited');
    expect(err.details.platformCode).toBe(10023);
    expect(err.details.retryAfterSeconds).toBe(45 * 60);
    expect(fake.statuses).toHaveLength(0);
  });

  it('maps 20021 to content_rejected with Weibo’s reason', async () => {
    fake.rejectWord('外卖骑手');
    const err = await failure(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('content_rejected');
    expect(err.details.platformCode).toBe(20021);
    expect(err.message).toContain('Content is illegal');
  });

  it('treats a platform that is down as transient', async () => {
    fake.down = true;
    const err = await failure(adapter().publish(publishInput(), connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('transient');
  });

  it('refuses to publish with a token past its expiry, without calling Weibo', async () => {
    const creds = connected();
    clockMs = Date.parse(creds.accessTokenExpiresAt ?? '') + 1000;
    const err = await failure(adapter().publish(publishInput(), creds, memoryCheckpoint()));
    expect(err.errorClass).toBe('auth_expired');
    expect(fake.log).toHaveLength(0);
  });

  it('composes a full-length package within 140 so Weibo accepts it', async () => {
    const input = publishInput({ headline: '长'.repeat(30), summary: '摘要'.repeat(55), tags: ['一', '二', '三', '四', '五'], credit: '拍'.repeat(20) });
    const result = await adapter().publish(input, connected(), memoryCheckpoint());
    expect(result.kind).toBe('live');
    expect(weiboLength(fake.statuses[0]!.status)).toBeLessThanOrEqual(140);
    expect(fake.statuses[0]!.status).toContain(PAGE_URL);
  });

  it('refuses a video over Weibo’s 15 minutes before uploading anything', async () => {
    const input = publishInput();
    const long = { ...input, video: async () => ({ ...(await input.video()), durationSeconds: 16 * 60 }) };
    const err = await failure(adapter().publish(long, connected(), memoryCheckpoint()));
    expect(err.errorClass).toBe('content_rejected');
    expect(fake.count('/2/proxy/media/init')).toBe(0);
  });
});

describe('Weibo fake checks requests like Weibo', () => {
  const share = (token: string, status: string) =>
    callPlatform(
      { baseUrl: fake.url },
      { method: 'POST', path: '/2/statuses/share.json', headers: { authorization: `OAuth2 ${token}` }, urlencoded: { status, rip: '203.0.113.7' } },
    );

  it('refuses text over 140, a status without a link on the secure domain, and #topics#', async () => {
    const token = connected().accessToken ?? '';
    // 130 Chinese characters, a space (½) and a link (10) make 140.5, which Weibo rounds up to 141.
    const long = await share(token, `${'字'.repeat(130)} ${PAGE_URL}`);
    expect(long.body).toMatchObject({ error_code: 20012 });
    expect((await share(token, `${'字'.repeat(129)} ${PAGE_URL}`)).body).toHaveProperty('idstr');
    expect((await share(token, '没有链接的微博')).body).toMatchObject({ error_code: 10017, error: 'appkey not bind domain!' });
    expect((await share(token, `看 https://elsewhere.example.com/x`)).body).toMatchObject({ error_code: 10017 });
    expect((await share(token, `#暴雨# 现场 ${PAGE_URL}`)).body).toMatchObject({ error_code: 10017 });
    expect((await share('', `现场 ${PAGE_URL}`)).body).toMatchObject({ error_code: 21301 });
  });

  it('refuses a chunk whose md5, size or offset is not what init allowed', async () => {
    const token = connected().accessToken ?? '';
    const auth = { authorization: `OAuth2 ${token}` };
    const md5 = createHash('md5').update(videoBytes).digest('hex');
    const init = await callPlatform(
      { baseUrl: fake.url },
      { path: '/2/proxy/media/init', headers: auth, query: { type: 'video', check: md5, length: videoBytes.length, name: 'a.mp4' } },
    );
    const fileToken = String(init.body.fileToken);
    const chunk = videoBytes.subarray(0, CHUNK_KB * 1024);
    const query = {
      filetoken: fileToken,
      filelength: videoBytes.length,
      filecheck: md5,
      chunksize: chunk.length,
      startloc: 0,
      chunkindex: 0,
      chunkcount: chunkCount(),
      sectioncheck: createHash('md5').update(chunk).digest('hex'),
    };
    const send = (q: Record<string, string | number>, body: Uint8Array = chunk) =>
      callPlatform(
        { baseUrl: fake.url },
        { method: 'POST', path: '/2/proxy/media/upload', headers: { ...auth, 'content-type': 'application/octet-stream' }, query: q, body },
      );
    expect((await send({ ...query, sectioncheck: 'f'.repeat(32) })).body).toMatchObject({ error_code: 10017 });
    expect((await send({ ...query, startloc: 1 })).body).toMatchObject({ error_code: 10017 });
    expect((await send(query, chunk.subarray(1))).body).toMatchObject({ error_code: 10017 });
    expect((await send(query)).body).toMatchObject({ succ: true, complete: false });
  });
});

describe('Weibo figures and unpublishing', () => {
  it('reads reposts, comments and attitudes from statuses/count, lower ones too', async () => {
    const creds = connected();
    const result = await adapter().publish(publishInput(), creds, memoryCheckpoint());
    if (result.kind !== 'live') throw new Error('not live');
    fake.setCounts(result.externalId, { reposts: 40, comments: 12, attitudes: 300 });
    expect(await adapter().fetchMetrics(refOf(result.externalId), creds)).toEqual({ views: null, likes: 300, shares: 40, comments: 12 });
    fake.setCounts(result.externalId, { attitudes: 280 });
    expect((await adapter().fetchMetrics(refOf(result.externalId), creds)).likes).toBe(280);
  });

  it('deletes the post, and deleting it again is still success', async () => {
    const creds = connected();
    const result = await adapter().publish(publishInput(), creds, memoryCheckpoint());
    if (result.kind !== 'live') throw new Error('not live');
    await adapter().unpublish(refOf(result.externalId), creds);
    expect(fake.statuses[0]!.deleted).toBe(true);
    await adapter().unpublish(refOf(result.externalId), creds);
    expect(fake.count('/2/statuses/destroy.json')).toBe(2);
    const gone = await failure(adapter().fetchMetrics(refOf(result.externalId), creds));
    expect(gone.errorClass).toBe('content_rejected');
  });
});
