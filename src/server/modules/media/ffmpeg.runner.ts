import { spawn } from 'node:child_process';

/**
 * The one place that starts ffmpeg/ffprobe. Everything else in the media module builds an
 * argument array and hands it here, so the safety rules (no shell, bounded threads, a
 * deadline, bounded memory for stderr) are enforced once.
 */

export const FFMPEG_BIN = '/usr/bin/ffmpeg';
export const FFPROBE_BIN = '/usr/bin/ffprobe';

/** The only input protocol any of our commands may use: the server chose the path. */
export const INPUT_PROTOCOLS = 'file';

export class FfmpegError extends Error {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  constructor(opts: {
    message: string;
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stderrTail: string;
    timedOut: boolean;
    aborted: boolean;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'FfmpegError';
    this.exitCode = opts.exitCode;
    this.signal = opts.signal;
    this.stderrTail = opts.stderrTail;
    this.timedOut = opts.timedOut;
    this.aborted = opts.aborted;
  }
}

export interface ProgressOptions {
  /** Known duration of the output timeline, from the probe; progress is out_time / this. */
  durationSeconds: number;
  onProgress: (percent: number) => void;
  /** Minimum time between callbacks; the final 100 is always delivered. Default 500 ms. */
  throttleMs?: number;
}

export interface RunOptions {
  /** Default 120 s. On expiry: SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  killGraceMs?: number;
  signal?: AbortSignal;
  /** Bytes of stderr kept (the tail). Default 64 KiB. */
  stderrMaxBytes?: number;
  /** Collect stdout into the result (ffprobe JSON). Off when streaming via onStdout. */
  collectStdout?: boolean;
  /** Hard cap on collected stdout; beyond it the process is killed. Default 16 MiB. */
  stdoutMaxBytes?: number;
  onStdout?: (chunk: Buffer) => void;
  /** Called for every complete stderr line (e.g. counting decode errors). */
  onStderrLine?: (line: string) => void;
  /** ffmpeg only: adds `-progress pipe:1 -nostats` and parses it (stdout is then ours). */
  progress?: ProgressOptions;
  /** For tests and the bench: see exactly what ran. */
  onSpawn?: (bin: string, args: readonly string[]) => void;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  wallMs: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_GRACE_MS = 2_000;

/**
 * Run a binary with an argument array (never a shell). Resolves on exit code 0, rejects
 * with FfmpegError otherwise.
 */
export function runProcess(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const graceMs = opts.killGraceMs ?? DEFAULT_GRACE_MS;
  const stderrMax = opts.stderrMaxBytes ?? 64 * 1024;
  const stdoutMax = opts.stdoutMaxBytes ?? 16 * 1024 * 1024;
  const started = Date.now();
  opts.onSpawn?.(bin, args);

  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(failure({ message: `${bin} aborted before start`, aborted: true }));
      return;
    }
    // stdin ignored: ffmpeg otherwise reads keystrokes ('q') and can stall in a worker.
    const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });

    let stderrBuf = '';
    let stderrPartial = '';
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let timedOut = false;
    let aborted = false;
    let overflow = false;
    let killTimer: NodeJS.Timeout | undefined;
    const progress = opts.progress ? progressParser(opts.progress) : undefined;

    const terminate = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM first: ffmpeg finalises cleanly and releases files; SIGKILL if it hangs
      // (e.g. blocked in a demuxer on a hostile file).
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
      killTimer.unref();
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      terminate();
    }, timeoutMs);
    deadline.unref();
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (progress) {
        progress.push(chunk);
        return;
      }
      opts.onStdout?.(chunk);
      if (!opts.collectStdout) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > stdoutMax) {
        overflow = true;
        terminate();
        return;
      }
      stdoutChunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderrBuf += text;
      if (stderrBuf.length > stderrMax) stderrBuf = stderrBuf.slice(-stderrMax);
      if (!opts.onStderrLine) return;
      const lines = (stderrPartial + text).split(/\r?\n|\r/);
      stderrPartial = lines.pop() ?? '';
      for (const line of lines) if (line) opts.onStderrLine(line);
    });

    const cleanup = () => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      cleanup();
      reject(failure({ message: `${bin} could not start: ${err.message}`, cause: err }));
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (stderrPartial && opts.onStderrLine) opts.onStderrLine(stderrPartial);
      const tail = stderrBuf.slice(-4000);
      if (code === 0 && !timedOut && !aborted && !overflow) {
        progress?.finish();
        resolve({ stdout: Buffer.concat(stdoutChunks), stderr: stderrBuf, wallMs: Date.now() - started });
        return;
      }
      const why = timedOut
        ? `timed out after ${timeoutMs} ms`
        : aborted
          ? 'aborted'
          : overflow
            ? `stdout exceeded ${stdoutMax} bytes`
            : `exited with ${code ?? signal}`;
      reject(failure({ message: `${bin} ${why}: ${lastLine(tail)}`, exitCode: code, signal, stderrTail: tail, timedOut, aborted }));
    });
  });
}

