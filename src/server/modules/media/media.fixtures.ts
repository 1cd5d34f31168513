import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG_BIN, runProcess } from './ffmpeg.runner.js';

/**
 * Real test videos made by ffmpeg's lavfi sources, in the shapes phones produce and the
 * shapes attackers send. Cached in os.tmpdir() by name (the name encodes the recipe), so
 * several test files and repeated runs share them. Kept tiny so the suite stays fast.
 */

export const FIXTURE_DIR = join(tmpdir(), 'paike-media-fixtures-v2');

type Recipe = (out: string) => Promise<void>;

const ff = async (args: string[]): Promise<void> => {
  await runProcess(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { timeoutMs: 120_000 });
};
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '64k'];
const tone = (d: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${d}`];

export const FIXTURE_NAMES = [
  'h264-aac-portrait.mp4',
  'hevc-rotated.mov',
  'vfr-portrait.mp4',
  'vp9.webm',
  'recorder-live.webm',
  'silent.mp4',
  'empty.mp4',
  'text.mp4',
  'truncated.mp4',
  'audio-only.m4a',
  'short-10s.mp4',
  'long-181s.mp4',
  '8k.mp4',
  'corrupt-middle.mp4',
  'fp-a.mp4',
  'fp-other.mp4',
  'fp-life.mp4',
  'fp-a-reencoded.webm',
  'fp-a-resized.mp4',
  'fp-a-trimmed.mp4',
  'cmp-portrait.mp4',
  'cmp-landscape.mp4',
  'cmp-rotated.mov',
  'cmp-silent.mp4',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

// prettier-ignore
const recipes: Record<FixtureName, Recipe> = {
  /** Android-like H.264 High/AAC, portrait 480x854, CFR, 3 s of black first: fast path + poster. */
  'h264-aac-portrait.mp4': (out) =>
    ff([
      '-f', 'lavfi', '-i', 'color=black:s=480x854:r=10:d=3',
      '-f', 'lavfi', '-i', 'testsrc2=s=480x854:r=10:d=61',
      ...tone(64),
      '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]',
      '-map', '[v]', '-map', '2:a', ...x264, '-profile:v', 'high', '-g', '20', ...aac, '-movflags', '+faststart', out,
    ]),
  /** iPhone-like HEVC .mov: coded landscape 568x320 with rotate 90 (displayed portrait). */
  'hevc-rotated.mov': async (out) => {
    const tmp = `${out}.enc.mov`;
    await ff([
      '-f', 'lavfi', '-i', 'testsrc2=s=568x320:r=10:d=64', ...tone(64),
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:pools=2', '-tag:v', 'hvc1', ...aac, tmp,
    ]);
    // ffmpeg 5.1 writes the display matrix from the rotate tag only when stream-copying.
    await ff(['-i', tmp, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out]);
    await rm(tmp, { force: true });
  },
  /** Android-like variable frame rate portrait H.264 (frames dropped irregularly). */
  'vfr-portrait.mp4': (out) =>
    ff([
      '-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=20:d=64', ...tone(64),
      '-vf', "select='lt(mod(n\\,10)\\,6)+eq(mod(n\\,7)\\,0)'", '-fps_mode', 'vfr', ...x264, ...aac, out,
    ]),
  'vp9.webm': (out) =>
    ff([
      '-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=10:d=64', ...tone(64),
      '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus', out,
    ]),
  /** What a browser's MediaRecorder writes (a phone's call recording): VP8/Opus streamed, so the
   *  container says no duration at all. */
  'recorder-live.webm': (out) =>
    ff([
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=15:d=5', ...tone(5),
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus', '-live', '1', out,
    ]),
  'silent.mp4': (out) => ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=10:d=64', ...x264, out]),
  // --- hostile shapes ---
  'empty.mp4': (out) => writeFile(out, ''),
  'text.mp4': (out) => writeFile(out, 'Dear editor,\nthis is not a video, just a letter renamed to .mp4.\n'.repeat(20)),
  'truncated.mp4': async (out) => {
    // Without +faststart the moov atom is written last; cutting the file loses it.
    const full = `${out}.full.mp4`;
    await ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=10:d=64', ...x264, full]);
    const { size } = await stat(full);
    const fh = await open(full, 'r+');
    await fh.truncate(Math.floor(size / 2));
    await fh.close();
    await rename(full, out);
  },
  'audio-only.m4a': (out) => ff([...tone(64), ...aac, out]),
  'short-10s.mp4': (out) => ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=10:d=10', ...tone(10), ...x264, ...aac, out]),
  'long-181s.mp4': (out) => ff(['-f', 'lavfi', '-i', 'testsrc2=s=240x256:r=2:d=181', ...x264, out]),
  '8k.mp4': (out) => ff(['-f', 'lavfi', '-i', 'color=gray:s=7680x4320:r=1:d=2', ...x264, out]),
  'corrupt-middle.mp4': async (out) => {
    const full = `${out}.full.mp4`;
    // Long GOP so the damage propagates through P-frames the decoder must report.
    await ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=10:d=64', ...tone(64), ...x264, '-g', '100', ...aac, full]);
    const { size } = await stat(full);
    const fh = await open(full, 'r+');
    // Deterministic "random" bytes over 48 KiB in the middle of mdat.
    const junk = Buffer.alloc(48 * 1024);
    let x = 0x12345678;
    for (let i = 0; i < junk.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      junk[i] = x & 0xff;
    }
    await fh.write(junk, 0, junk.length, Math.floor(size / 2));
    await fh.close();
    await rename(full, out);
  },
  // --- fingerprint sources: content that changes over time, so alignment is observable ---
  'fp-a.mp4': (out) =>
    ff(['-f', 'lavfi', '-i', 'mandelbrot=s=320x568:r=10', ...tone(64), '-t', '64', ...x264, ...aac, out]),
  'fp-other.mp4': (out) =>
    ff(['-f', 'lavfi', '-i', 'gradients=s=320x568:r=10:seed=99:speed=0.02:d=64', ...x264, out]),
  'fp-life.mp4': (out) =>
    ff(['-f', 'lavfi', '-i', 'life=s=320x568:r=10:seed=7:mold=10:ratio=0.3', '-vf', 'format=yuv420p', '-t', '64', ...x264, out]),
  // Derived from fp-a: the duplicates an editor should be told about.
  'fp-a-reencoded.webm': async (out) =>
    ff(['-i', await fixture('fp-a.mp4'), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '120k', '-an', out]),
  'fp-a-resized.mp4': async (out) => ff(['-i', await fixture('fp-a.mp4'), '-vf', 'scale=180:320', ...x264, '-crf', '30', '-an', out]),
  'fp-a-trimmed.mp4': async (out) => ff(['-ss', '10.3', '-i', await fixture('fp-a.mp4'), '-t', '36', ...x264, '-an', out]),
  // --- compose (trim + join) sources: a few seconds each, so joining tests stay fast ---
  'cmp-portrait.mp4': (out) =>
    ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=30:d=6', ...tone(6), ...x264, '-profile:v', 'high', ...aac, out]),
  /** Landscape 16:9, uniformly light gray, so letterbox bars are measurable as black. */
  'cmp-landscape.mp4': (out) =>
    ff([
      '-f', 'lavfi', '-i', 'color=0xC0C0C0:s=640x360:r=25:d=6', '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=44100:duration=6',
      ...x264, '-c:a', 'aac', '-ac', '1', '-b:a', '64k', out,
    ]),
  /**
   * HEVC .mov, coded 568x320, left half white and right half black, tagged rotate=90. ffmpeg
   * 5.1 stores that as a display matrix of +90° counter-clockwise (probe: rotation 270
   * clockwise), so the upright display (320x568) is black on top, white below.
   */
  'cmp-rotated.mov': async (out) => {
    const tmp = `${out}.enc.mov`;
    await ff([
      '-f', 'lavfi', '-i', 'color=white:s=568x320:r=30:d=4,drawbox=x=284:y=0:w=284:h=320:color=black:t=fill', ...tone(4),
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:pools=2', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1', ...aac, tmp,
    ]);
    await ff(['-i', tmp, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out]);
    await rm(tmp, { force: true });
  },
  'cmp-silent.mp4': (out) => ff(['-f', 'lavfi', '-i', 'testsrc2=s=320x568:r=24:d=5', ...x264, out]),
};

const inflight = new Map<string, Promise<string>>();

/** Path of a fixture, generating it once (atomically, so parallel test files can race). */
export function fixture(name: FixtureName): Promise<string> {
  let p = inflight.get(name);
  if (!p) {
    p = make(name);
    inflight.set(name, p);
  }
  return p;
}

async function make(name: FixtureName): Promise<string> {
  await mkdir(FIXTURE_DIR, { recursive: true });
  const out = join(FIXTURE_DIR, name);
  try {
    await stat(out);
    return out;
  } catch {
    // not cached yet
  }
  const ext = name.slice(name.lastIndexOf('.'));
  const tmp = join(FIXTURE_DIR, `.${process.pid}.${Math.random().toString(36).slice(2)}${ext}`);
  await recipes[name](tmp);
  await rename(tmp, out);
  return out;
}

/** Generate several fixtures with bounded parallelism (2 cores). */
export async function fixtures<N extends FixtureName>(names: N[]): Promise<Record<N, string>> {
  const out = {} as Record<N, string>;
  const queue = [...names];
  const worker = async () => {
    for (let n = queue.shift(); n; n = queue.shift()) out[n] = await fixture(n);
  };
  await Promise.all([worker(), worker()]);
  return out;
}
