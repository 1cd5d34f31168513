import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Every 15 minutes: abandoned uploads lose their bytes (tus expiration) and their submission rows. */
export const uploadsExpireJob = defineJob<Record<string, never>>({
  name: 'uploads.expire',
  payload: z.strictObject({}),
  schedule: { cron: '*/15 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 2,
  async handle(_payload, services) {
    await services.uploads.cleanUpExpiredUploads();
    const ids = await services.submissions.expireStaleUploads();
    for (const id of ids) await services.uploads.remove(id).catch(() => {});
  },
});
