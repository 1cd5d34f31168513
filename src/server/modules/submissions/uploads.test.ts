import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
  ctx = await createTestContext({ clock, env: { UPLOAD_MAX_CONCURRENT_PER_USER: '2', UPLOAD_MAX_BYTES_PER_DAY: String(8 * 1024 * 1024) } });
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
