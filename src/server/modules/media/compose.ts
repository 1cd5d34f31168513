import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { baseFfmpegArgs, runFfmpeg, runProcess, safeInputArgs, type RunOptions } from './ffmpeg.runner.js';
import { probeMedia, type ProbeFacts } from './probe.js';
import { fitShortSide } from './transcode.js';

/**
 * Secondary production (二次生产): trim up to five clips, join them in order on one canvas
 * and burn in one caption line, in ONE ffmpeg process. User text never enters the filter
 * string: it is written to a file drawtext reads with expansion off.
 */

export const MAX_CLIPS = 5;
export const MIN_KEPT_SECONDS = 1;
/** Cut ends may overshoot the probed duration by this much (container vs stream rounding). */
export const CUT_TOLERANCE_SECONDS = 0.05;
/** One line that still reads at phone size; longer text would shrink below legibility. */
export const MAX_CAPTION_CHARS = 40;
const MAX_SHORT_SIDE = 1080;
const FPS = 30;

export interface ComposeClip {
  path: string;
  facts: ProbeFacts;
  startSeconds: number;
  endSeconds: number;
}

export interface ComposeOptions {
  clips: ComposeClip[];
  caption?: string;
  outPath: string;
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  /** Font for the caption; default: findCjkFont(). A server-chosen path, never user input. */
  fontFile?: string;
}

export interface ComposeResult {
  path: string;
  durationSeconds: number;
  width: number;
  height: number;
}

export type ComposeRejectCode = 'edit.cut_out_of_range' | 'edit.too_many_clips' | 'edit.no_clips';
export type CutCheck = { ok: true } | { ok: false; code: ComposeRejectCode; params: Record<string, unknown> };

/** Thrown by composeClips when the cuts or the caption are refused (nothing was run). */
export class ComposeRejectedError extends Error {
  constructor(
    readonly code: ComposeRejectCode | 'edit.caption_too_long' | 'edit.no_video',
    readonly params: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'ComposeRejectedError';
  }
}

/**
 * 1–5 clips; each cut inside its clip (0 ≤ start < end ≤ duration + tolerance) and at least
 * MIN_KEPT_SECONDS long. A too-short part is reported as out of range with `reason`, since
 * the contract has no separate code for it. `clip` in params is 1-based (the UI's numbering).
 */
export function validateCuts(clips: { facts: ProbeFacts; startSeconds: number; endSeconds: number }[]): CutCheck {
  if (clips.length === 0) return { ok: false, code: 'edit.no_clips', params: {} };
  if (clips.length > MAX_CLIPS) return { ok: false, code: 'edit.too_many_clips', params: { count: clips.length, max: MAX_CLIPS } };
  for (const [i, c] of clips.entries()) {
    const duration = c.facts.durationSeconds;
    const params = { clip: i + 1, start: c.startSeconds, end: c.endSeconds, duration: Math.round(duration * 10) / 10 };
    const finite = Number.isFinite(c.startSeconds) && Number.isFinite(c.endSeconds) && Number.isFinite(duration);
    if (!finite || c.startSeconds < 0 || c.startSeconds >= c.endSeconds || c.endSeconds > duration + CUT_TOLERANCE_SECONDS) {
      return { ok: false, code: 'edit.cut_out_of_range', params: { ...params, reason: 'out_of_range' } };
    }
    if (c.endSeconds - c.startSeconds < MIN_KEPT_SECONDS) {
      return { ok: false, code: 'edit.cut_out_of_range', params: { ...params, reason: 'too_short', min: MIN_KEPT_SECONDS } };
    }
  }
  return { ok: true };
}

/** One line: control characters dropped, whitespace runs (newlines too) collapsed. */
export function normalizeCaption(caption: string | undefined): string {
  if (!caption) return '';
  return (
    caption
      .normalize('NFC')
      .replace(/\s+/gu, ' ')
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .trim()
  );
}

// Fonts that render Chinese, best first. Bold reads better over moving video. The Noto .ttc
// face 0 is the JP face (Han glyph shapes differ in places from SC; see report).
const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
];

