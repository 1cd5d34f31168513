import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { tusUpload } from '../../testing/uploads.js';
import { fixtures, type FixtureName } from '../media/media.fixtures.js';

// The whole pipeline on real files: tus upload → media.process job (worker in this process)
// → ffprobe/ffmpeg → stored outputs, on PGlite or PostgreSQL.
let ctx: TestContext;
let base: string;
let strict: string; // the campaign's 60–180 s rule
let loose: string; // 1–600 s, for short fingerprint fixtures
let files: Partial<Record<FixtureName, string>>;

beforeAll(async () => {
  files = await fixtures([
    'h264-aac-portrait.mp4',
    'hevc-rotated.mov',
    'text.mp4',
    'truncated.mp4',
    'audio-only.m4a',
    'short-10s.mp4',
    'long-181s.mp4',
    '8k.mp4',
    'corrupt-middle.mp4',
    'fp-a.mp4',
    'fp-a-trimmed.mp4',
    'fp-a-reencoded.webm',
    'fp-other.mp4',
    'cmp-portrait.mp4',
    'cmp-landscape.mp4',
    'cmp-silent.mp4',
  ]);
  ctx = await createTestContext({ jobs: 'work', env: { WORKER_CONCURRENCY: '1', UPLOAD_MAX_CONCURRENT_PER_USER: '10' } });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await staff(ctx, ['admin']);
  const mk = async (slug: string, min: number, max: number) => {
    const body = { ...demoCampaign(new Date()), slug };
    body.rules = { ...body.rules, minDurationSeconds: min, maxDurationSeconds: max };
    const res = await ctx.app.inject({ method: 'POST', url: '/api/admin/campaigns', headers: { cookie: admin.cookie }, payload: body });
    return res.json().campaign.id as string;
  };
  strict = await mk('pipeline-strict', 60, 180);
  loose = await mk('pipeline-loose', 1, 600);
}, 240_000);
afterAll(async () => {
  await ctx?.close();
});

