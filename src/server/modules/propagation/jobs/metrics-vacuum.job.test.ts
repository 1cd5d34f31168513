import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../testing/harness.js';
import { metricsVacuumJob } from './metrics-vacuum.job.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

it('vacuums the samples on the embedded database (which has no autovacuum) and leaves PostgreSQL to its own', async () => {
  const s = ctx.runtime.services;
  await metricsVacuumJob.handle({}, s, { jobId: 'test', attempt: 1, isLastAttempt: true });
  const { rows } = await s.database.sql.query<{ vacuumed: boolean }>(
    "SELECT last_vacuum IS NOT NULL AS vacuumed FROM pg_stat_user_tables WHERE relname = 'metric_samples'",
  );
  expect(rows[0]?.vacuumed).toBe(s.config.database.kind === 'pglite');
});
