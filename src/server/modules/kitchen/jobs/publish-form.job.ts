import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * One attempt at a social form's platform (docs/kitchen-publishing.md): publish, poll a pending
 * post, or take it down. Platform failures are answered inside (backoff re-queue, last_error);
 * pg-boss's retry only covers a crash, and the row's lease keeps two copies from overlapping.
 */
export const kitchenPublishFormJob = defineJob<{ storyFormId: string }>({
  name: 'kitchen.publish-form',
  payload: z.strictObject({ storyFormId: z.uuid() }),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 30 * 60,
  async handle({ storyFormId }, services) {
    await services.kitchenPublish.run(storyFormId);
  },
});
