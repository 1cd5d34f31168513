import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { tusUpload } from '../../testing/uploads.js';
import { uploadsExpireJob } from './jobs/uploads-expire.job.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let base: string;
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({
    clock,
    env: { UPLOAD_MAX_CONCURRENT_PER_USER: '2', UPLOAD_MAX_BYTES_PER_DAY: String(8 * 1024 * 1024), UPLOAD_MAX_OPEN_BYTES_PER_USER: String(5 * 1024 * 1024) },
  });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await staff(ctx, ['admin']);
  const body = { ...demoCampaign(clock.now()), slug: 'upload-test' };
  body.rules = { ...body.rules, maxUploadBytes: 4 * 1024 * 1024 };
  const res = await ctx.app.inject({ method: 'POST', url: '/api/admin/campaigns', headers: { cookie: admin.cookie }, payload: body });
  campaignId = res.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

const meta = (overrides: Record<string, string> = {}) => ({ campaignId, theme: 'food', title: '火锅', filename: 'hotpot.mp4', consent: 'true', ...overrides });

function upload(cookie: string, data: Buffer, opts: { metadata?: Record<string, string>; uploadUrl?: string; abortAfter?: number; lang?: string } = {}) {
  return tusUpload(data, { base, cookie, metadata: opts.metadata ?? meta(), uploadUrl: opts.uploadUrl, abortAfter: opts.abortAfter, lang: opts.lang });
}