function failure(p: Partial<ConstructorParameters<typeof FfmpegError>[0]> & { message: string }): FfmpegError {
  return new FfmpegError({
    exitCode: null,
    signal: null,
    stderrTail: '',
    timedOut: false,
    aborted: false,
    ...p,
  });
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/**
 * Parses `-progress pipe:1` key=value blocks. Percent is monotonic (out_time can jump back
 * a little between blocks with several outputs), throttled, and 100 only on success.
 */
function progressParser(p: ProgressOptions): { push(chunk: Buffer): void; finish(): void } {
  const throttle = p.throttleMs ?? 500;
  let partial = '';
  let best = 0;
  let lastSent = -1;
  let lastAt = 0;
  const emit = (pct: number, force: boolean) => {
    if (pct <= lastSent) return;
    const now = Date.now();
    if (!force && now - lastAt < throttle) return;
    lastSent = pct;
    lastAt = now;
    p.onProgress(pct);
  };
  return {
    push(chunk) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const eq = line.indexOf('=');
        if (eq < 0) continue;
        const key = line.slice(0, eq);
        if (key !== 'out_time_us' && key !== 'out_time_ms') continue; // both are µs in ffmpeg 5.1
        const us = Number(line.slice(eq + 1));
        if (!Number.isFinite(us) || us < 0 || p.durationSeconds <= 0) continue;
        // Capped at 99 until the process has exited 0: "100" must mean the outputs exist.
        const pct = Math.min(99, Math.floor((us / 1e6 / p.durationSeconds) * 100));
        if (pct > best) best = pct;
        emit(best, false);
      }
    },
    finish() {
      emit(100, true);
    },
  };
}

/** Global ffmpeg flags every command starts with. */
export function baseFfmpegArgs(threads: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    // Filter graphs otherwise spawn one thread per core regardless of -threads.
    '-filter_threads',
    String(threads),
    '-filter_complex_threads',
    String(threads),
  ];
}

/**
 * Input options for a file the server chose, with the demuxer fixed by the probe: no
 * protocol but `file`, no format guessing (so a playlist can never be interpreted as one).
 */
export function safeInputArgs(path: string, demuxer: string, threads: number, extra: string[] = []): string[] {
  const args = ['-protocol_whitelist', INPUT_PROTOCOLS, '-f', demuxer, '-threads', String(threads)];
  // mov can follow external data references (dref) to other files; it is off by default
  // in 5.1, and we pin it off so a future default change cannot open another file.
  if (demuxer === 'mov') args.push('-enable_drefs', '0');
  return [...args, ...extra, '-i', path];
}

export interface FfmpegRunOptions extends RunOptions {
  threads?: number;
}

/** Run ffmpeg; adds `-progress pipe:1 -nostats` when progress is requested. */
export function runFfmpeg(args: readonly string[], opts: FfmpegRunOptions = {}): Promise<RunResult> {
  const full = opts.progress ? ['-progress', 'pipe:1', '-nostats', ...args] : ['-nostats', ...args];
  return runProcess(FFMPEG_BIN, full, opts);
}

export function runFfprobe(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(FFPROBE_BIN, args, { collectStdout: true, ...opts });
}

export interface FfmpegAvailability {
  ffmpeg: boolean;
  ffprobe: boolean;
  version: string | null;
}

/** Whether ffmpeg and ffprobe can be started (for start-up checks and skipping tests). */
export async function detectFfmpeg(): Promise<FfmpegAvailability> {
  const probe = async (bin: string) => {
    try {
      const r = await runProcess(bin, ['-version'], { collectStdout: true, timeoutMs: 10_000 });
      return r.stdout.toString('utf8').split('\n')[0] ?? '';
    } catch {
      return null;
    }
  };
  const [f, p] = await Promise.all([probe(FFMPEG_BIN), probe(FFPROBE_BIN)]);
  const version = f ? (/version (\S+)/.exec(f)?.[1] ?? null) : null;
  return { ffmpeg: f !== null, ffprobe: p !== null, version };
}