let cjkFont: Promise<string | null> | undefined;

/** A font file that renders Chinese: known paths first, then fontconfig (`:lang=zh`). */
export function findCjkFont(): Promise<string | null> {
  cjkFont ??= locateCjkFont().then((f) => {
    if (f === null) cjkFont = undefined; // retry later: fonts may be installed meanwhile
    return f;
  });
  return cjkFont;
}

async function locateCjkFont(): Promise<string | null> {
  for (const path of CJK_FONT_CANDIDATES) if (await isFile(path)) return path;
  try {
    const r = await runProcess('fc-list', [':lang=zh', 'file'], { collectStdout: true, timeoutMs: 10_000 });
    const files = r.stdout
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim().replace(/:$/, ''))
      .filter((l) => /\.(ttc|otf|ttf)$/i.test(l));
    const sans = files.find((f) => /sans|hei/i.test(basename(f)));
    return sans ?? files[0] ?? null;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Escapes a value for an option inside -filter_complex: first the filter-option level
 * (`\ ' :`), then the filtergraph level (`\ ' [ ] , ;`), as ffmpeg-filters(1) "Notes on
 * filtergraph escaping" describes. Only used for server-chosen paths.
 */
export function filterValue(s: string): string {
  const optionLevel = s.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** Canvas: the first clip's displayed orientation and aspect; short side ≤ 1080; even. */
export function composeCanvas(first: ProbeFacts): { width: number; height: number } {
  const v = first.video;
  if (!v) throw new ComposeRejectedError('edit.no_video', { clip: 1 });
  const short = Math.min(MAX_SHORT_SIDE, v.displayWidth, v.displayHeight);
  return fitShortSide(v.displayWidth, v.displayHeight, short);
}

/**
 * Font size from the canvas height, shrunk so the estimated line fits 90% of the width
 * (drawtext cannot wrap or measure before drawing). CJK and full-width glyphs count as
 * 1 em, everything else ~0.6 em.
 */
export function captionFontSize(text: string, canvas: { width: number; height: number }): number {
  const byHeight = Math.round(canvas.height * (canvas.height > canvas.width ? 0.04 : 0.055));
  let ems = 0;
  for (const ch of text) ems += isWide(ch.codePointAt(0) ?? 0) ? 1 : 0.6;
  const byWidth = ems > 0 ? Math.floor((canvas.width * 0.9) / (ems + 1)) : byHeight;
  return Math.max(10, Math.min(byHeight, byWidth));
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x1f300
  );
}

export interface ComposePlanInput {
  clips: ComposeClip[];
  outPath: string;
  threads?: number;
  /** Already written by the caller; the caption text itself never reaches this function. */
  captionFile?: { path: string; text: string; fontFile: string };
}

export interface ComposePlan {
  args: string[];
  width: number;
  height: number;
  /** Sum of the kept parts: the output timeline, for progress. */
  durationSeconds: number;
}

const secs = (n: number) => n.toFixed(3);

/** Pure: the exact argument array composeClips runs. */
export function buildComposeArgs(p: ComposePlanInput): ComposePlan {
  const threads = p.threads ?? 2;
  const first = p.clips[0];
  if (!first) throw new ComposeRejectedError('edit.no_clips');
  const { width: W, height: H } = composeCanvas(first.facts);
  const inputs: string[] = [];
  const graph: string[] = [];
  const pairs: string[] = [];
  let total = 0;
  p.clips.forEach((c, i) => {
    if (!c.facts.video) throw new ComposeRejectedError('edit.no_video', { clip: i + 1 });
    const end = Math.min(c.endSeconds, c.facts.durationSeconds);
    const kept = end - c.startSeconds;
    total += kept;
    // Input-side -ss/-to: ffmpeg seeks to the keyframe before and decodes-and-drops up to
    // the exact start (accurate_seek, the default when transcoding); timestamps restart at 0.
    const cut = [...(c.startSeconds > 0 ? ['-ss', secs(c.startSeconds)] : []), '-to', secs(end)];
    inputs.push(...safeInputArgs(c.path, c.facts.demuxer, threads, cut));
    // autorotate (on by default) has already turned the frame upright before [i:v:0].
    graph.push(
      `[${i}:v:0]scale=${W}:${H}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
        `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${FPS},format=yuv420p,setpts=PTS-STARTPTS[v${i}]`,
    );
    const fmt = 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';
    // Every segment's audio is exactly its kept duration (padded or trimmed), so concat
    // never drifts A/V across joins; a clip without audio gets that much silence.
    graph.push(
      c.facts.audio
        ? `[${i}:a:0]aresample=48000,${fmt},asetpts=PTS-STARTPTS,apad,atrim=duration=${secs(kept)}[a${i}]`
        : `anullsrc=r=48000:cl=stereo,atrim=duration=${secs(kept)},${fmt}[a${i}]`,
    );
    pairs.push(`[v${i}][a${i}]`);
  });
  const n = p.clips.length;
  const cap = p.captionFile;
  graph.push(`${pairs.join('')}concat=n=${n}:v=1:a=1[${cap ? 'vcat' : 'vout'}][aout]`);
  if (cap) {
    const size = captionFontSize(cap.text, { width: W, height: H });
    const margin = Math.round(H * 0.06);
    graph.push(
      `[vcat]drawtext=textfile=${filterValue(cap.path)}:fontfile=${filterValue(cap.fontFile)}:expansion=none` +
        `:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=${Math.max(4, Math.round(size * 0.35))}` +
        `:x=(w-text_w)/2:y=h-text_h-${margin}[vout]`,
    );
  }
  const args = [
    ...baseFfmpegArgs(threads),
    '-v',
    'error',
    ...inputs,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[vout]',
    '-map',
    '[aout]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-max_muxing_queue_size',
    '4096',
    '-threads',
    String(threads),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    p.outPath,
  ];
  return { args, width: W, height: H, durationSeconds: total };
}

/**
 * Validates, writes the caption file, runs one ffmpeg into a temporary file beside outPath
 * and renames it into place on success (a failed or killed run leaves no outPath).
 */
export async function composeClips(opts: ComposeOptions): Promise<ComposeResult> {
  const check = validateCuts(opts.clips);
  if (!check.ok) throw new ComposeRejectedError(check.code, check.params);
  const text = normalizeCaption(opts.caption);
  const chars = [...text].length;
  if (chars > MAX_CAPTION_CHARS) throw new ComposeRejectedError('edit.caption_too_long', { chars, max: MAX_CAPTION_CHARS });

  let captionDir: string | undefined;
  const partial = join(dirname(opts.outPath), `.${basename(opts.outPath)}.${process.pid}.${Date.now().toString(36)}.partial`);
  try {
    let captionFile: ComposePlanInput['captionFile'];
    if (text) {
      const fontFile = opts.fontFile ?? (await findCjkFont());
      if (!fontFile) throw new Error('composeClips: no font that renders Chinese is installed (fonts-noto-cjk)');
      captionDir = await mkdtemp(join(tmpdir(), 'paike-caption-'));
      const path = join(captionDir, 'caption.txt');
      await writeFile(path, text, { encoding: 'utf8', mode: 0o600 });
      captionFile = { path, text, fontFile };
    }
    const plan = buildComposeArgs({ clips: opts.clips, outPath: partial, threads: opts.threads, captionFile });
    const run: RunOptions = { timeoutMs: opts.timeoutMs ?? 10 * 60_000, signal: opts.signal };
    if (opts.onProgress) run.progress = { durationSeconds: plan.durationSeconds, onProgress: opts.onProgress };
    await runFfmpeg(plan.args, run);
    await rename(partial, opts.outPath);
    const out = await probeMedia(opts.outPath, { signal: opts.signal });
    return { path: opts.outPath, durationSeconds: out.durationSeconds, width: plan.width, height: plan.height };
  } finally {
    await rm(partial, { force: true });
    if (captionDir) await rm(captionDir, { recursive: true, force: true });
  }
}
