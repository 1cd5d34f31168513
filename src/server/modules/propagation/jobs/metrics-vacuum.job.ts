import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Nightly on the embedded database: PGlite has no autovacuum, and without a vacuum the covering
 * index on metric_samples cannot answer the chart's queries from the index alone (the visibility
 * map stays empty) — the weekly chart then reads the table (docs/benchmarks.md, "Weekly chart").
 * PostgreSQL's autovacuum does this by itself, so there the job does nothing.
 */
export const metricsVacuumJob = defineJob<Record<string, never>>({
  name: 'metrics.vacuum',
  payload: z.strictObject({}),
  schedule: { cron: '30 4 * * *', tz: 'Asia/Shanghai' },
  retryLimit: 0,
  expireInSeconds: 3600,
  async handle(_payload, services) {
    if (services.config.database.kind !== 'pglite') return;
    // One statement per call: several in one string run as a single transaction, which VACUUM refuses.
    for (const table of ['metric_samples', 'view_beacons']) await services.database.sql.exec(`VACUUM (ANALYZE) ${table}`);
  },
});
