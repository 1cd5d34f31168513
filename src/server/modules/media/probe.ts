import { open } from 'node:fs/promises';
import { FfmpegError, INPUT_PROTOCOLS, runFfmpeg, runFfprobe, baseFfmpegArgs, safeInputArgs } from './ffmpeg.runner.js';

/**
 * Probing decides from the bytes themselves, never from the client's filename or type.
 * Two gates: our own sniff of the first bytes (text and playlists never reach ffmpeg), then
 * ffprobe restricted to the `file` protocol and to the one demuxer the magic bytes named.
 */

export type MediaRejectCode =
  | 'media.empty'
  | 'media.not_video'
  | 'media.playlist_refused'
  | 'media.unreadable'
  | 'media.no_video'
  | 'media.too_short'
  | 'media.too_long'
  | 'media.frame_too_small'
  | 'media.frame_too_large'
  | 'media.undecodable'
  | 'media.corrupt';

export type CheckResult = { ok: true } | { ok: false; code: MediaRejectCode; params: Record<string, unknown> };

/** Thrown by probeMedia for files that are refused before or by ffprobe. */
export class MediaRejectedError extends Error {
  constructor(
    readonly code: MediaRejectCode,
    readonly params: Record<string, unknown> = {},
    options: { cause?: unknown } = {},
  ) {
    super(code, options);
    this.name = 'MediaRejectedError';
  }
}

/** The demuxers we accept: what phones and browsers record. AVI/FLV/MPEG-TS are refused. */
export type Demuxer = 'mov' | 'matroska';
export const FORMAT_WHITELIST = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm';

export interface VideoFacts {
  codec: string;
  profile: string | null;
  pixFmt: string | null;
  codedWidth: number;
  codedHeight: number;
  /** Clockwise degrees to apply for display: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  displayWidth: number;
  displayHeight: number;
  frameRate: number;
  isVfr: boolean;
  bitRate: number | null;
  /** Frame count when the container states it (mp4 does; webm usually does not). */
  frames: number | null;
}

export interface AudioFacts {
  codec: string;
  channels: number;
  sampleRate: number;
  bitRate: number | null;
}

export interface ProbeFacts {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  /** The demuxer every later ffmpeg command is pinned to (`-f`). */
  demuxer: Demuxer;
  durationSeconds: number;
  sizeBytes: number;
  bitRate: number | null;
  /** null when the file has no real video stream (audio only, cover art only). */
  video: VideoFacts | null;
  audio: AudioFacts | null;
}

export type SniffResult = { kind: 'empty' } | { kind: 'container'; demuxer: Demuxer } | { kind: 'playlist' } | { kind: 'text' } | { kind: 'unknown' };

const SNIFF_BYTES = 4096;
// ISO-BMFF files start with a box; phones write ftyp first, old QuickTime may lead with these.
const MOV_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** Classify a file from its first bytes, without ffmpeg. */
export async function sniffFile(path: string): Promise<SniffResult & { sizeBytes: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { ...sniffBytes(buf.subarray(0, bytesRead)), sizeBytes: size };
  } finally {
    await fh.close();
  }
}

export function sniffBytes(buf: Buffer): SniffResult {
  if (buf.length === 0) return { kind: 'empty' };
  if (buf.length >= 8 && MOV_FIRST_BOXES.has(buf.toString('latin1', 4, 8))) return { kind: 'container', demuxer: 'mov' };
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x1a45dfa3) return { kind: 'container', demuxer: 'matroska' };
  // Playlist markers are checked before "is it text" so the reason is precise; leading BOM
  // and whitespace are skipped because ffmpeg's own probes skip them too.
  const head = buf
    .toString('latin1', 0, Math.min(buf.length, 1024))
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (/^#EXTM3U/i.test(head) || /^ffconcat/i.test(head) || /^#EXT-X-/im.test(head)) return { kind: 'playlist' };
  if (/^\s*file\s+['"]?[^\s]/im.test(head) && isMostlyText(buf)) return { kind: 'playlist' };
  if (isMostlyText(buf)) return { kind: 'text' };
  return { kind: 'unknown' };
}

function isMostlyText(buf: Buffer): boolean {
  let printable = 0;
  for (const b of buf) {
    if (b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
    else if (b === 0) return false;
  }
  return printable / buf.length > 0.95;
}

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  coded_width?: number;
  coded_height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
  nb_frames?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}
interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; size?: string; bit_rate?: string };
  streams?: FfprobeStream[];
}

