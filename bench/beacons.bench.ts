/**
 * View-beacon ingest bench: events/s of `POST /api/beacons/views` through HTTP with 200
 * concurrent keep-alive clients on loopback (every event a distinct viewer, so every one is a
 * new row), beside baselines measured in the same run at the same concurrency:
 *   - insert: a bare `INSERT … ON CONFLICT DO NOTHING` of the same rows into the same table,
 *     one statement per event, over a pool the size of the server's (DATABASE_POOL_SIZE);
 *   - redis: a bare `SET key 1 NX EX 7200` per event on REDIS_URL (when Redis answers);
 *   - nobatch: our route with group commit off (BEACON_BATCH_MAX=1), to show what batching buys.
 *   npx tsx bench/beacons.bench.ts [--clients 200] [--seconds 8] [--rounds 3] [--videos 50]
 *                                  [--database-url postgres://…] [--redis-url redis://…] [--pool 10]
 *                                  [--variants http,nobatch,insert,redis]
 *
 * The servers are real `paike serve` children (production config, the per-IP beacon limit
 * raised so nothing is refused, the limiter still running) on a fresh PostgreSQL schema; each
 * client connection has its own 127.x.y.z address. After each HTTP round the rows are counted:
 * every 204 must be a row. Variants alternate round by round after an uncounted warm-up;
 * medians are printed. The schema, the Redis keys and the temp dir are removed at the end.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/client.js';
import { issueViewerCookie } from '../src/server/modules/propagation/beacons.service.js';
import { openRuntime } from '../src/server/runtime.js';
import { closedLoop, cpuMsOf, httpLoad, loadNow, median, percentile, spawnTracked, table, type LoadResult, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    videos: { type: 'string', default: '50' },
    pool: { type: 'string', default: '10' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? '' },
    variants: { type: 'string', default: 'http,nobatch,insert,redis' },
  },
});
const CLIENTS = Number(flags.clients);
const DURATION_MS = Number(flags.seconds) * 1000;
const ROUNDS = Math.max(1, Number(flags.rounds));
const VIDEOS = Number(flags.videos);
const POOL = Number(flags.pool);
const DATABASE_URL = flags['database-url'];
const REDIS_URL = flags['redis-url'];
type Variant = 'http' | 'nobatch' | 'insert' | 'redis';
let VARIANTS = flags.variants.split(',').filter(Boolean) as Variant[];
if (!REDIS_URL) VARIANTS = VARIANTS.filter((v) => v !== 'redis');

const repoDir = resolve(import.meta.dirname, '..');
const schema = `bench_beacons_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-beacons-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const serverEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dataDir,
  DATABASE_URL,
  DATABASE_SCHEMA: schema,
  DATABASE_POOL_SIZE: String(POOL),
  LOG_LEVEL: 'warn',
  PAIKE_SEED: 'none',
  PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
  BEACON_SECRET: randomBytes(32).toString('hex'),
  BEACON_RATE_PER_IP_PER_MINUTE: '100000000',
};
const localAddress = (c: number) => `127.2.${(c >> 8) & 255}.${c & 255}`;
const UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

async function startServer(name: string, env: Record<string, string>): Promise<{ port: number; proc: Tracked }> {
  const proc = spawnTracked(process.execPath, ['bin/paike.mjs', 'serve'], { cwd: repoDir, env, ready: /Paike is running at (\S+)/, readyTimeoutMs: 120_000 });
  const url = await proc.ready.catch((e: unknown) => {
    throw new Error(`${name} server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
  return { port: Number(new URL(url.trim()).port), proc };
}

interface Result extends LoadResult {
  serverCpuMs: number;
  /** Rows the round added to view_beacons (HTTP variants): must equal its 204s. */
  rows?: number;
}

