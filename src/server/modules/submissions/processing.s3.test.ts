import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { startLocalS3 } from '../../testing/s3.js';
import { tusUpload } from '../../testing/uploads.js';
import { fixture } from '../media/media.fixtures.js';

// The same pipeline with media in an S3-compatible bucket instead of DATA_DIR/media.
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let ctx: TestContext;
let base: string;
let campaignId: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  ctx = await createTestContext({ jobs: 'work', env: s3.env });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await staff(ctx, ['admin']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(new Date()), slug: 's3-campaign' },
  });
  campaignId = res.json().campaign.id;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  await s3?.close();
});

describe('media in S3-compatible storage', { timeout: 200_000 }, () => {
  it('processes an upload into the bucket, serves it from there, and withdrawal empties it', async () => {
    expect(ctx.runtime.services.storage.kind).toBe('s3');
    const u = await signUp(ctx.app, { campaignId });
    const data = await readFile(await fixture('h264-aac-portrait.mp4'));
    const run = await tusUpload(data, {
      base,
      cookie: u.cookie,
      chunkSize: 1024 * 1024,
      metadata: { campaignId, theme: 'food', title: 'S3', filename: 'a.mp4', consent: 'true' },
    });
    expect(run.error).toBeUndefined();
    let sub;
    for (const deadline = Date.now() + 150_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
      sub = (await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: u.cookie } })).json().submissions[0];
      if (sub.status === 'in_review' || sub.status === 'rejected') break;
    }
    expect(sub.status).toBe('in_review');
    const keys = await ctx.runtime.services.storage.list(`submissions/${sub.id}`);
    expect(keys).toEqual(
      expect.arrayContaining([`submissions/${sub.id}/original`, `submissions/${sub.id}/hls/master.m3u8`, `submissions/${sub.id}/poster.jpg`]),
    );
    const master = await ctx.app.inject({ method: 'GET', url: sub.playbackUrl, headers: { cookie: u.cookie } });
    expect(master.body).toContain('#EXT-X-STREAM-INF');
    const poster = await ctx.app.inject({ method: 'GET', url: sub.posterUrl, headers: { cookie: u.cookie, range: 'bytes=0-1' } });
    expect(poster.statusCode).toBe(206);
    expect(poster.rawPayload.toString('hex')).toBe('ffd8');

    const res = await ctx.app.inject({ method: 'POST', url: `/api/me/submissions/${sub.id}/withdraw`, headers: { cookie: u.cookie } });
    expect(res.json().submission.status).toBe('withdrawn');
    expect(await ctx.runtime.services.storage.list(`submissions/${sub.id}`)).toEqual([]);
  });
});
