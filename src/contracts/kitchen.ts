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

// -- The 传播力 wall (part `wall`, docs/wall.md) ----------------------------------------------

/** The newsroom wall's one snapshot (`GET /api/kitchen/wall`, and each `snapshot` event of the stream). */
const wallCountsSchema = z.object(Object.fromEntries(FORM_STATUSES.map((s) => [s, z.number().int()])) as Record<FormStatus, z.ZodNumber>);
export const wallSnapshotSchema = z.object({
  generatedAt: z.string().describe('When this snapshot was computed (ISO 8601)'),
  day: z.string().describe('Today in Asia/Shanghai, `YYYY-MM-DD`'),
  stories: z.object({
    total: z.number().int().describe('Stories made today or with a form changed or published today'),
    byForm: z.array(z.object({ form: formSchema, counts: wallCountsSchema })).describe('Per form (all eight, in FORMS order): its forms by status'),
  }),
  videos: z.object({
    adopted: z.number().int().describe('Contributor videos adopted today'),
    byChannel: z
      .array(z.object({ channel: z.string(), live: z.number().int(), pending: z.number().int(), failed: z.number().int() }))
      .describe('Publications made or gone live today per channel: live, on their way (queued, publishing, pending), failed'),
  }),
  reach: z.object({
    total: z.number().describe('Reach (views, highest seen per publication) of every published video'),
    today: z.number().describe('Reach gained since 00:00 Asia/Shanghai'),
    lastHour: z.number().describe('Reach gained in the last 60 minutes'),
    byChannel: z.array(z.object({ channel: z.string(), reach: z.number(), today: z.number() })),
    byStudio: z
      .array(z.object({ studioId: z.uuid().nullable(), name: z.string(), reach: z.number(), today: z.number() }))
      .describe('By the studio a video is routed to (desk routes); studioId null: routed to none'),
  }),
  weekly: z
    .array(
      z.object({
        campaignId: z.uuid(),
        campaignTitle: z.object({ 'zh-CN': z.string(), en: z.string() }),
        week: z.string(),
        entries: z.array(
          z.object({ rank: z.number().int(), submissionId: z.uuid(), headline: z.string(), contributor: z.string(), reach: z.number(), score: z.number() }),
        ),
      }),
    )
    .describe("This week's running chart (top 10) of each published campaign running now, newest campaign first"),
  movers: z
    .array(z.object({ submissionId: z.uuid(), headline: z.string(), contributor: z.string(), gain: z.number(), channels: z.array(z.string()) }))
    .describe('Top 10 videos by reach gained in the last 60 minutes'),
});
export type WallSnapshot = z.infer<typeof wallSnapshotSchema>;
export const wallSnapshotReply = z.object({ wall: wallSnapshotSchema });
/** Server-sent event names of `GET /api/kitchen/wall/stream`. */
export const WALL_EVENTS = ['snapshot', 'heartbeat'] as const;
