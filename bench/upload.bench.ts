/**
 * Upload bench: our tus endpoint `/api/uploads` (a real `paike start` child process) against
 * bare baselines on the same machine, in one run.
 *   npx tsx bench/upload.bench.ts [--size-mib 512] [--memory-gib 2] [--runs 5] [--chunk-mib 50] [--sweep-mib 10,100]
 *
 * 1. Throughput of an N MiB file: tus-js-client streaming the file (chunkSize --chunk-mib, and
 *    one single PATCH), a raw POST+PATCH without tus-js-client, versus a local file copy
 *    (fs.copyFile and a stream pipeline) and a bare Node `http` server piping a PUT to a file.
 *    Variants alternate round by round; medians are printed.
 *    Then the fixed cost of one request: 64 KiB PATCHes and HEADs against 64 KiB bare PUTs.
 * 2. Resume after a cut at ~40 %: bytes sent again beyond the cut, and total time against an
 *    uninterrupted upload run right before it.
 * 3. Memory: the server's RSS (/proc/<pid>/status VmRSS every 200 ms) and CPU time during a
 *    --memory-gib upload (0 skips), and a bare HTTP server's during the same PUT for comparison;
 *    min(--runs, 3) runs each, alternating which goes first.
 * --server-node-options='--cpu-prof --cpu-prof-dir=DIR' profiles the Paike child.
 * Everything lives in one mkdtemp directory that is removed at the end; children are killed
 * even on error.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import * as tus from 'tus-js-client';
import { demoCampaign } from '../src/server/seed.js';
import { cpuMsOf, GiB, loadNow, MiB, mbps, median, rssOf, run, sampleRss, spawnTracked, table, writeRandomFile, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '512' },
    'memory-gib': { type: 'string', default: '2' },
    runs: { type: 'string', default: '5' },
    'chunk-mib': { type: 'string', default: '50' },
    'cut-at': { type: 'string', default: '0.4' },
    /** Extra tus-js-client chunk sizes, to see what one PATCH costs ('' for none). */
    'sweep-mib': { type: 'string', default: '10,100' },
    /** Extra node flags for the Paike child only, e.g. --server-node-options='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
    'server-node-options': { type: 'string', default: '' },
    /** Run the Paike child on this PostgreSQL (a fresh schema) instead of embedded PGlite. */
    'database-url': { type: 'string', default: '' },
  },
});
const SIZE = Math.round(Number(flags['size-mib']) * MiB);
const MEM_SIZE = Math.round(Number(flags['memory-gib']) * GiB);
const RUNS = Math.max(1, Number(flags.runs));
const CHUNK = Math.round(Number(flags['chunk-mib']) * MiB);
const CUT_AT = Number(flags['cut-at']);
const SWEEP = flags['sweep-mib']
  .split(',')
  .filter(Boolean)
  .map((x) => Number(x));
const PASSWORD = 'correct horse battery staple';
const repo = resolve(import.meta.dirname, '..');

const root = await mkdtemp(join(tmpdir(), 'paike-bench-upload-'));
const dataDir = join(root, 'data');
const scratch = join(root, 'scratch');
const source = join(root, `random-${flags['size-mib']}MiB.bin`);
const memSource = join(root, `random-${flags['memory-gib']}GiB.bin`);
// On Ctrl-C lib.ts kills the children and exits; the temp dir goes too.
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const paikeEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  PAIKE_SEED: 'none',
  LOG_LEVEL: 'warn',
  UPLOAD_MAX_BYTES_PER_DAY: String(1024 * GiB),
  UPLOAD_MAX_CONCURRENT_PER_USER: '20',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  // Embedded PGlite, local storage, no Redis: what `paike start` runs with out of the box,
  // unless --database-url points the child at a PostgreSQL server (fresh schema).
  DATABASE_URL: flags['database-url'],
  DATABASE_SCHEMA: flags['database-url'] ? `bench_${process.pid}` : 'public',
  REDIS_URL: '',
};

