import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import { rawQuery, type Db, type SqlClient } from '../db/client.js';
import type { Services } from '../services.js';
import { jobRegistry, type JobName, type JobPayloads } from './registry.js';
import type { JobDefinition } from './job.js';

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Db;
  /** At most one queued job per key. */
  singletonKey?: string;
  startAfter?: Date | number;
}

export interface JobQueueOptions {
  sql: SqlClient;
  logger: FastifyBaseLogger;
  /** `send` only enqueues (HTTP processes); `work` also runs handlers and the cron clock. */
  mode: 'send' | 'work';
  concurrency: number;
  /** A job with a heartbeat whose worker has not beaten for this long is run again (default 120). */
  stallSeconds?: number;
  registry?: Record<string, JobDefinition<unknown>>;
}

/**
 * pg-boss over either database. On PGlite pg-boss talks through `executeSql`: statements
 * without parameters may be several joined by `;`, which only PGlite's `exec` accepts.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly registry: Record<string, JobDefinition<unknown>>;
  private started = false;
  private working = false;
  private reaper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobQueueOptions) {
    this.registry = opts.registry ?? (jobRegistry as unknown as Record<string, JobDefinition<unknown>>);
    const schema = opts.sql.schema === 'public' ? 'pgboss' : `${opts.sql.schema}_pgboss`;
    const { sql } = opts;
    this.boss = new PgBoss({
      db: {
        async executeSql(text: string, values?: unknown[]) {
          if (!values?.length && sql.kind === 'pglite') return sql.exec(text);
          return sql.query(text, values ?? []);
        },
      },
      schema,
      supervise: opts.mode === 'work',
      schedule: opts.mode === 'work',
      migrate: true,
      // pg-boss's own monitor interval floor; keeps maintenance cheap on small machines.
      maintenanceIntervalSeconds: 120,
    });
    this.boss.on('error', (err) => opts.logger.error({ err }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const def of Object.values(this.registry)) {
      await this.boss.createQueue(def.name, {
        name: def.name,
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelaySeconds ?? 10,
        retryBackoff: true,
        expireInSeconds: def.expireInSeconds ?? 15 * 60,
      });
    }
    this.started = true;
  }

  async send<K extends JobName>(name: K, payload: JobPayloads[K], options: SendOptions = {}): Promise<string | null> {
    const def = this.registry[name];
    if (!def) throw new Error(`No job named ${name}`);
    const data = def.payload.parse(payload) as object;
    const { tx, ...rest } = options;
    return this.boss.send(name, data, {
      ...rest,
      ...(tx
        ? {
            db: {
              executeSql: async (text: string, values: unknown[]) => {
                const r = (await tx.execute(rawQuery(text, values))) as unknown as { rows: unknown[] };
                return { rows: r.rows };
              },
            },
          }
        : {}),
    });
  }

  /** Starts handlers for every registered job and puts scheduled jobs on the clock. */
  async work(services: Services): Promise<void> {
    if (this.opts.mode !== 'work') throw new Error('This queue was started to send only');
    for (const def of Object.values(this.registry)) {
      for (let i = 0; i < this.opts.concurrency; i++) {
        await this.boss.work(def.name, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
          if (!job) return;
          const parsed = def.payload.safeParse(job.data);
          if (!parsed.success) {
            // A payload that can never be handled must not be retried forever.
            this.opts.logger.error({ job: job.id, name: def.name, issues: parsed.error.issues }, 'job payload invalid');
            throw new Error(`Invalid payload for ${def.name}`);
          }
          const beat = def.heartbeat ? this.heartbeat(def.name, job.id) : undefined;
          try {
            await def.handle(parsed.data, services, { jobId: job.id, attempt: job.retryCount + 1, isLastAttempt: job.retryCount >= job.retryLimit });
          } finally {
            if (beat) clearInterval(beat);
          }
        });
      }
      if (def.schedule) await this.boss.schedule(def.name, def.schedule.cron, {}, { tz: def.schedule.tz });
    }
    this.reaper = setInterval(
      () => void this.reapStalled().catch((err: unknown) => this.opts.logger.warn({ err }, 'putting back stalled jobs failed')),
      Math.max(2, this.stallSeconds / 3) * 1000,
    );
    this.reaper.unref();
    this.working = true;
  }

  private get bossSchema(): string {
    return this.opts.sql.schema === 'public' ? 'pgboss' : `${this.opts.sql.schema}_pgboss`;
  }

  private get stallSeconds(): number {
    return this.opts.stallSeconds ?? 120;
  }

  /**
   * pg-boss 10 has no heartbeat: a job's expiry is fixed when it is fetched, and only after it
   * does maintenance (every two minutes, then with a retry back-off) hand a dead worker's job
   * to another. So a job with a heartbeat is fetched with its long expiry (which still bounds
   * the run in this process) and, while it runs, its expiry in the database is kept
   * `stallSeconds` ahead of now; `reapStalled` puts it back once the beats stop.
   */
  private heartbeat(name: string, jobId: string): NodeJS.Timeout {
    const beat = () =>
      this.opts.sql
        .query(
          `UPDATE ${this.bossSchema}.job SET expire_in = (now() - started_on) + make_interval(secs => $3) WHERE name = $1 AND id = $2 AND state = 'active'`,
          [name, jobId, this.stallSeconds],
        )
        .catch((err: unknown) => this.opts.logger.warn({ err, job: jobId, name }, 'job heartbeat failed'));
    void beat();
    const timer = setInterval(() => void beat(), (this.stallSeconds / 4) * 1000);
    timer.unref();
    return timer;
  }

  /**
   * Puts active jobs back to the queue at once: those matching `where`. A job already cut off
   * past its retries fails instead, so a job that kills its process cannot loop for ever
   * (fetching a retried job counts an attempt, so the last attempt still runs as the last).
   */
  private async requeueActive(where: string, values: unknown[]): Promise<{ retried: number; failed: number }> {
    const { rows } = await this.opts.sql.query<{ state: string }>(
      `UPDATE ${this.bossSchema}.job
          SET state = (CASE WHEN retry_count <= retry_limit THEN 'retry' ELSE 'failed' END)::${this.bossSchema}.job_state,
              start_after = now(),
              completed_on = CASE WHEN retry_count <= retry_limit THEN NULL ELSE now() END,
              output = '{"message":"its worker stopped while it was active"}'::jsonb
        WHERE state = 'active' AND ${where}
      RETURNING state::text AS state`,
      values,
    );
    return { retried: rows.filter((r) => r.state === 'retry').length, failed: rows.filter((r) => r.state === 'failed').length };
  }

  /**
   * For the embedded database only, where this process is the only one that works jobs: a job
   * still `active` when it starts was cut off by a crash or a kill.
   */
  async requeueOrphans(): Promise<{ retried: number; failed: number }> {
    return this.requeueActive('true', []);
  }

  /** Jobs with a heartbeat whose beats stopped `stallSeconds` ago: their worker is gone. */
  async reapStalled(): Promise<{ retried: number; failed: number }> {
    const names = Object.values(this.registry)
      .filter((d) => d.heartbeat)
      .map((d) => d.name);
    if (!names.length) return { retried: 0, failed: 0 };
    return this.requeueActive('name = ANY($1::text[]) AND started_on + expire_in < now()', [names]);
  }

  /** Waits up to `timeoutMs` for in-flight jobs; those still running are failed back to retry. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.working = false;
    if (this.reaper) clearInterval(this.reaper);
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
  }

  async health(): Promise<{ ok: boolean; working: boolean; detail?: string }> {
    if (!this.started) return { ok: false, working: false, detail: 'not started' };
    try {
      await this.boss.getQueues();
      return { ok: true, working: this.working };
    } catch (err) {
      return { ok: false, working: this.working, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  /** For tests and operations: how many jobs of a queue are in a state. */
  async count(name: JobName, state: 'created' | 'retry' | 'active' | 'completed' | 'failed' = 'created'): Promise<number> {
    const schema = this.opts.sql.schema === 'public' ? 'pgboss' : `${this.opts.sql.schema}_pgboss`;
    const { rows } = await this.opts.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.job WHERE name = $1 AND state = $2`, [name, state]);
    return rows[0]?.n ?? 0;
  }

  get raw(): PgBoss {
    return this.boss;
  }
}
