/**
 * Story save bench (docs/benchmarks.md, "Kitchen: story save"; issue 14): 50 editors saving at
 * once, each its own story, over real HTTP against a started app — PATCH /api/kitchen/stories/:id
 * with the version it edited (lock the row, compare the version, sanitise the body, update,
 * write the whole revision and the audit entry, read the story back with images, videos and
 * forms). Against it: a bare `UPDATE stories … WHERE id AND version` of the same row with the
 * same concurrency through the same database, no HTTP. Prints p50/p95/p99 of both and the ratio.
 *   npx tsx bench/kitchen-save.bench.ts [--editors 50] [--seconds 10] [--database-url postgres://…]
 * Embedded database (PGlite) in a temp dir by default; a fresh PostgreSQL schema with the flag.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { openRuntime } from '../src/server/runtime.js';
import { closedLoop, loadNow, percentile, table, type LoadResult } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    editors: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    'database-url': { type: 'string', default: '' },
  },
});
const EDITORS = Number(flags.editors);
const MS = Number(flags.seconds) * 1000;
const DATABASE_URL = flags['database-url'];
const schema = `bench_kitchen_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-kitchen-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

/** A story body of a realistic size (about 3,000 characters): headings, a quote, paragraphs. */
function body(n: number): string {
  const para = '清晨六点，火车站的候车大厅已经排起长队。拍客小王举着手机，记录下返乡人群的笑脸与行囊。';
  const parts = ['<h2>一路向家</h2>', '<blockquote><p>回家过年，是中国人最朴素的心愿。</p></blockquote>'];
  for (let i = 0; i < 60; i++) parts.push(`<p>${para}（第 ${n} 次修改，第 ${i} 段）</p>`);
  return parts.join('');
}

async function main(): Promise<void> {
  const config = loadConfig({
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PAIKE_SEED: 'none',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
    ...(DATABASE_URL ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send' });
  const { services } = runtime;
  const app = await buildApp({ services, serveWeb: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    // Editors with a session each and a story each.
    const editors: { cookie: string; storyId: string; version: number; n: number }[] = [];
    for (let i = 0; i < EDITORS; i++) {
      const email = `kitchen-bench-${i}@example.test`;
      const password = `Kitchen bench password ${i}`;
      await services.accounts.createUser(null, { email, password, name: `编辑 ${i}`, roles: ['editor'] });
      const res = await fetch(`${base}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in ${res.status}: ${await res.text()}`);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const created = await fetch(`${base}/api/kitchen/stories`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ headline: `春运首日 返乡路上的年味 ${i}`, bodyHtml: body(0), tags: ['春运'], byline: '本报记者' }),
      });
      if (created.status !== 201) throw new Error(`create ${created.status}: ${await created.text()}`);
      editors.push({ cookie, storyId: ((await created.json()) as { story: { id: string } }).story.id, version: 1, n: 0 });
    }

    const warm = async () => {
      for (const e of editors.slice(0, 5)) await save(e);
    };
    const save = async (e: (typeof editors)[number]): Promise<string> => {
      e.n++;
      const res = await fetch(`${base}/api/kitchen/stories/${e.storyId}`, {
        method: 'PATCH',
        headers: { cookie: e.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ version: e.version, headline: `春运首日 返乡路上的年味 ${e.n}`, bodyHtml: body(e.n) }),
      });
      const text = await res.text();
      if (res.status === 200) e.version = (JSON.parse(text) as { story: { version: number } }).story.version;
      return String(res.status);
    };
    await warm();
    const ours = await closedLoop({ workers: EDITORS, durationMs: MS, next: () => true, one: (w) => save(editors[w]!) });

    const { sql } = services.database;
    const bare = await closedLoop({
      workers: EDITORS,
      durationMs: MS,
      next: () => true,
      one: async (w) => {
        const e = editors[w]!;
        e.n++;
        const r = await sql.query(
          `UPDATE stories SET headline = $1, body_html = $2, version = version + 1, updated_at = now() WHERE id = $3 AND version = $4`,
          [`春运首日 返乡路上的年味 ${e.n}`, body(e.n), e.storyId, e.version],
        );
        e.version++;
        return (r as { affectedRows?: number; rowCount?: number }).affectedRows === 0 ? 'stale' : 'ok';
      },
    });

    const row = (name: string, r: LoadResult) => [
      name,
      String(r.requests),
      r.perSecond.toFixed(0),
      percentile(r.latenciesMs, 0.5).toFixed(1),
      percentile(r.latenciesMs, 0.95).toFixed(1),
      percentile(r.latenciesMs, 0.99).toFixed(1),
      [...r.outcomes].map(([k, v]) => `${k}×${v}`).join(' '),
    ];
    console.log(`\nKitchen story save: ${EDITORS} editors, ${MS / 1000} s each, ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'}; load ${loadNow()}\n`);
    console.log(table(['', 'saves', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'outcomes'], [row('PATCH over HTTP', ours), row('bare UPDATE', bare)]));
    const ratio = (q: number) => (percentile(ours.latenciesMs, q) / percentile(bare.latenciesMs, q)).toFixed(1);
    console.log(`\nratio PATCH / bare UPDATE: p50 ${ratio(0.5)}×, p95 ${ratio(0.95)}×, p99 ${ratio(0.99)}×`);
  } finally {
    await app.close();
    await runtime.close();
    if (DATABASE_URL) {
      await services.database.sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => {});
    }
    await services.database.sql.close().catch(() => {});
  }
}

await main();
