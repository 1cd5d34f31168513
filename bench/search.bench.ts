/**
 * Desk search bench (docs/benchmarks.md, "Desk search"), on the embedded database (PGlite) or
 * PostgreSQL (`--database-url`): ROWS submissions with Chinese and English titles, descriptions
 * and packaged tags, then per query the median time of
 *   - bare:   `SELECT … ORDER BY created_at DESC LIMIT 25` plus `count(*)`, no text at all;
 *   - ilike:  the same with `title ILIKE '%q%'` (what a first attempt would do; title only);
 *   - ours:   the desk search service (substring over search_text, stage, live channels,
 *             views, studio scope for a chief, count) — what GET /api/desk/submissions runs;
 *   - jieba:  segmented words in a text[] column with a GIN index, `terms @> segmented(q)`,
 *             the alternative the issue suggests; with how many rows it finds against ours.
 *   npx tsx bench/search.bench.ts [--rows 10000] [--runs 15] [--database-url postgres://…]
 * A fresh PostgreSQL schema or temp dir, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import pino from 'pino';
import { loadConfig } from '../src/server/config.js';
import { openRuntime } from '../src/server/runtime.js';
import { median, table } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '15' },
    'database-url': { type: 'string', default: '' },
  },
});
const ROWS = Number(flags.rows);
const RUNS = Number(flags.runs);
const DATABASE_URL = flags['database-url'];
const schema = `bench_search_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'paike-bench-search-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

const ZH = [
  '回家的路上',
  '春节回家过年',
  '成都夜市美食',
  '暴雨中的外卖小哥',
  '地铁站里的钢琴',
  '老街的早餐铺',
  '银杏大道',
  '江边的烟火',
  '高铁上的婴儿',
  '山区的小学',
  '菜市场的清晨',
  '熊猫基地',
];
const EN = ['Street Food Festival', 'Night market in Chengdu', 'Rainy day delivery', 'Piano at the metro', 'Old town breakfast', 'Fireworks by the river'];
const TAGS = ['夜市', '美食', '回家', '春运', '城市', 'food', 'travel', '暖心'];
const QUERIES = ['回家', '路上', '家的', '外卖小哥', 'street food', 'NIGHT', '100%', '不存在的词'];

async function main(): Promise<void> {
  const config = loadConfig({
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PAIKE_SEED: 'none',
    PAYOUT_DETAILS_KEY: randomBytes(32).toString('hex'),
    ...(DATABASE_URL ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const runtime = await openRuntime({ config, logger: pino({ level: 'silent' }), jobs: 'send' });
  const { sql } = runtime.services.database;
  const jieba = Jieba.withDict(dict);
  try {
    const { rows: camp } = await sql.query<{ id: string }>(
      `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
       VALUES ('search-bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', now(), now() + interval '30 days', 1000, '{"grades":[]}') RETURNING id`,
    );
    const campaignId = camp[0]!.id;
    await sql.query(`INSERT INTO users (email, name) SELECT 'search-bench-' || g || '@example.test', '拍客 ' || g FROM generate_series(1, 200) g`);
    const { rows: users } = await sql.query<{ id: string }>(`SELECT id FROM users WHERE email LIKE 'search-bench-%' ORDER BY email`);
    const started = performance.now();
    for (let from = 0; from < ROWS; from += 500) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let i = from; i < Math.min(ROWS, from + 500); i++) {
        const title = i % 4 === 3 ? `${EN[i % EN.length]} ${i}` : `${ZH[i % ZH.length]}（${i}）`;
        const description = `拍客 ${i} 在${ZH[(i * 7) % ZH.length]}附近拍下的画面。 ${EN[(i * 5) % EN.length]}.`;
        const n = values.length;
        values.push(
          users[i % users.length]!.id,
          title,
          description,
          jieba
            .cut(`${title} ${description}`, true)
            .map((w) => w.trim().toLowerCase())
            .filter(Boolean),
          new Date(Date.now() - i * 60_000),
        );
        tuples.push(
          `($${n + 1}, '${campaignId}', 'food', $${n + 2}, $${n + 3}, now(), '${i % 3 === 0 ? 'adopted' : i % 3 === 1 ? 'rejected' : 'in_review'}', 100, 1000, 'a.mp4', $${n + 4}::text[], $${n + 5}, ${i % 3 === 1 ? "'desk.reason.off_theme'" : 'NULL'})`,
        );
      }
      if (from === 0) await sql.query(`ALTER TABLE submissions ADD COLUMN IF NOT EXISTS bench_terms text[]`);
      await sql.query(
        `INSERT INTO submissions (user_id, campaign_id, theme, title, description, consent_at, status, progress, upload_length, original_filename, bench_terms, created_at, rejection_code) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    // Packaged tags on a third of them (the trigger folds them into search_text).
    await sql.query(
      `INSERT INTO packages (submission_id, channel, headline, tags)
       SELECT id, 'app', title, ARRAY[$1::text, $2::text] FROM submissions WHERE status = 'adopted'`,
      [TAGS[0], TAGS[1]],
    );
    await sql.query(`CREATE INDEX bench_terms_gin ON submissions USING gin (bench_terms)`);
    await sql.query(`ANALYZE submissions`);
    const loadMs = performance.now() - started;

    const time = async (fn: () => Promise<unknown>) => {
      await fn();
      const xs: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now();
        await fn();
        xs.push(performance.now() - t0);
      }
      return median(xs);
    };
    const chief = { id: users[0]!.id, roles: ['chief_editor'] as const };
    const search = runtime.services.deskSearch;
    const bare = () =>
      Promise.all([sql.query(`SELECT id, title FROM submissions ORDER BY created_at DESC, id DESC LIMIT 25`), sql.query(`SELECT count(*) FROM submissions`)]);
    const bareMs = await time(bare);
    const rows: string[][] = [];
    for (const q of QUERIES) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const ilikeMs = await time(() =>
        Promise.all([
          sql.query(`SELECT id FROM submissions WHERE title ILIKE $1 ORDER BY created_at DESC, id DESC LIMIT 25`, [like]),
          sql.query(`SELECT count(*) FROM submissions WHERE title ILIKE $1`, [like]),
        ]),
      );
      let ours = 0;
      const oursMs = await time(async () => {
        ours = (await search.search(chief, { q, sort: 'newest', page: 1, pageSize: 25 })).total;
      });
      const words = jieba
        .cut(q, true)
        .map((w) => w.trim().toLowerCase())
        .filter(Boolean);
      let segmented = 0;
      const jiebaMs = await time(async () => {
        const [, c] = await Promise.all([
          sql.query(`SELECT id FROM submissions WHERE bench_terms @> $1::text[] ORDER BY created_at DESC, id DESC LIMIT 25`, [words]),
          sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM submissions WHERE bench_terms @> $1::text[]`, [words]),
        ]);
        segmented = c.rows[0]!.n;
      });
      rows.push([
        q,
        bareMs.toFixed(1),
        ilikeMs.toFixed(1),
        oursMs.toFixed(1),
        (oursMs / bareMs).toFixed(1),
        String(ours),
        jiebaMs.toFixed(1),
        String(segmented),
      ]);
    }
    console.log(
      `\nDesk search on ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'}: ${ROWS} submissions (loaded in ${(loadMs / 1000).toFixed(1)} s), median of ${RUNS} runs, ms\n`,
    );
    console.log(table(['query', 'bare', 'title ILIKE', 'ours', 'ours/bare', 'ours finds', 'jieba GIN', 'jieba finds'], rows));
  } finally {
    if (DATABASE_URL) await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => {});
    await runtime.close();
  }
}

await main();
