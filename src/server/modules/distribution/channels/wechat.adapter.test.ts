import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL_LIMITS } from '../../../../contracts/packaging.limits.js';
import { FFMPEG_BIN, runProcess } from '../../media/ffmpeg.runner.js';
import { fixture } from '../../media/media.fixtures.js';
import { ChannelError, type ChannelCredentials, type PublishedRef, type PublishInput } from './channel.js';
import { startWechatFake, type WechatFake } from './fakes/wechat.fake.js';
import { createWechatAdapter, WECHAT_VIDEO_MAX_BYTES } from './wechat.adapter.js';
import { memoryCheckpoint } from './fakes/memory-checkpoint.js';

// Contract tests: the real adapter against the local WeChat fake over HTTP on 127.0.0.1.

const APP_ID = 'wx5d1dbe25d895fa65';
const SECRET = 'c0ffee0ddba11f00dc0ffee0ddba11f0';
const START = Date.parse('2026-03-02T02:00:00Z'); // 10:00 in Beijing
const DAY = 86_400_000;

let dir: string;
let videoPath: string;
let videoBytes: number;
let coverPath: string;
let clock: number;
let fake: WechatFake;

const now = () => new Date(clock);
const adapter = () => createWechatAdapter({ baseUrl: fake.url, now, timeoutMs: 5_000 });
const creds = (over: Partial<ChannelCredentials> = {}): ChannelCredentials => ({ appId: APP_ID, appSecret: SECRET, ...over });
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

