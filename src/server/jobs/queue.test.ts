import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDatabase, pgliteDatabase, type Database } from '../db/client.js';
import type { Services } from '../services.js';
import { defineJob, type JobDefinition } from './job.js';
import { JobQueue } from './queue.js';

const onPostgres = !!process.env.DATABASE_URL;
const schema = onPostgres ? `t_${randomBytes(6).toString('hex')}` : 'public';
const logger = pino({ level: 'silent' });
let database: Database;
const queues: JobQueue[] = [];

beforeAll(async () => {
  database = onPostgres
    ? await openDatabase(loadConfig({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '5' }))
    : await pgliteDatabase(await PGlite.create());
  await database.sql.exec('CREATE TABLE stories (id serial PRIMARY KEY, title text NOT NULL)');
});
afterEach(async () => {
  for (const q of queues.splice(0)) await q.stop(1000);
});
afterAll(async () => {
  if (!database) return;
  if (onPostgres) await database.sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`).catch(() => {});
  await database.sql.close();
});

/** A queue name no other test uses, so no other worker picks its jobs up. */
const uniqueName = (what: string) => `test.${what}-${randomBytes(3).toString('hex')}`;

async function startQueue(defs: JobDefinition<never>[], mode: 'send' | 'work' = 'work', stallSeconds?: number): Promise<JobQueue> {
  const registry = Object.fromEntries(defs.map((d) => [d.name, d])) as Record<string, JobDefinition<unknown>>;
  const queue = new JobQueue({ sql: database.sql, logger, mode, concurrency: 1, registry, stallSeconds });
  queues.push(queue);
  await queue.start();
  if (mode === 'work') await queue.work({} as Services);
  return queue;
}

// The custom registry's names are not in JobName; the queue itself takes any registered name.
const send = (q: JobQueue, name: string, payload: unknown, options?: Parameters<JobQueue['send']>[2]) => q.send(name as never, payload as never, options);
type State = 'created' | 'retry' | 'active' | 'completed' | 'failed';
const count = (q: JobQueue, name: string, state: State) => q.count(name as never, state);

async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('JobQueue', () => {
  it('runs a job with its payload, parsed by the job’s schema', async () => {
    const name = uniqueName('echo');
    const seen: unknown[] = [];
    const queue = await startQueue([
      defineJob({
        name,
        payload: z.object({ storyId: z.string(), channels: z.array(z.string()).default(['app']) }),
        handle: async (p) => {
          seen.push(p);
        },
      }) as JobDefinition<never>,
    ]);
    const id = await send(queue, name, { storyId: 's-1' });
    expect(id).toEqual(expect.any(String));
    await until(async () => (await count(queue, name, 'completed')) === 1, 'the job to complete');
    expect(seen).toEqual([{ storyId: 's-1', channels: ['app'] }]);
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    const name = uniqueName('flaky');
    let attempts = 0;
    const queue = await startQueue([
      defineJob({
        name,
        payload: z.object({}),
        retryLimit: 3,
        retryDelaySeconds: 1,
        handle: async () => {
          attempts += 1;
          if (attempts <= 2) throw new Error(`channel timed out (attempt ${attempts})`);
        },
      }) as JobDefinition<never>,
    ]);
    await send(queue, name, {});
    await until(async () => (await count(queue, name, 'completed')) === 1, 'the retried job to complete', 25_000);
    expect(attempts).toBe(3);
    expect(await count(queue, name, 'failed')).toBe(0);
  }, 30_000);

  it('gives up after retryLimit and leaves the job failed', async () => {
    const name = uniqueName('doomed');
    let attempts = 0;
    const queue = await startQueue([
      defineJob({
        name,
        payload: z.object({}),
        retryLimit: 1,
        retryDelaySeconds: 1,
        handle: async () => {
          attempts += 1;
          throw new Error('always broken');
        },
      }) as JobDefinition<never>,
    ]);
    await send(queue, name, {});
    await until(async () => (await count(queue, name, 'failed')) === 1, 'the job to fail', 20_000);
    expect(attempts).toBe(2);
  }, 25_000);

  it('refuses an invalid payload at send, so nothing is queued', async () => {
    const name = uniqueName('strict');
    const queue = await startQueue(
      [defineJob({ name, payload: z.object({ storyId: z.string().uuid() }), handle: async () => {} }) as JobDefinition<never>],
      'send',
    );
    await expect(send(queue, name, { storyId: 'not-a-uuid' })).rejects.toThrow(z.ZodError);
    await expect(send(queue, name, {})).rejects.toThrow(/storyId/);
    expect(await count(queue, name, 'created')).toBe(0);
    await expect(send(queue, 'test.nobody-registered-this', {})).rejects.toThrow(/No job named/);
  });

  it('enqueues inside a transaction: a rollback leaves no job, a commit leaves exactly one', async () => {
    const name = uniqueName('tx');
    const queue = await startQueue([defineJob({ name, payload: z.object({ title: z.string() }), handle: async () => {} }) as JobDefinition<never>], 'send');

    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO stories (title) VALUES ('rolled back')`);
        await send(queue, name, { title: 'rolled back' }, { tx });
        throw new Error('the desk changed its mind');
      }),
    ).rejects.toThrow('the desk changed its mind');
    expect(await count(queue, name, 'created')).toBe(0);

    await database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO stories (title) VALUES ('committed')`);
      await send(queue, name, { title: 'committed' }, { tx });
    });
    expect(await count(queue, name, 'created')).toBe(1);
    const bossSchema = schema === 'public' ? 'pgboss' : `${schema}_pgboss`;
    const job = await database.sql.query<{ data: unknown; retry_limit: number }>(`SELECT data, retry_limit FROM ${bossSchema}.job WHERE name = $1`, [name]);
    // The queue's policy still applies to a job sent through the transaction.
    expect(job.rows).toEqual([{ data: { title: 'committed' }, retry_limit: 5 }]);
    const { rows } = await database.sql.query<{ title: string }>('SELECT title FROM stories ORDER BY id');
    expect(rows.map((r) => r.title)).toEqual(['committed']);
  });

  it('on stop, lets an in-flight job that finishes in time complete', async () => {
    const name = uniqueName('quick');
    const started = deferred();
    const gate = deferred();
    let finished = false;
    const queue = await startQueue([
      defineJob({
        name,
        payload: z.object({}),
        handle: async () => {
          started.resolve();
          await gate.promise;
          finished = true;
        },
      }) as JobDefinition<never>,
    ]);
    await send(queue, name, {});
    await started.promise;
    const stopping = queue.stop(5_000);
    setTimeout(() => gate.resolve(), 300);
    const t0 = Date.now();
    await stopping;
    expect(finished).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(await count(queue, name, 'completed')).toBe(1);
    expect(await count(queue, name, 'active')).toBe(0);
  });

  it('on stop, fails back a job that outlasts the timeout instead of leaving it active', async () => {
    const name = uniqueName('slow');
    const started = deferred();
    const gate = deferred();
    const queue = await startQueue([
      defineJob({
        name,
        payload: z.object({}),
        retryLimit: 2,
        handle: async () => {
          started.resolve();
          await gate.promise;
        },
      }) as JobDefinition<never>,
    ]);
    await send(queue, name, {});
    await started.promise;
    const t0 = Date.now();
    await queue.stop(1_000);
    // Stop is bounded by its timeout (plus pg-boss's 500 ms check interval), not by the job.
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(await count(queue, name, 'active')).toBe(0);
    expect(await count(queue, name, 'retry')).toBe(1);
    gate.resolve();
  });

  it('reports health: ok and working once started, not ok after stop', async () => {
    const name = uniqueName('health');
    const queue = await startQueue([defineJob({ name, payload: z.object({}), handle: async () => {} }) as JobDefinition<never>]);
    expect(await queue.health()).toEqual({ ok: true, working: true });
    await queue.stop(1000);
    expect((await queue.health()).ok).toBe(false);
  });

  it('a job cut off while active (a crash) runs again at once when the embedded database’s only process starts', async () => {
    const name = uniqueName('orphan');
    const runs: number[] = [];
    const def = defineJob({
      name,
      payload: z.object({}),
      retryLimit: 2,
      retryDelaySeconds: 600,
      handle: async (_p, _s, run) => {
        runs.push(run.attempt);
      },
    }) as JobDefinition<never>;
    const sender = await startQueue([def], 'send');
    await send(sender, name, {});
    // What a killed process leaves: the job active, started, never finished.
    const bossSchema = schema === 'public' ? 'pgboss' : `${schema}_pgboss`;
    await database.sql.query(`UPDATE ${bossSchema}.job SET state = 'active', started_on = now() WHERE name = $1`, [name]);
    expect(await sender.requeueOrphans()).toEqual({ retried: 1, failed: 0 });
    await startQueue([def]);
    await until(async () => (await count(sender, name, 'completed')) === 1, 'the orphan to run again', 10_000);
    // Not after the hour-long expiry, nor after the retry delay: at once, as its second attempt.
    expect(runs).toEqual([2]);
  });

  it('a heartbeat keeps a long job active; once its worker is gone it is put back within the stall time', async () => {
    const name = uniqueName('beating');
    const started = deferred();
    const gate = deferred();
    let runs = 0;
    const def = defineJob({
      name,
      payload: z.object({}),
      heartbeat: true,
      expireInSeconds: 3600,
      handle: async () => {
        runs += 1;
        if (runs === 1) {
          started.resolve();
          await gate.promise;
        }
      },
    }) as JobDefinition<never>;
    const queue = await startQueue([def], 'work', 5);
    await send(queue, name, {});
    await started.promise;
    const bossSchema = schema === 'public' ? 'pgboss' : `${schema}_pgboss`;
    const expiry = async () =>
      (
        await database.sql.query<{ s: number }>(
          `SELECT extract(epoch FROM (started_on + expire_in) - now())::int AS s FROM ${bossSchema}.job WHERE name = $1`,
          [name],
        )
      ).rows[0]!.s;
    // The beat holds the expiry a few seconds ahead, not the hour the job may run for.
    await until(async () => (await expiry()) <= 5, 'the first beat');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await expiry()).toBeGreaterThan(0);
    expect(await queue.reapStalled()).toEqual({ retried: 0, failed: 0 });
    // The worker dies: its beats stop (a stopped queue here, with the job left active).
    await database.sql.query(`UPDATE ${bossSchema}.job SET expire_in = interval '1 second', started_on = now() - interval '2 seconds' WHERE name = $1`, [name]);
    expect(await queue.reapStalled()).toEqual({ retried: 1, failed: 0 });
    // Another worker (this one is still stuck in the first run) picks it up.
    await startQueue([def], 'work', 5);
    await until(async () => runs === 2, 'the job to run again');
    gate.resolve();
  }, 30_000);
});
