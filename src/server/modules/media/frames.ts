import { baseFfmpegArgs, runFfmpeg, safeInputArgs } from './ffmpeg.runner.js';
import type { ProbeFacts } from './probe.js';
import { fitShortSide } from './transcode.js';

/**
 * Candidate cover frames at evenly spaced moments (skipping the first and last few percent,
 * where phones record fumbling), at displayed orientation, short side ≤ 720 px.
 */
export async function extractFrames(opts: { input: string; facts: ProbeFacts; outPaths: string[]; threads?: number; timeoutMs?: number }): Promise<number[]> {
  const v = opts.facts.video;
  if (!v) throw new Error('extractFrames: no video stream');
  const threads = opts.threads ?? 2;
  const n = opts.outPaths.length;
  const d = opts.facts.durationSeconds;
  const { width, height } = fitShortSide(v.displayWidth, v.displayHeight, Math.min(720, Math.min(v.displayWidth, v.displayHeight)));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.max(0, Math.min(d - 0.5, d * (0.05 + (0.9 * (i + 0.5)) / n)));
    times.push(Math.round(t * 10) / 10);
    await runFfmpeg(
      [
        ...baseFfmpegArgs(threads),
        '-v',
        'error',
        ...safeInputArgs(opts.input, opts.facts.demuxer, threads, ['-ss', t.toFixed(3)]),
        '-an',
        '-frames:v',
        '1',
        '-vf',
        `scale=${width}:${height}`,
        '-q:v',
        '3',
        '-f',
        'image2',
        '-update',
        '1',
        opts.outPaths[i]!,
      ],
      { timeoutMs: opts.timeoutMs ?? 60_000 },
    );
  }
  return times;
}
