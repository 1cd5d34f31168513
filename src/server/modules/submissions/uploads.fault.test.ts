import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG_BIN, runProcess } from '../media/ffmpeg.runner.js';
import { demoCampaign } from '../../seed.js';
import { tusUpload } from '../../testing/uploads.js';

/**
 * Crash and lost-reply faults against the real server process (`paike start`), killed with
 * SIGKILL at chosen moments, with the stock tus client resuming on its own retries through a
 * local proxy that stays up while the server comes and goes. On PGlite by default, on
 * PostgreSQL when DATABASE_URL is set.
 */

const REPO = path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const BIN = path.join(REPO, 'bin', 'paike.mjs');
const ADMIN = { email: 'fault-admin@example.test', password: 'Harbour lanterns at dusk 2026' };
// The client's own retry schedule: long enough to ride out a restart (a few seconds).
const RETRIES = [200, 400, 800, 1000, ...Array.from({ length: 40 }, () => 1000)];

let dataDir: string;
let schema: string | undefined;
let env: NodeJS.ProcessEnv;
let serverPort: number;
let server: { child: ChildProcess; exited: Promise<unknown> } | undefined;
let proxy: http.Server;
let proxyBase: string;
let cookie: string;
let campaignId: string;
const videos: Record<'a' | 'b' | 'c', Buffer> = {} as never;

/** What the proxy does with the response to the PATCH that carries an upload's last byte. */
let onFinalPatch: 'relay' | 'drop' = 'relay';
let finalPatchesDropped = 0;
/** The server's output across restarts, shown when a wait times out. */
let serverLog = '';

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startServer(): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`paike start did not come up:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      serverLog += d.toString();
      if (out.includes('Paike is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`paike start exited:\n${out}`)));
  });
  server = { child, exited };
}

async function killServer(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGKILL');
  await server.exited;
  server = undefined;
}

const direct = (p: string) => `http://127.0.0.1:${serverPort}${p}`;

