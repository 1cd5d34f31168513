import { z } from 'zod';
import { CHANNELS } from './packaging.limits.js';

export { CHANNELS, CHANNEL_LIMITS, type Channel } from './packaging.limits.js';
export const channelSchema = z.enum(CHANNELS);

export const packageBody = z.strictObject({
  headline: z.string().trim().min(1).max(200),
  summary: z.string().trim().max(2000).default(''),
  tags: z.array(z.string().trim().min(1).max(20)).max(10).default([]),
  /** One of the candidate frames (GET …/covers), or the poster. */
  coverKey: z.string().max(200).nullable().default(null),
  credit: z.string().trim().max(100).default(''),
});
export const packageSchema = z.object({
  channel: channelSchema,
  headline: z.string(),
  summary: z.string(),
  tags: z.array(z.string()),
  coverUrl: z.string().nullable(),
  coverKey: z.string().nullable(),
  credit: z.string(),
  updatedAt: z.iso.datetime(),
});
export const packagesReply = z.object({ packages: z.array(packageSchema) });
export const coversReply = z.object({ covers: z.array(z.object({ key: z.string(), url: z.string(), atSeconds: z.number() })) });

export const dailyPickBody = z.strictObject({
  submissionId: z.uuid(),
  headline: z.string().trim().min(1).max(60),
  summary: z.string().trim().max(300).default(''),
  coverKey: z.string().max(200).nullable().default(null),
});
export const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const dailyPickSchema = z.object({
  day: daySchema,
  submissionId: z.uuid(),
  headline: z.string(),
  summary: z.string(),
  coverUrl: z.string().nullable(),
  playbackUrl: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  /** The video's display size (rotation applied); null when unknown. */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  contributorName: z.string(),
});
export const dailyPickListReply = z.object({ picks: z.array(dailyPickSchema) });
