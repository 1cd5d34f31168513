import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { FFMPEG_BIN, FfmpegError, runProcess } from './ffmpeg.runner.js';
import { fixtures } from './media.fixtures.js';
import { probeMedia, type ProbeFacts } from './probe.js';
import { buildHlsArgs, canRemux, extractPoster, makeSprite, planRenditions, transcodeToHls } from './transcode.js';

const used = ['h264-aac-portrait.mp4', 'hevc-rotated.mov', 'vfr-portrait.mp4', 'vp9.webm', 'silent.mp4'] as const;
let f: Record<(typeof used)[number], string>;
let work: string;

beforeAll(async () => {
  f = await fixtures([...used]);
  work = await mkdtemp(join(tmpdir(), 'paike-transcode-'));
}, 180_000);

/** Probe a rendition the way a player sees it: init segment + first media segment. */
async function probeRendition(dir: string): Promise<ProbeFacts> {
  const init = (await readdir(dir)).find((n) => n.startsWith('init'))!;
  const joined = join(dir, 'probe.mp4');
  await writeFile(joined, Buffer.concat([await readFile(join(dir, init)), await readFile(join(dir, 'seg_000.m4s'))]));
  return probeMedia(joined);
}

async function meanLuma(jpeg: string): Promise<number> {
  const r = await runProcess(FFMPEG_BIN, ['-v', 'error', '-i', jpeg, '-vf', 'scale=1:1:flags=area,format=gray', '-f', 'rawvideo', 'pipe:1'], {
    collectStdout: true,
  });
  return r.stdout[0]!;
}

describe('planRenditions', () => {
  const facts = (w: number, h: number, extra: Partial<NonNullable<ProbeFacts['video']>> = {}): ProbeFacts => ({
    formatName: 'mov',
    demuxer: 'mov',
    durationSeconds: 90,
    sizeBytes: 1,
    bitRate: 8e6,
    audio: { codec: 'aac', channels: 2, sampleRate: 48000, bitRate: 128000 },
    video: {
      codec: 'hevc',
      profile: 'Main',
      pixFmt: 'yuv420p',
      codedWidth: w,
      codedHeight: h,
      rotation: 0,
      displayWidth: w,
      displayHeight: h,
      frameRate: 30,
      isVfr: false,
      bitRate: 8e6,
      frames: 2700,
      ...extra,
    },
  });
  it('ladders by the short side, portrait stays portrait, never upscales', () => {
    expect(planRenditions(facts(1080, 1920)).map((r) => `${r.width}x${r.height}`)).toEqual(['1080x1920', '720x1280', '480x854', '360x640', '240x426']);
    expect(planRenditions(facts(1280, 720)).map((r) => r.name)).toEqual(['720p', '480p', '360p', '240p']);
    // The start rung fits a 400 kbps link with its audio; sources too small for a ladder get none.
    const start = planRenditions(facts(1280, 720)).at(-1)!;
    expect(start.videoKbps + start.audioKbps).toBeLessThan(300);
    expect(planRenditions(facts(300, 540)).map((r) => `${r.width}x${r.height}`)).toEqual(['300x540']);
    for (const r of planRenditions(facts(1000, 1778))) expect((r.width % 2) + (r.height % 2)).toBe(0);
  });
  it('remuxes only H.264/AAC, unrotated, constant-rate sources', () => {
    expect(canRemux(facts(1080, 1920, { codec: 'h264', profile: 'High' }))).toBe(true);
    expect(canRemux(facts(1080, 1920))).toBe(false);
    expect(canRemux(facts(1080, 1920, { codec: 'h264', profile: 'High', isVfr: true }))).toBe(false);
    expect(canRemux(facts(1080, 1920, { codec: 'h264', profile: 'High', rotation: 90 }))).toBe(false);
    expect(canRemux(facts(1080, 1920, { codec: 'h264', profile: 'High 10', pixFmt: 'yuv420p10le' }))).toBe(false);
  });
});

