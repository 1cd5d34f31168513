import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../media/media.fixtures.js';
import { ChannelError, type ChannelAdapter, type ChannelCredentials, type PublishInput, type VideoMedia } from './channel.js';
import { composeDouyinText, createDouyinAdapter, DOUYIN_MIN_PART_BYTES, DOUYIN_SCOPES } from './douyin.adapter.js';
import { startDouyinFake, type DouyinFake } from './fakes/douyin.fake.js';
import { memoryCheckpoint } from './fakes/memory-checkpoint.js';

// Contract tests: the real adapter against the local fake of open.douyin.com, over real HTTP.

const CLIENT_KEY = 'awpaike0001';
const CLIENT_SECRET = 'secret-0123456789abcdef';
const OPEN_ID = 'ba253642-0590-40bc-9bdf-paike000001';
const DAY = 86_400_000;

let smallMp4: VideoMedia;
let bigMp4: VideoMedia;
let bigPath = '';

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

beforeAll(async () => {
  const path = await fixture('short-10s.mp4');
  smallMp4 = { path, bytes: (await stat(path)).size, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 };
  // A real MP4 grown past two 5 MB parts with a trailing `free` box, so the platform still reads it as a video.
  const head = await readFile(path);
  const pad = 12 * 1024 * 1024 - head.length;
  const free = Buffer.alloc(pad);
  free.writeUInt32BE(pad, 0);
  free.write('free', 4, 'latin1');
  bigPath = join(tmpdir(), `paike-douyin-${process.pid}-big.mp4`);
  await writeFile(bigPath, Buffer.concat([head, free]));
  bigMp4 = { path: bigPath, bytes: (await stat(bigPath)).size, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 };
}, 60_000);

afterAll(async () => {
  if (bigPath) await rm(bigPath, { force: true });
});

function input(overrides: Partial<PublishInput> = {}, video: VideoMedia = smallMp4): PublishInput {
  return {
    idempotencyKey: 'sub-1:toutiao',
    publicationId: 'pub-1',
    submissionId: 'sub-1',
    headline: '暴雨中的外卖小哥',
    summary: '一位外卖骑手在暴雨中护送迷路老人回家。',
    tags: ['暖新闻', '拍客'],
    credit: '张三',
    pageUrl: 'https://paike.example/v/sub-1',
    video: async () => video,
    cover: async () => null,
    ...overrides,
  };
}

