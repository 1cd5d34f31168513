/**
 * A kiosk fleet against one `paike serve` on PostgreSQL (docs/kiosk.md): `--screens` screens
 * heartbeating (POST /api/kiosk/heartbeat) and pulling their signed manifests, unchanged (304 on
 * If-None-Match, what a fleet does almost all the time) and in full (200), side by side with a bare
 * Fastify route in its own process answering the same manifest bytes (200) and a 304; and proof of
 * play ingest (POST /api/kiosk/plays, `--batch` plays a request) against a bare multi-row INSERT of
 * the same rows. Each request picks the next screen's key, so the fleet's keys and manifests all stay
 * in play. Reported: requests/s, p50/p99 and the ratio to the bare counterpart, medians of `--rounds`.
 *
 *   npx tsx bench/kiosk.bench.ts [--screens 1000] [--connections 64] [--seconds 6] [--rounds 3]
 *        [--videos 20] [--batch 20] [--pool 10] [--database-url postgres://…]
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/client.js';
import { openRuntime } from '../src/server/runtime.js';
import { closedLoop, httpLoad, loadNow, median, percentile, spawnTracked, table, type LoadResult, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    screens: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
    videos: { type: 'string', default: '20' },
    batch: { type: 'string', default: '20' },
    pool: { type: 'string', default: '10' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const SCREENS = Number(flags.screens);
const CONNECTIONS = Number(flags.connections);
const DURATION_MS = Number(flags.seconds) * 1000;
const ROUNDS = Math.max(1, Number(flags.rounds));
const VIDEOS = Number(flags.videos);
const BATCH = Number(flags.batch);
const POOL = Number(flags.pool);
const DATABASE_URL = flags['database-url'];

const repoDir = resolve(import.meta.dirname, '..');
const schema = `bench_kiosk_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-kiosk-'));
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
};
const keyOf = (i: number) => `pk_kiosk_bench_${i}`;

/** The bare counterpart: Fastify answering fixed bytes (the manifest a screen gets) or a 304, nothing else. */
const BARE_SERVER = (fastifyEntry: string) => `
import Fastify from '${fastifyEntry}';
import { readFileSync } from 'node:fs';
const body = readFileSync(process.argv[1], 'utf8');
const app = Fastify({ logger: false });
app.get('/m', (req, reply) => {
  if (req.headers['if-none-match'] === '"v"') return reply.status(304).send();
  return reply.header('etag', '"v"').type('application/json; charset=utf-8').send(body);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log('bare at ' + url);
`;

function startPaike(): { proc: Tracked; port: Promise<number> } {
  const proc = spawnTracked(process.execPath, ['bin/paike.mjs', 'serve'], {
    cwd: repoDir,
    env: serverEnv,
    ready: /Paike is running at (\S+)/,
    readyTimeoutMs: 120_000,
  });
  return { proc, port: proc.ready.then((u) => Number(new URL(u.trim()).port)) };
}

