import { z } from 'zod';

/**
 * E-book and periodical lending (借阅), issue 16 (docs/lending.md): staff upload checked EPUB and
 * PDF files under a licence; signed-in readers borrow a copy or queue a hold, read through
 * short-lived file tokens, and keep their place across devices.
 */
export const LENDING_KINDS = ['book', 'periodical'] as const;
export type LendingKind = (typeof LENDING_KINDS)[number];
export const LENDING_FORMATS = ['epub', 'pdf'] as const;
export type LendingFormat = (typeof LENDING_FORMATS)[number];
export const LOAN_STATUSES = ['active', 'returned', 'expired'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];
export const HOLD_STATUSES = ['waiting', 'offered', 'fulfilled', 'cancelled', 'lapsed'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
export const AVAILABILITY_STATES = ['available', 'unavailable', 'ended'] as const;

export const LENDING_CONTENT_TYPES: Record<LendingFormat, string> = { epub: 'application/epub+zip', pdf: 'application/pdf' };

export const LENDING_LIMITS = {
  /** A file token opens the file for this long. */
  tokenMinutes: 10,
  /** A freed copy waits this long for the reader it is offered to. */
  offerHours: 48,
  defaultLoanDays: 14,
  maxLoanDays: 365,
  maxCopies: 100_000,
  /** A position's `updatedAt` may be this far ahead of the server's clock (device clocks drift). */
  positionFutureSkewMinutes: 5,
  /** The OPDS feed lists at most this many titles, newest first. */
  opdsMax: 1000,
} as const;

export interface Neutralised {
  scripts: number;
  eventHandlers: number;
  javascriptUrls: number;
  remoteReferences: number;
}

/** Where a reader is in a loan; the newest `updatedAt` wins across devices. */
export const readingPositionSchema = z.strictObject({
  /** An EPUB CFI, a PDF page ("page=12") or whatever the reader app resumes from. */
  locator: z.string().min(1).max(2000),
  progress: z.number().min(0).max(1),
  updatedAt: z.iso.datetime({ offset: true }),
  /** A label for the device ("kiosk 大厅", "phone"). */
  device: z.string().trim().min(1).max(80),
});
export type ReadingPosition = z.infer<typeof readingPositionSchema>;

const isoOrNull = z.string().nullable();

export const availabilitySchema = z.object({
  /** `available`: a borrow now gives a loan; `unavailable`: it queues a hold; `ended`: the licence allows no more loans. */
  state: z.enum(AVAILABILITY_STATES),
  copies: z.number().int(),
  /** Copies a borrow would get now (free copies not owed to the queue). */
  available: z.number().int(),
  /** Readers waiting or holding an offer. */
  holds: z.number().int(),
  loanDays: z.number().int(),
});

export const lendingTitleSchema = z.object({
  id: z.uuid(),
  kind: z.enum(LENDING_KINDS),
  format: z.enum(LENDING_FORMATS),
  contentType: z.string(),
  title: z.string(),
  author: z.string().nullable(),
  language: z.string().nullable(),
  description: z.string().nullable(),
  /** `/api/lending/titles/:id/cover` (image/jpeg), or null. */
  coverUrl: z.string().nullable(),
  bytes: z.number().int(),
  createdAt: z.string(),
  availability: availabilitySchema,
});
export type LendingTitle = z.infer<typeof lendingTitleSchema>;

const titleSummary = z.object({
  id: z.uuid(),
  kind: z.enum(LENDING_KINDS),
  format: z.enum(LENDING_FORMATS),
  title: z.string(),
  author: z.string().nullable(),
  coverUrl: z.string().nullable(),
});

export const loanSchema = z.object({
  id: z.uuid(),
  titleId: z.uuid(),
  title: titleSummary,
  status: z.enum(LOAN_STATUSES),
  borrowedAt: z.string(),
  dueAt: z.string(),
  returnedAt: isoOrNull,
  position: readingPositionSchema.nullable(),
});
export type Loan = z.infer<typeof loanSchema>;

export const holdSchema = z.object({
  id: z.uuid(),
  titleId: z.uuid(),
  title: titleSummary,
  status: z.enum(HOLD_STATUSES),
  createdAt: z.string(),
  offeredAt: isoOrNull,
  /** An `offered` hold becomes a loan with `POST /api/lending/holds/:id/accept` until then. */
  offerExpiresAt: isoOrNull,
  /** 1 = next in line; null unless `waiting`. */
  position: z.number().int().nullable(),
  /** Days until a copy is likely offered (from the due dates of the loans ahead); null unless `waiting`. */
  estimatedWaitDays: z.number().int().nullable(),
});
export type Hold = z.infer<typeof holdSchema>;

export const titleDetailReply = z.object({
  title: lendingTitleSchema,
  /** The signed-in reader's own loan and open hold of this title (null when signed out). */
  mine: z.object({ loan: loanSchema.nullable(), hold: holdSchema.nullable() }).nullable(),
});

export const borrowReply = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('loan'), loan: loanSchema }),
  z.object({ outcome: z.literal('hold'), hold: holdSchema, position: z.number().int(), estimatedWaitDays: z.number().int() }),
]);
export type BorrowReply = z.infer<typeof borrowReply>;

