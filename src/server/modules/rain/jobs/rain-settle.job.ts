import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** After a session ends: reconcile Redis into PostgreSQL, pay every unpaid win not held, mark it settled. */
export const rainSettleJob = defineJob<{ sessionId: string }>({
  name: 'rain.settle',
  payload: z.strictObject({ sessionId: z.uuid() }),
  retryLimit: 10,
  retryDelaySeconds: 10,
  async handle(payload, services) {
    await services.rain.settle(payload.sessionId);
  },
});
