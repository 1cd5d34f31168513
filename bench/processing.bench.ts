/**
 * Processing bench: our transcodeToHls against the bare ffmpeg command line it runs, and the
 * remux fast path against a full re-encode, on a 3-minute 1080p H.264/AAC phone-like video.
 *   npx tsx bench/processing.bench.ts
 * The source is cached in os.tmpdir(); the first run spends ~1–2 min generating it.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG_BIN, runProcess } from '../src/server/modules/media/ffmpeg.runner.js';
import { checkDecodes, probeMedia } from '../src/server/modules/media/probe.js';
import { buildHlsArgs, transcodeToHls } from '../src/server/modules/media/transcode.js';

const dir = join(tmpdir(), 'paike-bench-processing');
const source = join(dir, 'phone-1080p-180s.mp4');
const threads = 2;

async function ensureSource(): Promise<void> {
  try {
    await stat(source);
    return;
  } catch {
    // generate below
  }
  await mkdir(dir, { recursive: true });
  const t = Date.now();
  const tmp = `${source}.tmp.mp4`;
  await runProcess(
    FFMPEG_BIN,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1080x1920:r=30:d=180',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=330:sample_rate=48000:duration=180',
      // High profile, 1 s GOP and ~8 Mb/s like a phone camera; superfast keeps setup short.
      '-c:v',
      'libx264',
      '-preset',
      'superfast',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      '8M',
      '-g',
      '30',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-movflags',
      '+faststart',
      tmp,
    ],
    { timeoutMs: 30 * 60_000 },
  );
  await runProcess('/bin/mv', [tmp, source]);
  console.log(`generated ${source} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

function bare(args: string[]): Promise<number> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const c = spawn(FFMPEG_BIN, ['-nostats', ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(Date.now() - t) : reject(new Error(`bare ffmpeg exited ${code}`))));
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

await ensureSource();
const facts = await probeMedia(source);
console.log(
  `source: ${facts.video?.codec} ${facts.video?.profile} ${facts.video?.displayWidth}x${facts.video?.displayHeight} ${facts.durationSeconds.toFixed(1)} s, ${(facts.sizeBytes / 1e6).toFixed(0)} MB`,
);

const out = (n: string) => join(dir, `out-${n}`);
const fresh = async (d: string) => {
  await rm(d, { recursive: true, force: true });
};

// 1. ours vs bare, fast path (the production default for this source)
await fresh(out('ours'));
let last = 0;
const ours = await transcodeToHls({ input: source, facts, outDir: out('ours'), threads, onProgress: (p) => (last = p) });
console.log(`renditions: ${ours.renditions.map((r) => `${r.name}${r.copy ? '(copy)' : ''}`).join(' ')}; progress reached ${last}`);
await fresh(out('bare'));
const plan = buildHlsArgs({ input: source, facts, outDir: out('bare'), threads });
await Promise.all(plan.renditions.map((r) => mkdir(join(out('bare'), r.name), { recursive: true })));
const bareMs = await bare(plan.args);
console.log(
  `transcodeToHls (fast path): ${s(ours.wallMs)} | bare ffmpeg, same args: ${s(bareMs)} | ratio ${(ours.wallMs / bareMs).toFixed(3)} (overhead ${(((ours.wallMs - bareMs) / bareMs) * 100).toFixed(1)} %)`,
);

// 2. remux fast path vs full re-encode of the whole ladder
await fresh(out('full'));
const full = await transcodeToHls({ input: source, facts, outDir: out('full'), threads, disableRemux: true });
console.log(
  `full re-encode (${full.renditions.map((r) => r.name).join(' ')}): ${s(full.wallMs)} | fast path: ${s(ours.wallMs)} | fast/full ${(ours.wallMs / full.wallMs).toFixed(3)}`,
);

// 3. decode checks
const dec = await checkDecodes(source, facts, { threads });
console.log(
  `checkDecodes: first frames ${dec.firstFramesMs} ms, full-file decode ${s(dec.fullDecodeMs ?? 0)} (${(((dec.fullDecodeMs ?? 0) / 1000 / facts.durationSeconds) * 100).toFixed(1)} % of real time)`,
);
for (const n of ['ours', 'bare', 'full']) await fresh(out(n));
