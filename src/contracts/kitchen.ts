import { z } from 'zod';

/**
 * The central kitchen's shared words (docs/kitchen.md). One story, many forms: 报 print,
 * 网 web, 端 app, 微 social (Weibo, WeChat, Douyin/Toutiao, Penguin), 屏 screens.
 */
export const FORMS = ['print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen'] as const;
export const formSchema = z.enum(FORMS);
export type Form = z.infer<typeof formSchema>;

/** The social forms go out through the distribution channel adapters of the same name. */
export const SOCIAL_FORMS = ['weibo', 'wechat', 'toutiao', 'penguin'] as const satisfies readonly Form[];
/** Toutiao/Douyin and Penguin are video platforms: their forms need a video leading the story. */
export const VIDEO_LED_FORMS = ['toutiao', 'penguin'] as const satisfies readonly Form[];

/**
 * Each form's own status. "Online published, print pending" is web `published` + print
 * `ready` (or earlier): the list filters by form and status together.
 */
export const FORM_STATUSES = ['planned', 'in_edit', 'in_review', 'ready', 'published'] as const;
export const formStatusSchema = z.enum(FORM_STATUSES);
export type FormStatus = z.infer<typeof formStatusSchema>;

/** Who may approve a step of a review chain; default chain 三审 is all three in this order. */
export const REVIEW_STEP_ROLES = ['editor', 'studio_lead', 'chief_editor'] as const;
export const reviewStepRoleSchema = z.enum(REVIEW_STEP_ROLES);
export type ReviewStepRole = z.infer<typeof reviewStepRoleSchema>;
export const DEFAULT_REVIEW_CHAIN: readonly ReviewStepRole[] = ['editor', 'studio_lead', 'chief_editor'];

