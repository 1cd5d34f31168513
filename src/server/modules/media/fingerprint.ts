import { baseFfmpegArgs, runFfmpeg, safeInputArgs } from './ffmpeg.runner.js';
import type { ProbeFacts } from './probe.js';

/**
 * Perceptual fingerprint: a 64-bit difference hash (dHash) per sampled frame. Frames are
 * sampled at a fixed rate, shrunk by ffmpeg to 9×8 gray (area averaging, which also
 * removes codec noise and resolution differences), and each bit says whether a pixel is
 * brighter than its right neighbour. Re-encodes and resizes flip few bits; a trim shifts
 * the sequence, which compareFingerprints finds by sliding one over the other.
 */

export const FINGERPRINT_FPS = 2;
const W = 9;
const H = 8;
const FRAME_BYTES = W * H;
/** Frames whose 9×8 luma range is below this carry no shape (black, fades): hash 0, ignored. */
const FLAT_RANGE = 6;
const VERSION = 'dh1';

export interface Fingerprint {
  fps: number;
  /** Two uint32 per frame (hi, lo); 0,0 marks a flat frame that never counts as evidence. */
  hashes: Uint32Array;
}

export interface FingerprintOptions {
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function computeFingerprint(input: string, facts: ProbeFacts, opts: FingerprintOptions = {}): Promise<Fingerprint> {
  const threads = opts.threads ?? 2;
  const chunks: Buffer[] = [];
  await runFfmpeg(
    [
      ...baseFfmpegArgs(threads),
      '-v',
      'error',
      ...safeInputArgs(input, facts.demuxer, threads),
      '-an',
      '-vf',
      `fps=${FINGERPRINT_FPS},scale=${W}:${H}:flags=area,format=gray`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    // 3 min at 2 fps is 360 frames × 72 B; the cap only guards against surprises.
    { timeoutMs: opts.timeoutMs ?? 300_000, signal: opts.signal, collectStdout: true, stdoutMaxBytes: 4 * 1024 * 1024, onStdout: (c) => chunks.push(c) },
  );
  return fingerprintFromGray(Buffer.concat(chunks), FINGERPRINT_FPS);
}

/** Pure: raw 9×8 gray frames → hashes. */
export function fingerprintFromGray(raw: Buffer, fps: number): Fingerprint {
  const n = Math.floor(raw.length / FRAME_BYTES);
  const hashes = new Uint32Array(n * 2);
  for (let f = 0; f < n; f++) {
    const o = f * FRAME_BYTES;
    let min = 255;
    let max = 0;
    for (let i = 0; i < FRAME_BYTES; i++) {
      const p = raw[o + i]!;
      if (p < min) min = p;
      if (p > max) max = p;
    }
    if (max - min < FLAT_RANGE) continue;
    let hi = 0;
    let lo = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W - 1; x++) {
        const bit = raw[o + y * W + x]! > raw[o + y * W + x + 1]! ? 1 : 0;
        const k = y * (W - 1) + x;
        if (k < 32) hi = (hi | (bit << (31 - k))) >>> 0;
        else lo = (lo | (bit << (63 - k))) >>> 0;
      }
    }
    // A non-flat frame whose bits are all zero would read as "flat"; nudge it (1 bit).
    if (hi === 0 && lo === 0) lo = 1;
    hashes[f * 2] = hi;
    hashes[f * 2 + 1] = lo;
  }
  return { fps, hashes };
}

/** Compact text form for a PostgreSQL text column: "dh1:<fps>:<16 hex per frame>". */
export function serializeFingerprint(fp: Fingerprint): string {
  let hex = '';
  for (const v of fp.hashes) hex += v.toString(16).padStart(8, '0');
  return `${VERSION}:${fp.fps}:${hex}`;
}

