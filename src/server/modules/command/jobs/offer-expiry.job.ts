import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Every minute: offers whose respond_by has passed become `expired` and their assignment goes to
 * the next queued person (offers.service.ts, expireDue). A sweep rather than a delayed job per
 * offer: one cron line, nothing to cancel when an offer is answered, and a run that finds
 * nothing due does nothing, so repeats and overlapping workers are harmless. An offer lapses at
 * most a minute late.
 */
export const commandOfferExpiryJob = defineJob<Record<string, never>>({
  name: 'command.offer-expiry',
  payload: z.strictObject({}),
  schedule: { cron: '* * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 1,
  expireInSeconds: 120,
  async handle(_payload, services) {
    await services.offers.expireDue();
  },
});