export interface ProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Sniff, then ffprobe. Throws MediaRejectedError for empty / text / playlist / unknown /
 * unreadable files; returns facts otherwise (policy is checkProbe's job).
 */
export async function probeMedia(path: string, opts: ProbeOptions = {}): Promise<ProbeFacts> {
  const sniff = await sniffFile(path);
  if (sniff.kind === 'empty') throw new MediaRejectedError('media.empty');
  if (sniff.kind === 'playlist') throw new MediaRejectedError('media.playlist_refused');
  if (sniff.kind !== 'container') throw new MediaRejectedError('media.not_video');

  let out: FfprobeOutput;
  try {
    const r = await runFfprobe(
      [
        '-v',
        'error',
        '-protocol_whitelist',
        INPUT_PROTOCOLS,
        '-format_whitelist',
        FORMAT_WHITELIST,
        '-f',
        sniff.demuxer,
        ...(sniff.demuxer === 'mov' ? ['-enable_drefs', '0'] : []),
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        path,
      ],
      { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal, stdoutMaxBytes: 4 * 1024 * 1024 },
    );
    out = JSON.parse(r.stdout.toString('utf8')) as FfprobeOutput;
  } catch (err) {
    if (err instanceof FfmpegError && (err.timedOut || err.aborted)) throw err;
    throw new MediaRejectedError('media.unreadable', {}, { cause: err });
  }
  const facts = factsFromFfprobe(out, sniff.demuxer, sniff.sizeBytes);
  if (out.format?.duration === undefined && (facts.video || facts.audio)) {
    facts.durationSeconds = await streamedDuration(path, sniff.demuxer, facts.video ? 'v:0' : 'a:0', opts);
  }
  return facts;
}

/**
 * A file written as a stream — a browser's MediaRecorder (a phone's call recording), a live
 * muxer — has no duration in its header, and ffprobe reports none. Reading the packets' times
 * (demuxing only, no decoding: a second or so for an hour) gives the real length, so such a file
 * is not mistaken for a zero-second one. One stream is enough and keeps the output small.
 */
async function streamedDuration(path: string, demuxer: Demuxer, stream: 'v:0' | 'a:0', opts: ProbeOptions): Promise<number> {
  let text: string;
  try {
    const r = await runFfprobe(
      [
        '-v',
        'error',
        '-protocol_whitelist',
        INPUT_PROTOCOLS,
        '-format_whitelist',
        FORMAT_WHITELIST,
        '-f',
        demuxer,
        ...(demuxer === 'mov' ? ['-enable_drefs', '0'] : []),
        '-select_streams',
        stream,
        '-show_entries',
        'packet=pts_time,duration_time',
        '-of',
        'csv=p=0',
        path,
      ],
      { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal, stdoutMaxBytes: 64 * 1024 * 1024 },
    );
    text = r.stdout.toString('utf8');
  } catch (err) {
    if (err instanceof FfmpegError && (err.timedOut || err.aborted)) throw err;
    throw new MediaRejectedError('media.unreadable', {}, { cause: err });
  }
  let end = 0;
  for (const line of text.split('\n')) {
    const [pts, dur] = line.split(',');
    const t = Number(pts) + (Number(dur) || 0);
    if (Number.isFinite(t) && t > end) end = t;
  }
  return end;
}

export function factsFromFfprobe(out: FfprobeOutput, demuxer: Demuxer, sizeBytes: number): ProbeFacts {
  const streams = out.streams ?? [];
  const format = out.format ?? {};
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && !STILL_CODECS.has(s.codec_name ?? ''));
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSeconds = num(format.duration) ?? 0;
  return {
    formatName: format.format_name ?? demuxer,
    demuxer,
    durationSeconds,
    sizeBytes: num(format.size) ?? sizeBytes,
    bitRate: num(format.bit_rate),
    video: v ? videoFacts(v) : null,
    audio: a ? { codec: a.codec_name ?? 'unknown', channels: a.channels ?? 0, sampleRate: num(a.sample_rate) ?? 0, bitRate: num(a.bit_rate) } : null,
  };
}

// Image codecs a container can carry as a "video" stream: a still, not a video.
const STILL_CODECS = new Set(['png', 'bmp', 'gif', 'webp', 'tiff']);

function videoFacts(s: FfprobeStream): VideoFacts {
  const codedWidth = s.width ?? s.coded_width ?? 0;
  const codedHeight = s.height ?? s.coded_height ?? 0;
  const rotation = rotationOf(s);
  const swap = rotation === 90 || rotation === 270;
  const avg = rate(s.avg_frame_rate);
  const real = rate(s.r_frame_rate);
  const frameRate = avg || real;
  return {
    codec: s.codec_name ?? 'unknown',
    profile: s.profile ?? null,
    pixFmt: s.pix_fmt ?? null,
    codedWidth,
    codedHeight,
    rotation,
    displayWidth: swap ? codedHeight : codedWidth,
    displayHeight: swap ? codedWidth : codedHeight,
    frameRate,
    // r_frame_rate is the lowest rate that represents every timestamp; with VFR phone
    // video it is the timebase-ish rate (e.g. 90000 or 120) while the average is ~29.7.
    isVfr: avg > 0 && real > 0 && Math.abs(real - avg) / avg > 0.02,
    bitRate: num(s.bit_rate),
    frames: num(s.nb_frames),
  };
}

