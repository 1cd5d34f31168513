import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Every minute: loans past their due date expire (their file tokens answer 403 from then on),
 * offers past their 48 hours lapse, and the copies that freed are offered to the next in line
 * (lending.service.ts, settleDue). A sweep rather than a delayed job per loan: nothing to cancel
 * on an early return, and a run that finds nothing due does nothing, so repeats and overlapping
 * workers are harmless (each title is settled under its licence lock).
 */
export const lendingExpireJob = defineJob<Record<string, never>>({
  name: 'lending.expire',
  payload: z.strictObject({}),
  schedule: { cron: '* * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 1,
  expireInSeconds: 120,
  async handle(_payload, services) {
    await services.lending.settleDue();
  },
});
