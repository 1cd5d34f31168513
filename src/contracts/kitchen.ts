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

// ---------------------------------------------------------------------------------------------
// Planning 策 (part `plan`, docs/planning.md): ideas (报题) with a slot per form, the day's
// board, the studios side by side.

export const IDEA_LIMITS = { title: 200, summary: 4000, target: 80, slots: FORMS.length, feeds: 20 } as const;
const instant = z.iso.datetime({ offset: true });
/** A newsroom day, YYYY-MM-DD in Asia/Shanghai; the service checks that it is a real date (`kitchen.invalid_day`). */
export const planDaySchema = z.string().max(10).describe('A newsroom day, YYYY-MM-DD (Asia/Shanghai)');
export const ideaSlotInputSchema = z.strictObject({
  // A plain string here so an unknown form gets its own coded answer (`kitchen.idea_unknown_form`).
  form: z
    .string()
    .max(20)
    .describe(`One of ${FORMS.join(', ')}`),
  /** Where the form needs a place: print edition/page ("A1", "第4版"), a time ("20:00") … */
  target: z.string().trim().max(IDEA_LIMITS.target).default(''),
  dueAt: instant.nullable().default(null),
});
export type IdeaSlotInput = z.infer<typeof ideaSlotInputSchema>;
export const ideaCreateSchema = z.strictObject({
  title: z.string().trim().min(1).max(IDEA_LIMITS.title),
  summary: z.string().trim().max(IDEA_LIMITS.summary).default(''),
  studioId: z.uuid().nullable().default(null),
  day: planDaySchema,
  ownerId: z.uuid().nullable().default(null),
  deadline: instant.nullable().default(null),
  slots: z.array(ideaSlotInputSchema).max(IDEA_LIMITS.slots).default([]),
  feeds: z.array(z.uuid()).max(IDEA_LIMITS.feeds).default([]),
});
export type IdeaCreate = z.infer<typeof ideaCreateSchema>;
export const ideaPatchSchema = z.strictObject({
  title: z.string().trim().min(1).max(IDEA_LIMITS.title).optional(),
  summary: z.string().trim().max(IDEA_LIMITS.summary).optional(),
  studioId: z.uuid().nullable().optional(),
  day: planDaySchema.optional(),
  ownerId: z.uuid().nullable().optional(),
  deadline: instant.nullable().optional(),
  status: ideaStatusSchema.optional(),
  /** Replaces all the idea's slots. */
  slots: z.array(ideaSlotInputSchema).max(IDEA_LIMITS.slots).optional(),
  /** Replaces all the idea's feeding videos. */
  feeds: z.array(z.uuid()).max(IDEA_LIMITS.feeds).optional(),
  /** Attach an existing story (null detaches). */
  storyId: z.uuid().nullable().optional(),
});
export type IdeaPatch = z.infer<typeof ideaPatchSchema>;

export const boardSlotSchema = z.object({
  form: formSchema,
  target: z.string(),
  dueAt: z.iso.datetime().nullable(),
  /** The linked story's form status; null when the idea has no story or the story has no such form yet. */
  status: formStatusSchema.nullable(),
  url: z.string().nullable(),
  late: z.boolean(),
});
export const ideaSchema = z.object({
  id: z.uuid(),
  studioId: z.uuid().nullable(),
  studioName: z.string().nullable(),
  day: z.string(),
  title: z.string(),
  summary: z.string(),
  ownerId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  deadline: z.iso.datetime().nullable(),
  status: ideaStatusSchema,
  storyId: z.uuid().nullable(),
  storyHeadline: z.string().nullable(),
  slots: z.array(boardSlotSchema),
  feeds: z.array(z.object({ submissionId: z.uuid(), title: z.string(), status: z.string() })),
  /** The deadline has passed and the idea is not done/dropped, or any slot is late. */
  late: z.boolean(),
  createdBy: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Idea = z.infer<typeof ideaSchema>;
export type BoardSlot = z.infer<typeof boardSlotSchema>;

const countsByFormStatus = z.record(z.string(), z.record(z.string(), z.number().int()));
export const boardSchema = z.object({
  day: z.string(),
  timeZone: z.literal('Asia/Shanghai'),
  now: z.iso.datetime(),
  studios: z.array(
    z.object({
      studioId: z.uuid().nullable(),
      /** null: the central desk (ideas of no studio). */
      name: z.string().nullable(),
      ideas: z.array(ideaSchema),
      /** Slots per form and status ("none" when no story form exists yet). */
      counts: countsByFormStatus,
      late: z.number().int(),
    }),
  ),
  late: z.array(z.object({ ideaId: z.uuid(), title: z.string(), studioId: z.uuid().nullable(), forms: z.array(formSchema), deadline: z.boolean() })),
});
export type Board = z.infer<typeof boardSchema>;

const figuresSchema = z.object({ views: z.number(), likes: z.number(), comments: z.number(), shares: z.number(), reach: z.number() });
export const studioOverviewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  leadUserId: z.uuid().nullable(),
  /** Contributor videos routed to the studio that wait on the desk (in review). */
  queue: z.number().int(),
  /** Story forms of the studio's stories per status. */
  stages: z.record(formStatusSchema, z.number().int()),
  /** Published forms per form, today and this week (Monday–now, Asia/Shanghai). */
  channels: z.array(z.object({ form: formSchema, today: z.number().int(), week: z.number().int() })),
  /** Reach of the studio's published contributor videos (the propagation dashboards' figures). */
  figures: figuresSchema,
  /** Late slots and ideas on today's board. */
  late: z.number().int(),
});
export type StudioOverview = z.infer<typeof studioOverviewSchema>;
export const studioDetailSchema = studioOverviewSchema.extend({
  ideas: z.array(ideaSchema),
  stories: z.array(
    z.object({
      id: z.uuid(),
      headline: z.string(),
      updatedAt: z.iso.datetime(),
      forms: z.array(z.object({ form: formSchema, status: formStatusSchema, url: z.string().nullable() })),
    }),
  ),
  reviewQueue: z.array(
    z.object({ storyId: z.uuid(), headline: z.string(), form: formSchema, reviewStep: z.number().int().nullable(), updatedAt: z.iso.datetime() }),
  ),
  queueItems: z.array(z.object({ submissionId: z.uuid(), title: z.string(), processedAt: z.iso.datetime().nullable() })),
});
export type StudioDetail = z.infer<typeof studioDetailSchema>;
