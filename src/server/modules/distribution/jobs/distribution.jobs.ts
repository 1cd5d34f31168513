import { z } from 'zod';
import { defineJob } from '../../../jobs/job.js';

const publicationPayload = z.strictObject({ publicationId: z.uuid() });

/** Adoption's outbox row → one publication per channel (queued after the packaging hold). */
export const distributionDispatchJob = defineJob<{ submissionId: string }>({
  name: 'distribution.dispatch',
  payload: z.strictObject({ submissionId: z.uuid() }),
  retryLimit: 5,
  async handle({ submissionId }, services) {
    await services.publishing.dispatch(submissionId);
  },
});

/**
 * One attempt to publish. Classified platform failures are answered inside (backoff, failed,
 * reconnect) and re-queued with their own delay; pg-boss's retry only covers a crash, and the
 * publication's lease keeps two copies from overlapping.
 */
export const distributionPublishJob = defineJob<{ publicationId: string }>({
  name: 'distribution.publish',
  payload: publicationPayload,
  retryLimit: 2,
  retryDelaySeconds: 60,
  expireInSeconds: 45 * 60,
  async handle({ publicationId }, services) {
    await services.publishing.publish(publicationId);
  },
});

/** Polls a platform that decides later (WeChat's freepublish/get). */
export const distributionStatusJob = defineJob<{ publicationId: string }>({
  name: 'distribution.status',
  payload: publicationPayload,
  retryLimit: 2,
  async handle({ publicationId }, services) {
    await services.publishing.checkStatus(publicationId);
  },
});

export const distributionUnpublishJob = defineJob<{ publicationId: string }>({
  name: 'distribution.unpublish',
  payload: publicationPayload,
  retryLimit: 2,
  async handle({ publicationId }, services) {
    await services.publishing.unpublishNow(publicationId);
  },
});

/** One live publication's figures, into the time series. */
export const distributionMetricsPullJob = defineJob<{ publicationId: string }>({
  name: 'distribution.metrics-pull',
  payload: publicationPayload,
  retryLimit: 1,
  expireInSeconds: 120,
  async handle({ publicationId }, services) {
    await services.publishing.pullMetrics(publicationId);
  },
});

/** Every minute: due metric pulls, unprocessed outbox rows, work a crashed worker left. */
export const distributionSweepJob = defineJob<Record<string, never>>({
  name: 'distribution.sweep',
  payload: z.strictObject({}),
  schedule: { cron: '* * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 0,
  expireInSeconds: 120,
  async handle(_payload, services) {
    await services.publishing.sweep();
  },
});

/** Every ten minutes: tokens near expiry are refreshed ahead of need. */
export const distributionRefreshTokensJob = defineJob<Record<string, never>>({
  name: 'distribution.refresh-tokens',
  payload: z.strictObject({}),
  schedule: { cron: '*/10 * * * *', tz: 'Asia/Shanghai' },
  retryLimit: 0,
  expireInSeconds: 300,
  async handle(_payload, services) {
    await services.channelAccounts.refreshDue();
  },
});

/** The frozen weekly chart as a text post on one platform; retried with backoff when the platform is down or limiting. */
export const distributionAnnounceJob = defineJob<{ campaignId: string; week: string; channel: 'weibo' | 'wechat' | 'toutiao' | 'penguin' }>({
  name: 'distribution.announce',
  payload: z.strictObject({ campaignId: z.uuid(), week: z.string().regex(/^\d{4}-W\d{2}$/), channel: z.enum(['weibo', 'wechat', 'toutiao', 'penguin']) }),
  retryLimit: 8,
  retryDelaySeconds: 60,
  async handle(payload, services) {
    await services.announcements.post(payload);
  },
});
