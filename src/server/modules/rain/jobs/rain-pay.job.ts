import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Posts one win's ledger transfer (key `rain:<session>:<user>`): a retry or a second job is a no-op. */
export const rainPayJob = defineJob<{ grabId: string }>({
  name: 'rain.pay',
  payload: z.strictObject({ grabId: z.uuid() }),
  retryLimit: 10,
  retryDelaySeconds: 5,
  async handle(payload, services) {
    await services.rain.pay(payload.grabId);
  },
});