async function api(method: string, p: string, body?: unknown, withCookie = cookie): Promise<Response> {
  return fetch(direct(p), {
    method,
    headers: { ...(withCookie ? { cookie: withCookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const sessionOf = (res: Response) => /paike_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];

interface Sub {
  id: string;
  title: string;
  status: string;
}
async function mine(): Promise<Sub[]> {
  return ((await (await api('GET', '/api/me/submissions')).json()) as { submissions: Sub[] }).submissions;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Exactly one submission with this title, and it reaches the review queue. */
async function expectOneInReview(title: string): Promise<Sub> {
  let last: Sub | undefined;
  const sub = await until(
    `${title} to reach review`,
    async () => {
      const subs = (await mine().catch(() => [])).filter((s) => s.title === title);
      expect(subs.length).toBeLessThanOrEqual(1);
      if (subs[0]?.status === 'rejected') throw new Error(`${title} was rejected: ${JSON.stringify(subs[0])}`);
      last = subs[0];
      return subs[0]?.status === 'in_review' && subs[0];
    },
    90_000,
    300,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen ${JSON.stringify(last)}\nserver log:\n${serverLog.slice(-4000)}`);
  });
  expect((await mine()).filter((s) => s.title === title)).toHaveLength(1);
  return sub;
}

/** A small real video (H.264/AAC), different per seed, made by ffmpeg's test sources. */
async function makeVideo(seconds: number, size: string, seed: number): Promise<Buffer> {
  const out = path.join(dataDir, `fixture-${seed}.mp4`);
  await runProcess(
    FFMPEG_BIN,
    [
      ...['-hide_banner', '-nostdin', '-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=10:d=${seconds},hue=h=${seed * 40}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=${300 + seed * 100}:sample_rate=48000:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '32k', '-shortest', out],
    ],
    { timeoutMs: 60_000 },
  );
  return readFile(out);
}

/** The tus file (bytes, not its .json) of the upload in progress, if there is one. */
function tusFiles(): { name: string; size: number }[] {
  const dir = path.join(dataDir, 'uploads');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.includes('.'))
    .flatMap((name) => {
      try {
        return [{ name, size: statSync(path.join(dir, name)).size }];
      } catch {
        return [];
      }
    });
}

const meta = (title: string) => ({ campaignId, theme: 'food', title, filename: `${title}.mp4`, consent: 'true' });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'paike-fault-'));
  serverPort = await freePort();
  schema = process.env.DATABASE_URL ? `fault_${randomBytes(5).toString('hex')}` : undefined;
  env = {
    ...process.env,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(serverPort),
    PAIKE_SEED: 'none',
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    WORKER_CONCURRENCY: '1',
    FFMPEG_THREADS: '1',
    // A killed worker's video comes back after this on PostgreSQL (the production default is minutes).
    JOB_STALL_SECONDS: '6',
    ...(schema ? { DATABASE_SCHEMA: schema } : {}),
  };
  const [a, b, c] = await Promise.all([makeVideo(5, '240x428', 1), makeVideo(12, '320x568', 2), makeVideo(5, '240x428', 3)]);
  Object.assign(videos, { a, b, c });

  const created = spawnSync(process.execPath, [BIN, 'admin', 'create-user', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin'], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (created.status !== 0) throw new Error(`admin create-user failed: ${created.stdout}${created.stderr}`);
  await startServer();

  // Everything the tus client sends goes through here, so its address outlives the server.
  proxy = http.createServer((req, res) => {
    const upstream = http.request({ host: '127.0.0.1', port: serverPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const offset = Number(req.headers['upload-offset'] ?? -1);
      const length = Number(req.headers['content-length'] ?? 0);
      const isFinal = req.method === 'PATCH' && length > 0 && up.statusCode === 204 && Number(up.headers['upload-offset']) === offset + length;
      const isComplete = isFinal && up.headers['paike-submission-id'];
      if (isComplete && onFinalPatch === 'drop') {
        // The server finished the upload; the client never hears of it.
        finalPatchesDropped += 1;
        up.resume();
        res.socket?.destroy();
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const signIn = await fetch(direct('/api/auth/sign-in/email'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const admin = sessionOf(signIn);
  const body = { ...demoCampaign(new Date()), slug: 'fault-test' };
  body.rules = { ...body.rules, minDurationSeconds: 4, maxDurationSeconds: 120 };
  const campaign = await api('POST', '/api/admin/campaigns', body, admin);
  campaignId = ((await campaign.json()) as { campaign: { id: string } }).campaign.id;
  const signUp = await api('POST', '/api/auth/sign-up/email', { email: 'fault-paike@example.test', password: ADMIN.password, name: '拍客' }, '');
  cookie = sessionOf(signUp);
  expect((await api('POST', `/api/campaigns/${campaignId}/join`)).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await killServer();
  proxy?.close();
  if (schema && process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_pgboss" CASCADE`).catch(() => {});
    await client.end();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('uploads and processing survive kill -9 and lost replies (real server process)', { timeout: 150_000 }, () => {
  it('(a) killed the moment the last byte is on disk: the client resumes after the restart; one submission, in review', async () => {
    const data = videos.a;
    const upload = tusUpload(data, { base: proxyBase, cookie, metadata: meta('crash-at-last-byte'), chunkSize: 32 * 1024, retryDelays: RETRIES });
    // Poll the upload's bytes on disk and kill the instant they are all there, before (or
    // while) the finish step runs and before the reply leaves.
    await until('the last byte on disk', () => tusFiles().some((f) => f.size === data.length), 60_000, 1);
    await killServer();
    await startServer();
    const run = await upload;
    expect(run.error).toBeUndefined();
    const sub = await expectOneInReview('crash-at-last-byte');
    expect(run.submissionId).toBe(sub.id);
  });

  it('(b) killed while ffmpeg transcodes: the job is run again after the restart, its scratch files redone; one submission, in review', async () => {
    const run = await tusUpload(videos.b, { base: proxyBase, cookie, metadata: meta('crash-while-processing'), chunkSize: 256 * 1024, retryDelays: RETRIES });
    expect(run.error).toBeUndefined();
    const id = run.submissionId!;
    const hls = path.join(dataDir, 'work', id, 'hls');
    // HLS segments in the scratch folder: ffmpeg is mid-transcode.
    await until(
      'ffmpeg to write segments',
      () => {
        try {
          return readdirSync(hls, { recursive: true }).some((f) => String(f).endsWith('.m4s') || String(f).endsWith('.ts'));
        } catch {
          return false;
        }
      },
      60_000,
      20,
    );
    await killServer();
    await startServer();
    const sub = await expectOneInReview('crash-while-processing');
    expect(sub.id).toBe(id);
    const detail = (await (await api('GET', `/api/submissions/${id}`)).json()) as { submission: { playbackUrl: string; progress: number } };
    expect(detail.submission.progress).toBe(100);
    const master = await api('GET', detail.submission.playbackUrl);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('#EXT-X-STREAM-INF');
  });

  it('(c) the reply to the last PATCH is lost while the server lives: the client asks (HEAD), learns it is done; one submission, in review', async () => {
    onFinalPatch = 'drop';
    const run = await tusUpload(videos.c, { base: proxyBase, cookie, metadata: meta('lost-last-reply'), chunkSize: 32 * 1024, retryDelays: RETRIES });
    onFinalPatch = 'relay';
    expect(finalPatchesDropped).toBe(1);
    expect(run.error).toBeUndefined();
    const sub = await expectOneInReview('lost-last-reply');
    expect(run.submissionId).toBe(sub.id);
    // Asked again later, the finished upload still answers for itself, and a repeated last
    // PATCH creates nothing.
    const head = await fetch(`${proxyBase}${new URL(run.url!).pathname}`, { method: 'HEAD', headers: { cookie, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(videos.c.length));
    expect(head.headers.get('upload-length')).toBe(String(videos.c.length));
    expect(head.headers.get('paike-submission-id')).toBe(sub.id);
  });
});
