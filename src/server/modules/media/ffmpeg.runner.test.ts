import { describe, it, expect } from 'vitest';
import { FFMPEG_BIN, FfmpegError, detectFfmpeg, runFfmpeg, runProcess } from './ffmpeg.runner.js';

// An endless lavfi source: the only way these commands end is our timeout or abort.
const endless = ['-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=5', '-f', 'null', '-'];

describe('ffmpeg runner', () => {
  it('detects ffmpeg and ffprobe', async () => {
    const d = await detectFfmpeg();
    expect(d.ffmpeg).toBe(true);
    expect(d.ffprobe).toBe(true);
    expect(d.version).toMatch(/^\d/);
  });

  it('kills a process that outlives its timeout and says so', async () => {
    const t = Date.now();
    const err = await runFfmpeg(endless, { timeoutMs: 400, killGraceMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).timedOut).toBe(true);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('stops on an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = (await runFfmpeg(endless, { signal: ac.signal, timeoutMs: 10_000 }).catch((e: unknown) => e)) as FfmpegError;
    expect(err.aborted).toBe(true);
    expect(err.timedOut).toBe(false);
  });

  it('reports exit code and a bounded stderr tail on failure', async () => {
    const err = (await runProcess(FFMPEG_BIN, ['-hide_banner', '-i', '/nonexistent/x.mp4'], { stderrMaxBytes: 1024 }).catch((e: unknown) => e)) as FfmpegError;
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.exitCode).not.toBe(0);
    expect(err.stderrTail).toMatch(/No such file/);
    expect(err.stderrTail.length).toBeLessThanOrEqual(1024);
  });

  it('reports monotonic throttled progress ending at 100', async () => {
    const seen: number[] = [];
    await runFfmpeg(['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=8', '-f', 'null', '-'], {
      progress: { durationSeconds: 8, onProgress: (p) => seen.push(p), throttleMs: 0 },
    });
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
