import type { JobDefinition } from './job.js';
import { sessionsCleanupJob } from '../modules/accounts/jobs/sessions-cleanup.job.js';
import { mediaProcessJob } from '../modules/submissions/jobs/media-process.job.js';
import { mediaComposeJob } from '../modules/submissions/jobs/media-compose.job.js';
import { deskEditJob } from '../modules/desk/jobs/desk-edit.job.js';
import { uploadsExpireJob } from '../modules/submissions/jobs/uploads-expire.job.js';
import { uploadsSweepJob } from '../modules/submissions/jobs/uploads-sweep.job.js';
import { rainTickJob } from '../modules/rain/jobs/rain-tick.job.js';
import { rainPayJob } from '../modules/rain/jobs/rain-pay.job.js';
import { rainSettleJob } from '../modules/rain/jobs/rain-settle.job.js';
import {
  distributionAnnounceJob,
  distributionDispatchJob,
  distributionMetricsPullJob,
  distributionPublishJob,
  distributionRefreshTokensJob,
  distributionStatusJob,
  distributionSweepJob,
  distributionUnpublishJob,
} from '../modules/distribution/jobs/distribution.jobs.js';
import { metricsVacuumJob } from '../modules/propagation/jobs/metrics-vacuum.job.js';
import { noticesDeliverJob } from '../modules/propagation/jobs/notices-deliver.job.js';
import { chartsFreezeJob } from '../modules/propagation/jobs/charts-freeze.job.js';
import { grandPrizeNominateJob } from '../modules/propagation/jobs/grand-prize-nominate.job.js';
import { grandPrizeRecheckJob } from '../modules/propagation/jobs/grand-prize-recheck.job.js';
import { kitchenPublishFormJob } from '../modules/kitchen/jobs/publish-form.job.js';
import { kitchenPrintRenderJob } from '../modules/kitchen/print/print-render.job.js';
// Issue 15, part map.
import { commandLocationSweepJob } from '../modules/command/jobs/location-sweep.job.js';
// Issue 15, part assign.
import { commandOfferExpiryJob } from '../modules/command/jobs/offer-expiry.job.js';
// Issue 15, part janus (enqueued by part live when a Janus call ends).
import { callRecordingJob } from '../modules/command/jobs/call-recording.job.js';
// Issue 16, lending.
import { lendingExpireJob } from '../modules/lending/jobs/lending-expire.job.js';
// Issue 16, the e-paper.
import { epaperRenderJob } from '../modules/epaper/jobs/epaper-render.job.js';

/** Every job's payload, by name. A name here without a handler below fails the type check. */
export interface JobPayloads {
  'accounts.sessions-cleanup': Record<string, never>;
  'media.process': { submissionId: string };
  'media.compose': { submissionId: string };
  'media.desk-edit': { editId: string };
  'uploads.expire': Record<string, never>;
  'uploads.sweep': Record<string, never>;
  'rain.tick': Record<string, never>;
  'rain.pay': { grabId: string };
  'rain.settle': { sessionId: string };
  'distribution.dispatch': { submissionId: string };
  'distribution.publish': { publicationId: string };
  'distribution.status': { publicationId: string };
  'distribution.unpublish': { publicationId: string };
  'distribution.metrics-pull': { publicationId: string };
  'distribution.sweep': Record<string, never>;
  'distribution.announce': { campaignId: string; week: string; channel: 'weibo' | 'wechat' | 'toutiao' | 'penguin' };
  'distribution.refresh-tokens': Record<string, never>;
  'metrics.vacuum': Record<string, never>;
  'notices.deliver': { noticeId: string };
  'charts.freeze': Record<string, never>;
  'grand-prize.nominate': Record<string, never>;
  'grand-prize.recheck': Record<string, never>;
  'kitchen.publish-form': { storyFormId: string };
  'kitchen.print-render': { storyId: string };
  // Issue 15, part map.
  'command.location-sweep': Record<string, never>;
  // Issue 15, part assign.
  'command.offer-expiry': Record<string, never>;
  // Issue 15, part janus.
  'command.call-recording': { callId: string };
  // Issue 16, lending.
  'lending.expire': Record<string, never>;
  // Issue 16, the e-paper.
  'epaper.render': { editionId: string };
}
export type JobName = keyof JobPayloads;

export const jobRegistry: { [K in JobName]: JobDefinition<JobPayloads[K]> } = {
  'accounts.sessions-cleanup': sessionsCleanupJob,
  'media.process': mediaProcessJob,
  'media.compose': mediaComposeJob,
  'media.desk-edit': deskEditJob,
  'uploads.expire': uploadsExpireJob,
  'uploads.sweep': uploadsSweepJob,
  'rain.tick': rainTickJob,
  'rain.pay': rainPayJob,
  'rain.settle': rainSettleJob,
  'distribution.dispatch': distributionDispatchJob,
  'distribution.publish': distributionPublishJob,
  'distribution.status': distributionStatusJob,
  'distribution.unpublish': distributionUnpublishJob,
  'distribution.metrics-pull': distributionMetricsPullJob,
  'distribution.sweep': distributionSweepJob,
  'distribution.announce': distributionAnnounceJob,
  'distribution.refresh-tokens': distributionRefreshTokensJob,
  'metrics.vacuum': metricsVacuumJob,
  'notices.deliver': noticesDeliverJob,
  'charts.freeze': chartsFreezeJob,
  'grand-prize.nominate': grandPrizeNominateJob,
  'grand-prize.recheck': grandPrizeRecheckJob,
  'kitchen.publish-form': kitchenPublishFormJob,
  'kitchen.print-render': kitchenPrintRenderJob,
  // Issue 15, part map.
  'command.location-sweep': commandLocationSweepJob,
  // Issue 15, part assign.
  'command.offer-expiry': commandOfferExpiryJob,
  // Issue 15, part janus.
  'command.call-recording': callRecordingJob,
  // Issue 16, lending.
  'lending.expire': lendingExpireJob,
  // Issue 16, the e-paper.
  'epaper.render': epaperRenderJob,
};
