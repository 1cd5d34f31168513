import { mkdtemp, readdir, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildComposeArgs, ComposeRejectedError, composeClips, filterValue, findCjkFont, normalizeCaption, validateCuts, type ComposeClip } from './compose.js';
import { FFMPEG_BIN, FfmpegError, runProcess } from './ffmpeg.runner.js';
import { fixtures } from './media.fixtures.js';
import { probeMedia, type ProbeFacts } from './probe.js';

const used = ['cmp-portrait.mp4', 'cmp-landscape.mp4', 'cmp-rotated.mov', 'cmp-silent.mp4'] as const;
type Name = (typeof used)[number];
let src: Record<Name, { path: string; facts: ProbeFacts }>;
let work: string;
let font: string;

const HOSTILE = "a:b 'q' \\ %{pts} %{n} ;[0:v] 中文字幕\nnext";

beforeAll(async () => {
  const paths = await fixtures([...used]);
  src = {} as typeof src;
  for (const n of used) src[n] = { path: paths[n], facts: await probeMedia(paths[n]) };
  work = await mkdtemp(join(tmpdir(), 'paike-compose-'));
  const f = await findCjkFont();
  if (!f) throw new Error('no CJK font installed (fonts-noto-cjk)');
  font = f;
}, 60_000);

const clip = (n: Name, startSeconds: number, endSeconds: number): ComposeClip => ({ ...src[n], startSeconds, endSeconds });

