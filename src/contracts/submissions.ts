import { z } from 'zod';

export const SUBMISSION_STATUSES = ['uploading', 'processing', 'in_review', 'adopted', 'rejected', 'withdrawn'] as const;
export const submissionStatusSchema = z.enum(SUBMISSION_STATUSES);
export type SubmissionStatus = z.infer<typeof submissionStatusSchema>;

export const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  name: z.string().trim().max(200).optional(),
});

/** What the contributor's client sends as tus Upload-Metadata (all values are strings there). */
export const uploadMetadataSchema = z
  .strictObject({
    campaignId: z.uuid(),
    /** Required, except on a call's recording (`callId`), where it defaults to the assignment's theme. */
    theme: z.string().min(1).max(40).optional(),
    title: z.string().trim().min(1).max(100),
    filename: z.string().trim().min(1).max(255),
    description: z.string().trim().max(2000).optional(),
    /** "true": the contributor accepted the campaign's terms; the server records when. */
    consent: z.literal('true'),
    /** JSON of locationSchema. */
    location: z.string().max(400).optional(),
    /** The file type the browser reported; informational only, the server probes the file. */
    filetype: z.string().max(100).optional(),
    /** Footage for a field assignment the uploader accepted (docs/command.md, "Footage"). */
    assignmentId: z.uuid().optional(),
    /**
     * The phone's own recording of a Paike call it took part in (docs/command-live.md,
     * "Store-and-forward"): with `assignmentId` (the call's), processed as a call's recording.
     */
    callId: z.uuid().optional(),
  })
  .refine((m) => m.theme !== undefined || m.callId !== undefined, { path: ['theme'], message: 'Required' })
  .refine((m) => m.callId === undefined || m.assignmentId !== undefined, { path: ['assignmentId'], message: 'Required with callId' });
export type UploadMetadata = z.infer<typeof uploadMetadataSchema>;

export const submissionSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  theme: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  location: locationSchema.nullable(),
  status: submissionStatusSchema,
  /** 0–100: upload progress while uploading, processing progress while processing. */
  progress: z.number().int().min(0).max(100),
  rejection: z.object({ code: z.string(), message: z.string() }).nullable(),
  durationSeconds: z.number().nullable(),
  /** As displayed (after rotation). */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  playbackUrl: z.string().nullable(),
  posterUrl: z.string().nullable(),
  consentAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Desk only: the earlier submission whose frames this one repeats (re-upload, re-encode, trim, resize). */
  duplicate: z.object({ submissionId: z.uuid(), score: z.number() }).nullable().optional(),
  /** Desk only: what ffprobe found in the file. */
  probe: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type Submission = z.infer<typeof submissionSchema>;
export const submissionListReply = z.object({ submissions: z.array(submissionSchema) });

/** Secondary production (二次生产): up to five clips, each trimmed, joined in order, with one caption line. */
export const MAX_EDIT_CLIPS = 5;
export const CAPTION_MAX = 40;

export const editClipSchema = z
  .strictObject({
    filename: z.string().trim().min(1).max(255),
    sizeBytes: z.number().int().positive(),
    /** The kept part of the clip, in seconds from its start. */
    startSeconds: z.number().min(0),
    endSeconds: z.number().positive(),
  })
  .refine((c) => c.endSeconds - c.startSeconds >= 1, { message: 'each kept part must be at least 1 second', path: ['endSeconds'] });

export const createEditBody = z.strictObject({
  campaignId: z.uuid(),
  theme: z.string().min(1).max(40),
  title: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).optional(),
  location: locationSchema.optional(),
  consent: z.literal(true),
  clips: z.array(editClipSchema).min(1).max(MAX_EDIT_CLIPS),
  caption: z.string().trim().max(CAPTION_MAX).optional(),
});
export type CreateEditInput = z.infer<typeof createEditBody>;

/**
 * The answer to creating an edit: the submission (status `uploading`) and, per clip, the tus
 * Upload-Metadata to send with that clip's upload to /api/uploads.
 */
export const createEditReply = z.object({
  submission: submissionSchema,
  clipUploads: z.array(z.object({ index: z.number().int(), metadata: z.record(z.string(), z.string()) })),
});
