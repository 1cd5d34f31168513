import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Freezes every weekly chart whose week has ended (Asia/Shanghai) and posts its prizes, once.
 * Scheduled hourly, not only at Monday 00:00: pg-boss does not replay a cron slot missed while
 * no worker ran, and every run catches up all ended weeks not yet frozen (a no-op otherwise).
 */
export const chartsFreezeJob = defineJob<Record<string, never>>({
  name: 'charts.freeze',
  payload: z.strictObject({}),
  schedule: { cron: '0 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 5,
  retryDelaySeconds: 60,
  expireInSeconds: 30 * 60,
  async handle(_payload, services) {
    const { frozen } = await services.charts.freezeDue();
    if (frozen.length) services.logger.info({ frozen }, 'charts: weeks frozen');
  },
});