function makeInput(over: Partial<PublishInput> = {}): PublishInput & { videoCalls: ({ maxBytes?: number } | undefined)[] } {
  const videoCalls: ({ maxBytes?: number } | undefined)[] = [];
  return {
    idempotencyKey: 'sub-1:wechat',
    publicationId: 'pub-1',
    submissionId: 'sub-1',
    headline: '暴雨中的外卖小哥：一把伞撑起整条街',
    summary: '今天下午，拍客在解放路拍下外卖骑手为路人撑伞的一幕。',
    tags: ['暖新闻', '拍客'],
    credit: '拍客 王小明',
    pageUrl: 'https://paike.example.cn/v/sub-1',
    videoCalls,
    async video(opts) {
      videoCalls.push(opts);
      return { path: videoPath, bytes: videoBytes, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 };
    },
    async cover() {
      return { path: coverPath, bytes: (await stat(coverPath)).size, mime: 'image/jpeg' };
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

/** Publishes and polls until live, as the publishing service would. */
async function publishLive(input = makeInput(), cp = memoryCheckpoint(), c = creds()) {
  const a = adapter();
  let result = await a.publish(input, c, cp);
  for (let i = 0; result.kind === 'pending' && i < 5; i++) result = await a.checkStatus!(c, cp);
  if (result.kind !== 'live') throw new Error('did not go live');
  return { result, cp };
}

/** A raw call to the fake, for checking what it refuses on its own. */
async function raw(path: string, json: unknown, query: Record<string, string> = {}) {
  const token = (await adapter().refreshCredentials(creds())).accessToken!;
  const url = new URL(fake.url + path);
  for (const [k, v] of Object.entries({ access_token: token, ...query })) url.searchParams.set(k, v);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paike-wechat-'));
  videoPath = await fixture('short-10s.mp4');
  videoBytes = (await stat(videoPath)).size;
  coverPath = join(dir, 'cover.jpg');
  await runProcess(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=640x360', '-frames:v', '1', coverPath], {
    timeoutMs: 30_000,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  clock = START;
  fake = await startWechatFake({ now });
  fake.registerApp({ appId: APP_ID, secret: SECRET });
});

afterEach(async () => {
  await fake.close();
});

describe('publishing', () => {
  it('uploads the video and cover, drafts the article, submits it, and reports it live once WeChat has published it', async () => {
    const input = makeInput();
    const cp = memoryCheckpoint();
    const a = adapter();
    const first = await a.publish(input, creds(), cp);
    // errcode 0 from submit only means "submitted".
    expect(first).toEqual({ kind: 'pending', pollAfterSeconds: expect.any(Number) });
    const result = await a.checkStatus!(creds(), cp);
    expect(result).toMatchObject({ kind: 'live', externalId: fake.articles[0]!.articleId });
    if (result.kind !== 'live') return;
    expect(result.url).toBe(fake.articles[0]!.items[0]!.url);

    expect(input.videoCalls).toEqual([{ maxBytes: 10 * 1024 * 1024 }]);
    const video = fake.materials.find((m) => m.type === 'video')!;
    expect(video.sha256).toBe(await sha256(videoPath));
    expect(video.bytes).toBe(videoBytes);
    expect(video.description).toEqual({ title: input.headline, introduction: input.summary });
    const cover = fake.materials.find((m) => m.type === 'image')!;
    expect(cover.sha256).toBe(await sha256(coverPath));

    expect(fake.publishJobs).toHaveLength(1);
    const article = fake.articles[0]!.items[0]!;
    expect(article).toMatchObject({
      title: input.headline,
      digest: input.summary,
      author: input.credit,
      content_source_url: input.pageUrl,
      thumb_media_id: cover.mediaId,
      need_open_comment: 1,
    });
    expect(article.content).toContain(`href="${input.pageUrl}"`);
    expect(article.content).toContain('#暖新闻');
    expect(cp.state).toMatchObject({
      videoMediaId: video.mediaId,
      thumbMediaId: cover.mediaId,
      publishId: fake.publishJobs[0]!.publishId,
      articleId: result.externalId,
    });

    // Asking again changes nothing on the platform.
    expect(await a.publish(input, creds(), cp)).toEqual(result);
    expect(fake.count('/cgi-bin/freepublish/submit')).toBe(1);
    expect(fake.count('/cgi-bin/material/add_material')).toBe(2);
  });

  it('fits text into the platform limits, which the fake enforces', async () => {
    const limits = CHANNEL_LIMITS.wechat;
    expect(limits.headline[1]).toBe(32); // editors see WeChat's real title limit when packaging
    // A headline longer than WeChat takes (a default made from the contributor's title, say) is cut.
    const input = makeInput({ headline: '长'.repeat(limits.headline[1] + 8), summary: '短'.repeat(limits.summary), credit: '名'.repeat(limits.credit) });
    const { cp } = await publishLive(input);
    const sent = fake.articles[0]!.items[0]!;
    expect([...sent.title]).toHaveLength(32);
    expect(sent.title.endsWith('…')).toBe(true);
    expect(sent.digest).toBe(input.summary);
    expect(cp.state.matchTitle).toBe(sent.title);

    const cover = fake.materials.find((m) => m.type === 'image')!.mediaId;
    const article = (over: Record<string, unknown>) => ({ articles: [{ title: '标题', content: '<p>正文</p>', thumb_media_id: cover, ...over }] });
    expect(await raw('/cgi-bin/draft/add', article({ title: '题'.repeat(33) }))).toMatchObject({ errcode: 45003 });
    expect(await raw('/cgi-bin/draft/add', article({ author: '作'.repeat(17) }))).toMatchObject({ errcode: 45110 });
    expect(await raw('/cgi-bin/draft/add', article({ digest: '摘'.repeat(129) }))).toMatchObject({ errcode: 45004 });
    expect(await raw('/cgi-bin/draft/add', article({ content: 'x'.repeat(20_000) }))).toMatchObject({ errcode: 45002 });
    expect(await raw('/cgi-bin/draft/add', article({ thumb_media_id: fake.materials.find((m) => m.type === 'video')!.mediaId }))).toMatchObject({
      errcode: 40007,
    });
    expect(await raw('/cgi-bin/draft/add', article({ title: '题'.repeat(32) }))).toHaveProperty('media_id');
  });

  it('refuses videos over 10 MB: the fake with 40006, the adapter before uploading', async () => {
    const big = join(dir, 'big.mp4');
    const head = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'); // an MP4 ftyp box
    await writeFile(big, head);
    await truncate(big, WECHAT_VIDEO_MAX_BYTES + 1);
    const token = (await adapter().refreshCredentials(creds())).accessToken!;
    const upload = async (bytes: number) => {
      const form = new FormData();
      form.append('media', new Blob([(await readFile(big)).subarray(0, bytes)], { type: 'video/mp4' }), 'big.mp4');
      form.append('description', JSON.stringify({ title: 't', introduction: 'i' }));
      const res = await fetch(`${fake.url}/cgi-bin/material/add_material?type=video&access_token=${token}`, { method: 'POST', body: form });
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await upload(WECHAT_VIDEO_MAX_BYTES + 1)).toMatchObject({ errcode: 40006 });
    expect(await upload(WECHAT_VIDEO_MAX_BYTES)).toHaveProperty('media_id');

    const input = makeInput({
      video: async () => ({ path: big, bytes: WECHAT_VIDEO_MAX_BYTES + 1, mime: 'video/mp4', durationSeconds: 10, width: 320, height: 568 }),
    });
    const before = fake.count('/cgi-bin/material/add_material');
    const err = await rejection(adapter().publish(input, creds(), memoryCheckpoint()));
    expect(err.errorClass).toBe('content_rejected');
    expect(fake.count('/cgi-bin/material/add_material')).toBe(before);
  });

  it('does not edit a published article (WeChat has no API for it)', async () => {
    const { result, cp } = await publishLive();
    if (result.kind !== 'live') return;
    const ref: PublishedRef = { externalId: result.externalId, url: result.url, publishedAt: now(), checkpoint: cp };
    expect((await rejection(adapter().update!(ref, makeInput(), creds()))).errorClass).toBe('content_rejected');
  });
});

describe('credentials', () => {
  it('gets a stable_token and a new one only in the last 5 minutes, with the old one still usable', async () => {
    const a = adapter();
    const first = await a.refreshCredentials(creds());
    expect(first.accessToken).toBe(fake.currentToken(APP_ID)!.value);
    expect(Date.parse(first.accessTokenExpiresAt!)).toBe(START + 7200_000);

    clock = START + 6700_000; // 500 s left: normal mode hands back the same token
    const same = await a.refreshCredentials(first);
    expect(same.accessToken).toBe(first.accessToken);
    expect(Date.parse(same.accessTokenExpiresAt!)).toBe(START + 7200_000);

    clock = START + 6950_000; // 250 s left: a new token, valid for another 7200 s
    const next = await a.refreshCredentials(same);
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(Date.parse(next.accessTokenExpiresAt!)).toBe(clock + 7200_000);
    // The old token still works until its own expiry, and the adapter uses it without asking again.
    await publishLive(makeInput(), memoryCheckpoint(), first);
    expect(fake.count('/cgi-bin/stable_token')).toBe(3);
    expect(fake.log.filter((l) => l.path === '/cgi-bin/freepublish/submit').map((l) => l.query.access_token)).toEqual([first.accessToken]);
  });

  it('refreshes once when a call finds the token expired or replaced, and carries on', async () => {
    const c = await adapter().refreshCredentials(creds());
    fake.expireTokens(APP_ID);
    const cp = memoryCheckpoint();
    await adapter().publish(makeInput(), c, cp);
    expect(fake.log.filter((l) => l.path !== '/cgi-bin/stable_token').some((l) => l.query.access_token === c.accessToken)).toBe(true);
    expect(fake.count('/cgi-bin/stable_token')).toBe(2); // one refresh for the whole publish, not one per call
    fake.invalidateTokens(APP_ID);
    expect(await adapter().checkStatus!(c, cp)).toMatchObject({ kind: 'live' });
    expect(fake.count('/cgi-bin/stable_token')).toBe(3);
    expect(fake.publishJobs).toHaveLength(1);
  });

  it('reports auth_expired, without the secret or token, when the AppSecret was reset', async () => {
    const c = await adapter().refreshCredentials(creds());
    fake.revokeAccess(APP_ID);
    const err = await rejection(adapter().refreshCredentials(c));
    expect(err.errorClass).toBe('auth_expired');
    expect(err.details.platformCode).toBe(40125);
    expect(err.message).toContain('AppSecret');
    const published = await rejection(adapter().publish(makeInput(), c, memoryCheckpoint()));
    expect(published.errorClass).toBe('auth_expired');
    for (const e of [err, published]) {
      expect(e.message).not.toContain(SECRET);
      expect(e.message).not.toContain(c.accessToken!);
    }
  });

  it('says plainly when the server IP is not whitelisted or the account may not publish', async () => {
    fake.setIpWhitelisted(APP_ID, false);
    const ip = await rejection(adapter().refreshCredentials(creds()));
    expect(ip).toMatchObject({ errorClass: 'auth_expired', details: { platformCode: 40164 } });
    expect(ip.message).toMatch(/whitelist/);
    fake.setIpWhitelisted(APP_ID, true);

    fake.registerApp({ appId: 'wxunverified', secret: SECRET, verified: false });
    const unverified = await rejection(adapter().publish(makeInput(), creds({ appId: 'wxunverified' }), memoryCheckpoint()));
    expect(unverified).toMatchObject({ errorClass: 'auth_expired', details: { platformCode: 48001 } });
  });
});

describe('faults', () => {
  it('maps the minute quota to rate_limited with 60 s and the daily quota to the next Beijing midnight', async () => {
    fake.rateLimitAfter(0, { errcode: 45011 });
    const minute = await rejection(adapter().publish(makeInput(), creds(), memoryCheckpoint()));
    expect(minute).toMatchObject({ errorClass: 'rate_limited', details: { platformCode: 45011, retryAfterSeconds: 60 } });

    fake.rateLimitAfter(0, { errcode: 45009 });
    const daily = await rejection(adapter().publish(makeInput(), creds(), memoryCheckpoint()));
    // START is 10:00 in Beijing: 14 hours to the quota reset.
    expect(daily).toMatchObject({ errorClass: 'rate_limited', details: { platformCode: 45009, retryAfterSeconds: 14 * 3600 } });
  });

  it('reports review rejection as content_rejected with the platform reason, and a fixed package publishes', async () => {
    fake.rejectWord('违禁');
    const cp = memoryCheckpoint();
    const a = adapter();
    expect(await a.publish(makeInput({ summary: '含有违禁内容的摘要' }), creds(), cp)).toMatchObject({ kind: 'pending' });
    const err = await rejection(a.checkStatus!(creds(), cp));
    expect(err.errorClass).toBe('content_rejected');
    expect(err.message).toContain('平台审核不通过');
    expect(err.message).toContain('publish_status 4');
    expect(err.details.platformCode).toBe('publish_status_4');

    const uploads = fake.count('/cgi-bin/material/add_material');
    let result = await a.publish(makeInput(), creds(), cp);
    if (result.kind === 'pending') result = await a.checkStatus!(creds(), cp);
    expect(result.kind).toBe('live');
    expect(fake.count('/cgi-bin/material/add_material')).toBe(uploads); // video and cover reused
    expect(fake.articles).toHaveLength(1);
  });

  it('treats a platform that is down as transient', async () => {
    fake.down = true;
    expect((await rejection(adapter().publish(makeInput(), creds(), memoryCheckpoint()))).errorClass).toBe('transient');
    expect((await rejection(adapter().refreshCredentials(creds()))).errorClass).toBe('transient');
  });

  it('treats errcode -1 (system busy) as transient', async () => {
    fake.failNext({ json: { errcode: -1, errmsg: 'system error' } }, 1, '/cgi-bin/draft/add');
    const cp = memoryCheckpoint();
    expect((await rejection(adapter().publish(makeInput(), creds(), cp))).errorClass).toBe('transient');
    await publishLive(makeInput(), cp);
    expect(fake.publishJobs).toHaveLength(1);
  });
});

describe('crash safety', () => {
  it('after a submit whose reply was lost, finds the post instead of publishing it twice', async () => {
    fake.loseResponseAfterAccept('/cgi-bin/freepublish/submit');
    const cp = memoryCheckpoint();
    expect((await rejection(adapter().publish(makeInput(), creds(), cp))).errorClass).toBe('transient');
    expect(cp.state.creating).toBe(1);
    expect(cp.state.publishId).toBeUndefined();

    const result = await adapter().publish(makeInput(), creds(), cp);
    expect(result).toEqual({ kind: 'live', externalId: fake.articles[0]!.articleId, url: fake.articles[0]!.items[0]!.url });
    expect(fake.count('/cgi-bin/freepublish/submit')).toBe(1);
    expect(fake.publishJobs).toHaveLength(1);
    expect(fake.articles).toHaveLength(1);
  });

  it('waits, without submitting again, while a lost submit is still publishing', async () => {
    fake.holdPublishing(true);
    fake.loseResponseAfterAccept('/cgi-bin/freepublish/submit');
    const cp = memoryCheckpoint();
    await rejection(adapter().publish(makeInput(), creds(), cp));
    expect(await adapter().publish(makeInput(), creds(), cp)).toMatchObject({ kind: 'pending' });
    clock += 10 * 60_000; // long past the settle window: the draft left the box, so it was submitted
    expect(await adapter().checkStatus!(creds(), cp)).toMatchObject({ kind: 'pending' });
    fake.finishPublishing();
    expect(await adapter().checkStatus!(creds(), cp)).toMatchObject({ kind: 'live' });
    expect(fake.count('/cgi-bin/freepublish/submit')).toBe(1);
  });

  it('gives up a day after a lost submit whose post never appeared, so a retry can start over', async () => {
    fake.holdPublishing(true);
    fake.loseResponseAfterAccept('/cgi-bin/freepublish/submit');
    const cp = memoryCheckpoint();
    await rejection(adapter().publish(makeInput(), creds(), cp));
    clock += 25 * 3600_000;
    const err = await rejection(adapter().checkStatus!(creds(), cp));
    expect(err.errorClass).toBe('content_rejected');
    expect(cp.state).toMatchObject({ creating: 0, draftMediaId: '' });
    expect(fake.count('/cgi-bin/freepublish/submit')).toBe(1);
  });

  it('submits again only once sure the first submit never reached WeChat', async () => {
    fake.failNext({ status: 503, text: 'Service Unavailable' }, 1, '/cgi-bin/freepublish/submit');
    const cp = memoryCheckpoint();
    await rejection(adapter().publish(makeInput(), creds(), cp));
    expect(await adapter().checkStatus!(creds(), cp)).toMatchObject({ kind: 'pending' });
    expect(fake.publishJobs).toHaveLength(0);
    clock += 6 * 60_000;
    let result = await adapter().checkStatus!(creds(), cp);
    if (result.kind === 'pending') result = await adapter().checkStatus!(creds(), cp);
    expect(result.kind).toBe('live');
    expect(fake.publishJobs).toHaveLength(1);
  });

  it('reuses a draft whose draft/add reply was lost, leaving no orphan that could be published by hand', async () => {
    fake.loseResponseAfterAccept('/cgi-bin/draft/add');
    const cp = memoryCheckpoint();
    await rejection(adapter().publish(makeInput(), creds(), cp));
    expect(fake.drafts).toHaveLength(1);
    await publishLive(makeInput(), cp);
    expect(fake.draftsCreated).toBe(1);
    expect(fake.drafts).toHaveLength(0);
    expect(fake.publishJobs).toHaveLength(1);
  });

  it('resumes from the checkpoint: an uploaded video is not sent again', async () => {
    // WeChat has no chunked upload (add_material takes the whole file), so the unit of resumption is the material.
    fake.failNext({ status: 503, text: 'Service Unavailable' }, 1, '/cgi-bin/draft/add');
    const input = makeInput();
    const cp = memoryCheckpoint();
    await rejection(adapter().publish(input, creds(), cp));
    expect(cp.state.videoMediaId).toBeTruthy();
    await publishLive(input, cp);
    expect(fake.materials.filter((m) => m.type === 'video')).toHaveLength(1);
    expect(input.videoCalls).toHaveLength(1);
  });
});

describe('after publishing', () => {
  it('reads the figures from datacube a day later, and reports them even when they go down', async () => {
    const { result, cp } = await publishLive();
    if (result.kind !== 'live') return;
    const ref: PublishedRef = { externalId: result.externalId, url: result.url, publishedAt: now(), checkpoint: cp };
    const a = adapter();
    expect(a.metricsIntervalMinutes).toBeGreaterThanOrEqual(60);
    // Published today: datacube has nothing before tomorrow, so no call is made.
    expect(await a.fetchMetrics(ref, creds())).toEqual({ views: null, likes: null, shares: null, comments: null });
    expect(fake.count('/datacube/getarticletotaldetail')).toBe(0);

    clock += DAY;
    fake.setFigures(result.externalId, { read_user: 1200, like_user: 30, share_user: 44, comment_count: 5, zaikan_user: 12, collection_user: 9 });
    expect(await a.fetchMetrics(ref, creds())).toEqual({
      views: 1200,
      likes: 30,
      shares: 44,
      comments: 5,
      extra: { zaikan_user: 12, collection_user: 9 },
    });

    clock += DAY;
    fake.setFigures(result.externalId, { read_user: 1150 });
    expect((await a.fetchMetrics(ref, creds())).views).toBe(1150);

    const yesterday = new Date(clock + 8 * 3600_000 - DAY).toISOString().slice(0, 10);
    const today = new Date(clock + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await raw('/datacube/getarticletotaldetail', { begin_date: today, end_date: today })).toMatchObject({ errcode: 61501 });
    expect(await raw('/datacube/getarticletotaldetail', { begin_date: '2026-03-01', end_date: yesterday })).toMatchObject({ errcode: 61501 });
  });

  it('unpublishes, and unpublishing again is still success', async () => {
    const { result, cp } = await publishLive();
    if (result.kind !== 'live') return;
    const ref: PublishedRef = { externalId: result.externalId, url: result.url, publishedAt: now(), checkpoint: cp };
    await adapter().unpublish(ref, creds());
    expect(fake.articles[0]!.items[0]!.isDeleted).toBe(true);
    await adapter().unpublish(ref, creds());
    expect(fake.count('/cgi-bin/freepublish/delete')).toBe(2);
  });
});
