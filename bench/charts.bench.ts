/**
 * Weekly chart bench, on the embedded database (PGlite) or PostgreSQL (`--database-url`):
 *   1. computation: the chart of a complete week over 1,000 adopted videos on 2–4 channels each
 *      (3,000 publications) with hourly samples (7 days + the current week so far, one sample in
 *      50 reported lower than the one before), as the Monday freeze computes it, against a bare
 *      baseline in the same run: one aggregate (max of each figure per publication) over the same
 *      samples, no join, no second pass, no ranking;
 *   2. the live chart read, `GET /api/charts/weekly` for the current week, through HTTP with
 *      `--clients` keep-alive connections on loopback: our server with the live cache
 *      (CHART_LIVE_CACHE_SECONDS=15, the default), the same without it (0: every request
 *      computes), and a bare Fastify hello-world answering the same JSON bytes (the HTTP limit).
 *
 *   npx tsx bench/charts.bench.ts [--database-url postgres://…] [--videos 1000] [--clients 100]
 *                                 [--seconds 8] [--rounds 3] [--compute-runs 7] [--variants hello,cached,floor,uncached]
 *                                 [--without-index]
 *
 * Our servers are real `paike` children (NODE_ENV=production): `paike serve` on PostgreSQL (a
 * fresh schema), `paike start` on PGlite (a fresh temp DATA_DIR, opened by the bench first to
 * load the fixtures, then handed over). One of ours runs at a time; the hello-world runs
 * throughout, and hello, cached and floor (a 404 on the cached server) alternate round by round
 * after one uncounted warm-up each. The schema or the temp dir is removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/server/config.js';
import type { SqlClient } from '../src/server/db/client.js';
import { isoWeekOf, addWeeks, type IsoWeek } from '../src/server/modules/propagation/charts.week.js';
import { openRuntime, type Runtime } from '../src/server/runtime.js';
import { httpLoad, loadNow, median, percentile, spawnTracked, table, type LoadResult, type Tracked } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    'database-url': { type: 'string', default: '' },
    videos: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'compute-runs': { type: 'string', default: '7' },
    variants: { type: 'string', default: 'hello,cached,floor,uncached' },
    // Measures the computation as it was before migration 0013's covering index.
    'without-index': { type: 'boolean', default: false },
  },
});
const DATABASE_URL = flags['database-url'];
const VIDEOS = Number(flags.videos);
const CLIENTS = Number(flags.clients);
const DURATION_MS = Number(flags.seconds) * 1000;
const ROUNDS = Math.max(1, Number(flags.rounds));
const COMPUTE_RUNS = Math.max(1, Number(flags['compute-runs']));
type Variant = 'hello' | 'cached' | 'floor' | 'uncached';
const VARIANTS = flags.variants.split(',').filter(Boolean) as Variant[];

const repoDir = resolve(import.meta.dirname, '..');
const schema = `bench_charts_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-charts-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const dbLabel = DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  PAIKE_SEED: 'none',
  PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
  ...(DATABASE_URL ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
};
const HELLO_SERVER = `
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const body = readFileSync(process.env.BODY_FILE, 'utf8');
const app = Fastify({ logger: false });
app.get('/api/charts/weekly', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log('hello listening on ' + new URL(address).port);
`;
const CHANNELS = ['app', 'weibo', 'wechat', 'toutiao'];

interface Fixtures {
  campaignId: string;
  previous: IsoWeek;
  current: IsoWeek;
  samples: number;
  publications: number;
}

/**
 * One campaign, VIDEOS adopted videos by 200 contributors, 2–4 live publications each, and an
 * hourly sample per publication from an hour before last week's start until now. Figures grow
 * at a per-publication rate; one sample in 50 is reported lower than the one before.
 */
