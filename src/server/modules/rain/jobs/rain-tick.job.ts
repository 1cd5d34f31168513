import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Every minute: splits (and loads into Redis) sessions starting within RAIN_PREPARE_AHEAD_MINUTES,
 * records in PostgreSQL any win Redis has that it lacks, and queues the settlement of ended sessions.
 */
export const rainTickJob = defineJob<Record<string, never>>({
  name: 'rain.tick',
  payload: z.strictObject({}),
  schedule: { cron: '* * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 1,
  expireInSeconds: 120,
  async handle(_payload, services) {
    await services.rain.tick();
  },
});
