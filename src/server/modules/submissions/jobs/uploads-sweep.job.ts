import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Every 5 minutes: uploads whose last byte is on disk but whose finish step a crash cut short
 * are carried on to processing, and tus copies nobody needs any more are removed. The same
 * sweep runs once at start-up; a client's HEAD or PATCH of such an upload does it at once.
 */
export const uploadsSweepJob = defineJob<Record<string, never>>({
  name: 'uploads.sweep',
  payload: z.strictObject({}),
  schedule: { cron: '*/5 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 1,
  expireInSeconds: 10 * 60,
  async handle(_payload, services) {
    await services.uploads.sweep();
  },
});
