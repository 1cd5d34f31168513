import { z } from 'zod';
import { submissionSchema } from './submissions.js';

/** How well the desk knows a contributor, from their history (see docs/desk.md). */
export const TRUST_LEVELS = ['new', 'regular', 'trusted'] as const;
export const trustLevelSchema = z.enum(TRUST_LEVELS);
export type TrustLevel = z.infer<typeof trustLevelSchema>;

/** Why a video was turned down; the contributor reads it in their own language. */
export const REJECT_REASONS = ['not_newsworthy', 'poor_quality', 'off_theme', 'duplicate', 'rights', 'unsafe', 'other'] as const;
export const rejectReasonSchema = z.enum(REJECT_REASONS);

export const queueQuerySchema = z.strictObject({
  campaignId: z.uuid().optional(),
  theme: z.string().max(40).optional(),
  duplicate: z.enum(['true', 'false']).optional(),
  trust: trustLevelSchema.optional(),
  studioId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const contributorSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  trust: trustLevelSchema,
  adopted: z.number().int(),
  rejected: z.number().int(),
  /** Sum of views across channels; 0 until propagation figures arrive. */
  totalReach: z.number().int(),
});

export const claimSchema = z.object({
  editorId: z.uuid(),
  editorName: z.string(),
  claimedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  mine: z.boolean(),
});

export const assignmentRefSchema = z.object({ id: z.uuid(), title: z.string() });

export const queueItemSchema = z.object({
  submission: submissionSchema,
  contributor: contributorSummarySchema,
  waitingSeconds: z.number().int(),
  claim: claimSchema.nullable(),
  studioId: z.uuid().nullable(),
  /** The field assignment (任务) the video was shot for (docs/command.md); null for ordinary uploads. */
  assignment: assignmentRefSchema.nullable(),
});
export const queueReply = z.object({ items: z.array(queueItemSchema) });

export const noteSchema = z.object({ id: z.uuid(), authorId: z.uuid(), authorName: z.string(), body: z.string(), createdAt: z.iso.datetime() });

export const reviewReply = z.object({
  submission: submissionSchema.extend({ grade: z.string().nullable(), spriteVttUrl: z.string().nullable() }),
  contributor: contributorSummarySchema,
  claim: claimSchema.nullable(),
  notes: z.array(noteSchema),
  grades: z.array(z.object({ grade: z.string(), rewardFen: z.number().int() })),
  assignment: assignmentRefSchema.nullable(),
});

export const adoptBody = z.strictObject({ grade: z.string().trim().min(1).max(8) });
export const rejectBody = z.strictObject({ reason: rejectReasonSchema, note: z.string().trim().max(1000).optional() });
/** Compare-and-set: the grade the editor saw, so a retry or a race cannot double-correct. */
export const regradeBody = z.strictObject({ grade: z.string().trim().min(1).max(8), expectedGrade: z.string().trim().min(1).max(8) });
export const noteBody = z.strictObject({ body: z.string().trim().min(1).max(4000) });

export const decisionReply = z.object({
  submission: submissionSchema.extend({ grade: z.string().nullable() }),
  /** The ledger transfer this decision posted (or had already posted), if any. */
  transferId: z.uuid().nullable(),
});

export const studioSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  leadUserId: z.uuid().nullable(),
  members: z.array(z.object({ id: z.uuid(), name: z.string() })),
  routes: z.array(z.object({ campaignId: z.uuid(), theme: z.string().nullable() })),
});
export const studioListReply = z.object({ studios: z.array(studioSchema) });
export const createStudioBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  leadUserId: z.uuid().optional(),
  memberIds: z.array(z.uuid()).max(200).default([]),
  routes: z
    .array(z.strictObject({ campaignId: z.uuid(), theme: z.string().max(40).nullable().default(null) }))
    .max(200)
    .default([]),
});
/**
 * A partial update: what is sent changes, what is left out stays (members and routes included:
 * `.partial()` of the creation body would have kept its `[]` defaults and emptied them).
 * `leadUserId: null` removes the lead. At least one field.
 */
export const updateStudioBody = z
  .strictObject({
    name: createStudioBody.shape.name.optional(),
    leadUserId: z.uuid().nullable().optional(),
    memberIds: z.array(z.uuid()).max(200).optional(),
    routes: z
      .array(z.strictObject({ campaignId: z.uuid(), theme: z.string().max(40).nullable().default(null) }))
      .max(200)
      .optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });

/** The desk's secondary production: trim, and subtitles burned in or as WebVTT. */
export const deskEditBody = z
  .strictObject({
    startSeconds: z.number().min(0),
    endSeconds: z.number().positive(),
    /** Times relative to the trimmed start. */
    subtitles: z
      .array(z.strictObject({ startSeconds: z.number().min(0), endSeconds: z.number().positive(), text: z.string().trim().min(1).max(80) }))
      .max(300)
      .default([]),
    mode: z.enum(['burn', 'vtt']).default('vtt'),
  })
  .refine((e) => e.endSeconds - e.startSeconds >= 1, { message: 'keep at least 1 second', path: ['endSeconds'] })
  .refine((e) => e.subtitles.every((s) => s.endSeconds > s.startSeconds && s.endSeconds <= e.endSeconds - e.startSeconds + 0.05), {
    message: 'each subtitle must end after it starts and within the trimmed video',
    path: ['subtitles'],
  });

export const deskEditSchema = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'processing', 'ready', 'failed']),
  startSeconds: z.number(),
  endSeconds: z.number(),
  mode: z.enum(['burn', 'vtt']),
  subtitles: z.array(z.object({ startSeconds: z.number(), endSeconds: z.number(), text: z.string() })),
  playbackUrl: z.string().nullable(),
  mp4Url: z.string().nullable(),
  subtitlesUrl: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export const deskEditListReply = z.object({ edits: z.array(deskEditSchema) });
