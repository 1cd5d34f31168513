/**
 * The command wall's snapshot cost (docs/command-wall.md), on the embedded database (PGlite) or
 * PostgreSQL (`--database-url`), against a bare `SELECT 1` on the same connection as the floor:
 * `--assignments` assignments over 6 studios and the central desk (a quarter active, each active
 * one with a person sharing their location and `--positions` position reports), `--calls` calls
 * of which one in ten live, `--footage` submissions shot for assignments (a tenth of them in the
 * last 6 hours, half published with a metric sample every 15 minutes for two days).
 * Reported: p50/p95/max of each read, of a whole uncached computation (all studios, then one
 * studio editor's cut) and of `GET /api/command/wall` answered from the shared snapshot.
 *
 *   npx tsx bench/command-wall.bench.ts [--database-url postgres://…] [--assignments 2000]
 *        [--positions 20] [--calls 2000] [--footage 5000] [--runs 30]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql as q } from 'drizzle-orm';
import pino from 'pino';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { startOfDayShanghai } from '../src/server/lib/time.js';
import { createCommandWallRepository } from '../src/server/modules/command/wall.repository.js';
import { createWallRepository } from '../src/server/modules/kitchen/wall.repository.js';
import { openRuntime } from '../src/server/runtime.js';
import { GOOD_PASSWORD } from '../src/server/testing/harness.js';
import { loadNow, median, percentile, table } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? '' },
    assignments: { type: 'string', default: '2000' },
    positions: { type: 'string', default: '20' },
    calls: { type: 'string', default: '2000' },
    footage: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '30' },
  },
});
const DATABASE_URL = flags['database-url'];
const ASSIGNMENTS = Number(flags.assignments);
const POSITIONS = Number(flags.positions);
const CALLS = Number(flags.calls);
const FOOTAGE = Number(flags.footage);
const RUNS = Math.max(3, Number(flags.runs));

const schema = `bench_cwall_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-cwall-'));
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
    COMMAND_WALL_INTERVAL_SECONDS: '300',
    ...(DATABASE_URL ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send' });
  const { services } = runtime;
  const { sql, db } = services.database;
  try {
    const t0 = performance.now();
    const now = new Date();
    await sql.query(
      `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
       VALUES ('cwall-bench', '{"zh-CN":"指挥","en":"command"}', '{"zh-CN":"b","en":"b"}', '[]', $1, $2, 1000, '{}')`,
      [new Date(now.getTime() - 30 * 86_400_000), new Date(now.getTime() + 30 * 86_400_000)],
    );
    await sql.query(`INSERT INTO users (email, name) SELECT 'cwall-' || g || '@example.test', '拍客 ' || g FROM generate_series(1, 500) g`);
    await sql.query(`INSERT INTO studios (name) SELECT '工作室 ' || g FROM generate_series(1, 6) g`);
    // Studio by g % 7 (0: the central desk); a quarter active, the rest spread over the other states.
    await sql.query(
      `INSERT INTO assignments (studio_id, campaign_id, title, brief, place_name, lat, lng, radius_m, starts_at, deadline_at, dispatch, status, created_by, completed_at, cancelled_at)
       SELECT CASE WHEN g % 7 > 0 THEN (SELECT id FROM studios ORDER BY name OFFSET (g % 7) - 1 LIMIT 1) END, c.id, '任务 ' || g, 'b', '地点 ' || g, 40, 117, 1000,
              $1::timestamptz - interval '2 days', $1::timestamptz + (g % 97 - 20) * interval '1 hour', '{"mode":"radius"}',
              (ARRAY['assigned', 'in_progress', 'draft', 'submitted', 'completed', 'completed', 'cancelled', 'completed'])[1 + g % 8],
              (SELECT id FROM users ORDER BY email LIMIT 1),
              CASE WHEN g % 8 IN (4, 5, 7) THEN $1::timestamptz - (g % 72) * interval '1 hour' END,
              CASE WHEN g % 8 = 6 THEN $1::timestamptz - (g % 72) * interval '1 hour' END
       FROM generate_series(1, $2) g, campaigns c`,
      [now, ASSIGNMENTS],
    );
    const people = `(SELECT a.id AS aid, u.id AS uid FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assignments WHERE status IN ('assigned', 'in_progress')) a
                     JOIN (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users) u ON u.n = a.n % 500)`;
    await sql.query(`INSERT INTO assignment_offers (assignment_id, user_id, rank, status) SELECT aid, uid, 1, 'accepted' FROM ${people} p`);
    await sql.query(`INSERT INTO location_shares (assignment_id, user_id, precision) SELECT aid, uid, 'coarse' FROM ${people} p`);
    await sql.query(
      `INSERT INTO field_positions (assignment_id, user_id, lat, lng, battery, network, recorded_at)
       SELECT aid, uid, 40, 117, 0.5, '4g', $1::timestamptz - k * interval '1 minute' FROM ${people} p, generate_series(1, $2) k`,
      [now, POSITIONS],
    );
    await sql.query(
      `INSERT INTO command_calls (assignment_id, started_by, direction, media, status, started_at)
       SELECT a.id, a.created_by, 'field_to_desk', 'p2p', CASE WHEN g % 10 = 0 THEN 'active' ELSE 'ended' END, $1::timestamptz - g * interval '1 minute'
       FROM generate_series(1, $2) g JOIN (SELECT id, created_by, row_number() OVER (ORDER BY id) AS n FROM assignments) a ON a.n = 1 + g % $3`,
      [now, CALLS, ASSIGNMENTS],
    );
    await sql.query(
      `INSERT INTO submissions (user_id, campaign_id, theme, title, consent_at, status, progress, upload_length, original_filename, assignment_id, created_at)
       SELECT (SELECT id FROM users ORDER BY email OFFSET g % 500 LIMIT 1), c.id, 'food', '素材 ' || g, $1, 'in_review', 100, 1000, 'a.mp4', a.id,
              $1::timestamptz - CASE WHEN g % 10 = 0 THEN (g % 360) * interval '1 minute' ELSE (g % 600) * interval '1 hour' + interval '7 hours' END
       FROM generate_series(1, $2) g CROSS JOIN campaigns c JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assignments) a ON a.n = 1 + g % $3`,
      [now, FOOTAGE, ASSIGNMENTS],
    );
    await sql.query(
      `INSERT INTO publications (submission_id, channel, status, idempotency_key, published_at)
       SELECT id, 'weibo', 'live', 'bench:' || id, $1 FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM submissions) s WHERE n % 2 = 0`,
      [new Date(now.getTime() - 2 * 86_400_000)],
    );
    await sql.query(
      `INSERT INTO metric_samples (publication_id, sampled_at, views)
       SELECT p.id, $1::timestamptz - k * interval '15 minutes', (192 - k) * 10 FROM publications p, generate_series(0, 191) k`,
      [now],
    );
    await sql.query(`UPDATE publications SET views = 1920`);
    if (DATABASE_URL) await sql.query('ANALYZE');
    const c = (
      await sql.query<{ a: number; fp: number; cc: number; s: number; m: number }>(
        `SELECT (SELECT count(*)::int FROM assignments) AS a, (SELECT count(*)::int FROM field_positions) AS fp, (SELECT count(*)::int FROM command_calls) AS cc,
                (SELECT count(*)::int FROM submissions) AS s, (SELECT count(*)::int FROM metric_samples) AS m`,
      )
    ).rows[0]!;
    const version = (await sql.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    console.log(
      `# command wall bench — ${dbLabel} ${version}: ${c.a} assignments, ${c.fp} positions, ${c.cc} calls, ${c.s} field submissions, ` +
        `${c.m} metric samples (fixtures ${((performance.now() - t0) / 1000).toFixed(1)} s); load ${loadNow()}`,
    );

    await services.accounts.createUser(null, { email: 'chief@bench.test', password: GOOD_PASSWORD, name: 'Chief', roles: ['chief_editor'] });
    const editor = await services.accounts.createUser(null, { email: 'ed@bench.test', password: GOOD_PASSWORD, name: 'Ed', roles: ['editor'] });
    const { rows: st } = await sql.query<{ id: string }>(`SELECT id FROM studios ORDER BY name LIMIT 1`);
    await sql.query(`INSERT INTO studio_members (studio_id, user_id) VALUES ($1, $2)`, [st[0]!.id, editor.id]);
    const app = await buildApp({ services, serveWeb: false });
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: 'chief@bench.test', password: GOOD_PASSWORD } });
    const cookie = signIn.cookies.map((x) => `${x.name}=${x.value}`).join('; ');

    const repo = createCommandWallRepository(db);
    const dayStart = startOfDayShanghai(new Date());
    const wall = services.commandWall;
    const baselines = createWallRepository(db);
    const pubIds = (await repo.fieldPublications()).map((p) => p.publicationId);
    const parts: [string, () => Promise<unknown>][] = [
      ['bare SELECT 1 (the floor)', () => db.execute(q`SELECT 1`)],
      ['  assignments by studio × state', () => repo.statusCounts({ dayStart, now: new Date() })],
      ['  most urgent per studio', () => repo.urgent()],
      ['  people sharing, latest position', () => repo.people()],
      ['  live calls', () => repo.liveCalls()],
      ['  footage, last 6 h', () => repo.footage(new Date(Date.now() - 6 * 3_600_000))],
      ['  field publications, current figures', () => repo.fieldPublications()],
      ['  their day-start baselines, all (once a day)', async () => baselines.maxViewsAt(pubIds, dayStart)],
      ['whole computation, all studios (baselines kept)', () => wall.compute()],
      ['whole computation, one studio (baselines kept)', () => wall.compute({ all: false, studioIds: [st[0]!.id] })],
      ['GET /api/command/wall (shared snapshot)', () => app.inject({ method: 'GET', url: '/api/command/wall', headers: { cookie } })],
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
    const snap = await wall.compute();
    console.log(`\n## snapshot (${RUNS} runs each, ms)\n`);
    console.log(table(['read', 'p50', 'p95', 'max'], rows));
    console.log(
      `\nsnapshot frame: ${Buffer.byteLength(JSON.stringify(snap))} bytes; ${snap.field.count} people in the field, ${snap.calls.count} live calls, ` +
        `${snap.footage.count} footage in 6 h, reach ${snap.propagation.total}`,
    );
    await app.close();
  } finally {
    await runtime.close();
    if (DATABASE_URL) {
      const pg = (await import('pg')).default;
      const cl = new pg.Client({ connectionString: DATABASE_URL });
      await cl.connect();
      await cl.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_pgboss" CASCADE`);
      await cl.end();
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
