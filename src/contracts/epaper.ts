import { z } from 'zod';

/**
 * The e-paper (电子报), issue 16 (docs/epaper.md): a day's newspaper uploaded by staff as a PDF,
 * shown on kiosks as page images with tappable article zones. Zones are drawn by staff or
 * imported from the central kitchen's print forms when Paike made the page.
 */
export const EDITION_STATUSES = ['processing', 'ready', 'failed', 'published'] as const;
export type EditionStatus = (typeof EDITION_STATUSES)[number];
export const ZONE_SOURCES = ['print_form', 'drawn'] as const;
export type ZoneSource = (typeof ZONE_SOURCES)[number];

export const EPAPER_LIMITS = {
  maxBytes: 200 * 1024 * 1024,
  maxPages: 64,
  maxZonesPerPage: 200,
  headline: 200,
  text: 20_000,
  title: 100,
  label: 100,
  /** Width of a page's image, and of its thumbnail, in pixels. */
  imageWidth: 1600,
  thumbWidth: 320,
  /** A page taller than this many widths (or wider than this many heights) is refused: no newspaper is that shape. */
  maxAspect: 4,
} as const;

/** A local date, YYYY-MM-DD (the date printed on the masthead); the service checks it is a real date. */
export const epaperDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'a real date');

const unit = (field: string) => z.number().min(0, `${field} must be within 0..1`).max(1, `${field} must be within 0..1`);

/** One zone as staff send it: a rectangle inside the page in page-relative units (0..1). */
export const zoneInputSchema = z
  .strictObject({
    /** An existing zone of this page: it keeps its source (a print-form zone stays one when moved). */
    id: z.uuid().optional(),
    x: unit('x'),
    y: unit('y'),
    w: z.number().gt(0, 'w must be above 0').max(1, 'w must be within 0..1'),
    h: z.number().gt(0, 'h must be above 0').max(1, 'h must be within 0..1'),
    headline: z.string().trim().min(1).max(EPAPER_LIMITS.headline),
    storyId: z.uuid().nullable().optional(),
    text: z.string().max(EPAPER_LIMITS.text).nullable().optional(),
  })
  .superRefine((z0, ctx) => {
    // A hair of slack for the client's floating point, never a zone outside the page.
    if (z0.x + z0.w > 1 + 1e-6) ctx.addIssue({ code: 'custom', path: ['w'], message: 'x + w must be at most 1 (the zone leaves the page)' });
    if (z0.y + z0.h > 1 + 1e-6) ctx.addIssue({ code: 'custom', path: ['h'], message: 'y + h must be at most 1 (the zone leaves the page)' });
  });
export type ZoneInput = z.infer<typeof zoneInputSchema>;

export const zonesBody = z.strictObject({ zones: z.array(zoneInputSchema).max(EPAPER_LIMITS.maxZonesPerPage) });
export type ZonesBody = z.infer<typeof zonesBody>;

export const zoneSchema = z.object({
  id: z.uuid(),
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  headline: z.string(),
  storyId: z.uuid().nullable(),
  text: z.string().nullable(),
  /** The story's public page (for a QR code) when the zone links a story whose web form is published; else null. */
  url: z.string().nullable(),
  source: z.enum(ZONE_SOURCES),
});
export type Zone = z.infer<typeof zoneSchema>;

export const pageSchema = z.object({
  id: z.uuid(),
  number: z.number().int(),
  label: z.string(),
  /** `/api/epaper/pages/:id/image` (about 1600 px wide) and `/api/epaper/pages/:id/thumb` (320 px). */
  imageUrl: z.string(),
  thumbUrl: z.string(),
  contentType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  zones: z.array(zoneSchema),
});
export type EpaperPage = z.infer<typeof pageSchema>;

const editionBase = {
  id: z.uuid(),
  date: z.string(),
  title: z.string(),
  pageCount: z.number().int(),
  publishedAt: z.string().nullable(),
  /** The first page's thumbnail, once rendered. */
  coverUrl: z.string().nullable(),
};

/** A published edition in a list (no pages). */
export const editionSummarySchema = z.object(editionBase);
export type EditionSummary = z.infer<typeof editionSummarySchema>;

/** A published edition with its pages and zones, as kiosks read it. */
export const editionSchema = z.object({ ...editionBase, pages: z.array(pageSchema) });
export type Edition = z.infer<typeof editionSchema>;

/** The staff view: any status, with why a render failed. */
export const adminEditionSchema = z.object({
  ...editionBase,
  status: z.enum(EDITION_STATUSES),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  sourceBytes: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  renderedAt: z.string().nullable(),
  pages: z.array(pageSchema),
});
export type AdminEdition = z.infer<typeof adminEditionSchema>;

export const uploadEditionQuery = z.strictObject({
  date: epaperDaySchema,
  title: z.string().trim().min(1).max(EPAPER_LIMITS.title),
  /** Page labels in order, separated by `|` (第01版 要闻|第02版 要闻); pages without one are "第NN版". */
  labels: z
    .string()
    .max(64 * (EPAPER_LIMITS.label + 1))
    .optional(),
});
export type UploadEditionQuery = z.infer<typeof uploadEditionQuery>;

export const adminEditionsQuery = z.strictObject({
  status: z.enum(EDITION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const editionsQuery = z.strictObject({
  title: z.string().trim().min(1).max(EPAPER_LIMITS.title).optional(),
  /** Only editions on or before this date (default: any). */
  before: epaperDaySchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const titleQuery = z.strictObject({ title: z.string().trim().min(1).max(EPAPER_LIMITS.title).optional() });
export const dayParam = z.strictObject({ day: epaperDaySchema });

export const latestReply = z.object({
  edition: editionSchema,
  /** Today's date where Paike runs (Asia/Shanghai), and whether the edition is today's. */
  today: z.string(),
  isToday: z.boolean(),
});

export const importZonesBody = z.strictObject({
  /**
   * The print forms' page to take (their `page` text, e.g. "A1" or "第4版"); without it, forms whose page
   * names this page's number or label are taken.
   */
  page: z.string().trim().min(1).max(20).optional(),
});

export const importZonesReply = z.object({
  page: pageSchema,
  /** Print forms of this edition's date and page whose headline was found on the page: a zone each. */
  placed: z.array(z.object({ storyId: z.uuid(), headline: z.string(), zoneId: z.uuid() })),
  /** Print forms of this date and page whose headline is not in the page's text: draw these by hand. */
  unplaced: z.array(z.object({ storyId: z.uuid(), headline: z.string(), columns: z.number().int(), reason: z.enum(['not_found', 'no_text']) })),
});
export type ImportZonesReply = z.infer<typeof importZonesReply>;
