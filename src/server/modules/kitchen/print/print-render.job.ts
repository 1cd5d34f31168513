import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

/** Lays a story's print block out and prints it to PDF with headless Chromium (docs/print.md). */
export const kitchenPrintRenderJob = defineJob<{ storyId: string }>({
  name: 'kitchen.print-render',
  payload: z.strictObject({ storyId: z.uuid() }),
  // A failure is recorded on the render (with how to fix it); running it again would fail alike.
  retryLimit: 0,
  expireInSeconds: 10 * 60,
  async handle(payload, services) {
    await services.kitchenPrint.render(payload.storyId);
  },
});
