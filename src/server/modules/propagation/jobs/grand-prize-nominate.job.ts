import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Daily: nominates the grand-prize videos of every campaign that has ended and has no round yet. */
export const grandPrizeNominateJob = defineJob<Record<string, never>>({
  name: 'grand-prize.nominate',
  payload: z.strictObject({}),
  schedule: { cron: '10 0 * * *', tz: 'Asia/Shanghai' },
  retryLimit: 5,
  retryDelaySeconds: 60,
  async handle(_payload, services) {
    const { campaigns } = await services.grandPrize.nominateDue();
    if (campaigns.length) services.logger.info({ campaigns }, 'grand prize: campaigns nominated');
  },
});