async function main(): Promise<void> {
  const config = loadConfig({ ...serverEnv, LOG_LEVEL: 'silent', PORT: '3000' });
  const database = await openDatabase(config);
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send', database });
  const { sql } = runtime.services.database;
  const bare = new pg.Pool({ connectionString: DATABASE_URL, max: POOL, options: `-c search_path=${schema}` });
  const procs: Tracked[] = [];
  try {
    const pgVersion = (await sql.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    // Fixtures: a campaign, VIDEOS adopted videos live on the kiosk channel, each with a small HLS
    // rendition in storage (a playlist, an init segment, 8 segments of 64 KiB, a poster), and the fleet.
    const { rows: user } = await sql.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ('kiosk-bench@example.test', 'Bench') RETURNING id`);
    const { rows: camp } = await sql.query<{ id: string }>(
      `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
       VALUES ('kiosk-bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', now() - interval '1 day', now() + interval '30 days', 1000, '{}') RETURNING id`,
    );
    const videos = Array.from({ length: VIDEOS }, () => randomUUID());
    const seg = randomBytes(64 * 1024);
    for (const id of videos) {
      const dir = join(dataDir, 'fixture', id);
      mkdirSync(join(dir, 'hls', '480p'), { recursive: true });
      writeFileSync(join(dir, 'hls', 'master.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=480x854\n480p/index.m3u8\n');
      const segs = Array.from({ length: 8 }, (_, i) => `#EXTINF:4.000,\nseg_${String(i).padStart(3, '0')}.m4s`).join('\n');
      writeFileSync(join(dir, 'hls', '480p', 'index.m3u8'), `#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n${segs}\n#EXT-X-ENDLIST\n`);
      writeFileSync(join(dir, 'hls', '480p', 'init.mp4'), seg.subarray(0, 1000));
      for (let i = 0; i < 8; i++) writeFileSync(join(dir, 'hls', '480p', `seg_${String(i).padStart(3, '0')}.m4s`), seg);
      writeFileSync(join(dir, 'poster.jpg'), seg.subarray(0, 20_000));
      await runtime.services.storage.putDir(`submissions/${id}`, dir);
    }
    await sql.query(
      `INSERT INTO submissions (id, user_id, campaign_id, theme, title, consent_at, status, upload_length, original_filename, grade, adopted_at, outputs)
       SELECT id, $2, $3, 'food', '阅报栏', now(), 'adopted', 1, 'v.mp4', 'A', now(),
              jsonb_build_object('original', 'submissions/' || id || '/o.mp4', 'master', 'submissions/' || id || '/hls/master.m3u8', 'poster', 'submissions/' || id || '/poster.jpg')
       FROM unnest($1::uuid[]) id`,
      [videos, user[0]!.id, camp[0]!.id],
    );
    await sql.query(
      `INSERT INTO publications (submission_id, channel, status, idempotency_key, published_at)
       SELECT id, 'kiosk', 'live', 'bench:' || id, now() - interval '1 day' FROM unnest($1::uuid[]) id`,
      [videos],
    );
    const keys = Array.from({ length: SCREENS }, (_, i) => keyOf(i));
    await sql.query(`INSERT INTO kiosk_screens (name, key_hash, campaign_id) SELECT '阅报栏 ' || n, h, $3 FROM unnest($1::text[], $2::text[]) AS t(n, h)`, [
      keys.map((_, i) => String(i)),
      keys.map((k) => createHash('sha256').update(k).digest('hex')),
      camp[0]!.id,
    ]);

    const paike = startPaike();
    procs.push(paike.proc);
    const port = await paike.port;
    // Every screen's current manifest version (the first build hashes the files once).
    const versions: string[] = [];
    let sample = '';
    for (const k of keys) {
      const r = await fetch(`http://127.0.0.1:${port}/api/kiosk/manifest`, { headers: { 'x-kiosk-key': k } });
      if (r.status !== 200) throw new Error(`manifest: ${r.status} ${await r.text()}`);
      versions.push((r.headers.get('etag') ?? '').replaceAll('"', ''));
      sample = await r.text();
    }
    const bodyFile = join(dataDir, 'manifest.json');
    writeFileSync(bodyFile, sample);
    const bareScript = join(dataDir, 'bare.mjs');
    writeFileSync(bareScript, BARE_SERVER(pathToFileURL(createRequire(import.meta.url).resolve('fastify')).href));
    const bareProc = spawnTracked(process.execPath, [bareScript, bodyFile], { cwd: repoDir, env: { PATH: process.env.PATH ?? '' }, ready: /bare at (\S+)/ });
    procs.push(bareProc);
    const barePort = Number(new URL((await bareProc.ready).trim()).port);

    const host = (p: number) => `Host: 127.0.0.1:${p}\r\n`;
    const report = JSON.stringify({ appVersion: '16.2.0', clock: new Date().toISOString(), storageUsedBytes: 123456789, dark: false, mode: 'attract' });
    let playSeq = 0;
    const playsBody = (screen: number) => {
      const now = Date.now();
      const plays = Array.from({ length: BATCH }, (_, j) => ({
        id: randomUUID(),
        submissionId: videos[(playSeq++ + j) % VIDEOS],
        playedAt: new Date(now - 60_000 - j * 1000).toISOString(),
        durationMs: 15_000,
      }));
      void screen;
      return JSON.stringify({ plays, sentAt: new Date(now).toISOString() });
    };
    const post = (p: number, path: string, key: string, body: string) =>
      `POST ${path} HTTP/1.1\r\n${host(p)}x-kiosk-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const get = (p: number, path: string, headers: string) => `GET ${path} HTTP/1.1\r\n${host(p)}${headers}\r\n`;
    const load = (p: number, ok: number, request: (i: number) => string) =>
      httpLoad({ port: p, connections: CONNECTIONS, durationMs: DURATION_MS, okStatus: ok, request });

    // Spread over the hour's rate limit: each screen may report 720 plays an hour.
    const playScreens = SCREENS;
    async function insertRound(): Promise<LoadResult> {
      let n = 0;
      const screenIds = (await sql.query<{ id: string }>('SELECT id FROM kiosk_screens')).rows.map((r) => r.id);
      return closedLoop({
        workers: CONNECTIONS,
        durationMs: DURATION_MS,
        next: () => n++,
        one: async (_w, i) => {
          const values: unknown[] = [];
          const rows: string[] = [];
          for (let j = 0; j < BATCH; j++) {
            values.push(randomUUID(), screenIds[i % screenIds.length], videos[(i + j) % VIDEOS], new Date(Date.now() - 60_000), 15_000);
            const b = j * 5;
            rows.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`);
          }
          await bare.query(
            `INSERT INTO kiosk_plays (id, screen_id, submission_id, played_at, duration_ms) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
            values,
          );
          return '200';
        },
      });
    }

    type V = 'heartbeat' | 'manifest304' | 'bare304' | 'manifest200' | 'bare200' | 'plays' | 'insert';
    const variants: Record<V, { label: string; ok: string; per: number; run: () => Promise<LoadResult> }> = {
      heartbeat: {
        label: 'ours: POST /api/kiosk/heartbeat',
        ok: '200',
        per: 1,
        run: () => load(port, 200, (i) => post(port, '/api/kiosk/heartbeat', keys[i % SCREENS]!, report)),
      },
      manifest304: {
        label: 'ours: GET /api/kiosk/manifest, unchanged (304)',
        ok: '304',
        per: 1,
        run: () =>
          load(port, 304, (i) => get(port, '/api/kiosk/manifest', `x-kiosk-key: ${keys[i % SCREENS]}\r\nIf-None-Match: "${versions[i % SCREENS]}"\r\n`)),
      },
      bare304: { label: 'bare Fastify route, 304', ok: '304', per: 1, run: () => load(barePort, 304, () => get(barePort, '/m', 'If-None-Match: "v"\r\n')) },
      manifest200: {
        label: `ours: GET /api/kiosk/manifest, full (${(Buffer.byteLength(sample) / 1024).toFixed(0)} KiB)`,
        ok: '200',
        per: 1,
        run: () => load(port, 200, (i) => get(port, '/api/kiosk/manifest', `x-kiosk-key: ${keys[i % SCREENS]}\r\n`)),
      },
      bare200: { label: 'bare Fastify route, the same bytes', ok: '200', per: 1, run: () => load(barePort, 200, () => get(barePort, '/m', '')) },
      plays: {
        label: `ours: POST /api/kiosk/plays (${BATCH} a request)`,
        ok: '200',
        per: BATCH,
        run: () => load(port, 200, (i) => post(port, '/api/kiosk/plays', keys[i % playScreens]!, playsBody(i))),
      },
      insert: { label: `bare multi-row INSERT (${BATCH} rows, pool ${POOL})`, ok: '200', per: BATCH, run: insertRound },
    };
    const order: V[] = ['heartbeat', 'manifest304', 'bare304', 'manifest200', 'bare200', 'plays', 'insert'];

    console.log(
      `kiosk bench: ${SCREENS} screens, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s rounds, ${ROUNDS} rounds, ${VIDEOS} videos ` +
        `(${(JSON.parse(sample) as { assets: unknown[] }).assets.length} files in a manifest); Node ${process.version}, PostgreSQL ${pgVersion}, load ${loadNow()}`,
    );
    for (const v of order) await variants[v].run(); // warm-up: JIT, pools, plans, caches
    const results: Partial<Record<V, LoadResult[]>> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of order) {
        const r = await variants[v].run();
        (results[v] ??= []).push(r);
        const bad = [...r.outcomes].filter(([k]) => k !== variants[v].ok);
        console.log(
          `  round ${round} ${v.padEnd(12)} ${String(r.requests).padStart(7)} in ${(r.ms / 1000).toFixed(2)} s = ${r.perSecond.toFixed(0).padStart(6)}/s` +
            (bad.length ? `  other answers: ${bad.map(([k, n]) => `${k}×${n}`).join(' ')} ${r.samples[0] ?? ''}` : ''),
        );
      }
    }
    const med = (v: V) => {
      const rs = results[v]!;
      return {
        perSecond: median(rs.map((r) => r.perSecond)),
        p50: median(rs.map((r) => percentile(r.latenciesMs, 0.5))),
        p99: median(rs.map((r) => percentile(r.latenciesMs, 0.99))),
      };
    };
    const bareOf: Partial<Record<V, V>> = { manifest304: 'bare304', manifest200: 'bare200', heartbeat: 'bare304', plays: 'insert' };
    const rows = order.map((v) => {
      const m = med(v);
      const b = bareOf[v];
      return [
        variants[v].label,
        m.perSecond.toFixed(0),
        (m.perSecond * variants[v].per).toFixed(0),
        m.p50.toFixed(2),
        m.p99.toFixed(2),
        b ? `${(med(b).perSecond / m.perSecond).toFixed(2)}× slower than ${b}` : '',
      ];
    });
    console.log(`\nmedians of ${ROUNDS} rounds, load ${loadNow()}`);
    console.log(table(['variant', 'requests/s', 'rows or screens/s', 'p50 ms', 'p99 ms', 'ratio'], rows));
    const counted = Number((await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM kiosk_plays')).rows[0]!.n);
    console.log(`kiosk_plays rows at the end: ${counted} (every play sent by the HTTP rounds is counted once; the bare INSERT rows are in it too)`);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await bare.end();
    await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => undefined);
    await runtime.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