function rotationOf(s: FfprobeStream): 0 | 90 | 180 | 270 {
  const dm = s.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
  // ffprobe reports the display matrix angle counter-clockwise (iPhone portrait: -90); the
  // legacy `rotate` tag is clockwise (90). Normalise both to clockwise.
  const deg = dm?.rotation !== undefined ? -dm.rotation : Number(s.tags?.rotate ?? 0);
  const r = (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

function num(v: string | number | undefined): number | null {
  if (v === undefined || v === 'N/A') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function rate(v: string | undefined): number {
  if (!v) return 0;
  const [n, d] = v.split('/').map(Number);
  if (!n || !d) return 0;
  return n / d;
}

export interface ProbeRules {
  minDurationSeconds: number;
  maxDurationSeconds: number;
  minSide?: number;
  maxSide?: number;
}

/**
 * Policy on probe facts. Order matters and is fixed: is there a video at all, then frame
 * size, then duration. Frame size comes before duration so an 8K still-ish clip is refused
 * for its size (the reason a contributor can act on), not for being short.
 */
export function checkProbe(facts: ProbeFacts, rules: ProbeRules): CheckResult {
  const minSide = rules.minSide ?? 240;
  const maxSide = rules.maxSide ?? 4096;
  const v = facts.video;
  if (!v) return reject('media.no_video', {});
  const { displayWidth: width, displayHeight: height } = v;
  if (Math.max(width, height) > maxSide) return reject('media.frame_too_large', { width, height, max: maxSide });
  if (Math.min(width, height) < minSide) return reject('media.frame_too_small', { width, height, min: minSide });
  // A single picture muxed as video (cover art slipped past the disposition check).
  if (v.frames !== null && v.frames <= 1) return reject('media.no_video', {});
  const seconds = Math.round(facts.durationSeconds * 10) / 10;
  if (facts.durationSeconds < rules.minDurationSeconds) return reject('media.too_short', { seconds, min: rules.minDurationSeconds });
  if (facts.durationSeconds > rules.maxDurationSeconds) return reject('media.too_long', { seconds, max: rules.maxDurationSeconds });
  return { ok: true };
}

function reject(code: MediaRejectCode, params: Record<string, unknown>): CheckResult {
  return { ok: false, code, params };
}

export interface DecodeCheckOptions {
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Frames decoded by the fast first-frames check. Default 10. */
  firstFrames?: number;
  /** Skip the full-file pass (e.g. when the transcode itself counts errors). */
  firstFramesOnly?: boolean;
}

export interface DecodeReport {
  result: CheckResult;
  firstFramesMs: number;
  fullDecodeMs: number | null;
  errorLines: number;
}

/** Lines ffmpeg prints at -v error while decoding: anything is a defect. */
function isDecodeErrorLine(line: string): boolean {
  return line.trim().length > 0;
}

/**
 * Two passes: the first frames must decode (fast, catches garbage that probes fine), then
 * the whole video stream is decoded to null and error lines are counted (catches a corrupt
 * stretch in the middle). The full pass costs one video decode of the file; see report.
 */
export async function checkDecodes(path: string, facts: ProbeFacts, opts: DecodeCheckOptions = {}): Promise<DecodeReport> {
  const threads = opts.threads ?? 2;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const base = [...baseFfmpegArgs(threads), '-v', 'error', '-xerror'];
  const input = safeInputArgs(path, facts.demuxer, threads);

  const t0 = Date.now();
  let decoded = 0;
  try {
    await runFfmpeg([...base, ...input, '-map', '0:v:0', '-frames:v', String(opts.firstFrames ?? 10), '-f', 'framemd5', 'pipe:1'], {
      timeoutMs: Math.min(timeoutMs, 60_000),
      signal: opts.signal,
      collectStdout: true,
      onStdout: (c) => {
        decoded += c
          .toString('latin1')
          .split('\n')
          .filter((l) => l && !l.startsWith('#')).length;
      },
    });
  } catch (err) {
    if (err instanceof FfmpegError && (err.timedOut || err.aborted)) throw err;
    return { result: reject('media.undecodable', {}), firstFramesMs: Date.now() - t0, fullDecodeMs: null, errorLines: 1 };
  }
  const firstFramesMs = Date.now() - t0;
  if (decoded === 0) return { result: reject('media.undecodable', {}), firstFramesMs, fullDecodeMs: null, errorLines: 0 };
  if (opts.firstFramesOnly) return { result: { ok: true }, firstFramesMs, fullDecodeMs: null, errorLines: 0 };

  const t1 = Date.now();
  let errorLines = 0;
  let failed = false;
  try {
    // No -xerror here: we want the count (and the decoder to continue past one bad slice);
    // -err_detect makes the decoders report damage they would otherwise conceal silently.
    await runFfmpeg([...baseFfmpegArgs(threads), '-v', 'error', '-err_detect', 'crccheck+bitstream+buffer', ...input, '-map', '0:v:0', '-f', 'null', '-'], {
      timeoutMs,
      signal: opts.signal,
      onStderrLine: (l) => (isDecodeErrorLine(l) ? errorLines++ : undefined),
    });
  } catch (err) {
    if (err instanceof FfmpegError && (err.timedOut || err.aborted)) throw err;
    failed = true;
  }
  const fullDecodeMs = Date.now() - t1;
  if (failed || errorLines > 0) return { result: reject('media.corrupt', { errors: errorLines }), firstFramesMs, fullDecodeMs, errorLines };
  return { result: { ok: true }, firstFramesMs, fullDecodeMs, errorLines };
}
