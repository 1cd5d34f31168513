import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Hourly: removes sessions, phone codes and password reset links/codes that have been dead for a week. */
export const sessionsCleanupJob = defineJob<Record<string, never>>({
  name: 'accounts.sessions-cleanup',
  payload: z.strictObject({}),
  schedule: { cron: '17 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 2,
  async handle(_payload, services) {
    await services.accounts.cleanup();
    // WeChat sign-in states and pending sign-ups a day past their life (docs/wechat.md).
    await services.wechat.cleanup();
    await services.security.cleanup();
  },
});