async function main(): Promise<void> {
  const config = loadConfig({ ...serverEnv, LOG_LEVEL: 'silent', PORT: '3000' });
  const database = await openDatabase(config);
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send', database });
  const { sql } = runtime.services.database;
  const bare = new pg.Pool({ connectionString: DATABASE_URL, max: POOL, options: `-c search_path=${schema}` });
  const redis = REDIS_URL ? new Redis(REDIS_URL, { lazyConnect: true }) : undefined;
  if (redis) await redis.connect();
  const servers: Tracked[] = [];
  try {
    const pgVersion = (await sql.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const redisVersion = redis ? /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] : undefined;

    // Fixtures: one contributor, one campaign, VIDEOS adopted videos live on the app.
    const { rows: user } = await sql.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ('beacon-bench@example.test', 'Bench') RETURNING id`);
    const { rows: camp } = await sql.query<{ id: string }>(
      `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
       VALUES ('beacon-bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', now() - interval '1 day', now() + interval '30 days', 1000, '{}') RETURNING id`,
    );
    const videos = Array.from({ length: VIDEOS }, () => randomUUID());
    await sql.query(
      `INSERT INTO submissions (id, user_id, campaign_id, theme, title, consent_at, status, upload_length, original_filename, grade, adopted_at)
       SELECT id, $2, $3, 'food', 'Bench', now(), 'adopted', 1, 'v.mp4', 'A', now() FROM unnest($1::uuid[]) id`,
      [videos, user[0]!.id, camp[0]!.id],
    );
    await sql.query(
      `INSERT INTO publications (submission_id, channel, status, idempotency_key, published_at)
       SELECT id, 'app', 'live', 'bench:' || id, now() - interval '1 day' FROM unnest($1::uuid[]) id`,
      [videos],
    );

    const withBatch = VARIANTS.includes('http') ? await startServer('http', serverEnv) : undefined;
    if (withBatch) servers.push(withBatch.proc);
    const noBatch = VARIANTS.includes('nobatch') ? await startServer('nobatch', { ...serverEnv, BEACON_BATCH_MAX: '1' }) : undefined;
    if (noBatch) servers.push(noBatch.proc);

    let viewerSeq = 0;
    const countRows = async () => Number((await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM view_beacons')).rows[0]!.n);

    async function httpRound(port: number): Promise<LoadResult & { rows: number }> {
      const before = await countRows();
      const r = await httpLoad({
        port,
        connections: CLIENTS,
        durationMs: DURATION_MS,
        okStatus: 204,
        localAddress,
        request: (i) => {
          // A viewer id the server signed an hour ago, distinct per event: a new viewer every time.
          const vid = issueViewerCookie(serverEnv.BEACON_SECRET!, Math.floor(Date.now() / 3600_000) - 1);
          const body = `{"submissionId":"${videos[i % VIDEOS]}"}`;
          return (
            `POST /api/beacons/views HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: ${UA}\r\nCookie: pk_vid=${vid}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
          );
        },
      });
      return { ...r, rows: (await countRows()) - before };
    }

    // The same row shape the route writes: the video, 'app', a 22-character HMAC viewer id, the hour.
    const secret = randomBytes(16);
    const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString();
    async function insertRound(): Promise<LoadResult> {
      let n = 0;
      return closedLoop({
        workers: CLIENTS,
        durationMs: DURATION_MS,
        next: () => n++,
        one: async (_w, i) => {
          const viewer = createHmac('sha256', secret).update(`c:${++viewerSeq}`).digest('base64url').slice(0, 22);
          await bare.query('INSERT INTO view_beacons (submission_id, channel, viewer, hour) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
            videos[i % VIDEOS],
            'app',
            viewer,
            hour,
          ]);
          return '204';
        },
      });
    }

    const redisPrefix = `bench:${schema}:vb:`;
    async function redisRound(): Promise<LoadResult> {
      let n = 0;
      return closedLoop({
        workers: CLIENTS,
        durationMs: DURATION_MS,
        next: () => n++,
        one: async (_w, i) => {
          const viewer = createHmac('sha256', secret).update(`r:${++viewerSeq}`).digest('base64url').slice(0, 22);
          const ok = await redis!.set(`${redisPrefix}${videos[i % VIDEOS]}:app:${viewer}:${hour}`, '1', 'EX', 7200, 'NX');
          return ok === 'OK' ? '204' : 'dup';
        },
      });
    }

    const variants: Record<Variant, { label: string; pid?: number; run: () => Promise<LoadResult & { rows?: number }> }> = {
      http: { label: 'ours: POST /api/beacons/views (group commit)', pid: withBatch?.proc.pid, run: () => httpRound(withBatch!.port) },
      nobatch: { label: 'ours, BEACON_BATCH_MAX=1 (one INSERT per beacon)', pid: noBatch?.proc.pid, run: () => httpRound(noBatch!.port) },
      insert: { label: `bare INSERT … ON CONFLICT DO NOTHING (pool ${POOL})`, run: insertRound },
      redis: { label: 'bare Redis SET NX EX (one ioredis client)', run: redisRound },
    };
    async function measure(v: Variant): Promise<Result> {
      const { pid, run } = variants[v];
      const cpu0 = pid ? await cpuMsOf(pid) : 0;
      const r = await run();
      return { ...r, serverCpuMs: pid ? (await cpuMsOf(pid)) - cpu0 : 0 };
    }

    console.log(
      `beacons bench: ${CLIENTS} clients, ${DURATION_MS / 1000} s rounds, ${ROUNDS} rounds of ${VARIANTS.join(', ')}, ${VIDEOS} videos, pool ${POOL}; ` +
        `Node ${process.version}, PostgreSQL ${pgVersion}${redisVersion ? `, Redis ${redisVersion}` : ''}, load ${loadNow()}`,
    );
    for (const v of VARIANTS) await measure(v); // warm-up: JIT, pools, plans
    const results: Partial<Record<Variant, Result[]>> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of VARIANTS) {
        const r = await measure(v);
        (results[v] ??= []).push(r);
        const ok = r.outcomes.get('204') ?? 0;
        const bad = [...r.outcomes].filter(([k]) => k !== '204');
        console.log(
          `  round ${round} ${v.padEnd(8)} ${String(r.requests).padStart(7)} in ${(r.ms / 1000).toFixed(2)} s = ${r.perSecond.toFixed(0).padStart(6)}/s, ` +
            `p50 ${percentile(r.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms` +
            (r.rows !== undefined ? `, ${r.rows} rows for ${ok} × 204` : '') +
            (bad.length ? `, OTHER: ${bad.map(([k, n]) => `${k}×${n}`).join(' ')} ${r.samples.join(' | ')}` : ''),
        );
        if (r.rows !== undefined && r.rows !== ok) {
          console.error(`  !! ${ok} beacons answered 204 but ${r.rows} rows written`);
          process.exitCode = 1;
        }
      }
    }

    const med = (v: Variant, f: (r: Result) => number) => median((results[v] ?? []).map(f));
    const rate = (v: Variant) => med(v, (r) => r.perSecond);
    const ratio = (v: Variant, base: Variant) => (results[v] && results[base] ? (rate(v) / rate(base)).toFixed(2) : '–');
    const rows = VARIANTS.map((v) => [
      variants[v].label,
      rate(v).toFixed(0),
      med(v, (r) => percentile(r.latenciesMs, 0.5)).toFixed(1),
      med(v, (r) => percentile(r.latenciesMs, 0.99)).toFixed(1),
      variants[v].pid ? med(v, (r) => r.serverCpuMs / r.requests).toFixed(3) : '–',
      ratio(v, 'insert'),
      ratio(v, 'redis'),
    ]);
    console.log(`\nmedians of ${ROUNDS} rounds, load ${loadNow()}`);
    console.log(table(['variant', 'events/s', 'p50 ms', 'p99 ms', 'server CPU ms/event', 'ratio to bare INSERT', 'ratio to bare Redis'], rows));
  } finally {
    for (const s of servers) await s.stop();
    if (redis) {
      for (let cursor = '0'; ;) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `bench:${schema}:*`, 'COUNT', 10_000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      redis.disconnect();
    }
    await bare.end();
    await runtime.close();
    await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => {});
    await sql.close();
  }
}

await main();
