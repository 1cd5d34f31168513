import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Probe, check, transcode and fingerprint one submission's original. */
export const mediaProcessJob = defineJob<{ submissionId: string }>({
  name: 'media.process',
  payload: z.strictObject({ submissionId: z.uuid() }),
  retryLimit: 2,
  retryDelaySeconds: 10,
  // A 3-minute 1080p video takes minutes on two cores; the ffmpeg timeout is the real bound.
  // The heartbeat brings the job of a worker that died back within minutes, not this hour.
  expireInSeconds: 60 * 60,
  heartbeat: true,
  async handle(payload, services, run) {
    await services.processing.process(payload.submissionId, { isLastAttempt: run.isLastAttempt });
  },
});
