/**
 * Small helpers shared by bench scripts: random files, child processes that are always
 * killed, RSS sampling from /proc, medians and a plain-text table.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { loadavg } from 'node:os';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Writes `bytes` random bytes to `file` in 16 MiB blocks (never holds the whole file in memory). */
export async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const fh = await open(file, 'w');
  try {
    const block = 16 * MiB;
    for (let done = 0; done < bytes;) {
      const n = Math.min(block, bytes - done);
      await fh.write(randomBytes(n));
      done += n;
    }
  } finally {
    await fh.close();
  }
}

export function median(xs: number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** MB/s (decimal megabytes, as disks and networks are quoted). */
export const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

/** Every child spawned through `spawnTracked` is SIGKILLed if this process exits first. */
const children = new Set<ChildProcess>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

export interface Tracked {
  child: ChildProcess;
  pid: number;
  /** Resolves with the first capture group of `ready` once a stdout line matches it. */
  ready: Promise<string>;
  /** The last few KB of stdout+stderr, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions & { ready: RegExp; readyTimeoutMs?: number }): Tracked {
  hookExit();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const keep = (s: string) => {
    out = (out + s).slice(-8000);
  };
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => children.delete(child));
  const ready = new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${out}`)), opts.readyTimeoutMs ?? 60_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      keep(s);
      buf += s;
      const m = opts.ready.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? m[0]);
        buf = '';
      } else buf = buf.slice(-2000);
    });
    child.stderr!.setEncoding('utf8').on('data', keep);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? sig}) before it was ready:\n${out}`));
    });
  });
  ready.catch(() => {});
  return {
    child,
    pid: child.pid!,
    ready,
    tail: () => out,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Runs a command to completion; rejects with its output if it fails. */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    c.once('error', reject);
    c.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/** VmRSS of a process in bytes (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(s);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** User + system CPU time a process has used so far, in ms (Linux, /proc/<pid>/stat; 100 Hz ticks). */
export async function cpuMsOf(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Samples a process's RSS every `everyMs` until `stop()` is called. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number[] } {
  const samples: number[] = [];
  const tick = () =>
    void rssOf(pid).then(
      (b) => samples.push(b),
      () => {},
    );
  tick();
  const t = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(t);
      return samples;
    },
  };
}

export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The q-quantile (0..1) of `xs`, nearest-rank. */
export function percentile(xs: ArrayLike<number>, q: number): number {
  if (!xs.length) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export interface LoadResult {
  /** Requests answered inside the run (the ones in flight at the deadline are let finish and counted). */
  requests: number;
  ms: number;
  perSecond: number;
  /** One latency per answered request, in ms. */
  latenciesMs: Float64Array;
  /** Answered requests by HTTP status (or by the label `one` returned, for a non-HTTP load). */
  outcomes: Map<string, number>;
  /** A few bodies of answers other than `okStatus`, for diagnosis. */
  samples: string[];
}

/**
 * A closed loop: `workers` loops, each awaiting `one(worker, item)` for the next item until
 * `next()` runs dry or the deadline passes. `one` returns an outcome label; latency is measured here.
 */
export async function closedLoop<T>(opts: {
  workers: number;
  durationMs: number;
  next: () => T | undefined;
  one: (worker: number, item: T) => Promise<string>;
}): Promise<LoadResult> {
  const lat: number[] = [];
  const outcomes = new Map<string, number>();
  const start = performance.now();
  const deadline = start + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.workers }, async (_, w) => {
      for (;;) {
        if (performance.now() >= deadline) return;
        const item = opts.next();
        if (item === undefined) return;
        const t = performance.now();
        const label = await opts.one(w, item);
        lat.push(performance.now() - t);
        outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      }
    }),
  );
  const ms = performance.now() - start;
  return { requests: lat.length, ms, perSecond: lat.length / (ms / 1000), latenciesMs: Float64Array.from(lat), outcomes, samples: [] };
}

/**
 * One keep-alive HTTP/1.1 connection over a raw socket, one request in flight at a time. A load
 * generator this thin costs the client side far less CPU per request than `http.Agent` does, which
 * matters when the generator shares a small machine with the server it measures. It understands
 * what Fastify answers (Content-Length bodies; chunked as a fallback), nothing more.
 */
export class RawHttpConnection {
  private socket!: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: { status: number; body: Buffer }) => void; reject: (e: Error) => void } | undefined;

  private constructor(
    private readonly port: number,
    private readonly host: string,
    private readonly localAddress: string | undefined,
  ) {}

  static async open(opts: { port: number; host?: string; localAddress?: string }): Promise<RawHttpConnection> {
    const c = new RawHttpConnection(opts.port, opts.host ?? '127.0.0.1', opts.localAddress);
    await c.connect();
    return c;
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ port: this.port, host: this.host, localAddress: this.localAddress });
      s.setNoDelay(true);
      s.once('connect', () => {
        s.off('error', reject);
        s.on('error', (e) => this.fail(e));
        resolve();
      });
      s.once('error', reject);
      s.on('data', (d: Buffer) => this.onData(d));
      s.on('close', () => this.fail(new Error('connection closed')));
      this.socket = s;
      this.buf = Buffer.alloc(0);
    });
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (!this.waiting) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let bodyEnd: number;
    if (cl) {
      bodyEnd = end + 4 + Number(cl[1]);
      if (this.buf.length < bodyEnd) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const term = this.buf.indexOf('\r\n0\r\n\r\n', end + 2);
      if (term < 0) return;
      bodyEnd = term + 7;
    } else bodyEnd = end + 4;
    const body = this.buf.subarray(end + 4, bodyEnd);
    this.buf = this.buf.subarray(bodyEnd);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve({ status, body });
  }

  /** Sends one complete request (head and body) and resolves with the answer. */
  request(raw: Buffer | string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(raw);
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/**
 * `connections` keep-alive connections (opened before the clock starts, 100 at a time so the
 * listen backlog never overflows), each sending `request(i)` for the next index until it is
 * undefined or `durationMs` has passed. `localAddress(c)` binds connection c to a source address
 * (on Linux any 127.x.y.z reaches loopback), so a server sees many client IPs.
 */
export async function httpLoad(opts: {
  port: number;
  connections: number;
  durationMs: number;
  request: (i: number) => Buffer | string | undefined;
  localAddress?: (c: number) => string;
  okStatus?: number;
}): Promise<LoadResult> {
  const conns: RawHttpConnection[] = [];
  try {
    for (let c = 0; c < opts.connections; c += 100) {
      const batch = Array.from({ length: Math.min(100, opts.connections - c) }, (_, j) =>
        RawHttpConnection.open({ port: opts.port, localAddress: opts.localAddress?.(c + j) }),
      );
      conns.push(...(await Promise.all(batch)));
    }
    let n = 0;
    const samples: string[] = [];
    const ok = String(opts.okStatus ?? 200);
    const result = await closedLoop({
      workers: opts.connections,
      durationMs: opts.durationMs,
      next: () => opts.request(n++),
      one: async (w, raw) => {
        const r = await conns[w]!.request(raw);
        const label = String(r.status);
        if (label !== ok && samples.length < 5) samples.push(`${label} ${r.body.toString('utf8').slice(0, 300)}`);
        return label;
      },
    });
    return { ...result, samples };
  } finally {
    for (const c of conns) c.close();
  }
}
