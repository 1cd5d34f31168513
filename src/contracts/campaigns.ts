import { z } from 'zod';
import { localizedTextSchema } from './common.js';
import { DEFAULT_PROPAGATION } from './propagation.defaults.js';

export { DEFAULT_PROPAGATION };

/** Per the brief: each adopted video earns 100–10,000 yuan, set by its grade. */
export const REWARD_MIN_FEN = 100 * 100;
export const REWARD_MAX_FEN = 10_000 * 100;

export const themeSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  title: localizedTextSchema,
});

export const gradeSchema = z.strictObject({
  grade: z.string().trim().min(1).max(8),
  rewardFen: z.number().int().min(REWARD_MIN_FEN).max(REWARD_MAX_FEN),
});

export const weeklyPrizeSchema = z.strictObject({
  rank: z.number().int().min(1).max(10),
  amountFen: z.number().int().positive().max(100_000_000),
});

/** Weights of the log-weighted propagation index, modelled on WCI (docs/propagation.md). */
export const propagationWeightsSchema = z.strictObject({
  views: z.number().min(0).max(10),
  likes: z.number().min(0).max(10),
  comments: z.number().min(0).max(10),
  shares: z.number().min(0).max(10),
});
export const propagationRulesSchema = z.strictObject({
  /** The weekly chart ranks by the index or by plain reach (the sum of views). */
  rankBy: z.enum(['index', 'reach']).default('index'),
  weights: propagationWeightsSchema.default(DEFAULT_PROPAGATION.weights),
});
export type PropagationRules = z.infer<typeof propagationRulesSchema>;

export const campaignRulesSchema = z
  .strictObject({
    minDurationSeconds: z.number().int().min(1).max(3600).default(60),
    maxDurationSeconds: z.number().int().min(1).max(3600).default(180),
    /** Largest file a contributor may upload to this campaign. */
    maxUploadBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(16 * 1024 ** 3)
      .default(2 * 1024 ** 3),
    grades: z.array(gradeSchema).min(1).max(20),
    weeklyPrizes: z.array(weeklyPrizeSchema).max(10).default([]),
    /** Cumulative rewards: a bonus when a contributor's adopted count in this campaign reaches each tier. */
    bonusTiers: z
      .array(z.strictObject({ adoptedCount: z.number().int().min(1).max(1000), bonusFen: z.number().int().positive().max(100_000_000) }))
      .max(20)
      .default([]),
    /** Once a contributor's total reach passes a threshold, new adoption rewards are multiplied (percent, 100–500). */
    reachMultipliers: z
      .array(z.strictObject({ reachAtLeast: z.number().int().positive(), multiplierPercent: z.number().int().min(100).max(500) }))
      .max(10)
      .default([]),
    grandPrize: z
      .strictObject({
        thresholdReach: z.number().int().positive().default(10_000_000),
        amountFen: z.number().int().nonnegative().max(100_000_000),
        /** Figures are checked again this many days after the campaign ends, before an editor confirms. */
        holdBackDays: z.number().int().min(0).max(90).default(7),
      })
      .default({ thresholdReach: 10_000_000, amountFen: 1_000_000, holdBackDays: 7 }),
    /** How the weekly chart ranks and how the propagation index weighs each figure (docs/propagation.md). */
    propagation: propagationRulesSchema.default(DEFAULT_PROPAGATION),
  })
  .refine((r) => r.minDurationSeconds < r.maxDurationSeconds, {
    message: 'minDurationSeconds must be below maxDurationSeconds',
    path: ['minDurationSeconds'],
  })
  .refine((r) => new Set(r.grades.map((g) => g.grade)).size === r.grades.length, {
    message: 'grades must be unique',
    path: ['grades'],
  })
  .refine((r) => new Set(r.weeklyPrizes.map((p) => p.rank)).size === r.weeklyPrizes.length, {
    message: 'weekly prize ranks must be unique',
    path: ['weeklyPrizes'],
  });
export type CampaignRules = z.infer<typeof campaignRulesSchema>;

export const campaignSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  title: localizedTextSchema,
  description: localizedTextSchema,
  themes: z.array(themeSchema),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  quota: z.number().int(),
  memberCount: z.number().int(),
  published: z.boolean(),
  /** open: published and now within [startsAt, endsAt). */
  status: z.enum(['draft', 'upcoming', 'open', 'ended']),
  rules: campaignRulesSchema,
  joinUrl: z.string(),
});
export type Campaign = z.infer<typeof campaignSchema>;
export const campaignListReply = z.object({ campaigns: z.array(campaignSchema) });
export const campaignReply = z.object({ campaign: campaignSchema });

const campaignWriteFields = {
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  title: localizedTextSchema,
  description: localizedTextSchema,
  themes: z.array(themeSchema).min(1).max(20),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  quota: z.number().int().min(1).max(10_000_000),
  published: z.boolean().default(true),
  rules: campaignRulesSchema,
};
export const createCampaignBody = z.strictObject(campaignWriteFields).refine((c) => Date.parse(c.startsAt) < Date.parse(c.endsAt), {
  message: 'startsAt must be before endsAt',
  path: ['endsAt'],
});
export const updateCampaignBody = z.strictObject(campaignWriteFields).partial();
export type CreateCampaignInput = z.infer<typeof createCampaignBody>;
export type UpdateCampaignInput = z.infer<typeof updateCampaignBody>;
export const joinReply = z.object({ joined: z.literal(true), campaign: campaignSchema });