describe('toutiao (Douyin open platform) adapter against its fake', () => {
  let fake: DouyinFake;
  let clock: Date;
  const now = () => clock;
  let adapter: ChannelAdapter;
  let creds: ChannelCredentials;

  function connected(scopes?: string[]): ChannelCredentials {
    const t = fake.issueTokens({ clientKey: CLIENT_KEY, openId: OPEN_ID, scopes });
    return {
      appId: CLIENT_KEY,
      appSecret: CLIENT_SECRET,
      accessToken: t.accessToken,
      accessTokenExpiresAt: t.accessTokenExpiresAt.toISOString(),
      refreshToken: t.refreshToken,
      refreshTokenExpiresAt: t.refreshTokenExpiresAt.toISOString(),
      accountId: OPEN_ID,
    };
  }

  const ref = (externalId: string, publishedAt = clock) => ({ externalId, url: null, publishedAt, checkpoint: memoryCheckpoint() });

  /** Raw call to the fake, for checking what it refuses on its own. */
  async function raw(path: string, init: RequestInit & { query?: Record<string, string> } = {}) {
    const url = new URL(fake.url + path);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, init);
    return (await res.json()) as { data: Record<string, unknown> & { error_code: number; description: string } };
  }

  beforeEach(async () => {
    clock = new Date('2025-03-03T02:00:00.000Z');
    fake = await startDouyinFake({ now });
    fake.registerApp({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET });
    fake.registerAccount(OPEN_ID);
    adapter = createDouyinAdapter({ baseUrl: fake.url, now, partSizeBytes: DOUYIN_MIN_PART_BYTES });
    creds = connected();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('connects an account: authorize URL → consent → code exchanged for 15-day access and 30-day refresh tokens', async () => {
    const url = adapter.authorizeUrl!({ appId: CLIENT_KEY, appSecret: CLIENT_SECRET }, 'https://paike.example/admin/channels/toutiao/callback', 'st-42');
    expect(url.startsWith(`${fake.url}/platform/oauth/connect/?`)).toBe(true);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-42');
    expect(back.searchParams.get('scopes')!.split(',')).toEqual([...DOUYIN_SCOPES]);

    const got = await adapter.exchangeCode!({ appId: CLIENT_KEY, appSecret: CLIENT_SECRET }, back.searchParams.get('code')!, back.origin + back.pathname);
    expect(got.accountId).toBe(OPEN_ID);
    expect(got.accessToken).toBe(fake.grant(OPEN_ID)!.accessToken);
    expect(Date.parse(got.accessTokenExpiresAt!)).toBe(clock.getTime() + 15 * DAY);
    expect(Date.parse(got.refreshTokenExpiresAt!)).toBe(clock.getTime() + 30 * DAY);

    // A code works once (10007): only a human can start over.
    const again = await adapter.exchangeCode!({ appId: CLIENT_KEY, appSecret: CLIENT_SECRET }, back.searchParams.get('code')!, 'x').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ChannelError);
    expect((again as ChannelError).errorClass).toBe('auth_expired');
    expect((again as ChannelError).details.platformCode).toBe(10007);
  });

  it('publishes live: chunked upload, create_video with the composed text, the real bytes arrive, posted once', async () => {
    const cp = memoryCheckpoint();
    const result = await adapter.publish(input(), creds, cp);

    expect(fake.items).toHaveLength(1);
    const item = fake.items[0]!;
    expect(result).toEqual({ kind: 'live', externalId: item.itemId, url: item.shareUrl });
    expect(item.text).toBe('暴雨中的外卖小哥\n一位外卖骑手在暴雨中护送迷路老人回家。\n#暖新闻# #拍客#\n拍客：张三');
    expect(item.privateStatus).toBe(0);
    const video = fake.video(item.videoId)!;
    expect(video.bytes).toBe(smallMp4.bytes);
    expect(video.sha256).toBe(await sha256(smallMp4.path));
    expect(video.width).toBe(320);
    expect(fake.count('/api/douyin/v1/video/init_video_part_upload/')).toBe(1);
    expect(fake.count('/api/douyin/v1/video/upload_video_part/')).toBe(1);
    expect(fake.count('/api/douyin/v1/video/create_video/')).toBe(1);
    // Tokens travel in the access-token header, never in a URL.
    expect(fake.log.some((l) => JSON.stringify(l).includes(creds.accessToken!))).toBe(false);
    expect(cp.state).toMatchObject({ item_id: item.itemId, video_id: item.videoId, share_url: item.shareUrl, creating: 0 });

    // A retry with the finished checkpoint changes nothing.
    expect(await adapter.publish(input(), creds, cp)).toEqual(result);
    expect(fake.items).toHaveLength(1);
    expect(fake.count('/api/douyin/v1/video/create_video/')).toBe(1);
  });

  it('refreshes the access token before it expires, and renews the refresh token as it nears its 30 days', async () => {
    const before = fake.grant(OPEN_ID)!;
    const rtExpiry = Date.parse(creds.refreshTokenExpiresAt!);
    clock = new Date(Date.parse(creds.accessTokenExpiresAt!) - 5 * 60_000);
    const fresh = await adapter.refreshCredentials(creds);
    expect(fake.count('/oauth/refresh_token/')).toBe(1);
    expect(fake.count('/oauth/renew_refresh_token/')).toBe(0);
    // Documented: refreshed before expiry, the same access token gets 15 more days …
    expect(fresh.accessToken).toBe(before.accessToken);
    expect(fresh.refreshToken).toBe(before.refreshToken);
    expect(Date.parse(fresh.refreshTokenExpiresAt!)).toBe(rtExpiry);
    // … but Paike is told to come back a day before the refresh token dies, to renew it in time.
    expect(Date.parse(fresh.accessTokenExpiresAt!)).toBe(rtExpiry - DAY);
    expect(Date.parse(fresh.accessTokenExpiresAt!)).toBeLessThan(clock.getTime() + 15 * DAY);

    clock = new Date(Date.parse(fresh.accessTokenExpiresAt!) - 5 * 60_000);
    const renewed = await adapter.refreshCredentials(fresh);
    expect(fake.count('/oauth/renew_refresh_token/')).toBe(1);
    expect(fake.count('/oauth/refresh_token/')).toBe(2);
    expect(renewed.refreshToken).not.toBe(before.refreshToken);
    expect(renewed.refreshToken).toBe(fake.grant(OPEN_ID)!.refreshToken);
    expect(Date.parse(renewed.refreshTokenExpiresAt!)).toBe(clock.getTime() + 30 * DAY);
    expect(Date.parse(renewed.accessTokenExpiresAt!)).toBe(clock.getTime() + 15 * DAY);
    // The old refresh token is dead (10010): refreshing with stale credentials asks for a reconnect.
    const stale = await adapter.refreshCredentials({ ...fresh, refreshTokenExpiresAt: undefined }).catch((e: unknown) => e);
    expect((stale as ChannelError).errorClass).toBe('auth_expired');
    expect((stale as ChannelError).details.platformCode).toBe(10010);
  });

  it('a refresh that fails because the user revoked access, or the refresh token expired, is auth_expired without the token in the message', async () => {
    fake.revoke(OPEN_ID);
    const revoked = await adapter.refreshCredentials(creds).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(ChannelError);
    expect((revoked as ChannelError).errorClass).toBe('auth_expired');
    expect((revoked as ChannelError).message).toContain('10010');
    for (const secret of [creds.accessToken!, creds.refreshToken!, CLIENT_SECRET]) expect((revoked as ChannelError).message).not.toContain(secret);

    // A revoked account mid-publish: the one refresh fails too, and nothing is posted.
    const pub = await adapter.publish(input(), creds, memoryCheckpoint()).catch((e: unknown) => e);
    expect((pub as ChannelError).errorClass).toBe('auth_expired');
    expect(fake.items).toHaveLength(0);

    creds = connected();
    fake.expireRefreshToken(OPEN_ID);
    const expired = await adapter.refreshCredentials(creds).catch((e: unknown) => e);
    expect((expired as ChannelError).errorClass).toBe('auth_expired');
    expect((expired as ChannelError).details.platformCode).toBe(10010);
  });

  it('an access token that expired early is refreshed once in the middle of a publish', async () => {
    fake.expireAccessToken(OPEN_ID);
    const result = await adapter.publish(input(), creds, memoryCheckpoint());
    expect(result.kind).toBe('live');
    expect(fake.count('/oauth/refresh_token/')).toBe(1);
    expect(fake.items).toHaveLength(1);
  });

  it('a token without the upload scope is auth_expired (2190003): the admin reconnects with the right scopes', async () => {
    creds = connected(['user_info', 'video.list.bind']);
    const err = await adapter.publish(input(), creds, memoryCheckpoint()).catch((e: unknown) => e);
    expect((err as ChannelError).errorClass).toBe('auth_expired');
    expect((err as ChannelError).details.platformCode).toBe(2190003);
  });

  it('rate limiting is rate_limited: the frequency code, the daily quota until Beijing midnight, HTTP 429 with Retry-After', async () => {
    const { itemId } = await publishOne();
    fake.rateLimitAfter(0);
    const freq = await adapter.fetchMetrics(ref(itemId), creds).catch((e: unknown) => e);
    expect((freq as ChannelError).errorClass).toBe('rate_limited');
    expect((freq as ChannelError).details).toEqual({ platformCode: 28003018, retryAfterSeconds: undefined });

    fake.rateLimitAfter(0, { errorCode: 2190001 });
    const quota = await adapter.fetchMetrics(ref(itemId), creds).catch((e: unknown) => e);
    expect((quota as ChannelError).errorClass).toBe('rate_limited');
    // 02:00Z is 10:00 in Beijing: 14 hours to the quota's reset.
    expect((quota as ChannelError).details.retryAfterSeconds).toBe(14 * 3600);

    fake.rateLimitAfter(0, { retryAfterSeconds: 120 });
    const http = await adapter.fetchMetrics(ref(itemId), creds).catch((e: unknown) => e);
    expect((http as ChannelError).errorClass).toBe('rate_limited');
    expect((http as ChannelError).details.retryAfterSeconds).toBe(120);
  });

  it('content the platform refuses is content_rejected with its reason, and the retry does not think a post may exist', async () => {
    fake.rejectWord('违禁');
    const cp = memoryCheckpoint();
    const err = await adapter.publish(input({ headline: '违禁内容测试标题' }), creds, cp).catch((e: unknown) => e);
    expect((err as ChannelError).errorClass).toBe('content_rejected');
    expect((err as ChannelError).message).toContain('2111001');
    expect((err as ChannelError).message).toContain('命中敏感词');
    expect(fake.items).toHaveLength(0);
    expect(cp.state.creating).toBe(0);

    // The editor rewrites the headline; the uploaded video is reused and no lookup is needed.
    expect((await adapter.publish(input(), creds, cp)).kind).toBe('live');
    expect(fake.items).toHaveLength(1);
    expect(fake.count('/api/douyin/v1/video/init_video_part_upload/')).toBe(1);
    expect(fake.count('/api/douyin/v1/video/video_list/')).toBe(0);
  });

  it('a platform that is down is transient', async () => {
    fake.down = true;
    const err = await adapter.publish(input(), creds, memoryCheckpoint()).catch((e: unknown) => e);
    expect((err as ChannelError).errorClass).toBe('transient');
    const metrics = await adapter.fetchMetrics(ref('@x'), creds).catch((e: unknown) => e);
    expect((metrics as ChannelError).errorClass).toBe('transient');
  });

  it('a crash after create_video was accepted: the retry finds the post by its video_id and posts exactly once', async () => {
    fake.failAfterCreate();
    const cp = memoryCheckpoint();
    const first = await adapter.publish(input(), creds, cp).catch((e: unknown) => e);
    expect((first as ChannelError).errorClass).toBe('transient');
    expect(fake.items).toHaveLength(1);
    expect(cp.state.item_id).toBeUndefined();
    expect(Number(cp.state.creating)).toBeGreaterThan(0);
    expect(cp.state.video_id).toBe(fake.items[0]!.videoId);

    const second = await adapter.publish(input(), creds, cp);
    expect(second).toEqual({ kind: 'live', externalId: fake.items[0]!.itemId, url: fake.items[0]!.shareUrl });
    expect(fake.items).toHaveLength(1);
    expect(fake.count('/api/douyin/v1/video/create_video/')).toBe(1);
    expect(fake.count('/api/douyin/v1/video/video_list/')).toBe(1);
    // The video was uploaded once; the retry went straight to the lookup.
    expect(fake.count('/api/douyin/v1/video/init_video_part_upload/')).toBe(1);
  });

  it('a crash before create_video reached the platform: the lookup finds nothing and the retry creates once', async () => {
    let dropCreate = true;
    const flaky: typeof fetch = async (url, init) => {
      if (dropCreate && String(url).includes('/create_video/')) {
        dropCreate = false;
        throw new TypeError('fetch failed');
      }
      return fetch(url, init);
    };
    adapter = createDouyinAdapter({ baseUrl: fake.url, now, fetch: flaky });
    const cp = memoryCheckpoint();
    expect(((await adapter.publish(input(), creds, cp).catch((e: unknown) => e)) as ChannelError).errorClass).toBe('transient');
    expect(fake.items).toHaveLength(0);
    const result = await adapter.publish(input(), creds, cp);
    expect(result.kind).toBe('live');
    expect(fake.items).toHaveLength(1);
    expect(fake.count('/api/douyin/v1/video/video_list/')).toBe(1);
  });

  it('resumes a chunked upload from the checkpoint, re-sending only the missing parts', async () => {
    let failPart3 = true;
    const flaky: typeof fetch = async (url, init) => {
      if (failPart3 && String(url).includes('/upload_video_part/') && new URL(String(url)).searchParams.get('part_number') === '3') {
        failPart3 = false;
        throw new TypeError('socket hang up');
      }
      return fetch(url, init);
    };
    adapter = createDouyinAdapter({ baseUrl: fake.url, now, fetch: flaky, partSizeBytes: DOUYIN_MIN_PART_BYTES });
    const cp = memoryCheckpoint();
    const first = await adapter.publish(input({}, bigMp4), creds, cp).catch((e: unknown) => e);
    expect((first as ChannelError).errorClass).toBe('transient');
    expect(cp.state.parts_done).toBe('1,2');
    expect(fake.parts.map((p) => p.partNumber)).toEqual([1, 2]);

    const result = await adapter.publish(input({}, bigMp4), creds, cp);
    expect(result.kind).toBe('live');
    expect(fake.parts.map((p) => [p.partNumber, p.bytes])).toEqual([
      [1, 5 * 1024 * 1024],
      [2, 5 * 1024 * 1024],
      [3, bigMp4.bytes - 10 * 1024 * 1024],
    ]);
    expect(fake.count('/api/douyin/v1/video/init_video_part_upload/')).toBe(1);
    const video = fake.video(fake.items[0]!.videoId)!;
    expect(video.sha256).toBe(await sha256(bigMp4.path));
    expect(fake.items).toHaveLength(1);
  });

  it('a recorded video_id the platform no longer knows (2190007) is uploaded again, then posted once', async () => {
    const cp = memoryCheckpoint({ video_id: 'v0200f00000000000000000000gone' });
    const first = await adapter.publish(input(), creds, cp).catch((e: unknown) => e);
    expect((first as ChannelError).errorClass).toBe('transient');
    expect((first as ChannelError).details.platformCode).toBe(2190007);
    expect(cp.state).toMatchObject({ video_id: '', creating: 0 });
    expect((await adapter.publish(input(), creds, cp)).kind).toBe('live');
    expect(fake.items).toHaveLength(1);
    expect(fake.count('/api/douyin/v1/video/init_video_part_upload/')).toBe(1);
  });

  it('the fake enforces the part rules: 5 MB minimum except the last, numbered in order from 1', async () => {
    const headers = { 'access-token': creds.accessToken! };
    const init = await raw('/api/douyin/v1/video/init_video_part_upload/', { method: 'POST', headers, query: { open_id: OPEN_ID } });
    const uploadId = String(init.data.upload_id);
    const part = (n: number, bytes: number) => {
      const form = new FormData();
      form.append('video', new Blob([Buffer.alloc(bytes)]), 'p.mp4');
      return raw('/api/douyin/v1/video/upload_video_part/', {
        method: 'POST',
        headers,
        body: form,
        query: { open_id: OPEN_ID, upload_id: uploadId, part_number: String(n) },
      });
    };
    expect((await part(2, 1024)).data.error_code).toBe(2100005);
    expect((await part(1, 1024 * 1024)).data.error_code).toBe(0);
    expect((await part(2, 1024 * 1024)).data.error_code).toBe(0);
    const complete = await raw('/api/douyin/v1/video/complete_video_part_upload/', {
      method: 'POST',
      headers,
      query: { open_id: OPEN_ID, upload_id: uploadId },
    });
    expect(complete.data.error_code).toBe(2100005);
    expect(complete.data.description).toContain('分片不能小于5M');
    // And the token in the query string instead of the header is not a token at all.
    const noHeader = await raw('/api/douyin/v1/video/init_video_part_upload/', {
      method: 'POST',
      query: { open_id: OPEN_ID, access_token: creds.accessToken! },
    });
    expect(noHeader.data.error_code).toBe(2190002);
  });

  it('fetchMetrics returns the figures, including figures that went backwards, as the platform gives them', async () => {
    const { itemId } = await publishOne();
    fake.setFigures(itemId, { play: 12_000, like: 800, comment: 45, share: 60, forward: 7, download: 3, avgPlayDuration: 8.5 });
    expect(await adapter.fetchMetrics(ref(itemId), creds)).toEqual({
      views: 12_000,
      likes: 800,
      comments: 45,
      shares: 60,
      extra: { forward_count: 7, download_count: 3, avg_play_duration: 8.5 },
    });
    fake.setFigures(itemId, { play: 11_500, like: 790 });
    const back = await adapter.fetchMetrics(ref(itemId), creds);
    expect(back).toMatchObject({ views: 11_500, likes: 790 });
    // Past the item data window (30 days) only the real-time counts are asked for.
    clock = new Date(clock.getTime() + 31 * DAY);
    creds = connected();
    const old = await adapter.fetchMetrics(ref(itemId, new Date(clock.getTime() - 31 * DAY)), creds);
    expect(old.extra).toEqual({ forward_count: 7, download_count: 3 });
    expect(fake.count('/data/external/item/base/')).toBe(2);
    expect(adapter.metricsIntervalMinutes).toBe(60);
  });

  it('unpublish deletes the post and is idempotent', async () => {
    const { itemId } = await publishOne();
    await adapter.unpublish(ref(itemId), creds);
    expect(fake.items[0]!.deleted).toBe(true);
    await adapter.unpublish(ref(itemId), creds);
    expect(fake.count('/video/delete/')).toBe(2);
    const gone = await adapter.fetchMetrics(ref(itemId), creds).catch((e: unknown) => e);
    expect((gone as ChannelError).errorClass).toBe('content_rejected');
  });

  it('text over the platform limit is refused by the fake, and the adapter composes within the limits', async () => {
    const { videoId } = await publishOne();
    const tooLong = await raw('/api/douyin/v1/video/create_video/', {
      method: 'POST',
      headers: { 'access-token': creds.accessToken!, 'content-type': 'application/json' },
      query: { open_id: OPEN_ID },
      body: JSON.stringify({ video_id: videoId, text: '字'.repeat(1001) }),
    });
    expect(tooLong.data.error_code).toBe(2100005);
    expect(fake.items).toHaveLength(1);

    const summary = '长'.repeat(2000);
    const tags = Array.from({ length: 12 }, (_, i) => `话题${i}${'很'.repeat(200)}`);
    await adapter.publish(input({ headline: '标题'.repeat(40), summary, tags }), creds, memoryCheckpoint());
    const text = fake.items[1]!.text;
    expect([...text].length).toBeLessThanOrEqual(1000);
    const [title, body] = text.split('\n');
    expect([...title!].length).toBe(30);
    expect([...body!].length).toBe(120);
    expect(composeDouyinText({ headline: 'a#b 标题测试', summary: '', tags: ['#已有#', ' 空 格 '], credit: '' })).toBe('a#b 标题测试\n#已有# #空格#');
  });

  it('refuses a video over 15 minutes before uploading anything', async () => {
    const err = await adapter.publish(input({}, { ...smallMp4, durationSeconds: 901 }), creds, memoryCheckpoint()).catch((e: unknown) => e);
    expect((err as ChannelError).errorClass).toBe('content_rejected');
    expect(fake.log).toHaveLength(0);
  });

  it('update is refused: the platform cannot edit a posted video', async () => {
    const err = await adapter.update!(ref('@x'), input(), creds).catch((e: unknown) => e);
    expect((err as ChannelError).errorClass).toBe('content_rejected');
  });

  async function publishOne(): Promise<{ itemId: string; videoId: string }> {
    const result = await adapter.publish(input(), creds, memoryCheckpoint());
    if (result.kind !== 'live') throw new Error('expected live');
    const item = fake.items.find((i) => i.itemId === result.externalId)!;
    return { itemId: item.itemId, videoId: item.videoId };
  }
});