describe('transcodeToHls', () => {
  it('fast path: remuxes the top rendition and encodes the rest in one process, with progress', async () => {
    const input = f['h264-aac-portrait.mp4'];
    const facts = await probeMedia(input);
    const outDir = join(work, 'fast');
    const seen: number[] = [];
    const r = await transcodeToHls({ input, facts, outDir, onProgress: (p) => seen.push(p) });
    expect(r.renditions.map((x) => [x.name, x.copy])).toEqual([
      ['src', true],
      ['360p', false],
      ['240p', false],
    ]);
    expect(r.args.join(' ')).toContain('-c:v:0 copy');
    expect(r.args).toContain('-protocol_whitelist');
    expect(r.args[r.args.indexOf('-f') + 1]).toBe('mov');
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const master = await readFile(join(outDir, 'master.m3u8'), 'utf8');
    expect(master).toContain('src/index.m3u8');
    expect(master).toContain('RESOLUTION=360x640');
    // Lowest rung listed first: Safari's native HLS starts on the first variant.
    expect(master.indexOf('240p/index.m3u8')).toBeLessThan(master.indexOf('360p/index.m3u8'));
    expect(master.indexOf('360p/index.m3u8')).toBeLessThan(master.indexOf('src/index.m3u8'));
    const top = await probeRendition(join(outDir, 'src'));
    // Copy identity: same codec, size and profile as the source (our encodes are High).
    expect(top.video).toMatchObject({ codec: 'h264', displayWidth: 480, displayHeight: 854, profile: facts.video?.profile });
    expect(top.audio?.codec).toBe('aac');
    const low = await probeRendition(join(outDir, '360p'));
    expect(low.video).toMatchObject({ displayWidth: 360, displayHeight: 640, profile: 'High' });
  });

  it('rotated HEVC comes out portrait H.264', async () => {
    const input = f['hevc-rotated.mov'];
    const facts = await probeMedia(input);
    const r = await transcodeToHls({ input, facts, outDir: join(work, 'hevc') });
    expect(r.renditions.every((x) => !x.copy)).toBe(true);
    const out = await probeRendition(join(work, 'hevc', r.renditions[0]!.name));
    expect(out.video).toMatchObject({ codec: 'h264', displayWidth: 320, displayHeight: 568, rotation: 0 });
  });

  it('VFR input becomes constant frame rate; silent video gets an audio track', async () => {
    const vfr = await probeMedia(f['vfr-portrait.mp4']);
    const r1 = await transcodeToHls({ input: f['vfr-portrait.mp4'], facts: vfr, outDir: join(work, 'vfr') });
    const o1 = await probeRendition(join(work, 'vfr', r1.renditions[0]!.name));
    expect(o1.video?.isVfr).toBe(false);
    expect(o1.video?.frameRate).toBeCloseTo(r1.fps, 0);
    const silent = await probeMedia(f['silent.mp4']);
    const r2 = await transcodeToHls({ input: f['silent.mp4'], facts: silent, outDir: join(work, 'silent') });
    const o2 = await probeRendition(join(work, 'silent', r2.renditions[0]!.name));
    expect(o2.audio).toMatchObject({ codec: 'aac', channels: 2 });
  });

  it('VP9 webm goes through the matroska demuxer', async () => {
    const facts = await probeMedia(f['vp9.webm']);
    const plan = buildHlsArgs({ input: f['vp9.webm'], facts, outDir: join(work, 'vp9') });
    expect(plan.args[plan.args.indexOf('-f') + 1]).toBe('matroska');
  });

  it('kills a transcode that outlives its timeout', async () => {
    const facts = await probeMedia(f['h264-aac-portrait.mp4']);
    const err = await transcodeToHls({ input: f['h264-aac-portrait.mp4'], facts, outDir: join(work, 'timeout'), timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).timedOut).toBe(true);
  });
});

describe('poster and sprite', () => {
  it('poster skips the black opening and is portrait', async () => {
    const input = f['h264-aac-portrait.mp4'];
    const facts = await probeMedia(input);
    const p = await extractPoster({ input, facts, outPath: join(work, 'poster.jpg') });
    expect(p.fallback).toBe(false);
    expect(await meanLuma(p.path)).toBeGreaterThan(40);
    const pf = await runProcess(FFMPEG_BIN, ['-v', 'error', '-i', p.path, '-f', 'null', '-'], {});
    expect(pf).toBeTruthy();
    expect(p.height).toBeGreaterThan(p.width);
  });

  it('sprite grid and WebVTT map every interval', async () => {
    const input = f['hevc-rotated.mov'];
    const facts = await probeMedia(input);
    const s = await makeSprite({ input, facts, outDir: join(work, 'sprite') });
    expect((await stat(s.spritePath)).size).toBeGreaterThan(1000);
    expect(s.tileHeight).toBeGreaterThan(s.tileWidth);
    const vtt = await readFile(s.vttPath, 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt.match(/sprite\.jpg#xywh=\d+,\d+,160,\d+/g)).toHaveLength(s.tiles);
    expect(vtt).toContain('00:00:00.000 --> 00:00:02.000');
  });
});
