import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/**
 * Turns an uploaded edition's PDF into page images (pdftoppm, then sharp to WebP) and marks it
 * `ready`, or `failed` with a reason staff can read (epaper.service.ts, render). A fault of the
 * PDF itself is recorded at once (running it again would fail alike); anything else is retried
 * and recorded on the last attempt. A second run of a finished edition does nothing.
 */
export const epaperRenderJob = defineJob<{ editionId: string }>({
  name: 'epaper.render',
  payload: z.strictObject({ editionId: z.uuid() }),
  retryLimit: 2,
  retryDelaySeconds: 30,
  // 64 pages at up to 2 minutes each is the worst case; the heartbeat hands a dead worker's job on sooner.
  expireInSeconds: 60 * 60,
  heartbeat: true,
  async handle(payload, services, run) {
    await services.epaper.render(payload.editionId, run);
  },
});
