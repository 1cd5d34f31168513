import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Trim, join and caption an edit's clips into one original, then hand it to media.process. */
export const mediaComposeJob = defineJob<{ submissionId: string }>({
  name: 'media.compose',
  payload: z.strictObject({ submissionId: z.uuid() }),
  retryLimit: 2,
  retryDelaySeconds: 10,
  expireInSeconds: 60 * 60,
  heartbeat: true,
  async handle(payload, services, run) {
    await services.processing.compose(payload.submissionId, { isLastAttempt: run.isLastAttempt });
  },
});
