import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { baseFfmpegArgs, runFfmpeg, safeInputArgs } from './ffmpeg.runner.js';
import { captionFontSize, filterValue, findCjkFont, normalizeCaption } from './compose.js';
import type { ProbeFacts } from './probe.js';

/** One subtitle line, in seconds from the start of the trimmed video. */
export interface SubtitleLine {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

const vttTime = (s: number) => {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
};

/**
 * WebVTT for the lines. Cue text is escaped (`&`, `<`, `>`) so an editor's words can never
 * become markup, and `-->` cannot appear to end a cue early.
 */
export function buildWebVtt(lines: SubtitleLine[]): string {
  const cues = [...lines]
    .sort((a, b) => a.startSeconds - b.startSeconds)
    .map((l, i) => {
      const text = normalizeCaption(l.text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      return `${i + 1}\n${vttTime(l.startSeconds)} --> ${vttTime(l.endSeconds)}\n${text}`;
    });
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

export interface TrimOptions {
  input: string;
  facts: ProbeFacts;
  startSeconds: number;
  endSeconds: number;
  /** Burned into the picture when given (times relative to the trimmed start). */
  burn?: SubtitleLine[];
  outPath: string;
  workDir: string;
  threads?: number;
  timeoutMs?: number;
}

/**
 * The desk's secondary production: one ffmpeg process trims (frame-exact, input-side seek),
 * keeps the displayed orientation, and optionally burns subtitle lines in, each drawn from a
 * server-written text file (never inside the filter string) only while it is due.
 */
export async function trimAndSubtitle(opts: TrimOptions): Promise<{ path: string; durationSeconds: number }> {
  const v = opts.facts.video;
  if (!v) throw new Error('trimAndSubtitle: no video stream');
  const threads = opts.threads ?? 2;
  const filters: string[] = [];
  const lines = opts.burn ?? [];
  if (lines.length) {
    const font = await findCjkFont();
    if (!font) throw new Error('No font that renders Chinese is installed (apt-get install fonts-noto-cjk)');
    const size = captionFontSize('字'.repeat(20), { width: v.displayWidth, height: v.displayHeight });
    const margin = Math.round(v.displayHeight * 0.06);
    for (const [i, l] of lines.entries()) {
      const file = path.join(opts.workDir, `sub-${i}.txt`);
      await writeFile(file, normalizeCaption(l.text), { mode: 0o600 });
      filters.push(
        `drawtext=textfile=${filterValue(file)}:fontfile=${filterValue(font)}:expansion=none:fontsize=${size}:fontcolor=white` +
          `:box=1:boxcolor=black@0.55:boxborderw=${Math.max(4, Math.round(size * 0.35))}:x=(w-text_w)/2:y=h-text_h-${margin}` +
          `:enable=between(t\\,${l.startSeconds.toFixed(3)}\\,${l.endSeconds.toFixed(3)})`,
      );
    }
  }
  const tmp = `${opts.outPath}.partial`;
  const args = [
    ...baseFfmpegArgs(threads),
    '-v',
    'error',
    ...safeInputArgs(opts.input, opts.facts.demuxer, threads, ['-ss', opts.startSeconds.toFixed(3), '-to', opts.endSeconds.toFixed(3)]),
    '-map',
    '0:v:0',
    ...(opts.facts.audio ? ['-map', '0:a:0'] : []),
    ...(filters.length ? ['-vf', filters.join(',')] : []),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-pix_fmt',
    'yuv420p',
    ...(opts.facts.audio ? ['-c:a', 'aac', '-b:a', '128k'] : []),
    '-map_metadata',
    '-1',
    '-movflags',
    '+faststart',
    '-threads',
    String(threads),
    '-f',
    'mp4',
    tmp,
  ];
  try {
    await runFfmpeg(args, { timeoutMs: opts.timeoutMs ?? 30 * 60_000 });
    await rename(tmp, opts.outPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { path: opts.outPath, durationSeconds: opts.endSeconds - opts.startSeconds };
}
