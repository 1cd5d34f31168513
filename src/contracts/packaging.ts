import { z } from 'zod';

/** Where an adopted video goes: Paike's own app and web, the four platforms, kiosk screens. */
export const CHANNELS = ['app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

/**
 * Length limits per channel, in characters (a Chinese character counts as one). Sources:
 * Weibo posts are 140 characters with the link; WeChat's article title is 64 and its digest
 * 120, the author field 8; Toutiao titles must be 5–30; Penguin (QQ) video titles 30, and
 * kiosk screens fit about 24 characters in their headline band. See docs/desk.md.
 */
export const CHANNEL_LIMITS: Record<Channel, { headline: [number, number]; summary: number; tags: number; credit: number }> = {
  app: { headline: [1, 60], summary: 300, tags: 10, credit: 40 },
  weibo: { headline: [1, 30], summary: 110, tags: 5, credit: 20 },
  wechat: { headline: [1, 64], summary: 120, tags: 5, credit: 8 },
  toutiao: { headline: [5, 30], summary: 120, tags: 5, credit: 20 },
  penguin: { headline: [1, 30], summary: 200, tags: 5, credit: 20 },
  kiosk: { headline: [1, 24], summary: 80, tags: 0, credit: 20 },
};

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
  contributorName: z.string(),
});
export const dailyPickListReply = z.object({ picks: z.array(dailyPickSchema) });
