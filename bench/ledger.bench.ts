/**
 * Ledger bench: transfers/s posted through the ledger service by 50 concurrent clients (each a
 * contributor reward, budget → contributor, distinct keys) on PostgreSQL, against a bare
 * baseline writing the same rows (1 transfer + 2 entries each) with plain INSERTs over the
 * same 50 connections and no checks. Then reconciles: violations must be 0.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/ledger.bench.ts
 * Options (env): LEDGER_BENCH_SECONDS (10), LEDGER_BENCH_MAX (no cap), LEDGER_BENCH_CLIENTS (50).
 * Works in a fresh schema, dropped at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/server/db/client.js';
import { migrate } from '../src/server/db/migrate.js';
import { systemClock } from '../src/server/lib/clock.js';
import { createLedgerRepository } from '../src/server/modules/ledger/ledger.repository.js';
import { createLedgerService } from '../src/server/modules/ledger/ledger.service.js';
import { loadNow } from './lib.js';

const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) {
  console.error('Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test');
  process.exit(2);
}
const SECONDS = Number(process.env.LEDGER_BENCH_SECONDS ?? 10);
const MAX = Number(process.env.LEDGER_BENCH_MAX ?? Number.POSITIVE_INFINITY);
const CLIENTS = Number(process.env.LEDGER_BENCH_CLIENTS ?? 50);
const CONTRIBUTORS = 200;
const schema = `bench_ledger_${randomBytes(4).toString('hex')}`;

/** `clients` loops calling `one(i)` until the time or the count runs out; returns transfers/s. */
async function drive(clients: number, one: (i: number) => Promise<void>): Promise<{ n: number; ms: number; perSecond: number }> {
  let n = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && n < MAX) {
        const i = n++;
        await one(i);
      }
    }),
  );
  const ms = performance.now() - start;
  return { n, ms, perSecond: n / (ms / 1000) };
}

