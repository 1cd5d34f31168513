import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { openDatabase, redactUrl, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { JobQueue } from './jobs/queue.js';
import { systemClock, type Clock } from './lib/clock.js';
import { lockDataDir } from './lib/data-dir-lock.js';
import { createSmsProvider } from './modules/accounts/sms/sms.provider.js';
import type { SmsProvider } from './modules/accounts/sms/sms.provider.js';
import type { Mailer } from './modules/propagation/mailer.js';
import { createServices, type Services } from './services.js';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export interface RuntimeOptions {
  config: Config;
  logger: FastifyBaseLogger;
  /** `work` runs job handlers and the scheduler in this process. */
  jobs: 'send' | 'work';
  clock?: Clock;
  sms?: SmsProvider;
  /** Replaces the configured mailer (tests record messages). */
  mailer?: Mailer | null;
  /** An already-open database (tests share one per file). */
  database?: Database;
}

export interface Runtime {
  services: Services;
  redis?: Redis;
  /** Set once the HTTP server knows its address (PORT=0). */
  setListenUrl(url: string): void;
  close(): Promise<void>;
}

/**
 * Opens what every process needs, in order: the data-dir lock (embedded database only), the
 * database, migrations, the job queue and the services. `close` undoes it in reverse.
 */
export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = opts;
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
  };
  try {
    if (!opts.database && config.database.kind === 'pglite') cleanups.push(lockDataDir(config.dataDir));
    const database = opts.database ?? (await openDatabase(config));
    if (!opts.database) cleanups.push(() => database.sql.close());
    const { applied } = await migrate(database.sql);
    if (applied.length) logger.info({ applied }, 'database migrated');

    let redis: Redis | undefined;
    if (config.REDIS_URL) {
      // Auto-pipelining sends the commands of one event-loop tick in one write: a burst of grabs
      // arrives many per tick, and on loopback the write's system call is most of a call's cost
      // (about 8 % more grabs per second in bench/rain.bench.ts).
      redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true, keyPrefix: '', connectTimeout: 10_000, enableAutoPipelining: true });
      // After start-up ioredis reconnects by itself; a failure now means REDIS_URL is wrong.
      redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
      cleanups.push(() => void redis?.disconnect());
      await redis.connect().catch((err: unknown) => {
        throw new RedisUnavailableError(
          `Cannot reach Redis at REDIS_URL (${redactUrl(config.REDIS_URL!)}): ${(err instanceof Error ? err.message : String(err)).replace(/\.$/, '')}. Check that it runs and is reachable, or unset REDIS_URL.`,
        );
      });
    }

    const jobs = new JobQueue({ sql: database.sql, logger, mode: opts.jobs, concurrency: config.WORKER_CONCURRENCY, stallSeconds: config.JOB_STALL_SECONDS });
    await jobs.start();
    cleanups.push(() => jobs.stop(config.SHUTDOWN_TIMEOUT_SECONDS * 1000));

    let listenUrl: string | undefined;
    const services = createServices({
      config,
      database,
      jobs,
      clock: opts.clock ?? systemClock,
      sms: opts.sms ?? createSmsProvider(config),
      publicUrl: () => config.PUBLIC_URL?.replace(/\/+$/, '') ?? listenUrl ?? config.publicUrl,
      logger,
      redis,
      ...(opts.mailer !== undefined ? { mailer: opts.mailer } : {}),
    });
    if (opts.jobs === 'work') {
      if (config.database.kind === 'pglite') {
        // One process owns the embedded database: whatever was active was cut off by a crash
        // or a kill, and so was whatever it left in the scratch folder.
        const orphans = await jobs.requeueOrphans();
        if (orphans.retried || orphans.failed) logger.warn(orphans, 'jobs cut off by the last stop put back to the queue');
        await rm(path.join(config.dataDir, 'work'), { recursive: true, force: true });
      }
      await jobs.work(services);
      // The rain's writer: grab events from Redis into PostgreSQL (a no-op without Redis).
      const drainer = services.rain.startDrainer();
      cleanups.push(() => drainer.stop());
    }
    // An upload whose last byte landed just before a crash is carried on now, not at the
    // first sweep or when its client comes back.
    const sweeping = services.uploads
      .sweep()
      .then((r) => {
        if (r.finished) logger.warn(r, 'finished uploads carried on at start-up');
      })
      .catch((err: unknown) => logger.error({ err }, 'start-up upload sweep failed'));
    cleanups.push(() => sweeping);
    if (opts.jobs === 'send') {
      // A `serve` process keeps its uploads on its own disk, which the worker's scheduled
      // `uploads.sweep` may not see: it sweeps them itself on the same 5-minute beat.
      const timer = setInterval(() => void services.uploads.sweep().catch((err: unknown) => logger.error({ err }, 'upload sweep failed')), 5 * 60_000);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    }
    return {
      services,
      redis,
      setListenUrl: (url) => {
        listenUrl = url;
      },
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