let paike: Tracked | undefined;
let bareServer: Tracked | undefined;
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cookieFrom(res: Response): string {
  const c = res.headers.getSetCookie().find((x) => x.startsWith('paike_session='));
  if (!c) throw new Error(`no paike_session cookie (${res.status})`);
  return c.split(';')[0]!;
}

async function postJson(url: string, body: unknown, cookie = ''): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: new URL(url).origin }, body: JSON.stringify(body) });
}

// ---------------------------------------------------------------- the Paike side

interface Paike {
  base: string;
  cookie: string;
  metadata: Record<string, string>;
}

async function startPaike(): Promise<Paike> {
  await mkdir(dataDir, { recursive: true });
  const adminEmail = 'bench-admin@paike.local';
  await run(process.execPath, ['bin/paike.mjs', 'admin', 'create-user', '--email', adminEmail, '--password', PASSWORD, '--role', 'admin', '--name', 'Bench'], {
    cwd: repo,
    env: paikeEnv,
  });
  const nodeFlags = flags['server-node-options'].split(' ').filter(Boolean);
  paike = spawnTracked(process.execPath, [...nodeFlags, 'bin/paike.mjs', 'start'], {
    cwd: repo,
    env: paikeEnv,
    ready: /Paike is running at (\S+)/,
    readyTimeoutMs: 120_000,
  });
  const base = (await paike.ready).trim();
  const signIn = await postJson(`${base}/api/auth/sign-in/email`, { email: adminEmail, password: PASSWORD });
  if (signIn.status !== 200) throw new Error(`admin sign-in: ${signIn.status} ${await signIn.text()}`);
  const admin = cookieFrom(signIn);
  const body = { ...demoCampaign(new Date()), slug: 'bench-upload' };
  body.rules = { ...body.rules, maxUploadBytes: 16 * GiB };
  const created = await postJson(`${base}/api/admin/campaigns`, body, admin);
  if (!created.ok) throw new Error(`create campaign: ${created.status} ${await created.text()}`);
  const campaignId = ((await created.json()) as { campaign: { id: string } }).campaign.id;
  const signUp = await postJson(`${base}/api/auth/sign-up/email`, { email: 'bench-contributor@paike.local', password: PASSWORD, name: 'Bench', campaignId });
  if (signUp.status !== 201) throw new Error(`contributor sign-up: ${signUp.status} ${await signUp.text()}`);
  return { base, cookie: cookieFrom(signUp), metadata: { campaignId, theme: 'food', title: 'bench', filename: 'bench.mp4', consent: 'true' } };
}

/** Waits until none of the contributor's submissions is still uploading/being processed (random bytes are rejected quickly). */
async function settle(p: Paike): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const res = await fetch(`${p.base}/api/me/submissions`, { headers: { cookie: p.cookie } });
    const subs = ((await res.json()) as { submissions: { status: string }[] }).submissions;
    if (!subs.some((s) => s.status === 'processing' || s.status === 'uploading')) return;
    await sleep(250);
  }
}

interface TusRun {
  ms: number;
  url: string | null;
  /** Bytes the client had handed to the socket when it aborted. */
  sentAtAbort?: number;
  submissionId?: string;
}

function tusFile(p: Paike, file: string, size: number, opts: { chunkSize: number; uploadUrl?: string; abortAt?: number }): Promise<TusRun> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const up: tus.Upload = new tus.Upload(createReadStream(file), {
      endpoint: `${p.base}/api/uploads`,
      uploadUrl: opts.uploadUrl,
      uploadSize: size,
      chunkSize: opts.chunkSize,
      metadata: p.metadata,
      headers: { cookie: p.cookie },
      retryDelays: [],
      storeFingerprintForResuming: false,
      onProgress(sent) {
        if (opts.abortAt !== undefined && sent >= opts.abortAt) {
          const ms = performance.now() - start;
          const url = up.url;
          void up.abort().then(() => resolvePromise({ ms, url, sentAtAbort: sent }));
          opts.abortAt = undefined;
        }
      },
      onAfterResponse(_req, res) {
        const id = res.getHeader('Paike-Submission-Id');
        if (id) run.submissionId = id;
      },
      onSuccess() {
        run.ms = performance.now() - start;
        run.url = up.url;
        resolvePromise(run);
      },
      onError: reject,
    });
    const run: TusRun = { ms: 0, url: null };
    up.start();
  });
}