export function parseFingerprint(s: string): Fingerprint {
  const [version, fps, hex = ''] = s.split(':');
  if (version !== VERSION || !fps || hex.length % 16 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new Error('fingerprint: bad format');
  const hashes = new Uint32Array(hex.length / 8);
  for (let i = 0; i < hashes.length; i++) hashes[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return { fps: Number(fps), hashes };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface CompareOptions {
  /** A frame pair "agrees" when its Hamming distance is at most this. Default 10 of 64. */
  frameThreshold?: number;
  /** Fraction of informative overlapping frames that must agree. Default 0.6. */
  minAgreement?: number;
  /** The overlap must cover this share of the shorter video (trims ≥ 50 %). Default 0.5. */
  minOverlap?: number;
}

export interface CompareResult {
  match: boolean;
  /** Share of agreeing frames at the best alignment, 0..1. */
  score: number;
  /** Where b starts inside a, in seconds (b trimmed from a at 12 s → 12; negative if a starts inside b). */
  offsetSeconds: number;
  /** Informative frames compared at the best alignment. */
  frames: number;
}

/**
 * Slide b over a (every offset with enough overlap) and keep the alignment where the most
 * frame pairs agree. O(n·m) on ≤ 360 frames per 3-minute video: ~0.1 M popcounts.
 */
export function compareFingerprints(a: Fingerprint, b: Fingerprint, opts: CompareOptions = {}): CompareResult {
  if (a.fps !== b.fps) throw new Error('compareFingerprints: different sampling rates');
  const t = opts.frameThreshold ?? 10;
  const na = a.hashes.length / 2;
  const nb = b.hashes.length / 2;
  const minFrames = Math.max(4, Math.ceil(Math.min(na, nb) * (opts.minOverlap ?? 0.5)));
  let best: CompareResult = { match: false, score: 0, offsetSeconds: 0, frames: 0 };
  let bestDist = Infinity;
  for (let off = -(nb - 1); off <= na - 1; off++) {
    const start = Math.max(0, off);
    const end = Math.min(na, nb + off);
    if (end - start < minFrames) continue;
    let informative = 0;
    let agree = 0;
    let dist = 0;
    for (let i = start; i < end; i++) {
      const j = i - off;
      const ah = a.hashes[i * 2]!;
      const al = a.hashes[i * 2 + 1]!;
      const bh = b.hashes[j * 2]!;
      const bl = b.hashes[j * 2 + 1]!;
      const aFlat = ah === 0 && al === 0;
      const bFlat = bh === 0 && bl === 0;
      if (aFlat && bFlat) continue;
      informative++;
      if (aFlat || bFlat) continue;
      const d = popcount(ah ^ bh) + popcount(al ^ bl);
      dist += d;
      if (d <= t) agree++;
    }
    if (informative < minFrames) continue;
    const score = agree / informative;
    // Slow-changing footage agrees at several neighbouring offsets: ties go to the
    // smallest mean distance, which is the true alignment.
    const meanDist = dist / informative;
    if (score > best.score || (score === best.score && meanDist < bestDist)) {
      best = { match: false, score, offsetSeconds: off / a.fps, frames: informative };
      bestDist = meanDist;
    }
  }
  best.match = best.score >= (opts.minAgreement ?? 0.6);
  return best;
}

/**
 * Prefilter keys for searching many stored fingerprints (store them in an indexed table
 * `(key int, submission_id)`): each informative frame's hash split into four 16-bit bands,
 * tagged with the band number. Two frames within Hamming distance 3 share at least one band
 * exactly (pigeonhole), so candidates are submissions sharing many keys; only those get the
 * full compare.
 */
export function prefilterKeys(fp: Fingerprint): number[] {
  const keys = new Set<number>();
  for (let i = 0; i < fp.hashes.length; i += 2) {
    const hi = fp.hashes[i]!;
    const lo = fp.hashes[i + 1]!;
    if (hi === 0 && lo === 0) continue;
    keys.add((0 << 16) | (hi >>> 16));
    keys.add((1 << 16) | (hi & 0xffff));
    keys.add((2 << 16) | (lo >>> 16));
    keys.add((3 << 16) | (lo & 0xffff));
  }
  return [...keys];
}
