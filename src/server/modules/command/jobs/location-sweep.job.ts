import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Every 5 minutes: location shares that outlived their assignment ('assignment_ended') or the
 * person's accepted offer ('offer_ended') are stopped, and positions of completed or cancelled
 * assignments and of people no longer working them are deleted (docs/command-map.md). Nothing
 * waits on it for privacy: the desk's reads already hide such shares, and a report for an
 * ended assignment does the same clean-up at once.
 */
export const commandLocationSweepJob = defineJob<Record<string, never>>({
  name: 'command.location-sweep',
  payload: z.strictObject({}),
  schedule: { cron: '*/5 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 1,
  expireInSeconds: 5 * 60,
  async handle(_payload, services) {
    const { stopped, deleted } = await services.commandLocation.sweep();
    if (stopped || deleted) services.logger.info({ stopped, deleted }, 'command.location-sweep');
  },
});