/** POST (creation) then one PATCH with the whole file via node:http, no tus-js-client. */
async function rawPatch(p: Paike, file: string, size: number): Promise<number> {
  const start = performance.now();
  const meta = Object.entries(p.metadata)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const created = await fetch(`${p.base}/api/uploads`, {
    method: 'POST',
    headers: { cookie: p.cookie, 'tus-resumable': '1.0.0', 'upload-length': String(size), 'upload-metadata': meta },
  });
  if (created.status !== 201) throw new Error(`tus POST: ${created.status} ${await created.text()}`);
  const url = new URL(created.headers.get('location')!, p.base).toString();
  const status = await streamRequest(url, 'PATCH', file, size, {
    cookie: p.cookie,
    'tus-resumable': '1.0.0',
    'upload-offset': '0',
    'content-type': 'application/offset+octet-stream',
  });
  if (status !== 204) throw new Error(`tus PATCH: ${status}`);
  return performance.now() - start;
}

/** Streams a file as a request body; resolves with the response status once the response ends. */
function streamRequest(url: string, method: string, file: string, size: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(url, { method, agent: false, headers: { ...headers, 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
}

// ---------------------------------------------------------------- the bare side

const BARE_SERVER = `
import http from 'node:http';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
const s = http.createServer(async (req, res) => {
  try {
    await pipeline(req, fs.createWriteStream(new URL(req.url, 'http://x').searchParams.get('to')));
    res.writeHead(204).end();
  } catch (e) {
    res.writeHead(500).end(String(e));
  }
});
s.listen(0, '127.0.0.1', () => console.log('bare listening on ' + s.address().port));
`;

async function startBare(): Promise<string> {
  bareServer = spawnTracked(process.execPath, ['--input-type=module', '-e', BARE_SERVER], { ready: /bare listening on (\d+)/ });
  return `http://127.0.0.1:${await bareServer.ready}`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const s = performance.now();
  await fn();
  return performance.now() - s;
}

// ---------------------------------------------------------------- main

const fmtMs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMB = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

try {
  log(
    `machine: ${cpus().length} cores, ${(totalmem() / GiB).toFixed(1)} GiB RAM (${(freemem() / GiB).toFixed(1)} free), node ${process.version}; load ${loadNow()}`,
  );
  log(`writing ${flags['size-mib']} MiB of random bytes to ${source}`);
  await writeRandomFile(source, SIZE);
  await mkdir(scratch, { recursive: true });
  const p = await startPaike();
  const bareBase = await startBare();
  log(`paike at ${p.base} (pid ${paike!.pid}), bare http at ${bareBase} (pid ${bareServer!.pid}); load ${loadNow()}`);

  // ------------------------------------------------------------ 1. throughput
  const out = () => join(scratch, `copy-${Math.random().toString(36).slice(2)}`);
  const variants: { name: string; ours: boolean; fn: () => Promise<number> }[] = [
    {
      name: 'bare fs.copyFile',
      ours: false,
      fn: async () => {
        const o = out();
        const ms = await timed(() => copyFile(source, o));
        await rm(o);
        return ms;
      },
    },
    {
      name: 'bare stream pipeline (read → write)',
      ours: false,
      fn: async () => {
        const o = out();
        const ms = await timed(() => pipeline(createReadStream(source), createWriteStream(o)));
        await rm(o);
        return ms;
      },
    },
    {
      name: 'bare http PUT → file (node:http)',
      ours: false,
      fn: async () => {
        const o = out();
        const ms = await timed(async () => {
          const st = await streamRequest(`${bareBase}/?to=${encodeURIComponent(o)}`, 'PUT', source, SIZE, {});
          if (st !== 204) throw new Error(`bare PUT ${st}`);
        });
        await rm(o);
        return ms;
      },
    },
    {
      name: `ours: tus-js-client, chunkSize ${flags['chunk-mib']} MiB`,
      ours: true,
      fn: async () => {
        const r = await tusFile(p, source, SIZE, { chunkSize: CHUNK });
        if (!r.submissionId) throw new Error('no Paike-Submission-Id after upload');
        await settle(p);
        return r.ms;
      },
    },
    {
      name: 'ours: tus-js-client, one PATCH',
      ours: true,
      fn: async () => {
        const r = await tusFile(p, source, SIZE, { chunkSize: Infinity });
        await settle(p);
        return r.ms;
      },
    },
    {
      name: 'ours: raw POST + one PATCH (node:http)',
      ours: true,
      fn: async () => {
        const ms = await rawPatch(p, source, SIZE);
        await settle(p);
        return ms;
      },
    },
    ...SWEEP.map((mib) => ({
      name: `ours: tus-js-client, chunkSize ${mib} MiB`,
      ours: true,
      fn: async () => {
        const r = await tusFile(p, source, SIZE, { chunkSize: Math.round(mib * MiB) });
        await settle(p);
        return r.ms;
      },
    })),
  ];
  // Warm-up, not counted: the first requests pay for JIT, tsx's loader and cold DB pages.
  log('warm-up (not counted)');
  await variants[2]!.fn();
  await variants[3]!.fn();
  await variants[4]!.fn();
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const loads: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    // Rotate the order each round and interleave ours/bare so drift in machine load spreads evenly.
    const bare = variants.filter((v) => !v.ours);
    const ours = variants.filter((v) => v.ours);
    const order: typeof variants = [];
    for (let i = 0; i < Math.max(bare.length, ours.length); i++) {
      const b = bare[(i + r) % bare.length]!;
      const o = ours[(i + r) % ours.length]!;
      order.push(...(r % 2 ? [o, b] : [b, o]));
    }
    for (const v of order) {
      const ms = await v.fn();
      times.get(v.name)!.push(ms);
      log(`round ${r + 1}: ${v.name}: ${fmtMs(ms)} (${mbps(SIZE, ms).toFixed(0)} MB/s)`);
    }
    loads.push(loadNow());
  }
  const med = (name: string) => median(times.get(name)!);
  const ref = {
    copy: med(variants[0]!.name),
    stream: med(variants[1]!.name),
    http: med(variants[2]!.name),
  };
  const throughputRows = variants.map((v) => {
    const m = med(v.name);
    const ratio = (bareMs: number) => (bareMs / m).toFixed(2);
    return [
      v.name,
      fmtMs(m),
      `${mbps(SIZE, m).toFixed(0)} MB/s`,
      times
        .get(v.name)!
        .map((x) => mbps(SIZE, x).toFixed(0))
        .join(' / '),
      ratio(ref.copy),
      ratio(ref.stream),
      ratio(ref.http),
    ];
  });

  // The fixed cost of one request: small bodies, so the bytes cost next to nothing.
  const SMALL = 64 * 1024;
  const N = 32;
  const small = Buffer.alloc(SMALL, 7);
  const created = await fetch(`${p.base}/api/uploads`, {
    method: 'POST',
    headers: {
      cookie: p.cookie,
      'tus-resumable': '1.0.0',
      'upload-length': String(SMALL * N),
      'upload-metadata': Object.entries(p.metadata)
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(','),
    },
  });
  const smallUrl = new URL(created.headers.get('location')!, p.base).toString();
  const patchMs: number[] = [];
  const headMs: number[] = [];
  const putMs: number[] = [];
  for (let i = 0; i < N; i++) {
    headMs.push(await timed(async () => (await fetch(smallUrl, { method: 'HEAD', headers: { cookie: p.cookie, 'tus-resumable': '1.0.0' } })).arrayBuffer()));
    patchMs.push(
      await timed(async () => {
        const res = await fetch(smallUrl, {
          method: 'PATCH',
          headers: { cookie: p.cookie, 'tus-resumable': '1.0.0', 'upload-offset': String(i * SMALL), 'content-type': 'application/offset+octet-stream' },
          body: small,
        });
        await res.arrayBuffer();
        if (res.status !== 204) throw new Error(`small PATCH ${res.status}`);
      }),
    );
    const o = join(scratch, 'small');
    putMs.push(await timed(async () => (await fetch(`${bareBase}/?to=${encodeURIComponent(o)}`, { method: 'PUT', body: small })).arrayBuffer()));
  }
  await settle(p);
  const latencyRows = [
    [
      'ours: PATCH 64 KiB (last one finishes the upload)',
      `${median(patchMs).toFixed(1)} ms`,
      `${Math.min(...patchMs).toFixed(1)} ms`,
      `${Math.max(...patchMs).toFixed(1)} ms`,
    ],
    [
      'ours: HEAD (auth, owner check, tus offset)',
      `${median(headMs).toFixed(1)} ms`,
      `${Math.min(...headMs).toFixed(1)} ms`,
      `${Math.max(...headMs).toFixed(1)} ms`,
    ],
    ['bare http: PUT 64 KiB → file', `${median(putMs).toFixed(1)} ms`, `${Math.min(...putMs).toFixed(1)} ms`, `${Math.max(...putMs).toFixed(1)} ms`],
  ];
  log(`per request: PATCH ${median(patchMs).toFixed(1)} ms, HEAD ${median(headMs).toFixed(1)} ms, bare PUT ${median(putMs).toFixed(1)} ms`);

  // ------------------------------------------------------------ 2. resume after a cut
  const resumeRows: string[][] = [];
  for (let r = 0; r < RUNS; r++) {
    const whole = await tusFile(p, source, SIZE, { chunkSize: CHUNK });
    await settle(p);
    const uninterrupted = whole.ms;
    const cut = await tusFile(p, source, SIZE, { chunkSize: CHUNK, abortAt: Math.round(SIZE * CUT_AT) });
    if (!cut.url) throw new Error('no upload URL after the cut');
    await sleep(500);
    const head = await fetch(cut.url, { method: 'HEAD', headers: { cookie: p.cookie, 'tus-resumable': '1.0.0' } });
    const offset = Number(head.headers.get('upload-offset'));
    if (cut.sentAtAbort === undefined) {
      log('resume: the upload finished before the cut (file too small for --cut-at); skipped');
      await settle(p);
      break;
    }
    const resumed = await tusFile(p, source, SIZE, { chunkSize: CHUNK, uploadUrl: cut.url });
    if (!resumed.submissionId) throw new Error('resumed upload did not finish as a submission');
    await settle(p);
    const resent = cut.sentAtAbort! - offset;
    const total = cut.ms + resumed.ms;
    resumeRows.push([
      String(r + 1),
      `${(cut.sentAtAbort! / MiB).toFixed(1)} MiB`,
      `${(offset / MiB).toFixed(1)} MiB`,
      `${(resent / MiB).toFixed(2)} MiB`,
      `${fmtMs(cut.ms)} + ${fmtMs(resumed.ms)} = ${fmtMs(total)}`,
      fmtMs(uninterrupted),
      (total / uninterrupted).toFixed(2),
    ]);
    log(`resume ${r + 1}: cut at ${cut.sentAtAbort}, server kept ${offset}, re-sent ${resent} B; ${fmtMs(total)} vs ${fmtMs(uninterrupted)}`);
  }

  // ------------------------------------------------------------ 3. memory
  const memoryRows: string[][] = [];
  if (MEM_SIZE > 0) {
    log(`writing ${flags['memory-gib']} GiB of random bytes to ${memSource}`);
    await writeRandomFile(memSource, MEM_SIZE);
    await rm(source);
    const stats = (s: number[]) => [fmtMB(Math.min(...s)), fmtMB(median(s)), fmtMB(Math.max(...s))];
    const MEM_RUNS = Math.max(1, Math.min(RUNS, 3));
    const ourRss: number[] = [];
    const bareRss: number[] = [];
    for (let r = 0; r < MEM_RUNS; r++) {
      // Alternate which goes first; each row is one run.
      for (const which of r % 2 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
        const pid = which === 'ours' ? paike!.pid : bareServer!.pid;
        const idle = await rssOf(pid);
        const cpu0 = await cpuMsOf(pid);
        const sampler = sampleRss(pid, 200);
        let ms: number;
        if (which === 'ours') {
          ms = (await tusFile(p, memSource, MEM_SIZE, { chunkSize: CHUNK })).ms;
        } else {
          const o = out();
          ms = await timed(() => streamRequest(`${bareBase}/?to=${encodeURIComponent(o)}`, 'PUT', memSource, MEM_SIZE, {}));
          await rm(o);
        }
        const rss = sampler.stop();
        const cpu = (await cpuMsOf(pid)) - cpu0;
        if (which === 'ours') await settle(p);
        (which === 'ours' ? ourRss : bareRss).push(...rss);
        log(
          `memory ${r + 1}: ${which} ${fmtMs(ms)} (${mbps(MEM_SIZE, ms).toFixed(0)} MB/s), RSS max ${fmtMB(Math.max(...rss))}, CPU ${(cpu / 1000).toFixed(2)} s`,
        );
        memoryRows.push([
          `${r + 1}: ${which === 'ours' ? `ours (paike start), tus ${flags['chunk-mib']} MiB chunks` : 'bare http PUT → file'}`,
          fmtMB(idle),
          ...stats(rss),
          String(rss.length),
          `${mbps(MEM_SIZE, ms).toFixed(0)} MB/s`,
          `${(cpu / 1000).toFixed(2)} s`,
        ]);
      }
    }
    memoryRows.push(
      ['all runs: ours', '', ...stats(ourRss), String(ourRss.length), '', ''],
      ['all runs: bare', '', ...stats(bareRss), String(bareRss.length), '', ''],
    );
  }

  // ------------------------------------------------------------ report
  console.log(`\nupload bench: ${flags['size-mib']} MiB file, ${RUNS} rounds (medians), load after each round: ${loads.join(' | ')}\n`);
  console.log(
    table(
      ['variant', 'median time', 'median MB/s', 'MB/s, each run in order', 'ratio to copyFile', 'ratio to stream copy', 'ratio to bare http'],
      throughputRows,
    ),
  );
  console.log(`\nfixed cost of one request (${N} each, interleaved)\n`);
  console.log(table(['request', 'median', 'min', 'max'], latencyRows));
  console.log(
    `\nresume: cut at ${(CUT_AT * 100).toFixed(0)} %, chunkSize ${flags['chunk-mib']} MiB, each against an uninterrupted upload run just before it\n`,
  );
  console.log(
    table(['run', 'client had sent', 'server kept', 're-sent beyond the cut', 'time (cut + resume)', 'uninterrupted', 'ratio to uninterrupted'], resumeRows),
  );
  if (memoryRows.length) {
    console.log(`\nmemory: ${flags['memory-gib']} GiB upload, server RSS sampled every 200 ms, server CPU from /proc/<pid>/stat\n`);
    console.log(table(['server', 'idle RSS', 'min RSS', 'median RSS', 'max RSS', 'samples', 'throughput', 'server CPU (user+sys)'], memoryRows));
  }
  console.log(`\nload at end: ${loadNow()}; total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(err);
  if (paike) console.error(`--- paike output (tail) ---\n${paike.tail()}`);
  process.exitCode = 1;
} finally {
  await Promise.all([paike?.stop(), bareServer?.stop()]);
  await rm(root, { recursive: true, force: true });
}