export const REVIEW_ACTIONS = ['submit', 'approve', 'send_back', 'restart'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export const IDEA_STATUSES = ['proposed', 'accepted', 'dropped', 'done'] as const;
export const ideaStatusSchema = z.enum(IDEA_STATUSES);
export type IdeaStatus = z.infer<typeof ideaStatusSchema>;

export const PAGE_SIZES = ['A3', 'broadsheet'] as const;
export const pageSizeSchema = z.enum(PAGE_SIZES);
export type PageSize = z.infer<typeof pageSizeSchema>;

/** Limits on a story itself (the database checks the same). */
export const STORY_LIMITS = {
  headline: 200,
  standfirst: 1000,
  bodyHtml: 200_000,
  tags: 20,
  tag: 30,
  byline: 200,
  images: 30,
  videos: 10,
  /** Bytes of one uploaded image. */
  imageBytes: 20 * 1024 * 1024,
  caption: 500,
  credit: 200,
} as const;

/**
 * The editable fields of each form (story_forms.content). Derived from the story when the form
 * is created, then edited on its own; limits per form in FORM_LIMITS.
 */
const html = z.string().max(STORY_LIMITS.bodyHtml);
export const printContentSchema = z.strictObject({
  headline: z.string().min(1).max(60),
  standfirst: z.string().max(300),
  bodyHtml: html,
  /** Width of the block on the page grid, in columns (≤ the newspaper's columns). */
  columns: z.number().int().min(1).max(12),
  /** Edition (YYYY-MM-DD) and page ("A1", "第4版") the block is planned for. */
  edition: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  page: z.string().max(20),
  /** Images (story_images ids) placed in the block, in order; at most 6. */
  imageIds: z.array(z.uuid()).max(6),
});
export const webContentSchema = z.strictObject({
  headline: z.string().min(1).max(80),
  standfirst: z.string().max(500),
  bodyHtml: html,
});
export const weiboContentSchema = z.strictObject({
  /** The post's text; Paike appends the story's link (Weibo counts 140 with it). */
  text: z.string().min(1).max(110),
});
export const wechatContentSchema = z.strictObject({
  title: z.string().min(1).max(32),
  digest: z.string().max(120),
  author: z.string().max(16),
  bodyHtml: html,
});
export const videoPlatformContentSchema = z.strictObject({
  title: z.string().min(1).max(30),
  summary: z.string().max(120),
});
export const screenContentSchema = z.strictObject({
  headline: z.string().min(1).max(24),
  subline: z.string().max(80),
  /** What fills the card: a story image, an embedded video (its poster, QR to it), or text only. */
  imageId: z.uuid().nullable(),
  videoSubmissionId: z.uuid().nullable(),
});

export const FORM_CONTENT_SCHEMAS = {
  print: printContentSchema,
  web: webContentSchema,
  app: webContentSchema,
  weibo: weiboContentSchema,
  wechat: wechatContentSchema,
  toutiao: videoPlatformContentSchema,
  penguin: videoPlatformContentSchema,
  screen: screenContentSchema,
} as const satisfies Record<Form, z.ZodType>;

export type PrintContent = z.infer<typeof printContentSchema>;
export type WebContent = z.infer<typeof webContentSchema>;
export type WeiboContent = z.infer<typeof weiboContentSchema>;
export type WechatContent = z.infer<typeof wechatContentSchema>;
export type VideoPlatformContent = z.infer<typeof videoPlatformContentSchema>;
export type ScreenContent = z.infer<typeof screenContentSchema>;
export type FormContent = { [F in Form]: z.infer<(typeof FORM_CONTENT_SCHEMAS)[F]> };

// ---- Part `print` (docs/print.md): newspapers, print renders, exports ----

/** A newspaper's page grid and type sizes; the print block is laid out on it. */
export const NEWSPAPER_LIMITS = {
  columns: { min: 1, max: 12 },
  gutterMm: { min: 0, max: 20 },
  marginMm: { min: 0, max: 50 },
  bleedMm: { min: 0, max: 10 },
  headlinePt: { min: 8, max: 144 },
  standfirstPt: { min: 6, max: 48 },
  bodyPt: { min: 6, max: 24 },
  captionPt: { min: 5, max: 18 },
} as const;
/** Trim size of each page size, in millimetres (width × height). */
export const PAGE_SIZE_MM: Record<PageSize, { width: number; height: number }> = {
  A3: { width: 297, height: 420 },
  broadsheet: { width: 375, height: 597 },
};
const range = (r: { min: number; max: number }) => z.number().min(r.min).max(r.max);
export const newspaperSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  pageSize: pageSizeSchema,
  columns: z.number().int(),
  gutterMm: z.number(),
  marginMm: z.number(),
  bleedMm: z.number(),
  headlinePt: z.number(),
  standfirstPt: z.number(),
  bodyPt: z.number(),
  captionPt: z.number(),
  updatedAt: z.iso.datetime(),
});
export type Newspaper = z.infer<typeof newspaperSchema>;
export const newspaperUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  pageSize: pageSizeSchema,
  columns: z.number().int().min(NEWSPAPER_LIMITS.columns.min).max(NEWSPAPER_LIMITS.columns.max),
  gutterMm: range(NEWSPAPER_LIMITS.gutterMm),
  marginMm: range(NEWSPAPER_LIMITS.marginMm),
  bleedMm: range(NEWSPAPER_LIMITS.bleedMm),
  headlinePt: range(NEWSPAPER_LIMITS.headlinePt),
  standfirstPt: range(NEWSPAPER_LIMITS.standfirstPt),
  bodyPt: range(NEWSPAPER_LIMITS.bodyPt),
  captionPt: range(NEWSPAPER_LIMITS.captionPt),
});
export type NewspaperUpdate = z.infer<typeof newspaperUpdateSchema>;

export const PRINT_RENDER_STATUSES = ['none', 'queued', 'rendering', 'done', 'failed'] as const;
/** The state of a story's print render; `none` before the first request. */
export const printRenderStateSchema = z.object({
  storyId: z.uuid(),
  status: z.enum(PRINT_RENDER_STATUSES),
  /** The story version the PDF was made from, and whether the story has changed since. */
  storyVersion: z.number().int().nullable(),
  stale: z.boolean(),
  /** Where the PDF is, when one exists (kept from the last good render while a new one runs or fails). */
  pdfUrl: z.string().nullable(),
  pdfBytes: z.number().int().nullable(),
  /** Why the last render failed, in the request's language, with the code. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  requestedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  renderMs: z.number().int().nullable(),
  /** Where the print block comes from: the print form's content, or derived from the story. */
  source: z.enum(['form', 'story']),
});
export type PrintRenderState = z.infer<typeof printRenderStateSchema>;
