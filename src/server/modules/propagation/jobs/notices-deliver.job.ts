import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Sends one notice by SMS and email where configured; each channel at most once (notice_deliveries). */
export const noticesDeliverJob = defineJob<{ noticeId: string }>({
  name: 'notices.deliver',
  payload: z.strictObject({ noticeId: z.uuid() }),
  retryLimit: 8,
  retryDelaySeconds: 30,
  // Longer than a send can take (SMS 10 s, SMTP 30 s per step), so a live job is never expired.
  expireInSeconds: 600,
  async handle(payload, services, run) {
    await services.notices.deliver(payload.noticeId, run);
  },
});
