import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Trim an adopted video and add subtitles (burned in or WebVTT) for the desk. */
export const deskEditJob = defineJob<{ editId: string }>({
  name: 'media.desk-edit',
  payload: z.strictObject({ editId: z.uuid() }),
  retryLimit: 2,
  retryDelaySeconds: 30,
  expireInSeconds: 60 * 60,
  async handle(payload, services, run) {
    await services.deskEdits.process(payload.editId, { isLastAttempt: run.isLastAttempt });
  },
});