/** Grey bytes of a horizontal band of the frame at `t` (fractions of the height). */
async function band(path: string, t: number, top: number, height: number): Promise<Buffer> {
  const r = await runProcess(
    FFMPEG_BIN,
    [
      '-v',
      'error',
      '-ss',
      String(t),
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      `crop=iw:trunc(ih*${height}):0:trunc(ih*${top}),format=gray`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { collectStdout: true },
  );
  expect(r.stdout.length).toBeGreaterThan(0);
  return r.stdout;
}
const mean = (b: Buffer) => b.reduce((s, x) => s + x, 0) / b.length;

const facts = (durationSeconds: number): ProbeFacts => ({
  formatName: 'mov',
  demuxer: 'mov',
  durationSeconds,
  sizeBytes: 1,
  bitRate: null,
  audio: null,
  video: {
    codec: 'h264',
    profile: 'High',
    pixFmt: 'yuv420p',
    codedWidth: 1080,
    codedHeight: 1920,
    rotation: 0,
    displayWidth: 1080,
    displayHeight: 1920,
    frameRate: 30,
    isVfr: false,
    bitRate: null,
    frames: null,
  },
});

describe('validateCuts', () => {
  const c = (s: number, e: number, d = 10) => ({ facts: facts(d), startSeconds: s, endSeconds: e });
  it('accepts 1–5 in-range cuts of at least 1 s, with a small end tolerance', () => {
    expect(validateCuts([c(0, 10)])).toEqual({ ok: true });
    expect(validateCuts([c(0, 10.04), c(2, 3), c(0, 1), c(5, 9), c(8.5, 9.5)])).toEqual({ ok: true });
  });
  it('refuses no clips, more than five, and out-of-range or too-short cuts', () => {
    expect(validateCuts([])).toMatchObject({ ok: false, code: 'edit.no_clips' });
    expect(validateCuts(Array.from({ length: 6 }, () => c(0, 5)))).toMatchObject({ ok: false, code: 'edit.too_many_clips', params: { count: 6, max: 5 } });
    const bad: [number, number][] = [
      [-0.1, 5],
      [3, 3],
      [4, 3],
      [0, 10.1],
      [Number.NaN, 5],
      [0, Number.POSITIVE_INFINITY],
    ];
    for (const [s, e] of bad)
      expect(validateCuts([c(0, 5), c(s, e)])).toMatchObject({ ok: false, code: 'edit.cut_out_of_range', params: { clip: 2, reason: 'out_of_range' } });
    expect(validateCuts([c(2, 2.9)])).toMatchObject({ ok: false, code: 'edit.cut_out_of_range', params: { clip: 1, reason: 'too_short', min: 1 } });
  });
});

describe('caption plumbing', () => {
  it('keeps user text out of the argument array and escapes server paths for the filtergraph', () => {
    const plan = buildComposeArgs({
      clips: [{ path: '/x/a.mp4', facts: facts(10), startSeconds: 1, endSeconds: 4 }],
      outPath: '/x/out.mp4',
      captionFile: { path: '/tmp/c/caption.txt', text: HOSTILE, fontFile: '/f/a.ttc' },
    });
    const joined = plan.args.join(' ');
    expect(joined).not.toContain('%{pts}');
    expect(joined).not.toContain('中文');
    expect(joined).toContain('textfile=/tmp/c/caption.txt:fontfile=/f/a.ttc:expansion=none');
    expect(plan.args.slice(plan.args.indexOf('-protocol_whitelist'), plan.args.indexOf('-i') + 2)).toEqual([
      '-protocol_whitelist',
      'file',
      '-f',
      'mov',
      '-threads',
      '2',
      '-enable_drefs',
      '0',
      '-ss',
      '1.000',
      '-to',
      '4.000',
      '-i',
      '/x/a.mp4',
    ]);
    expect({ w: plan.width, h: plan.height, d: plan.durationSeconds }).toEqual({ w: 1080, h: 1920, d: 3 });
    expect(filterValue("/a:b,c'd[e];f\\g")).toBe("/a\\\\:b\\,c\\\\\\'d\\[e\\]\\;f\\\\\\\\g");
    expect(normalizeCaption(' a\n\tb\u202e c\u0000 ')).toBe('a b c');
  });
});

describe('composeClips', () => {
  it('joins portrait + landscape + silent clips with accurate cuts on a portrait canvas, with progress', async () => {
    const outPath = join(work, 'join.mp4');
    const seen: number[] = [];
    const clips = [clip('cmp-portrait.mp4', 0.5, 3.0), clip('cmp-landscape.mp4', 1.0, 3.0), clip('cmp-silent.mp4', 0, 1.5)];
    const r = await composeClips({ clips, outPath, onProgress: (p) => seen.push(p) });
    expect(r).toMatchObject({ path: outPath, width: 320, height: 568 });
    const out = await probeMedia(outPath);
    expect(out.video).toMatchObject({ codec: 'h264', profile: 'High', pixFmt: 'yuv420p', displayWidth: 320, displayHeight: 568, rotation: 0 });
    expect(out.video!.frameRate).toBeCloseTo(30, 0);
    expect(out.audio).toMatchObject({ codec: 'aac', channels: 2, sampleRate: 48000 });
    expect(Math.abs(out.durationSeconds - 6.0)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(r.durationSeconds - 6.0)).toBeLessThanOrEqual(0.2);
    // Landscape part (2.5–4.5 s) is letterboxed: black bars above and below a light picture.
    expect(mean(await band(outPath, 3.5, 0, 0.2))).toBeLessThan(30);
    expect(mean(await band(outPath, 3.5, 0.45, 0.1))).toBeGreaterThan(150);
    expect(seen.at(-1)).toBe(100);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });

  it('turns a rotated HEVC .mov upright (coded left edge at the bottom) on the canvas', async () => {
    expect(src['cmp-rotated.mov'].facts.video).toMatchObject({ rotation: 270, codedWidth: 568, displayWidth: 320, displayHeight: 568 });
    const outPath = join(work, 'rotated.mp4');
    await composeClips({ clips: [clip('cmp-portrait.mp4', 0, 1), clip('cmp-rotated.mov', 0.5, 3.5)], outPath });
    // Upright (270° clockwise): the coded white left half becomes the bottom. Unrotated
    // would be a letterboxed band (black top and bottom); a 90° turn would put white on top.
    expect(mean(await band(outPath, 2.5, 0.05, 0.3))).toBeLessThan(40);
    expect(mean(await band(outPath, 2.5, 0.65, 0.3))).toBeGreaterThan(200);
    expect(Math.abs((await probeMedia(outPath)).durationSeconds - 4)).toBeLessThanOrEqual(0.2);
  });

  it('burns in a hostile caption literally (no expansion, no injection) in the bottom band', async () => {
    const plain = join(work, 'plain.mp4');
    const captioned = join(work, 'captioned.mp4');
    const clips = [clip('cmp-rotated.mov', 0, 3)];
    await composeClips({ clips, outPath: plain });
    await composeClips({ clips, outPath: captioned, caption: HOSTILE });
    const before = mean(await band(plain, 1, 0.8, 0.2));
    const after = mean(await band(captioned, 1, 0.8, 0.2));
    // White picture there: the half-transparent black box darkens the band.
    expect(before).toBeGreaterThan(200);
    expect(before - after).toBeGreaterThan(10);
    // The background is static: with %{pts}/%{n} expanded the caption would change from
    // frame to frame; literal text keeps the band identical (up to coding noise).
    const a = await band(captioned, 0.3, 0.8, 0.2);
    const b = await band(captioned, 2.5, 0.8, 0.2);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 40) differing++;
    expect(differing / a.length).toBeLessThan(0.002);
    // The top of the picture is untouched by the caption.
    expect(Math.abs(mean(await band(plain, 1, 0, 0.5)) - mean(await band(captioned, 1, 0, 0.5)))).toBeLessThan(1);
  });

  it('accepts a server font path with filtergraph metacharacters', async () => {
    const odd = join(work, "fo:nt,'[x];.ttc");
    await symlink(font, odd);
    const outPath = join(work, 'odd-font.mp4');
    await composeClips({ clips: [clip('cmp-silent.mp4', 0, 1)], outPath, caption: '测试', fontFile: odd });
    expect((await probeMedia(outPath)).audio).not.toBeNull();
  });

  it('refuses bad cuts and over-long captions before running ffmpeg', async () => {
    const outPath = join(work, 'refused.mp4');
    await expect(composeClips({ clips: [clip('cmp-silent.mp4', 0, 9)], outPath })).rejects.toMatchObject({ code: 'edit.cut_out_of_range' });
    await expect(composeClips({ clips: [clip('cmp-silent.mp4', 0, 2)], outPath, caption: '字'.repeat(41) })).rejects.toBeInstanceOf(ComposeRejectedError);
    await expect(stat(outPath)).rejects.toThrow();
  });

  it('kills ffmpeg on timeout and leaves no output behind', async () => {
    const dir = await mkdtemp(join(work, 'timeout-'));
    const outPath = join(dir, 'out.mp4');
    const clips = [clip('cmp-portrait.mp4', 0, 6), clip('cmp-rotated.mov', 0, 4), clip('cmp-landscape.mp4', 0, 6)];
    const err = await composeClips({ clips, outPath, caption: '超时', timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).timedOut).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });
});