async function createFixtures(sql: SqlClient, now: Date): Promise<Fixtures> {
  const current = isoWeekOf(now);
  const previous = addWeeks(current, -1);
  const rules = {
    grades: [{ grade: 'D', rewardFen: 10_000 }],
    weeklyPrizes: Array.from({ length: 10 }, (_, i) => ({ rank: i + 1, amountFen: i === 0 ? 200_000 : 50_000 })),
    propagation: { rankBy: 'index', weights: { views: 0.7, likes: 0.09, comments: 0.06, shares: 0.15 } },
  };
  const { rows: camp } = await sql.query<{ id: string }>(
    `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
     VALUES ('charts-bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', $1, $2, 1000, $3) RETURNING id`,
    [new Date(previous.start.getTime() - 7 * 86_400_000), new Date(now.getTime() + 30 * 86_400_000), JSON.stringify(rules)],
  );
  const campaignId = camp[0]!.id;
  await sql.query(`INSERT INTO users (email, name) SELECT 'charts-bench-' || g || '@example.test', '拍客 ' || g FROM generate_series(1, 200) g`);
  await sql.query(
    `INSERT INTO submissions (user_id, campaign_id, theme, title, consent_at, status, progress, upload_length, original_filename, adopted_at, grade)
     SELECT u.id, $1, 'food', '视频 ' || g, $2, 'adopted', 100, 1000, 'a.mp4', $2::timestamptz + g * interval '1 second', 'D'
     FROM generate_series(0, $3 - 1) g
     JOIN (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users WHERE email LIKE 'charts-bench-%') u ON u.n = g % 200`,
    [campaignId, new Date(previous.start.getTime() - 7 * 86_400_000), VIDEOS],
  );
  const { rows: pubs } = await sql.query<{ n: number }>(
    `WITH made AS (
       INSERT INTO publications (submission_id, channel, status, idempotency_key, published_at)
       SELECT s.id, c.ch, 'live', 'bench:' || s.id || ':' || c.ch, $2
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM submissions WHERE campaign_id = $1) s
       JOIN (VALUES (1, '${CHANNELS[0]}'), (2, '${CHANNELS[1]}'), (3, '${CHANNELS[2]}'), (4, '${CHANNELS[3]}')) c(k, ch) ON c.k <= 2 + s.n % 3
       RETURNING 1)
     SELECT count(*)::int AS n FROM made`,
    [campaignId, previous.start],
  );
  const from = new Date(previous.start.getTime() - 3_600_000);
  const hours = Math.floor((now.getTime() - from.getTime()) / 3_600_000);
  // One hour of samples per statement keeps each insert small on PGlite.
  let samples = 0;
  for (let h0 = 0; h0 <= hours; h0 += 24) {
    const { rows } = await sql.query<{ n: number }>(
      `WITH made AS (
         INSERT INTO metric_samples (publication_id, sampled_at, views, likes, comments, shares, regressed)
         SELECT p.id, $1::timestamptz + h * interval '1 hour',
                r * 10 * h - CASE WHEN h % 50 = 49 THEN r * 15 ELSE 0 END, r * h / 10, r * h / 50, r * h / 20, h % 50 = 49
         FROM (SELECT id, (abs(hashtext(id::text)) % 1000 + 1)::bigint AS r FROM publications) p,
              generate_series($2::int, least($3::int, $2::int + 23)) h
         RETURNING 1)
       SELECT count(*)::int AS n FROM made`,
      [from, h0, hours],
    );
    samples += rows[0]!.n;
  }
  await sql.query('ANALYZE metric_samples');
  await sql.query('ANALYZE publications');
  await sql.query('ANALYZE submissions');
  return { campaignId, previous, current, samples, publications: pubs[0]!.n };
}

