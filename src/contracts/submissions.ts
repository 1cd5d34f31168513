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
export const uploadMetadataSchema = z.strictObject({
  campaignId: z.uuid(),
  theme: z.string().min(1).max(40),
  title: z.string().trim().min(1).max(100),
  filename: z.string().trim().min(1).max(255),
  description: z.string().trim().max(2000).optional(),
  /** "true": the contributor accepted the campaign's terms; the server records when. */
  consent: z.literal('true'),
  /** JSON of locationSchema. */
  location: z.string().max(400).optional(),
  /** The file type the browser reported; informational only, the server probes the file. */
  filetype: z.string().max(100).optional(),
});
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
});
export type Submission = z.infer<typeof submissionSchema>;
export const submissionListReply = z.object({ submissions: z.array(submissionSchema) });