async function joined() {
  const u = await signUp(ctx.app);
  const j = await ctx.app.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/join`, headers: { cookie: u.cookie } });
  expect(j.statusCode).toBe(200);
  return u;
}

async function mine(cookie: string) {
  return (await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie } })).json().submissions as {
    id: string;
    status: string;
    progress: number;
    title: string;
  }[];
}

describe('resumable upload at /api/uploads (tus 1.0.0)', () => {
  it('answers OPTIONS with the tus capabilities', async () => {
    const res = await fetch(`${base}/api/uploads`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toContain('1.0.0');
    const extensions = (res.headers.get('tus-extension') ?? '').split(',');
    expect(extensions).toEqual(expect.arrayContaining(['creation', 'creation-with-upload', 'termination', 'expiration']));
  });

  it('survives a cut: an interrupted upload resumes where it stopped, and the stored original is byte-identical', async () => {
    const u = await joined();
    const data = randomBytes(1536 * 1024);
    const first = await upload(u.cookie, data, { abortAfter: 512 * 1024 });
    expect(first.url).toMatch(/\/api\/uploads\/[A-Za-z0-9_-]+$/);
    const during = await mine(u.cookie);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ status: 'uploading', title: '火锅' });

    const second = await upload(u.cookie, data, { uploadUrl: first.url! });
    expect(second.error).toBeUndefined();
    // It continued from the server's offset, not from zero.
    expect(second.progress[0]).toBeGreaterThanOrEqual(512 * 1024);

    const after = await mine(u.cookie);
    expect(after[0]).toMatchObject({ status: 'processing', progress: 0 });
    const id = after[0]!.id;
    const stored = await readFile(path.join(ctx.config.dataDir, 'media', 'submissions', id, 'original'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await ctx.runtime.services.jobs.count('media.process', 'created')).toBeGreaterThanOrEqual(1);
  });

  it('accepts creation-with-upload: the first bytes travel with the POST', async () => {
    const u = await joined();
    const data = randomBytes(200 * 1024);
    const res = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      headers: {
        cookie: u.cookie,
        'tus-resumable': '1.0.0',
        'upload-length': String(data.length),
        'content-type': 'application/offset+octet-stream',
        'upload-metadata': Object.entries(meta())
          .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
          .join(','),
      },
      body: data,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('upload-offset')).toBe(String(data.length));
    expect((await mine(u.cookie))[0]).toMatchObject({ status: 'processing' });
  });

  it('refuses anyone not signed in, and contributors who have not joined the campaign, in their language', async () => {
    const anon = await upload('', randomBytes(1000));
    expect(anon.error?.status).toBe(401);
    const outsider = await signUp(ctx.app);
    const res = await upload(outsider.cookie, randomBytes(1000), { lang: 'en' });
    expect(res.error?.status).toBe(403);
    expect(res.error?.body.error).toEqual({ code: 'upload.not_member', message: 'Join this campaign before submitting to it.' });
    expect(await mine(outsider.cookie)).toEqual([]);
  });

  it('checks the metadata: consent, theme, title; nothing is created on refusal', async () => {
    const u = await joined();
    const noConsent = await upload(u.cookie, randomBytes(1000), { metadata: { ...meta(), consent: '' } });
    expect(noConsent.error?.body.error.code).toBe('upload.consent_required');
    const badTheme = await upload(u.cookie, randomBytes(1000), { metadata: meta({ theme: 'cars' }) });
    expect(badTheme.error?.body.error).toMatchObject({ code: 'upload.unknown_theme', message: '该活动没有这个主题。' });
    const extra = await upload(u.cookie, randomBytes(1000), { metadata: meta({ userId: 'someone-else' }) });
    expect(extra.error?.status).toBe(400);
    expect(await mine(u.cookie)).toEqual([]);
  });

  it('enforces the campaign size limit and the contributor’s concurrent and daily limits', async () => {
    const u = await joined();
    const tooBig = await upload(u.cookie, randomBytes(4 * 1024 * 1024 + 1));
    expect(tooBig.error?.status).toBe(413);
    expect(tooBig.error?.body.error.code).toBe('upload.too_large');
    // Two unfinished uploads are the limit here; a third waits.
    await upload(u.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    await upload(u.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    const third = await upload(u.cookie, randomBytes(1000));
    expect(third.error?.status).toBe(429);
    expect(third.error?.body.error.code).toBe('upload.too_many_concurrent');

    const v = await joined();
    for (let i = 0; i < 2; i++) expect((await upload(v.cookie, randomBytes(3 * 1024 * 1024))).error).toBeUndefined();
    const over = await upload(v.cookie, randomBytes(3 * 1024 * 1024), { lang: 'en' });
    expect(over.error?.body.error).toEqual({ code: 'upload.daily_limit', message: 'You have reached today’s upload limit (8 MB). Please try again tomorrow.' });
  });

  it('keeps one contributor out of another’s upload', async () => {
    const a = await joined();
    const b = await joined();
    const started = await upload(a.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    const head = await fetch(started.url!, { method: 'HEAD', headers: { cookie: b.cookie, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(404);
    const del = await fetch(started.url!, { method: 'DELETE', headers: { cookie: b.cookie, 'tus-resumable': '1.0.0' } });
    expect(del.status).toBe(404);
    const own = await fetch(started.url!, { method: 'HEAD', headers: { cookie: a.cookie, 'tus-resumable': '1.0.0' } });
    expect(own.status).toBe(200);
    expect(Number(own.headers.get('upload-offset'))).toBeGreaterThan(0);
  });

  it('termination cancels an upload: its submission and bytes are gone', async () => {
    const u = await joined();
    const started = await upload(u.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    const del = await fetch(started.url!, { method: 'DELETE', headers: { cookie: u.cookie, 'tus-resumable': '1.0.0' } });
    expect(del.status).toBe(204);
    await new Promise((r) => setTimeout(r, 100));
    expect(await mine(u.cookie)).toEqual([]);
    const id = started.url!.split('/').pop()!;
    await expect(readFile(path.join(ctx.config.dataDir, 'uploads', id))).rejects.toThrow();
  });
});

describe('withdrawal', () => {
  it('withdraws before adoption and removes the files; someone else cannot', async () => {
    const u = await joined();
    await upload(u.cookie, randomBytes(300 * 1024));
    const [sub] = await mine(u.cookie);
    const other = await joined();
    const denied = await ctx.app.inject({ method: 'POST', url: `/api/me/submissions/${sub!.id}/withdraw`, headers: { cookie: other.cookie } });
    expect(denied.statusCode).toBe(404);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/me/submissions/${sub!.id}/withdraw`, headers: { cookie: u.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().submission.status).toBe('withdrawn');
    expect(await ctx.runtime.services.storage.list(`submissions/${sub!.id}`)).toEqual([]);
  });
});