const database = await openDatabase({ database: { kind: 'postgres', url }, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: CLIENTS });
const bare = new pg.Pool({ connectionString: url, max: CLIENTS, options: `-c search_path=${schema}` });
try {
  await migrate(database.sql);
  const ledger = createLedgerService({ db: database.db, repo: createLedgerRepository(database.db), clock: systemClock });

  // Fixtures: one campaign, its budget funded, 200 contributors.
  const { rows: users } = await database.sql.query<{ id: string }>(
    `INSERT INTO users (email, name) SELECT 'bench' || g || '@example.test', 'Bench ' || g FROM generate_series(1, ${CONTRIBUTORS}) g RETURNING id`,
  );
  const { rows: camp } = await database.sql.query<{ id: string }>(
    `INSERT INTO campaigns (slug, title, description, themes, starts_at, ends_at, quota, rules)
     VALUES ('bench', '{"zh-CN":"b","en":"b"}', '{"zh-CN":"b","en":"b"}', '[]', now(), now() + interval '1 day', 1000, '{}') RETURNING id`,
  );
  const campaignId = camp[0]!.id;
  const treasury = (await ledger.systemAccount('treasury')).id;
  const budget = (await ledger.systemAccount('campaign_budget', campaignId)).id;
  const contributors = await Promise.all(users.map(async (u) => (await ledger.ensureContributorAccount(u.id)).id));
  await ledger.post({
    idempotencyKey: 'fund',
    kind: 'budget_funding',
    entries: [
      { accountId: treasury, amountFen: -1e12 },
      { accountId: budget, amountFen: 1e12 },
    ],
  });

  const amount = (i: number) => 10_000 + (i % 7) * 100;
  const refs = (i: number) => ({ submissionId: randomUUID(), campaignId, grade: 'D', i });

  // Bare tables: same columns, defaults and indexes, no triggers, no foreign keys.
  await bare.query(`CREATE TABLE bare_transfers (LIKE ledger_transfers INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY);
                    CREATE TABLE bare_entries (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY)`);

  // Warm up both paths (connections, plans).
  await drive(CLIENTS, async (i) => {
    if (i >= 200) return;
    await ledger.post({
      idempotencyKey: `warm:${i}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: budget, amountFen: -amount(i) },
        { accountId: contributors[i % CONTRIBUTORS]!, amountFen: amount(i) },
      ],
      refs: refs(i),
    });
  }).catch(() => {});

  console.log(
    `ledger bench: ${CLIENTS} clients, ${SECONDS}s per run, PostgreSQL ${(await database.sql.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version}, load ${loadNow()}`,
  );

  const ours = await drive(CLIENTS, async (i) => {
    await ledger.post({
      idempotencyKey: `bench:${i}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: budget, amountFen: -amount(i) },
        { accountId: contributors[i % CONTRIBUTORS]!, amountFen: amount(i) },
      ],
      refs: refs(i),
      memo: 'bench reward',
    });
  });

  // Bare 1: one transaction of two plain INSERTs, as an application would write them.
  const bareTx = await drive(CLIENTS, async (i) => {
    const c = await bare.connect();
    try {
      await c.query('BEGIN');
      const id = randomUUID();
      await c.query(`INSERT INTO bare_transfers (id, idempotency_key, kind, memo, refs) VALUES ($1, $2, 'adoption_reward', 'bench reward', $3)`, [
        id,
        `bare:${i}`,
        JSON.stringify(refs(i)),
      ]);
      await c.query(`INSERT INTO bare_entries (transfer_id, account_id, amount_fen) VALUES ($1, $2, $3), ($1, $4, $5)`, [
        id,
        budget,
        -amount(i),
        contributors[i % CONTRIBUTORS],
        amount(i),
      ]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });

  // Diagnostic: the same plain INSERTs into the real ledger tables, so the database's own guards
  // (foreign keys, append-only and commit-time balance triggers) run but the service does not.
  const guarded = await drive(CLIENTS, async (i) => {
    const c = await bare.connect();
    try {
      await c.query('BEGIN');
      const id = randomUUID();
      await c.query(`INSERT INTO ledger_transfers (id, idempotency_key, kind, memo, refs) VALUES ($1, $2, 'adoption_reward', 'bench reward', $3)`, [
        id,
        `guarded:${i}`,
        JSON.stringify(refs(i)),
      ]);
      await c.query(`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) VALUES ($1, $2, $3), ($1, $4, $5)`, [
        id,
        budget,
        -amount(i),
        contributors[i % CONTRIBUTORS],
        amount(i),
      ]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });

  // Bare 2: the same rows in one autocommitted statement (one round trip, one commit).
  const bareOne = await drive(CLIENTS, async (i) => {
    await bare.query(
      `WITH t AS (INSERT INTO bare_transfers (idempotency_key, kind, memo, refs) VALUES ($1, 'adoption_reward', 'bench reward', $2) RETURNING id)
       INSERT INTO bare_entries (transfer_id, account_id, amount_fen) SELECT t.id, v.a, v.f FROM t, (VALUES ($3::uuid, $4::bigint), ($5::uuid, $6::bigint)) v(a, f)`,
      [`bare1:${i}`, JSON.stringify(refs(i)), budget, -amount(i), contributors[i % CONTRIBUTORS], amount(i)],
    );
  });

  const rec = await ledger.reconcile();
  const row = (name: string, r: { n: number; ms: number; perSecond: number }) =>
    `  ${name.padEnd(44)} ${String(r.n).padStart(7)} transfers in ${(r.ms / 1000).toFixed(1)} s  ${r.perSecond.toFixed(0).padStart(6)} /s`;
  console.log(row('ledger service post (checks, idempotency)', ours));
  console.log(row('bare: BEGIN; 2 INSERTs; COMMIT', bareTx));
  console.log(row('bare: one INSERT … WITH statement', bareOne));
  console.log(row('(diagnostic) bare tx into guarded ledger tables', guarded));
  console.log(`  ratio service / bare transaction:   ${(ours.perSecond / bareTx.perSecond).toFixed(2)}×`);
  console.log(`  ratio service / bare one statement: ${(ours.perSecond / bareOne.perSecond).toFixed(2)}×`);
  const violations =
    (rec.totalFen !== 0 ? 1 : 0) + rec.negativeContributorAccounts.length + rec.unbalancedTransfers.length + rec.campaigns.filter((c) => c.overspent).length;
  console.log(`reconcile: ok=${rec.ok} totalFen=${rec.totalFen} accounts=${rec.accounts} transfers=${rec.transfers} invariant violations=${violations}`);
  for (const m of rec.mismatches) console.log(`  mismatch: ${m}`);
  const c = rec.campaigns[0]!;
  console.log(`  campaign budget ${c.budgetFen} fen, spent ${c.spentFen}, remaining ${c.remainingFen}`);
  if (violations) process.exitCode = 1;
} finally {
  await bare.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((e: unknown) => console.error('drop schema failed', e));
  await bare.end();
  await database.sql.close();
}