export const fileTokenReply = z.object({
  token: z.string(),
  /** `/api/lending/files/<token>`: fetch it (no cookie needed) before `expiresAt`. */
  url: z.string(),
  expiresAt: z.string(),
  contentType: z.string(),
});

export const catalogueQuery = z.strictObject({
  kind: z.enum(LENDING_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

// ---- staff ----
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

/** The upload's metadata, in the query string (the body is the file itself). */
export const uploadQuery = z.strictObject({
  kind: z.enum(LENDING_KINDS).default('book'),
  /** Overrides the EPUB's own; required for a PDF. */
  title: optionalText(500),
  author: optionalText(500),
  language: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 language tag such as zh-CN')
    .max(35)
    .optional(),
  description: optionalText(4000),
  copies: z.coerce.number().int().min(1).max(LENDING_LIMITS.maxCopies).default(1),
  loanDays: z.coerce.number().int().min(1).max(LENDING_LIMITS.maxLoanDays).default(LENDING_LIMITS.defaultLoanDays),
  maxLoans: z.coerce.number().int().min(1).max(100_000_000).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type UploadQuery = z.infer<typeof uploadQuery>;

export const licenceBody = z.strictObject({
  copies: z.number().int().min(1).max(LENDING_LIMITS.maxCopies).optional(),
  loanDays: z.number().int().min(1).max(LENDING_LIMITS.maxLoanDays).optional(),
  maxLoans: z.number().int().min(1).max(100_000_000).nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type LicenceBody = z.infer<typeof licenceBody>;

export const licenceSchema = z.object({
  copies: z.number().int(),
  loanDays: z.number().int(),
  maxLoans: z.number().int().nullable(),
  expiresAt: isoOrNull,
  loansUsed: z.number().int(),
});

export const adminTitleSchema = lendingTitleSchema.extend({
  sha256: z.string(),
  neutralised: z.object({ scripts: z.number(), eventHandlers: z.number(), javascriptUrls: z.number(), remoteReferences: z.number() }),
  createdBy: z.uuid().nullable(),
  withdrawnAt: isoOrNull,
  licence: licenceSchema,
  activeLoans: z.number().int(),
});
export type AdminTitle = z.infer<typeof adminTitleSchema>;

export const adminTitlesQuery = z.strictObject({ withdrawn: z.enum(['include', 'exclude', 'only']).default('exclude') });

export const fileTokenParam = z.strictObject({ token: z.string().min(1).max(200) });

// ---- OPDS 2.0 (https://drafts.opds.io/opds-2.0) ----
const opdsLink = z.object({
  rel: z.string().optional(),
  href: z.string(),
  type: z.string().optional(),
  properties: z
    .object({
      availability: z.object({ state: z.enum(['available', 'unavailable']) }),
      holds: z.object({ total: z.number().int() }),
      copies: z.object({ total: z.number().int(), available: z.number().int() }),
    })
    .optional(),
});
export const opdsFeedSchema = z.object({
  metadata: z.object({ title: z.string(), numberOfItems: z.number().int(), modified: z.string().optional() }),
  links: z.array(opdsLink),
  publications: z.array(
    z.object({
      metadata: z.object({
        '@type': z.string(),
        identifier: z.string(),
        title: z.string(),
        author: z.string().optional(),
        language: z.string().optional(),
        description: z.string().optional(),
        published: z.string().optional(),
      }),
      links: z.array(opdsLink),
      images: z.array(z.object({ href: z.string(), type: z.string() })),
    }),
  ),
});
export type OpdsFeed = z.infer<typeof opdsFeedSchema>;