describe('abandoned uploads and live status', () => {
  it('an upload left untouched past UPLOAD_EXPIRY_HOURS loses its submission and its bytes', async () => {
    const u = await joined();
    const started = await upload(u.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    const id = started.url!.split('/').pop()!;
    const partial = path.join(ctx.config.dataDir, 'uploads', id);
    await expect(readFile(partial)).resolves.toBeInstanceOf(Buffer);
    // Rows carry the database's own time, so move the app clock past the real one.
    const before = clock.now();
    clock.set(new Date(Date.now() + 25 * 3_600_000));
    try {
      await uploadsExpireJob.handle({}, ctx.runtime.services, { jobId: 'test', attempt: 1, isLastAttempt: false });
    } finally {
      clock.set(before);
    }
    expect(await mine(u.cookie)).toEqual([]);
    await expect(readFile(partial)).rejects.toThrow();
    const head = await fetch(started.url!, { method: 'HEAD', headers: { cookie: u.cookie, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(404);
  });

  it('streams a "changed" event when one of my submissions changes', async () => {
    const u = await joined();
    const controller = new AbortController();
    const res = await fetch(`${base}/api/me/submissions/events`, { headers: { cookie: u.cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (until: string) => {
      const deadline = Date.now() + 10_000;
      while (!text.includes(until) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await read('event: ready');
    await upload(u.cookie, randomBytes(300 * 1024));
    await read('event: changed');
    controller.abort();
    expect(text).toContain('event: changed');
  });

  it('needs a session for the event stream', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/me/submissions/events' });
    expect(res.statusCode).toBe(401);
  });
});

const tusHeaders = (cookie: string, extra: Record<string, string> = {}) => ({ cookie, 'tus-resumable': '1.0.0', ...extra });
const encodeMetadata = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');

describe('a finished upload answers for itself (lost replies, retries)', () => {
  it('HEAD gives the full offset and the submission; a repeated last PATCH creates nothing; other offsets and DELETE are refused in JSON', async () => {
    const u = await joined();
    const data = randomBytes(300 * 1024);
    const run = await upload(u.cookie, data);
    const [sub] = await mine(u.cookie);
    // The tus copy is gone (the bytes are the submission's original now), yet HEAD answers.
    await expect(stat(path.join(ctx.config.dataDir, 'uploads', run.url!.split('/').pop()!))).rejects.toThrow();
    const head = await fetch(run.url!, { method: 'HEAD', headers: tusHeaders(u.cookie) });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(data.length));
    expect(head.headers.get('upload-length')).toBe(String(data.length));
    expect(head.headers.get('paike-submission-id')).toBe(sub!.id);
    expect(head.headers.get('cache-control')).toBe('no-store');

    const again = await fetch(run.url!, {
      method: 'PATCH',
      headers: tusHeaders(u.cookie, { 'upload-offset': String(data.length), 'content-type': 'application/offset+octet-stream' }),
      body: Buffer.alloc(0),
    });
    expect(again.status).toBe(204);
    expect(again.headers.get('upload-offset')).toBe(String(data.length));
    expect(again.headers.get('paike-submission-id')).toBe(sub!.id);
    const wrong = await fetch(run.url!, {
      method: 'PATCH',
      headers: tusHeaders(u.cookie, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'accept-language': 'en' }),
      body: data.subarray(0, 1000),
    });
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('upload.offset_mismatch');
    const del = await fetch(run.url!, { method: 'DELETE', headers: tusHeaders(u.cookie) });
    expect(del.status).toBe(400);
    expect(((await del.json()) as { error: unknown }).error).toEqual({ code: 'upload.already_finished', message: expect.stringContaining('已经完成') });
    // The stock client resuming from the stored URL is told it is done, and starts nothing new.
    const resumed = await upload(u.cookie, data, { uploadUrl: run.url! });
    expect(resumed.error).toBeUndefined();
    const after = await mine(u.cookie);
    expect(after).toHaveLength(1);
    expect(after[0]!.status).toBe('processing');
  });

  it('tus’s own refusals come as {error:{code,message}} in the uploader’s language', async () => {
    const u = await joined();
    const open = await upload(u.cookie, randomBytes(1024 * 1024), { abortAfter: 256 * 1024 });
    const offset = Number((await fetch(open.url!, { method: 'HEAD', headers: tusHeaders(u.cookie) })).headers.get('upload-offset'));
    const mismatch = await fetch(open.url!, {
      method: 'PATCH',
      headers: tusHeaders(u.cookie, { 'upload-offset': String(offset + 1), 'content-type': 'application/offset+octet-stream', 'accept-language': 'en' }),
      body: randomBytes(10),
    });
    expect(mismatch.status).toBe(409);
    expect(mismatch.headers.get('content-type')).toContain('application/json');
    expect(await mismatch.json()).toEqual({ error: { code: 'upload.offset_mismatch', message: expect.stringContaining('offset does not match') } });
    const noProtocol = await fetch(open.url!, { method: 'HEAD', headers: { cookie: u.cookie } });
    expect(noProtocol.status).toBe(412);
    const tooMuch = await fetch(open.url!, {
      method: 'PATCH',
      headers: tusHeaders(u.cookie, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: randomBytes(1024 * 1024),
    });
    expect(tooMuch.status).toBe(413);
    expect(((await tooMuch.json()) as { error: unknown }).error).toEqual({ code: 'upload.size_exceeded', message: '发送的数据超过了上传声明的大小。' });
    const noLength = await fetch(`${base}/api/uploads`, { method: 'POST', headers: tusHeaders(u.cookie, { 'upload-metadata': encodeMetadata(meta()) }) });
    expect(noLength.status).toBe(400);
    expect(((await noLength.json()) as { error: { code: string } }).error.code).toBe('upload.length_required');
    const unknown = await fetch(`${base}/api/uploads/nosuchupload`, { method: 'HEAD', headers: tusHeaders(u.cookie) });
    expect(unknown.status).toBe(404);
  });

  it('refuses NUL and control characters in tus metadata with a coded 400 in the uploader’s language, never a 500', async () => {
    const u = await joined();
    for (const [field, value] of [
      ['title', '火锅\u0000'],
      ['filename', 'a\u0007.mp4'],
      ['campaignId', `${campaignId}\u0000`],
    ] as const) {
      const res = await upload(u.cookie, randomBytes(1000), { metadata: meta({ [field]: value }), lang: 'en' });
      expect(res.error?.status).toBe(400);
      expect(res.error?.body.error).toEqual({ code: 'upload.invalid_text', message: expect.stringContaining(`“${field}”`) });
    }
    const zh = await upload(u.cookie, randomBytes(1000), { metadata: meta({ consent: 'true\u0000' }) });
    expect(zh.error?.body.error.message).toMatch(/不允许的字符/);
    expect(await mine(u.cookie)).toEqual([]);
  });
});

describe('limits that cancelling cannot get round', () => {
  it('the daily quota counts declared bytes: cancelled uploads keep theirs', async () => {
    const u = await joined();
    for (let i = 0; i < 2; i++) {
      const started = await upload(u.cookie, randomBytes(3 * 1024 * 1024), { abortAfter: 256 * 1024 });
      expect((await fetch(started.url!, { method: 'DELETE', headers: tusHeaders(u.cookie) })).status).toBe(204);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await mine(u.cookie)).toEqual([]);
    const over = await upload(u.cookie, randomBytes(3 * 1024 * 1024));
    expect(over.error?.status).toBe(429);
    expect(over.error?.body.error.code).toBe('upload.daily_limit');
  });

  it('caps the bytes one contributor’s unfinished uploads may hold', async () => {
    const u = await joined();
    await upload(u.cookie, randomBytes(3 * 1024 * 1024), { abortAfter: 256 * 1024 });
    const second = await upload(u.cookie, randomBytes(3 * 1024 * 1024), { lang: 'en' });
    expect(second.error?.status).toBe(429);
    expect(second.error?.body.error).toEqual({
      code: 'upload.open_bytes_limit',
      message: 'Your unfinished uploads may hold at most 5 MB together. Finish or cancel one first.',
    });
  });
});

describe('an upload whose last byte landed but whose finish step never ran (a crash)', () => {
  /** Creates an upload and puts every byte in its tus file behind the server's back, as a crash at the last byte leaves it. */
  async function crashedAtLastByte(cookie: string, data: Buffer): Promise<{ url: string; file: string }> {
    const res = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      headers: tusHeaders(cookie, { 'upload-length': String(data.length), 'upload-metadata': encodeMetadata(meta()) }),
    });
    expect(res.status).toBe(201);
    const url = new URL(res.headers.get('location')!, base).toString();
    const file = path.join(ctx.config.dataDir, 'uploads', url.split('/').pop()!);
    await writeFile(file, data);
    return { url, file };
  }

  it('is carried on by a HEAD: 200 with the full offset and the submission, processing queued once', async () => {
    const u = await joined();
    const data = randomBytes(200 * 1024);
    const { url, file } = await crashedAtLastByte(u.cookie, data);
    expect((await mine(u.cookie))[0]!.status).toBe('uploading');
    const queued = await ctx.runtime.services.jobs.count('media.process', 'created');
    // HEAD and the sweep race for it; exactly one moves it on.
    const [head] = await Promise.all([fetch(url, { method: 'HEAD', headers: tusHeaders(u.cookie) }), ctx.runtime.services.uploads.sweep()]);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(data.length));
    const [sub] = await mine(u.cookie);
    expect(head.headers.get('paike-submission-id')).toBe(sub!.id);
    expect(sub!.status).toBe('processing');
    expect(await ctx.runtime.services.jobs.count('media.process', 'created')).toBe(queued + 1);
    const stored = await readFile(path.join(ctx.config.dataDir, 'media', 'submissions', sub!.id, 'original'));
    expect(stored.equals(data)).toBe(true);
    await expect(stat(file)).rejects.toThrow();
  });

  it('is carried on by the sweep (start-up and every 5 minutes) when no client comes back', async () => {
    const u = await joined();
    const { file } = await crashedAtLastByte(u.cookie, randomBytes(100 * 1024));
    const half = await crashedAtLastByte(u.cookie, randomBytes(100 * 1024));
    // An upload still missing bytes is left alone.
    await writeFile(half.file, randomBytes(50 * 1024));
    const result = await ctx.runtime.services.uploads.sweep();
    expect(result.finished).toBeGreaterThanOrEqual(1);
    const subs = await mine(u.cookie);
    expect(subs.map((s) => s.status).sort()).toEqual(['processing', 'uploading']);
    await expect(stat(file)).rejects.toThrow();
    await expect(stat(half.file)).resolves.toBeTruthy();
  });
});
