/**
 * The 传播力 wall's update cost (docs/wall.md), on the embedded database (PGlite) or PostgreSQL
 * (`--database-url`):
 *   1. the snapshot computation at newsroom volumes: `--stories` stories with three forms each,
 *      `--submissions` submissions (a quarter adopted and published on two channels), and
 *      `--samples` metric samples spread evenly over those publications every 15 minutes up to
 *      now; p50/p95 of the whole snapshot over `--runs` runs, and of each of its reads alone;
 *   2. the SSE fan-out over real HTTP on loopback: `--clients` walls connected to one server
 *      (in this process, clients too) while a sample lands every tick so every tick pushes a
 *      whole snapshot; the process CPU per tick with 1 wall and with N, and the per-wall
 *      difference (an upper bound: it includes the clients' own reading), plus the delay from
 *      the snapshot's computation to the last wall holding it.
 *
 *   npx tsx bench/kitchen-wall.bench.ts [--database-url postgres://…] [--stories 1000]
 *        [--submissions 10000] [--samples 100000] [--runs 30] [--clients 50] [--ticks 10]
 *
 * The schema (PostgreSQL) or the temp dir (PGlite) is removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { createWallRepository } from '../src/server/modules/kitchen/wall.repository.js';
import { openRuntime } from '../src/server/runtime.js';
import { startOfDayShanghai } from '../src/server/lib/time.js';
import { GOOD_PASSWORD } from '../src/server/testing/harness.js';
import { loadNow, median, percentile, table } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? '' },
    stories: { type: 'string', default: '1000' },
    submissions: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '30' },
    clients: { type: 'string', default: '50' },
    ticks: { type: 'string', default: '10' },
  },
});
const DATABASE_URL = flags['database-url'];
const STORIES = Number(flags.stories);
const SUBMISSIONS = Number(flags.submissions);
const SAMPLES = Number(flags.samples);
const RUNS = Math.max(3, Number(flags.runs));
const CLIENTS = Math.max(2, Number(flags.clients));
const TICKS = Math.max(3, Number(flags.ticks));
const PUBLISHED = Math.floor(SUBMISSIONS / 4);
const PUBLICATIONS = PUBLISHED * 2;
const PER_PUB = Math.max(1, Math.round(SAMPLES / PUBLICATIONS));

const schema = `bench_wall_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-wall-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const dbLabel = DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const ms = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PAIKE_SEED: 'none',
    PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
    WALL_INTERVAL_SECONDS: '1',
    ...(DATABASE_URL ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send' });
  const { services } = runtime;
  const { sql } = services.database;
  try {
    const t0 = performance.now();
    const now = new Date();
    await sql.query(
      `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
       VALUES ('wall-bench', '{"zh-CN":"大屏","en":"wall"}', '{"zh-CN":"b","en":"b"}', '[]', $1, $2, 1000, '{}')`,
      [new Date(now.getTime() - 30 * 86_400_000), new Date(now.getTime() + 30 * 86_400_000)],
    );
    await sql.query(`INSERT INTO users (email, name) SELECT 'wall-bench-' || g || '@example.test', '拍客 ' || g FROM generate_series(1, 500) g`);
    await sql.query(`INSERT INTO studios (name) SELECT '工作室 ' || g FROM generate_series(1, 6) g`);
    await sql.query(
      `INSERT INTO studio_routes (studio_id, campaign_id, theme)
       SELECT s.id, c.id, (ARRAY['food', 'travel', 'way-home'])[s.n] FROM campaigns c,
         (SELECT id, row_number() OVER (ORDER BY name) AS n FROM studios) s WHERE s.n <= 3`,
    );
    // A quarter adopted (one in ten of those today), the rest waiting at the desk.
    await sql.query(
      `INSERT INTO submissions (user_id, campaign_id, theme, title, consent_at, status, progress, upload_length, original_filename, adopted_at, grade)
       SELECT u.id, c.id, (ARRAY['food', 'travel', 'way-home', 'other'])[1 + g % 4], '视频 ' || g, $1,
              CASE WHEN g < $2 THEN 'adopted' ELSE 'in_review' END, 100, 1000, 'a.mp4',
              CASE WHEN g >= $2 THEN NULL WHEN g % 10 = 0 THEN $3::timestamptz ELSE $1::timestamptz + g * interval '1 second' END,
              CASE WHEN g < $2 THEN 'D' END
       FROM generate_series(0, $4 - 1) g, campaigns c,
         (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users WHERE email LIKE 'wall-bench-%') u
       WHERE u.n = g % 500`,
      [new Date(now.getTime() - 20 * 86_400_000), PUBLISHED, startOfDayShanghai(now), SUBMISSIONS],
    );
    await sql.query(
      `INSERT INTO publications (submission_id, channel, status, idempotency_key, published_at)
       SELECT s.id, (ARRAY['app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk'])[1 + (s.n + k) % 6], 'live', 'bench:' || s.id || ':' || k, $1
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM submissions WHERE status = 'adopted') s, generate_series(0, 1) k`,
      [new Date(now.getTime() - 2 * 86_400_000)],
    );
    // Every 15 minutes up to now, growing at a per-publication rate.
    for (let k0 = 0; k0 < PER_PUB; k0 += 10) {
      await sql.query(
        `INSERT INTO metric_samples (publication_id, sampled_at, views)
         SELECT p.id, $1::timestamptz - k * interval '15 minutes', greatest(0, p.r * ($3 - k) * 10)
         FROM (SELECT id, (abs(hashtext(id::text)) % 1000 + 1)::bigint AS r FROM publications) p, generate_series($2::int, least($3::int - 1, $2::int + 9)) k`,
        [now, k0, PER_PUB],
      );
    }
    await sql.query(
      `UPDATE publications p SET views = m.v FROM (SELECT publication_id, max(views) AS v FROM metric_samples GROUP BY 1) m WHERE m.publication_id = p.id`,
    );
    const { rows: author } = await sql.query<{ id: string }>(`SELECT id FROM users LIMIT 1`);
    await sql.query(
      `INSERT INTO stories (headline, author_id, updated_by, studio_id, created_at)
       SELECT '稿件 ' || g, $1, $1, (SELECT id FROM studios ORDER BY name OFFSET g % 6 LIMIT 1), $2::timestamptz - (g % 48) * interval '1 hour'
       FROM generate_series(1, $3) g`,
      [author[0]!.id, now, STORIES],
    );
    await sql.query(
      `INSERT INTO story_forms (story_id, form, status, updated_at)
       SELECT s.id, f, (ARRAY['planned', 'in_edit', 'in_review', 'ready', 'published'])[1 + (s.n + i) % 5], s.created_at + interval '10 minutes'
       FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS n FROM stories) s, unnest(ARRAY['print', 'web', 'weibo']) WITH ORDINALITY AS x(f, i)`,
    );
    if (DATABASE_URL) await sql.query('ANALYZE');
    const counts = (
      await sql.query<{ s: number; p: number; m: number; st: number }>(
        `SELECT (SELECT count(*)::int FROM submissions) AS s, (SELECT count(*)::int FROM publications) AS p,
                (SELECT count(*)::int FROM metric_samples) AS m, (SELECT count(*)::int FROM stories) AS st`,
      )
    ).rows[0]!;
    const version = (await sql.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    console.log(
      `# kitchen wall bench — ${dbLabel} ${version}, ${counts.st} stories, ${counts.s} submissions, ${counts.p} publications, ` +
        `${counts.m} metric samples (fixtures ${((performance.now() - t0) / 1000).toFixed(1)} s); load ${loadNow()}`,
    );

    // 1. The snapshot, whole and by part.
    const { rows: camp } = await sql.query<{ id: string }>(`SELECT id FROM campaigns WHERE slug = 'wall-bench'`);
    const repo = createWallRepository(services.database.db);
    const pubIds = (await sql.query<{ id: string }>(`SELECT id FROM publications`)).rows.map((r) => r.id);
    const dayStart = startOfDayShanghai(new Date());
    const parts: [string, () => Promise<unknown>][] = [
      ['whole snapshot (service.compute)', () => services.kitchenWall.compute()],
      ['  forms today by status', () => repo.formCounts(dayStart)],
      ['  videos today', () => repo.videosToday(dayStart)],
      ['  reach by channel × studio', () => repo.reachCells()],
      ['  gains: the window (today, last hour)', () => repo.windowPublications({ dayStart, hourStart: new Date(Date.now() - 3_600_000), now: new Date() })],
      ['  day-start baselines, all (once a day)', () => repo.maxViewsAt(pubIds, dayStart)],
      ['  weekly chart (live cache, 15 s)', () => services.charts.weekly({ campaignId: camp[0]!.id })],
    ];
    const rows: string[][] = [];
    for (const [name, fn] of parts) {
      await fn();
      await fn();
      const t: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const a = performance.now();
        await fn();
        t.push(performance.now() - a);
      }
      rows.push([name, ms(median(t)), ms(percentile(t, 0.95)), ms(Math.max(...t))]);
    }
    const snap = await services.kitchenWall.compute();
    const frameBytes = Buffer.byteLength(`event: snapshot\ndata: ${JSON.stringify(snap)}\n\n`);
    console.log(`\n## 1. snapshot computation (${RUNS} runs each, ms)\n`);
    console.log(table(['read', 'p50', 'p95', 'max'], rows));
    console.log(`\nsnapshot frame: ${frameBytes} bytes; movers ${snap.movers.length}, reach total ${snap.reach.total}`);

    // 2. The SSE fan-out over HTTP.
    await services.accounts.createUser(null, { email: 'wall@bench.test', password: GOOD_PASSWORD, name: 'Wall', roles: ['finance'] });
    const app = await buildApp({ services, serveWeb: false });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'wall@bench.test', password: GOOD_PASSWORD }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { rows: pub } = await sql.query<{ id: string }>(`SELECT id FROM publications ORDER BY id LIMIT 1`);
    let bump = 10_000_000;

    async function fanOut(n: number) {
      const received = new Map<string, number[]>();
      const reqs = Array.from({ length: n }, () => {
        let buf = '';
        const r = request(`${base}/api/kitchen/wall/stream`, { headers: { cookie } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            buf += d;
            let cut;
            while ((cut = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, cut);
              buf = buf.slice(cut + 2);
              if (!block.startsWith('event: snapshot')) continue;
              const at = /"generatedAt":"([^"]+)"/.exec(block)![1]!;
              const list = received.get(at) ?? [];
              list.push(Date.now());
              received.set(at, list);
            }
          });
        });
        r.end();
        return r;
      });
      while (services.kitchenWall.clientCount() < n) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 1500));
      received.clear();
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      for (let i = 0; i < TICKS; i++) {
        bump += 1000;
        await sql.query(`INSERT INTO metric_samples (publication_id, sampled_at, views) VALUES ($1, now(), $2)`, [pub[0]!.id, bump]);
        await sql.query(`UPDATE publications SET views = $2 WHERE id = $1`, [pub[0]!.id, bump]);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - w0;
      for (const r of reqs) r.destroy();
      while (services.kitchenWall.clientCount() > 0) await new Promise((r) => setTimeout(r, 20));
      const complete = [...received].filter(([, l]) => l.length === n);
      const delays = complete.map(([at, l]) => Math.max(...l) - new Date(at).getTime());
      return { cpuMsPerTick: (cpu.user + cpu.system) / 1000 / (wall / 1000), pushes: complete.length, delays };
    }
    const one = await fanOut(1);
    const many = await fanOut(CLIENTS);
    const perWall = (many.cpuMsPerTick - one.cpuMsPerTick) / (CLIENTS - 1);
    console.log(`\n## 2. SSE fan-out (${TICKS} ticks of 1 s, a changed snapshot each tick)\n`);
    console.log(
      table(
        ['walls', 'snapshots pushed to all', 'process CPU ms per tick', 'computation → last wall p50 (ms)', 'p95 (ms)'],
        [
          ['1', String(one.pushes), ms(one.cpuMsPerTick), ms(median(one.delays)), ms(percentile(one.delays, 0.95))],
          [String(CLIENTS), String(many.pushes), ms(many.cpuMsPerTick), ms(median(many.delays)), ms(percentile(many.delays, 0.95))],
        ],
      ),
    );
    console.log(`\nper extra wall: ${perWall.toFixed(2)} ms CPU per pushed snapshot (server and in-process client together; ${frameBytes} bytes each)`);
    await app.close();
  } finally {
    await runtime.close();
    if (DATABASE_URL) {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_pgboss" CASCADE`);
      await c.end();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
