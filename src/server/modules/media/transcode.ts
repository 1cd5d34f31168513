import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseFfmpegArgs, runFfmpeg, safeInputArgs, type RunOptions } from './ffmpeg.runner.js';
import { lowestBandwidthFirst } from './master-playlist.js';
import type { ProbeFacts } from './probe.js';

/**
 * Processing outputs: an HLS ladder written by ONE ffmpeg process, a poster and a sprite.
 * Every function takes paths the server chose and the facts from probeMedia, whose demuxer
 * pins `-f` so the input is never re-guessed.
 */

export interface Rendition {
  /** Variant name, used as its directory: "1080p", "720p", … or "src" for the remux. */
  name: string;
  width: number;
  height: number;
  /** Stream copy of the source video (fast path); otherwise libx264. */
  copy: boolean;
  videoKbps: number;
  audioKbps: number;
}

const LADDER = [1080, 720, 480, 360] as const;
// Average bitrate per short side, for ≤30 fps H.264 "veryfast"; maxrate 1.5×, bufsize 2×.
const KBPS: Record<number, number> = { 1080: 5000, 720: 2800, 480: 1200, 360: 700, 240: 200 };
const SEGMENT_SECONDS = 4;
const MAX_FPS = 30;
const REMUX_PROFILES = new Set(['High', 'Main', 'Baseline', 'Constrained Baseline']);

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Width×height for a target short side, keeping the displayed aspect (portrait stays portrait). */
export function fitShortSide(displayWidth: number, displayHeight: number, shortSide: number): { width: number; height: number } {
  if (displayWidth <= displayHeight) return { width: even(shortSide), height: even((displayHeight * shortSide) / displayWidth) };
  return { width: even((displayWidth * shortSide) / displayHeight), height: even(shortSide) };
}

/**
 * Whether the source's video can be the top rendition as-is. Rotation must be 0: browsers'
 * MSE (hls.js) ignore the mp4 display matrix, so a rotated copy would play sideways. VFR
 * must be off because the output promise is constant frame rate.
 */
export function canRemux(facts: ProbeFacts): boolean {
  const v = facts.video;
  if (!v) return false;
  return (
    v.codec === 'h264' &&
    REMUX_PROFILES.has(v.profile ?? '') &&
    v.pixFmt === 'yuv420p' &&
    Math.min(v.displayWidth, v.displayHeight) <= 1080 &&
    Math.max(v.displayWidth, v.displayHeight) <= 1920 &&
    v.rotation === 0 &&
    !v.isVfr &&
    v.frameRate <= 60 &&
    facts.audio?.codec === 'aac'
  );
}

/** HLS ladder by the displayed short side; never upscaled; the remux (if any) on top; a 240p start rung below a ladder. */
export function planRenditions(facts: ProbeFacts, opts: { allowRemux?: boolean } = {}): Rendition[] {
  const v = facts.video;
  if (!v) throw new Error('planRenditions: no video stream');
  const short = Math.min(v.displayWidth, v.displayHeight);
  const out: Rendition[] = [];
  const remux = opts.allowRemux !== false && canRemux(facts);
  if (remux) {
    out.push({
      name: 'src',
      width: v.displayWidth,
      height: v.displayHeight,
      copy: true,
      videoKbps: Math.round((v.bitRate ?? facts.bitRate ?? 0) / 1000),
      audioKbps: 128,
    });
  }
  for (const side of LADDER) {
    if (side > short || (remux && side >= short)) continue;
    out.push({
      name: `${side}p`,
      ...fitShortSide(v.displayWidth, v.displayHeight, side),
      copy: false,
      videoKbps: KBPS[side]!,
      audioKbps: side >= 720 ? 128 : 96,
    });
  }
  if (short >= 360) {
    // The start rung for weak networks: ~270 kbps with audio, so a 4 s segment is ~130 KB and a
    // 400 kbps phone link (slow 3G) both shows the first frame in seconds and keeps up with
    // playback; 360p (~800 kbps) cannot do either there. Players start on it and climb.
    out.push({ name: '240p', ...fitShortSide(v.displayWidth, v.displayHeight, 240), copy: false, videoKbps: KBPS[240]!, audioKbps: 64 });
  }
  if (out.length === 0) {
    // Between the 240 px minimum and the smallest rung: one rendition at source size.
    const s = even(short);
    out.push({ name: `${s}p`, ...fitShortSide(v.displayWidth, v.displayHeight, s), copy: false, videoKbps: 500, audioKbps: 96 });
  }
  return out;
}

