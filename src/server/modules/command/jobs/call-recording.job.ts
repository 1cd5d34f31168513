import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * A Janus call's recording becomes a desk item (docs/command-janus.md, "Recordings"). Enqueued by
 * part live when a Janus call ends. Unusable recordings fail at once with a reason; a crash or
 * a failed conversion is retried, and marks the call's recording 'failed' on the last attempt.
 */
export const callRecordingJob = defineJob<{ callId: string }>({
  name: 'command.call-recording',
  payload: z.strictObject({ callId: z.uuid() }),
  retryLimit: 3,
  retryDelaySeconds: 30,
  expireInSeconds: 60 * 60,
  heartbeat: true,
  async handle({ callId }, services, run) {
    await services.recordings.collect(callId, { isLastAttempt: run.isLastAttempt });
  },
});
