import { expect } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Campaign } from '../src/contracts/campaigns.js';
import type { FeedItem, publicationsReply } from '../src/contracts/distribution.js';
import type { Submission } from '../src/contracts/submissions.js';
import type { z } from 'zod';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { apiSession, createStaff, signUpInto, submitVideo } from './flows.js';
import { phoneContext, uniqueSuffix, withScreenshots, type TestServer } from './harness.js';

const DEMO_TITLE = '全球寻找封面拍客';

/**
 * A video live on Paike's own site, made the way a real one is: a contributor uploads a phone-shaped
 * H.264 file from the submit page, the server processes it into its HLS ladder (540x960 source:
 * the remuxed source plus 480p, 360p and 240p rungs), an editor adopts and packages it, and the app
 * channel publishes it. The server must run with PUBLISH_HOLD_MINUTES=0.
 */
export async function publishVideo(opts: { server: TestServer; browser: Browser; dir: string; headline: string }): Promise<FeedItem> {
  const { server, browser, dir, headline } = opts;
  const list = (await (await fetch(`${server.url}/api/campaigns`)).json()) as { campaigns: Campaign[] };
  const campaign = list.campaigns.find((c) => c.title['zh-CN'] === DEMO_TITLE);
  expect(campaign).toBeDefined();
  const title = `回家的路 ${uniqueSuffix()}`;
  const context = await phoneContext(browser, 'zh-CN');
  const page = await context.newPage();
  try {
    await withScreenshots(context, 'video-upload', async () => {
      await signUpInto(page, server, campaign!, '林勇刚');
      await submitVideo(page, server, phoneVideo(dir), title);
    });
    const mine = (await (await page.request.get(`${server.url}/api/me/submissions`)).json()) as { submissions: Submission[] };
    const id = mine.submissions.find((s) => s.title === title)!.id;

    const editor = await createStaff(server, 'editor', 'Editor Zhang');
    const desk = await apiSession(server, editor.email, editor.password);
    const adopted = await desk(`/api/desk/submissions/${id}/adopt`, { method: 'POST', body: { grade: 'B' } });
    expect(adopted.status, JSON.stringify(adopted.data)).toBe(200);
    const pkg = await desk(`/api/desk/submissions/${id}/packages/app`, {
      method: 'PUT',
      body: { headline, summary: '从码头到家的一路街景。', tags: ['回家的路'], credit: '拍客 林勇刚' },
    });
    expect(pkg.status, JSON.stringify(pkg.data)).toBe(200);
    await expect
      .poll(
        async () => {
          const r = await desk<z.infer<typeof publicationsReply>>(`/api/desk/submissions/${id}/publications`);
          return r.data.channels?.find((c) => c.channel === 'app')?.publication?.status;
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe('live');
    const res = await fetch(`${server.url}/api/videos/${id}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { video: FeedItem }).video;
  } finally {
    await context.close();
  }
}

/**
 * 61 s of portrait H.264/AAC at 540x960 with a keyframe every 2 s, as phones write them. The
 * keyframe interval matters here: the remuxed top rung keeps the source's keyframes and the
 * encoded rungs cut on them too, so a 16 s GOP (x264's default at 15 fps) would make every
 * segment 16 s long and the first frame wait for a 16 s segment.
 */
function phoneVideo(dir: string): string {
  const out = join(dir, 'pier.mp4');
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=540x960:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440'],
      ...['-t', '61', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-shortest', '-movflags', '+faststart', out],
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed (${r.status}): ${r.stderr}`);
  return out;
}

/** The variant URIs of a master playlist in the order listed, with their BANDWIDTH. */
export function variants(master: string): { uri: string; bandwidth: number }[] {
  const lines = master.split(/\r?\n/);
  const out: { uri: string; bandwidth: number }[] = [];
  lines.forEach((line, i) => {
    const m = /^#EXT-X-STREAM-INF:(?:.*,)?BANDWIDTH=(\d+)/.exec(line);
    if (m && lines[i + 1]) out.push({ uri: lines[i + 1]!.trim(), bandwidth: Number(m[1]) });
  });
  return out;
}