/** Output frame rate: the source's average, capped, so VFR input becomes CFR output. */
export function outputFps(facts: ProbeFacts): number {
  const r = facts.video?.frameRate ?? 0;
  if (!(r > 0)) return MAX_FPS;
  return Math.min(MAX_FPS, Math.max(10, Math.round(r)));
}

export interface HlsOptions {
  input: string;
  facts: ProbeFacts;
  outDir: string;
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  /** Forces full re-encode (the bench compares it with the remux). */
  disableRemux?: boolean;
  /** x264 preset for encoded rungs. Default veryfast. */
  preset?: string;
}

export interface HlsPlan {
  args: string[];
  renditions: Rendition[];
  fps: number;
  masterPath: string;
}

/** Pure: the exact argument array transcodeToHls runs (the bench runs it bare too). */
export function buildHlsArgs(opts: HlsOptions): HlsPlan {
  const { facts, outDir } = opts;
  const threads = opts.threads ?? 2;
  const all = planRenditions(facts, { allowRemux: !opts.disableRemux });
  const fps = outputFps(facts);
  const encoded = all.filter((r) => !r.copy);
  const copy = all.find((r) => r.copy);
  const n = all.length;

  const graph: string[] = [];
  if (encoded.length > 0) {
    // The copy rung keeps source timing; encoded rungs then key on source keyframes so all
    // variants cut segments at the same instants (clean ABR switches). Otherwise fps= makes
    // VFR constant and keyframes are forced on the segment grid.
    const pre = copy ? 'format=yuv420p' : `fps=${fps},format=yuv420p`;
    const labels = encoded.map((_, i) => `[vs${i}]`).join('');
    graph.push(encoded.length > 1 ? `[0:v:0]${pre},split=${encoded.length}${labels}` : `[0:v:0]${pre}${labels}`);
    encoded.forEach((r, i) => graph.push(`[vs${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[v${i}]`));
  }
  // Single-pass loudnorm (dynamic mode): one process, no measuring pass; for 1–3 min speech
  // clips the difference from linear two-pass is slight. loudnorm outputs 192 kHz, hence
  // the resample. A silent track is synthesised for video without audio, so every variant
  // has the same A/V shape (players, later clip joining and channel uploads expect audio).
  const aLabels = all.map((_, i) => `[a${i}]`).join('');
  const audioSrc = facts.audio
    ? '[0:a:0]loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000'
    : `anullsrc=r=48000:cl=stereo,atrim=duration=${facts.durationSeconds.toFixed(3)}`;
  graph.push(n > 1 ? `${audioSrc},asplit=${n}${aLabels}` : `${audioSrc}${aLabels}`);

  const args: string[] = [...baseFfmpegArgs(threads), '-v', 'error', ...safeInputArgs(opts.input, facts.demuxer, threads)];
  args.push('-filter_complex', graph.join(';'));
  const streamArgs: string[] = [];
  const varMap: string[] = [];
  let enc = 0;
  all.forEach((r, i) => {
    if (r.copy) {
      streamArgs.push('-map', '0:v:0', `-c:v:${i}`, 'copy');
    } else {
      const k = r.videoKbps;
      streamArgs.push(
        '-map',
        `[v${enc++}]`,
        `-c:v:${i}`,
        'libx264',
        `-preset:v:${i}`,
        opts.preset ?? 'veryfast',
        `-profile:v:${i}`,
        'high',
        `-b:v:${i}`,
        `${k}k`,
        `-maxrate:v:${i}`,
        `${Math.round(k * 1.5)}k`,
        `-bufsize:v:${i}`,
        `${k * 2}k`,
        `-force_key_frames:v:${i}`,
        copy ? 'source' : `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
      );
    }
    varMap.push(`v:${i},a:${i},name:${r.name}`);
  });
  all.forEach((r, i) => streamArgs.push('-map', `[a${i}]`, `-c:a:${i}`, 'aac', `-b:a:${i}`, `${r.audioKbps}k`, `-ac:a:${i}`, '2'));
  args.push(
    ...streamArgs,
    // Phones write GPS and device tags; published renditions carry none of them.
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-max_muxing_queue_size',
    '4096',
    '-threads',
    String(threads),
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_segment_filename',
    join(outDir, '%v', 'seg_%03d.m4s'),
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    varMap.join(' '),
    join(outDir, '%v', 'index.m3u8'),
  );
  return { args, renditions: all, fps, masterPath: join(outDir, 'master.m3u8') };
}

export interface HlsResult extends HlsPlan {
  wallMs: number;
  /** Decoder error lines seen while transcoding: a free corruption signal (see report). */
  errorLines: number;
}

export async function transcodeToHls(opts: HlsOptions): Promise<HlsResult> {
  const plan = buildHlsArgs(opts);
  await Promise.all(plan.renditions.map((r) => mkdir(join(opts.outDir, r.name), { recursive: true })));
  let errorLines = 0;
  const run: RunOptions = {
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    signal: opts.signal,
    onStderrLine: () => errorLines++,
  };
  if (opts.onProgress) run.progress = { durationSeconds: opts.facts.durationSeconds, onProgress: opts.onProgress };
  const r = await runFfmpeg(plan.args, run);
  // ffmpeg lists the top rung first; Safari's native HLS starts on the first listed variant.
  const master = await readFile(plan.masterPath, 'utf8');
  const ordered = lowestBandwidthFirst(master);
  if (ordered !== master) await writeFile(plan.masterPath, ordered);
  return { ...plan, wallMs: r.wallMs, errorLines };
}

export interface StillOptions {
  input: string;
  facts: ProbeFacts;
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PosterOptions extends StillOptions {
  outPath: string;
  /** Seconds from the start searched for a representative frame. Default 30. */
  scanSeconds?: number;
  /** Short side of the poster. Default 720 (never upscaled). */
  shortSide?: number;
}

/**
 * A representative, non-black poster: frames at 2 fps from the first `scanSeconds`, black
 * ones dropped by mean luma (signalstats YAVG; limited-range black is 16), then `thumbnail`
 * picks the frame closest to the average of the rest. Autorotate gives display orientation.
 */
export async function extractPoster(opts: PosterOptions): Promise<{ path: string; width: number; height: number; fallback: boolean }> {
  const v = opts.facts.video;
  if (!v) throw new Error('extractPoster: no video stream');
  const threads = opts.threads ?? 2;
  const scan = Math.min(opts.scanSeconds ?? 30, Math.max(1, opts.facts.durationSeconds));
  const side = Math.min(opts.shortSide ?? 720, Math.min(v.displayWidth, v.displayHeight));
  const { width, height } = fitShortSide(v.displayWidth, v.displayHeight, side);
  const tail = ['-frames:v', '1', '-q:v', '3', '-f', 'image2', '-update', '1', opts.outPath];
  const common = { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal };
  await runFfmpeg(
    [
      ...baseFfmpegArgs(threads),
      '-v',
      'error',
      ...safeInputArgs(opts.input, opts.facts.demuxer, threads, ['-t', scan.toFixed(3)]),
      '-an',
      '-vf',
      `fps=2,signalstats,metadata=mode=select:key=lavfi.signalstats.YAVG:value=40:function=greater,thumbnail=n=${Math.ceil(scan * 2)},scale=${width}:${height}`,
      ...tail,
    ],
    common,
  );
  if (await nonEmpty(opts.outPath)) return { path: opts.outPath, width, height, fallback: false };
  // Everything scanned was dark (a night shot): take the frame a third of the way in.
  const at = (opts.facts.durationSeconds / 3).toFixed(3);
  await runFfmpeg(
    [
      ...baseFfmpegArgs(threads),
      '-v',
      'error',
      ...safeInputArgs(opts.input, opts.facts.demuxer, threads, ['-ss', at]),
      '-an',
      '-vf',
      `scale=${width}:${height}`,
      ...tail,
    ],
    common,
  );
  return { path: opts.outPath, width, height, fallback: true };
}

export interface SpriteOptions extends StillOptions {
  outDir: string;
  tileWidth?: number;
  columns?: number;
  /** At most this many tiles; the interval grows for long videos. Default 100. */
  maxTiles?: number;
}

export interface SpriteResult {
  spritePath: string;
  vttPath: string;
  intervalSeconds: number;
  tiles: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

/** One JPEG grid of small frames plus a WebVTT mapping time ranges to `sprite.jpg#xywh=`. */
export async function makeSprite(opts: SpriteOptions): Promise<SpriteResult> {
  const v = opts.facts.video;
  if (!v) throw new Error('makeSprite: no video stream');
  const threads = opts.threads ?? 2;
  const d = opts.facts.durationSeconds;
  const maxTiles = opts.maxTiles ?? 100;
  const interval = Math.max(2, Math.ceil(d / maxTiles));
  const tiles = Math.max(1, Math.ceil(d / interval));
  const columns = Math.min(opts.columns ?? 10, tiles);
  const rows = Math.ceil(tiles / columns);
  const tileWidth = opts.tileWidth ?? 160;
  const tileHeight = even((tileWidth * v.displayHeight) / v.displayWidth);
  await mkdir(opts.outDir, { recursive: true });
  const spritePath = join(opts.outDir, 'sprite.jpg');
  const vttPath = join(opts.outDir, 'sprite.vtt');
  await runFfmpeg(
    [
      ...baseFfmpegArgs(threads),
      '-v',
      'error',
      ...safeInputArgs(opts.input, opts.facts.demuxer, threads),
      '-an',
      '-vf',
      `fps=1/${interval},scale=${tileWidth}:${tileHeight},tile=${columns}x${rows}`,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-f',
      'image2',
      '-update',
      '1',
      spritePath,
    ],
    { timeoutMs: opts.timeoutMs ?? 300_000, signal: opts.signal },
  );
  await writeFile(vttPath, spriteVtt({ duration: d, interval, tiles, columns, tileWidth, tileHeight, file: 'sprite.jpg' }));
  return { spritePath, vttPath, intervalSeconds: interval, tiles, tileWidth, tileHeight, columns, rows };
}

export function spriteVtt(p: {
  duration: number;
  interval: number;
  tiles: number;
  columns: number;
  tileWidth: number;
  tileHeight: number;
  file: string;
}): string {
  const lines = ['WEBVTT', ''];
  for (let i = 0; i < p.tiles; i++) {
    const start = i * p.interval;
    const end = Math.min((i + 1) * p.interval, p.duration);
    const x = (i % p.columns) * p.tileWidth;
    const y = Math.floor(i / p.columns) * p.tileHeight;
    lines.push(`${vttTime(start)} --> ${vttTime(end)}`, `${p.file}#xywh=${x},${y},${p.tileWidth},${p.tileHeight}`, '');
  }
  return lines.join('\n');
}

function vttTime(s: number): string {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(sec)}.${pad(ms % 1000, 3)}`;
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
