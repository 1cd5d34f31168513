import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Daily: checks nominations past their hold-back against today's figures (confirmable or below_threshold). */
export const grandPrizeRecheckJob = defineJob<Record<string, never>>({
  name: 'grand-prize.recheck',
  payload: z.strictObject({}),
  schedule: { cron: '20 0 * * *', tz: 'Asia/Shanghai' },
  retryLimit: 5,
  retryDelaySeconds: 60,
  async handle(_payload, services) {
    const r = await services.grandPrize.recheckDue();
    if (r.confirmable || r.belowThreshold) services.logger.info(r, 'grand prize: nominations rechecked');
  },
});