async function timeIt(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn(); // warm-up: plans, caches, JIT
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function startServer(variant: 'cached' | 'uncached'): Promise<{ port: number; proc: Tracked }> {
  const command = DATABASE_URL ? 'serve' : 'start';
  const proc = spawnTracked(process.execPath, ['bin/paike.mjs', command], {
    cwd: repoDir,
    env: { ...baseEnv, CHART_LIVE_CACHE_SECONDS: variant === 'cached' ? '15' : '0' },
    ready: /Paike is running at (\S+)/,
    readyTimeoutMs: 120_000,
  });
  const url = await proc.ready;
  return { port: Number(new URL(url.trim()).port), proc };
}

async function main(): Promise<void> {
  const config = loadConfig({ ...baseEnv, LOG_LEVEL: 'silent', PORT: '3000', CHART_LIVE_CACHE_SECONDS: '0' });
  let runtime: Runtime | undefined = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send' });
  const servers: Tracked[] = [];
  try {
    const { sql } = runtime.services.database;
    const version = (await sql.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const t0 = performance.now();
    const fx = await createFixtures(sql, new Date());
    if (flags['without-index']) await sql.exec('DROP INDEX metric_samples_figures_idx');
    console.log(
      `charts bench on ${dbLabel} ${version}${flags['without-index'] ? ' WITHOUT metric_samples_figures_idx' : ''}: ${VIDEOS} videos, ${fx.publications} publications, ${fx.samples} samples (${fx.previous.week} complete, ${fx.current.week} so far) ` +
        `loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; Node ${process.version}, load ${loadNow()}`,
    );

    // 1. Computation: first as loaded, then after VACUUM (the steady state autovacuum keeps on
    // PostgreSQL: index-only scans need the visibility map; PGlite has no autovacuum).
    const charts = runtime.services.charts;
    const endIso = fx.previous.end.toISOString();
    const fresh = await timeIt(() => charts.weekly({ campaignId: fx.campaignId, week: fx.previous.week }), COMPUTE_RUNS);
    const tv = performance.now();
    await sql.exec('VACUUM ANALYZE metric_samples');
    const vacuumMs = performance.now() - tv;
    const ours = await timeIt(() => charts.weekly({ campaignId: fx.campaignId, week: fx.previous.week }), COMPUTE_RUNS);
    const bare = await timeIt(
      () =>
        sql.query(
          `SELECT publication_id, max(views), max(likes), max(comments), max(shares) FROM metric_samples WHERE sampled_at <= $1 GROUP BY publication_id`,
          [endIso],
        ),
      COMPUTE_RUNS,
    );
    // The running week: the first computation also reads the figures at the week's start (kept
    // for an hour); each refresh after it reads only the week's own samples.
    const tl = performance.now();
    await charts.weekly({ campaignId: fx.campaignId, week: fx.current.week });
    const liveFirst = performance.now() - tl;
    const live = await timeIt(() => charts.weekly({ campaignId: fx.campaignId, week: fx.current.week }), COMPUTE_RUNS);
    const top = await charts.weekly({ campaignId: fx.campaignId, week: fx.previous.week });
    const tf = performance.now();
    const frozen = await charts.freezeWeek(fx.campaignId, fx.previous);
    const freezeMs = performance.now() - tf;
    if (JSON.stringify(frozen?.entries.map((e) => e.submissionId)) !== JSON.stringify(top.entries.map((e) => e.submissionId))) {
      console.error('!! the frozen chart differs from the computed one');
      process.exitCode = 1;
    }
    console.log(`\ncomputation, median of ${COMPUTE_RUNS} runs after a warm-up (load ${loadNow()})`);
    console.log(
      table(
        ['what', 'median ms', 'min ms', 'max ms', 'ratio to bare'],
        [
          ['bare: max of each figure per publication, samples ≤ week end (one aggregate)', bare, median(bare)],
          [`ours: chart of ${fx.previous.week} (complete week, as frozen), before VACUUM`, fresh, median(bare)],
          [`ours: chart of ${fx.previous.week} (complete week, as frozen)`, ours, median(bare)],
          [`ours: live chart of ${fx.current.week} (so far), first (reads the week-start figures)`, [liveFirst], median(bare)],
          [`ours: live chart of ${fx.current.week} (so far), each refresh`, live, median(bare)],
        ].map(([label, xs, base]) => {
          const a = xs as number[];
          return [label as string, median(a).toFixed(1), Math.min(...a).toFixed(1), Math.max(...a).toFixed(1), (median(a) / (base as number)).toFixed(2)];
        }),
      ),
    );
    console.log(`VACUUM ANALYZE metric_samples took ${vacuumMs.toFixed(0)} ms`);
    console.log(`one real freeze of ${fx.previous.week} (ranking, 10 entries, 10 prize transfers, notices, in one transaction): ${freezeMs.toFixed(1)} ms`);

    // 2. Live read under load. The hello-world answers the very bytes our route answers.
    const campaignId = fx.campaignId;
    const week = fx.current.week;
    const body = (await charts.weeklyReply({ campaignId, week })).json;
    // PGlite is one process: the bench hands the data dir to the server.
    if (!DATABASE_URL) {
      await runtime.close();
      runtime = undefined;
    }
    const chartRequest = (port: number) =>
      Buffer.from(`GET /api/charts/weekly?campaignId=${campaignId}&week=${week} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const results: Partial<Record<Variant, LoadResult[]>> = {};
    const labels: Record<Variant, string> = {
      hello: 'bare Fastify hello-world, same JSON bytes (HTTP limit)',
      cached: 'ours, live cache 15 s (default)',
      floor: '(diagnostic) a 404 on the cached server: its plugins and hooks, no route',
      uncached: 'ours, no cache (every request computes the week so far)',
    };
    const file = join(dataDir, 'hello-body.json');
    writeFileSync(file, body);
    const hello = spawnTracked(process.execPath, ['--input-type=module', '-e', HELLO_SERVER], {
      cwd: repoDir,
      env: { ...process.env, BODY_FILE: file },
      ready: /hello listening on (\d+)/,
    });
    servers.push(hello);
    const helloPort = Number(await hello.ready);

    async function measure(v: Variant, port: number, round: number): Promise<void> {
      const req = v === 'floor' ? Buffer.from(`GET /api/no-such-route HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`) : chartRequest(port);
      const ok = v === 'floor' ? '404' : '200';
      if (round === 0) {
        await httpLoad({ port, connections: CLIENTS, durationMs: 2000, request: () => req, okStatus: Number(ok) }); // warm-up, not counted
        return;
      }
      const r = await httpLoad({ port, connections: CLIENTS, durationMs: DURATION_MS, request: () => req, okStatus: Number(ok) });
      (results[v] ??= []).push(r);
      const bad = [...r.outcomes].filter(([k]) => k !== ok);
      console.log(
        `  ${v.padEnd(9)} round ${round}: ${r.requests} in ${(r.ms / 1000).toFixed(2)} s = ${r.perSecond.toFixed(0)}/s, ` +
          `p50 ${percentile(r.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms` +
          (bad.length ? `, UNEXPECTED: ${bad.map(([k, n]) => `${k}×${n}`).join(' ')} ${r.samples.join(' | ')}` : '') +
          `, load ${loadNow()}`,
      );
    }

    // One of our servers at a time (PGlite allows one per data dir); the hello-world runs
    // throughout and alternates round by round with the variants on the cached server.
    for (const server of (['cached', 'uncached'] as const).filter((v) => VARIANTS.includes(v) || (v === 'cached' && VARIANTS.includes('floor')))) {
      const s = await startServer(server);
      servers.push(s.proc);
      const first = await httpLoad({ port: s.port, connections: 1, durationMs: 60_000, request: (i) => (i === 0 ? chartRequest(s.port) : undefined) });
      if (first.outcomes.get('200') !== 1) throw new Error(`${server}: ${JSON.stringify([...first.outcomes])} ${first.samples.join(' | ')}`);
      const here: Variant[] = server === 'cached' ? (['hello', 'cached', 'floor'] as Variant[]).filter((v) => VARIANTS.includes(v)) : ['uncached'];
      for (let round = 0; round <= ROUNDS; round++) {
        for (const v of here) await measure(v, v === 'hello' ? helloPort : s.port, round);
      }
      await servers.pop()!.stop();
    }
    const med = (v: Variant, f: (r: LoadResult) => number) => median((results[v] ?? []).map(f));
    const p99 = (v: Variant) => med(v, (r) => percentile(r.latenciesMs, 0.99));
    const rate = (v: Variant) => med(v, (r) => r.perSecond);
    console.log(
      `\nlive read, ${CLIENTS} keep-alive connections, medians of ${ROUNDS} rounds of ${DURATION_MS / 1000} s (load ${loadNow()}), reply ${body.length} bytes`,
    );
    console.log(
      table(
        ['variant', 'req/s', 'p50 ms', 'p99 ms', 'req/s ratio to hello', 'p99 ratio to hello'],
        VARIANTS.map((v) => [
          labels[v],
          rate(v).toFixed(0),
          med(v, (r) => percentile(r.latenciesMs, 0.5)).toFixed(1),
          p99(v).toFixed(1),
          results.hello ? (rate(v) / rate('hello')).toFixed(2) : '–',
          results.hello ? (p99(v) / p99('hello')).toFixed(2) : '–',
        ]),
      ),
    );
  } finally {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
    if (DATABASE_URL && runtime && process.env.CHARTS_BENCH_KEEP) console.log(`kept schema ${schema}`);
    else if (DATABASE_URL && runtime) {
      await runtime.services.database.sql
        .exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`)
        .catch((e: unknown) => console.error('drop schema failed', e));
    }
    await runtime?.close().catch((e: unknown) => console.error('runtime close failed', e));
  }
}

await main();