async function contributor(campaignId: string) {
  const u = await signUp(ctx.app);
  await ctx.app.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/join`, headers: { cookie: u.cookie } });
  return u;
}

type Sub = {
  id: string;
  status: string;
  progress: number;
  rejection: { code: string; message: string } | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  playbackUrl: string | null;
  posterUrl: string | null;
};

async function waitDecided(id: string, cookie: string): Promise<Sub> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const sub = (await ctx.app.inject({ method: 'GET', url: `/api/submissions/${id}`, headers: { cookie, 'accept-language': 'zh-CN' } })).json()
      .submission as Sub;
    if (sub.status === 'in_review' || sub.status === 'rejected') return sub;
    if (Date.now() > deadline) throw new Error(`still ${sub.status} ${sub.progress}%`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Declares an edit and uploads its clips as the browser does. */
async function edit(clips: { name: FixtureName; start: number; end: number }[], caption?: string) {
  const u = await contributor(loose);
  const datas = await Promise.all(clips.map((c) => readFile(files[c.name]!)));
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/me/edits',
    headers: { cookie: u.cookie },
    payload: {
      campaignId: loose,
      theme: 'way-home',
      title: '回家',
      consent: true,
      caption,
      clips: clips.map((c, i) => ({ filename: c.name, sizeBytes: datas[i]!.length, startSeconds: c.start, endSeconds: c.end })),
    },
  });
  expect(res.statusCode).toBe(201);
  const { submission, clipUploads } = res.json() as { submission: Sub; clipUploads: { index: number; metadata: Record<string, string> }[] };
  expect(submission.status).toBe('uploading');
  return { u, submission, clipUploads, datas };
}

/** Uploads a fixture and waits until processing has decided. */
async function submit(name: FixtureName, campaignId = strict, cookie?: string): Promise<{ sub: Sub; cookie: string }> {
  const c = cookie ?? (await contributor(campaignId)).cookie;
  const data = await readFile(files[name]!);
  const run = await tusUpload(data, {
    base,
    cookie: c,
    chunkSize: 1024 * 1024,
    metadata: { campaignId, theme: 'travel', title: name, filename: name, consent: 'true' },
  });
  expect(run.error).toBeUndefined();
  const id = run.url
    ? ((await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: c } })).json().submissions as Sub[]).find(
        (s) => s.status !== 'withdrawn',
      )!.id
    : '';
  const deadline = Date.now() + 150_000;
  for (;;) {
    const sub = (await ctx.app.inject({ method: 'GET', url: `/api/submissions/${id}`, headers: { cookie: c, 'accept-language': 'zh-CN' } })).json()
      .submission as Sub;
    if (sub.status === 'in_review' || sub.status === 'rejected') return { sub, cookie: c };
    if (Date.now() > deadline) throw new Error(`still ${sub.status} ${sub.progress}%`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('processing real phone video', { timeout: 200_000 }, () => {
  it('an Android-style H.264 portrait video ends in review with an HLS ladder, poster and sprite only its owner and the desk can fetch', async () => {
    const { sub, cookie } = await submit('h264-aac-portrait.mp4');
    expect(sub).toMatchObject({ status: 'in_review', progress: 100, rejection: null });
    expect(sub.width! < sub.height!).toBe(true);
    expect(sub.durationSeconds!).toBeGreaterThanOrEqual(60);
    const master = await ctx.app.inject({ method: 'GET', url: sub.playbackUrl!, headers: { cookie } });
    expect(master.statusCode).toBe(200);
    expect(master.headers['content-type']).toContain('mpegurl');
    expect(master.body).toContain('#EXT-X-STREAM-INF');
    const variant = master.body.split('\n').find((l) => l && !l.startsWith('#'))!;
    const variantUrl = sub.playbackUrl!.replace(/master\.m3u8$/, variant);
    const media = await ctx.app.inject({ method: 'GET', url: variantUrl, headers: { cookie } });
    expect(media.statusCode).toBe(200);
    const segment = media.body.split('\n').find((l) => l && !l.startsWith('#'))!;
    const seg = await ctx.app.inject({ method: 'GET', url: variantUrl.replace(/[^/]+$/, segment), headers: { cookie, range: 'bytes=0-99' } });
    expect(seg.statusCode).toBe(206);
    expect(seg.rawPayload.length).toBe(100);
    const poster = await ctx.app.inject({ method: 'GET', url: sub.posterUrl!, headers: { cookie } });
    expect(poster.headers['content-type']).toBe('image/jpeg');
    expect(poster.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');

    const stranger = await signUp(ctx.app);
    expect((await ctx.app.inject({ method: 'GET', url: sub.playbackUrl!, headers: { cookie: stranger.cookie } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: sub.playbackUrl! })).statusCode).toBe(401);
    const editor = await staff(ctx, ['editor']);
    expect((await ctx.app.inject({ method: 'GET', url: sub.playbackUrl!, headers: { cookie: editor.cookie } })).statusCode).toBe(200);
    const deskView = (await ctx.app.inject({ method: 'GET', url: `/api/submissions/${sub.id}`, headers: { cookie: editor.cookie } })).json().submission;
    expect(deskView.probe).toMatchObject({ video: { codec: 'h264' } });
  });

  it('an iPhone-style HEVC .mov with rotation metadata is processed upright (portrait)', async () => {
    const { sub } = await submit('hevc-rotated.mov');
    expect(sub.status).toBe('in_review');
    expect(sub.height!).toBeGreaterThan(sub.width!);
  });

  const bad: [FixtureName, string, RegExp][] = [
    ['text.mp4', 'media.not_video', /这不是视频文件/],
    ['truncated.mp4', 'media.unreadable', /不完整或已损坏/],
    ['audio-only.m4a', 'media.no_video', /没有视频画面/],
    ['short-10s.mp4', 'media.too_short', /视频太短：10 秒，至少需要 60 秒/],
    ['long-181s.mp4', 'media.too_long', /视频太长：181 秒，最长 180 秒/],
    ['8k.mp4', 'media.frame_too_large', /画面太大（7680×4320）/],
    ['corrupt-middle.mp4', 'media.corrupt', /中间有损坏/],
  ];
  it.each(bad)('%s is rejected as %s with a Chinese reason, and nothing of it is left in storage', async (name, code, message) => {
    const { sub } = await submit(name);
    expect(sub.status).toBe('rejected');
    expect(sub.rejection!.code).toBe(code);
    expect(sub.rejection!.message).toMatch(message);
    expect(await ctx.runtime.services.storage.list(`submissions/${sub.id}`)).toEqual([]);
  });

  it('secondary production: three clips trimmed, joined and captioned become one video in review', async () => {
    const { u, submission, clipUploads, datas } = await edit(
      [
        { name: 'cmp-portrait.mp4', start: 1, end: 4 },
        { name: 'cmp-landscape.mp4', start: 0, end: 2.5 },
        { name: 'cmp-silent.mp4', start: 0.5, end: 3 },
      ],
      '回家的路: 100% \\ 真实',
    );
    for (const c of clipUploads) {
      const run = await tusUpload(datas[c.index]!, { base, cookie: u.cookie, metadata: c.metadata });
      expect(run.error).toBeUndefined();
    }
    const done = await waitDecided(submission.id, u.cookie);
    expect(done).toMatchObject({ status: 'in_review' });
    expect(done.durationSeconds!).toBeGreaterThan(7.7);
    expect(done.durationSeconds!).toBeLessThan(8.3);
    expect(done.height!).toBeGreaterThan(done.width!);
    // Only the composed original and its outputs are kept, not the clips.
    const keys = await ctx.runtime.services.storage.list(`submissions/${submission.id}`);
    expect(keys).toContain(`submissions/${submission.id}/original`);
    expect(keys.some((k) => k.includes('/clips/'))).toBe(false);
  });

  it('secondary production refuses a cut beyond the clip, a clip that is not a video, a clip of the wrong size, and someone else’s clip', async () => {
    const beyond = await edit([{ name: 'cmp-portrait.mp4', start: 0, end: 30 }]);
    await tusUpload(beyond.datas[0]!, { base, cookie: beyond.u.cookie, metadata: beyond.clipUploads[0]!.metadata });
    const rejected = await waitDecided(beyond.submission.id, beyond.u.cookie);
    expect(rejected.rejection?.code).toBe('edit.cut_out_of_range');
    expect(rejected.rejection?.message).toContain('第 1 段');
    expect(await ctx.runtime.services.storage.list(`submissions/${beyond.submission.id}`)).toEqual([]);

    const text = await readFile(files['text.mp4']!);
    const u = await contributor(loose);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/me/edits',
      headers: { cookie: u.cookie },
      payload: {
        campaignId: loose,
        theme: 'food',
        title: 't',
        consent: true,
        clips: [{ filename: 'a.mp4', sizeBytes: text.length, startSeconds: 0, endSeconds: 2 }],
      },
    });
    const meta = res.json().clipUploads[0].metadata;
    const stranger = await contributor(loose);
    const stolen = await tusUpload(text, { base, cookie: stranger.cookie, metadata: meta });
    expect(stolen.error?.status).toBe(404);
    const wrongSize = await tusUpload(Buffer.concat([text, Buffer.from('x')]), { base, cookie: u.cookie, metadata: meta, lang: 'en' });
    expect(wrongSize.error?.body.error.code).toBe('edit.clip_size_mismatch');
    expect((await tusUpload(text, { base, cookie: u.cookie, metadata: meta })).error).toBeUndefined();
    const notVideo = await waitDecided(res.json().submission.id, u.cookie);
    expect(notVideo.rejection?.code).toBe('media.not_video');
  });

  it('an HLS or concat playlist uploaded as a video is refused without anything it references being opened', async () => {
    let requests = 0;
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      requests += 1;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const playlists: [string, string][] = [
        ['playlist.mp4', `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nhttp://127.0.0.1:${port}/seg0.ts\n#EXT-X-ENDLIST\n`],
        ['concat.mp4', `ffconcat version 1.0\nfile 'http://127.0.0.1:${port}/a.mp4'\nfile '/etc/passwd'\n`],
      ];
      for (const [name, text] of playlists) {
        const u = await contributor(strict);
        const run = await tusUpload(Buffer.from(text), {
          base,
          cookie: u.cookie,
          metadata: { campaignId: strict, theme: 'food', title: name, filename: name, consent: 'true' },
        });
        expect(run.error).toBeUndefined();
        const id = (await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: u.cookie } })).json().submissions[0].id;
        const sub = await waitDecided(id, u.cookie);
        expect(sub.rejection).toEqual({ code: 'media.playlist_refused', message: '不接受播放列表文件，请上传视频本身。' });
        expect(await ctx.runtime.services.storage.list(`submissions/${id}`)).toEqual([]);
      }
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('a zero-byte file is refused when the upload starts, with nothing created', async () => {
    const u = await contributor(strict);
    const run = await tusUpload(Buffer.alloc(0), {
      base,
      cookie: u.cookie,
      metadata: { campaignId: strict, theme: 'food', title: 'empty', filename: 'empty.mp4', consent: 'true' },
    });
    expect(run.error?.body.error).toEqual({ code: 'media.empty', message: '文件是空的（0 字节）。' });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: u.cookie } })).json().submissions).toEqual([]);
  });

  it('flags a trimmed or re-encoded re-upload as a duplicate of the earlier video, and not a different one', async () => {
    const first = await submit('fp-a.mp4', loose);
    expect(first.sub.status).toBe('in_review');
    const again = await submit('fp-a-trimmed.mp4', loose);
    const webm = await submit('fp-a-reencoded.webm', loose);
    expect([again.sub.status, webm.sub.status]).toEqual(['in_review', 'in_review']);
    const other = await submit('fp-other.mp4', loose);
    const editor = await staff(ctx, ['editor']);
    const view = async (id: string) =>
      (await ctx.app.inject({ method: 'GET', url: `/api/submissions/${id}`, headers: { cookie: editor.cookie } })).json().submission;
    expect((await view(again.sub.id)).duplicate).toMatchObject({ submissionId: first.sub.id });
    expect((await view(webm.sub.id)).duplicate?.submissionId).toMatch(new RegExp(`${first.sub.id}|${again.sub.id}`));
    expect((await view(other.sub.id)).duplicate).toBeNull();
    // The contributor does not see the desk's duplicate flag.
    const own = (await ctx.app.inject({ method: 'GET', url: `/api/submissions/${again.sub.id}`, headers: { cookie: again.cookie } })).json().submission;
    expect(own.duplicate).toBeUndefined();
  });
});
