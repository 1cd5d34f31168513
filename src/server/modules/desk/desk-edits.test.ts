import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { runFfmpeg } from '../media/ffmpeg.runner.js';
import { fixture } from '../media/media.fixtures.js';
import { probeMedia } from '../media/probe.js';

let ctx: TestContext;
let editor: { cookie: string };
let campaignId: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'paike-desk-edit-'));

beforeAll(async () => {
  ctx = await createTestContext({ jobs: 'work' });
  const admin = await staff(ctx, ['admin']);
  editor = await staff(ctx, ['chief_editor']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(new Date()), slug: 'desk-edit' },
  });
  campaignId = res.json().campaign.id;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function adopted() {
  const u = await signUp(ctx.app, { campaignId });
  const file = await fixture('h264-aac-portrait.mp4');
  const facts = await probeMedia(file);
  const { submissionsRepo, storage } = ctx.runtime.services;
  const row = await submissionsRepo.create({
    userId: u.user.id,
    campaignId,
    theme: 'food',
    title: 't',
    consentAt: new Date(),
    status: 'adopted',
    progress: 100,
    uploadLength: facts.sizeBytes,
    originalFilename: 'a.mp4',
    durationSeconds: facts.durationSeconds,
    probe: facts as unknown as Record<string, unknown>,
    processedAt: new Date(),
  });
  await storage.putFile(`submissions/${row.id}/original`, file);
  await submissionsRepo.update(row.id, { outputs: { original: `submissions/${row.id}/original` } });
  return row.id;
}

async function waitReady(id: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const edits = (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${id}/edits`, headers: { cookie: editor.cookie } })).json().edits;
    if (edits[0] && ['ready', 'failed'].includes(edits[0].status)) return edits[0];
    if (Date.now() > deadline) throw new Error('edit not ready');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Mean luma of the bottom fifth of the frame at `t` seconds. */
async function bottomLuma(file: string, t: number): Promise<number> {
  const r = await runFfmpeg(
    [
      '-v',
      'error',
      '-ss',
      String(t),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      'crop=iw:ih/5:0:ih*4/5,signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-',
      '-f',
      'null',
      '-',
    ],
    { collectStdout: true, timeoutMs: 30_000 },
  );
  return Number(/YAVG=([\d.]+)/.exec(r.stdout.toString())?.[1] ?? NaN);
}

describe('the desk’s secondary production', { timeout: 200_000 }, () => {
  it('trims and burns subtitles in, or trims and serves them as WebVTT', async () => {
    const id = await adopted();
    const subtitles = [{ startSeconds: 1, endSeconds: 4, text: '成都的早晨 <b>&' }];
    const burn = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/submissions/${id}/edits`,
      headers: { cookie: editor.cookie },
      payload: { startSeconds: 10, endSeconds: 20, subtitles, mode: 'burn' },
    });
    expect(burn.statusCode).toBe(202);
    const burned = await waitReady(id);
    expect(burned.status).toBe('ready');
    const vttRes = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/submissions/${id}/edits`,
      headers: { cookie: editor.cookie },
      payload: { startSeconds: 10, endSeconds: 20, subtitles, mode: 'vtt' },
    });
    expect(vttRes.statusCode).toBe(202);
    const plain = await waitReady(id);
    expect(plain.status).toBe('ready');

    const vtt = await ctx.app.inject({ method: 'GET', url: plain.subtitlesUrl, headers: { cookie: editor.cookie } });
    expect(vtt.body).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n成都的早晨 &lt;b&gt;&amp;\n');
    expect((await ctx.app.inject({ method: 'GET', url: plain.playbackUrl, headers: { cookie: editor.cookie } })).body).toContain('#EXT-X-STREAM-INF');

    const save = async (u: string, name: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: u, headers: { cookie: editor.cookie } });
      const file = path.join(scratch, name);
      writeFileSync(file, res.rawPayload);
      return file;
    };
    const burnedMp4 = await save(burned.mp4Url, 'burned.mp4');
    const plainMp4 = await save(plain.mp4Url, 'plain.mp4');
    const facts = await probeMedia(burnedMp4);
    expect(facts.durationSeconds).toBeGreaterThan(9.7);
    expect(facts.durationSeconds).toBeLessThan(10.4);
    // The subtitle's dark box shows in the burned version while it is due, and not after.
    const during = [await bottomLuma(burnedMp4, 2), await bottomLuma(plainMp4, 2)];
    const after = [await bottomLuma(burnedMp4, 6), await bottomLuma(plainMp4, 6)];
    expect(Math.abs(during[0]! - during[1]!)).toBeGreaterThan(2);
    expect(Math.abs(after[0]! - after[1]!)).toBeLessThan(1);
  });

  it('refuses a cut beyond the video, edits of videos not adopted, and contributors', async () => {
    const id = await adopted();
    const beyond = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/submissions/${id}/edits`,
      headers: { cookie: editor.cookie },
      payload: { startSeconds: 0, endSeconds: 500 },
    });
    expect(beyond.json().error.code).toBe('edit.cut_out_of_range');
    const badSub = await ctx.app.inject({
      method: 'POST',
      url: `/api/desk/submissions/${id}/edits`,
      headers: { cookie: editor.cookie },
      payload: { startSeconds: 0, endSeconds: 5, subtitles: [{ startSeconds: 4, endSeconds: 9, text: 'x' }] },
    });
    expect(badSub.statusCode).toBe(400);
    const u = await signUp(ctx.app, { campaignId });
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/desk/submissions/${id}/edits`,
          headers: { cookie: u.cookie },
          payload: { startSeconds: 0, endSeconds: 5 },
        })
      ).statusCode,
    ).toBe(403);
  });
});
