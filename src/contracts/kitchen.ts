import { z } from 'zod';
import { FORMS, REVIEW_STEP_ROLES } from './kitchen.limits.js';

export { FORMS, FORM_LIMITS, REVIEW_STEP_ROLES, countChars } from './kitchen.limits.js';

/**
 * The central kitchen's shared words (docs/kitchen.md). One story, many forms: 报 print,
 * 网 web, 端 app, 微 social (Weibo, WeChat, Douyin/Toutiao, Penguin), 屏 screens.
 */
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

// ---- Part `stories` (docs/kitchen.md, "Stories"): the story routes' request and reply shapes.

const personSchema = z.object({ id: z.uuid(), name: z.string() });
const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(STORY_LIMITS.tag)
  .regex(/^[^,<>]+$/, 'no commas or angle brackets');

export const storyFieldsSchema = z.object({
  headline: z.string().trim().min(1).max(STORY_LIMITS.headline),
  standfirst: z.string().max(STORY_LIMITS.standfirst),
  /** Sanitised on the server (sanitizeStoryHtml); what comes back is what was kept. */
  bodyHtml: z.string().max(STORY_LIMITS.bodyHtml),
  tags: z.array(tagSchema).max(STORY_LIMITS.tags),
  byline: z.string().max(STORY_LIMITS.byline),
  /** null: the central desk's own story. */
  studioId: z.uuid().nullable(),
});
export const createStoryBody = storyFieldsSchema.partial().extend({ headline: storyFieldsSchema.shape.headline }).strict();
export type CreateStoryBody = z.infer<typeof createStoryBody>;
export const updateStoryBody = storyFieldsSchema
  .partial()
  .extend({ version: z.number().int().min(1).describe('The version this edit started from; another save since is 409 kitchen.stale_version') })
  .strict();
export type UpdateStoryBody = z.infer<typeof updateStoryBody>;

export const STORY_IMAGE_SIZES = ['print', 'web', 'thumb'] as const;
export const storyImageSizeSchema = z.enum(STORY_IMAGE_SIZES);
export type StoryImageSize = z.infer<typeof storyImageSizeSchema>;
/** Content types an image upload may declare (HEIC: export it as JPEG first). */
export const STORY_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;

export const storyImageSchema = z.object({
  id: z.uuid(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  caption: z.string(),
  credit: z.string(),
  position: z.number().int(),
  urls: z.object({ print: z.string(), web: z.string(), thumb: z.string() }),
  createdAt: z.iso.datetime(),
});
export type StoryImage = z.infer<typeof storyImageSchema>;
export const storyImageQuery = z.strictObject({
  caption: z.string().max(STORY_LIMITS.caption).optional(),
  credit: z.string().max(STORY_LIMITS.credit).optional(),
});
export const updateStoryImageBody = z.strictObject({
  caption: z.string().max(STORY_LIMITS.caption).optional(),
  credit: z.string().max(STORY_LIMITS.credit).optional(),
  /** Move the image to this place in the story's order (0 first). */
  position: z.number().int().min(0).max(STORY_LIMITS.images).optional(),
});

export const storyVideoSchema = z.object({
  submissionId: z.uuid(),
  title: z.string(),
  contributor: personSchema,
  posterUrl: z.string().nullable(),
  hlsUrl: z.string().nullable(),
  position: z.number().int(),
});
export type StoryVideo = z.infer<typeof storyVideoSchema>;
export const putStoryVideosBody = z.strictObject({ submissionIds: z.array(z.uuid()).max(STORY_LIMITS.videos) });

export const storyFormSummarySchema = z.object({ form: formSchema, status: formStatusSchema, url: z.string().nullable() });

export const storySchema = z.object({
  id: z.uuid(),
  studio: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  headline: z.string(),
  standfirst: z.string(),
  bodyHtml: z.string(),
  tags: z.array(z.string()),
  byline: z.string(),
  author: personSchema,
  version: z.number().int(),
  updatedBy: personSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  images: z.array(storyImageSchema),
  videos: z.array(storyVideoSchema),
  forms: z.array(storyFormSummarySchema),
});
export type Story = z.infer<typeof storySchema>;
export const storyReply = z.object({ story: storySchema });

/** `web:published` (that form is published) or `print:!published` (not published, or no print form at all). */
export const FORM_FILTER = new RegExp(`^(${FORMS.join('|')}):(!?)(${FORM_STATUSES.join('|')})$`);
export const storyListQuery = z.strictObject({
  studioId: z.uuid().optional(),
  q: z.string().trim().max(100).optional(),
  tag: z.string().trim().max(STORY_LIMITS.tag).optional(),
  form: z
    .preprocess(
      (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]),
      z.array(z.string().regex(FORM_FILTER, 'form:status or form:!status')).max(FORMS.length * 2),
    )
    .optional()
    .describe('Repeatable, AND-ed: `web:published` (web form published), `print:!published` (print not published, or no print form)'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type StoryListQuery = z.input<typeof storyListQuery>;
export const storyListItemSchema = z.object({
  id: z.uuid(),
  studio: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  headline: z.string(),
  standfirst: z.string(),
  tags: z.array(z.string()),
  byline: z.string(),
  version: z.number().int(),
  author: personSchema,
  updatedBy: personSchema,
  updatedAt: z.iso.datetime(),
  forms: z.array(storyFormSummarySchema),
});
export type StoryListItem = z.infer<typeof storyListItemSchema>;
export const storyListReply = z.object({ items: z.array(storyListItemSchema), nextCursor: z.string().nullable() });

export const storyRevisionSchema = z.object({ version: z.number().int(), headline: z.string(), editor: personSchema, createdAt: z.iso.datetime() });
export const storyRevisionsReply = z.object({ revisions: z.array(storyRevisionSchema) });
export const diffPartSchema = z.object({ value: z.string(), added: z.boolean(), removed: z.boolean() });
export type DiffPart = z.infer<typeof diffPartSchema>;
export const storyDiffBlockSchema = z.object({ kind: z.enum(['same', 'changed', 'added', 'removed']), parts: z.array(diffPartSchema) });
export type StoryDiffBlock = z.infer<typeof storyDiffBlockSchema>;
export const storyDiffReply = z.object({
  from: storyRevisionSchema,
  to: storyRevisionSchema,
  fields: z.object({ headline: z.array(diffPartSchema), standfirst: z.array(diffPartSchema), byline: z.array(diffPartSchema), tags: z.array(diffPartSchema) }),
  body: z.array(storyDiffBlockSchema),
});
export type StoryDiff = z.infer<typeof storyDiffReply>;
export const storyDiffParams = z.strictObject({ id: z.uuid(), version: z.coerce.number().int().min(1) });
export const storyDiffQuery = z.strictObject({ against: z.coerce.number().int().min(1).optional().describe('The older version; the one before by default') });
/** details of a 409 kitchen.stale_version: what is saved now. */
export const staleVersionDetails = z.object({ currentVersion: z.number().int(), updatedBy: personSchema, updatedAt: z.iso.datetime() });

// ---- Part `forms` (docs/kitchen-review.md): form variants, their limits, the review chain. ----

/** Fields that hold HTML (sanitised with the one story sanitiser on every save). */
export const FORM_HTML_FIELDS = ['bodyHtml'] as const;

const userRef = z.object({ id: z.uuid(), name: z.string() });
export const reviewEntrySchema = z.object({
  action: z.enum(REVIEW_ACTIONS),
  round: z.number().int(),
  step: z.number().int(),
  /** The role of the step acted on (null for a submit or restart outside the chain). */
  role: reviewStepRoleSchema.nullable(),
  note: z.string().nullable(),
  actor: userRef,
  at: z.iso.datetime(),
});
export type ReviewEntry = z.infer<typeof reviewEntrySchema>;

export const formHolderSchema = z.object({
  step: z.number().int(),
  role: reviewStepRoleSchema,
  /** The one person who holds it when the step names one (a studio's lead); null: anyone of the role. */
  user: userRef.nullable(),
});

export const storyFormSchema = z.object({
  id: z.uuid(),
  storyId: z.uuid(),
  form: formSchema,
  status: formStatusSchema,
  content: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  reviewRound: z.number().int(),
  reviewStep: z.number().int().nullable(),
  /** Who holds the form now (in review only). */
  holder: formHolderSchema.nullable(),
  /** True when the signed-in person holds the current step (may approve or send back now). */
  youMayAct: z.boolean(),
  /** The chain this form passes (the story's studio's, or the default 三审). */
  chain: z.array(reviewStepRoleSchema),
  /** The approvals of the round in progress (or the completed one of a ready/published form), in order; none while in edit. */
  approvals: z.array(reviewEntrySchema),
  /** The latest send-back note of the current round, for the author to read. */
  sendBackNote: reviewEntrySchema.nullable(),
  history: z.array(reviewEntrySchema),
  url: z.string().nullable(),
  lastError: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
  updatedBy: userRef.nullable(),
});
export type StoryFormView = z.infer<typeof storyFormSchema>;

export const storyFormsReply = z.object({
  story: z.object({ id: z.uuid(), headline: z.string(), studioId: z.uuid().nullable(), studioName: z.string().nullable(), hasVideo: z.boolean() }),
  forms: z.array(storyFormSchema),
});
export const storyFormParams = z.strictObject({ id: z.uuid(), form: formSchema });
export const createFormBody = z.strictObject({
  /** `planned` reserves the form for a plan slot (no content yet); default `in_edit`, derived from the story. */
  status: z.enum(['planned', 'in_edit']).default('in_edit'),
});
export const updateFormBody = z.strictObject({
  version: z.number().int().min(1),
  /** The fields to change; left-out fields keep their value. Checked against the form's schema and limits. */
  content: z.record(z.string(), z.unknown()),
});
/** Optional guard: the round and step the reviewer was looking at (a moved form answers 409 `kitchen.review_moved`). */
export const reviewActionBody = z.strictObject({
  round: z.number().int().min(0).optional(),
  step: z.number().int().min(0).optional(),
});
export const sendBackBody = reviewActionBody.extend({ note: z.string().trim().min(1).max(2000) });

export const reviewChainSchema = z.object({
  studioId: z.uuid(),
  studioName: z.string(),
  steps: z.array(reviewStepRoleSchema),
  /** True when the studio has no chain of its own and uses 三审. */
  isDefault: z.boolean(),
  updatedAt: z.iso.datetime().nullable(),
  updatedBy: userRef.nullable(),
});
export const putReviewChainBody = z.strictObject({ steps: z.array(reviewStepRoleSchema).min(1).max(5) });

export const reviewInboxItemSchema = z.object({
  storyId: z.uuid(),
  headline: z.string(),
  studioId: z.uuid().nullable(),
  studioName: z.string().nullable(),
  form: formSchema,
  round: z.number().int(),
  step: z.number().int(),
  role: reviewStepRoleSchema,
  submittedBy: userRef.nullable(),
  waitingSince: z.iso.datetime(),
});
export const reviewInboxReply = z.object({ items: z.array(reviewInboxItemSchema) });

// --- publishing (part `publish`, docs/kitchen-publishing.md) ------------------------------

export const PUBLICATION_STATUSES = ['queued', 'publishing', 'pending', 'live', 'failed', 'unpublishing', 'unpublished'] as const;

export const formPublishParams = z.strictObject({ id: z.uuid(), form: formSchema });

/** A form after the publish or unpublish button: its status and link, and the platform attempt for social forms. */
export const publishedFormSchema = z.object({
  form: formSchema,
  status: formStatusSchema,
  url: z.string().nullable(),
  externalId: z.string().nullable(),
  lastError: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  publication: z
    .object({ status: z.enum(PUBLICATION_STATUSES), attempts: z.number().int(), error: z.string().nullable() })
    .nullable()
    .describe('Social forms: the attempt at the platform (queued, publishing, pending, live, failed, unpublishing, unpublished)'),
});
export const publishFormReply = z.object({ queued: z.boolean(), form: publishedFormSchema });
export type PublishedForm = z.infer<typeof publishedFormSchema>;

/** The public article (网/端) at /stories/:id. */
export const siteStorySchema = z.object({
  id: z.uuid(),
  url: z.string(),
  headline: z.string(),
  standfirst: z.string(),
  /** Sanitised when saved (modules/kitchen/sanitize.ts); the page renders this field only. */
  bodyHtml: z.string(),
  byline: z.string(),
  tags: z.array(z.string()),
  publishedAt: z.iso.datetime(),
  images: z.array(z.object({ id: z.uuid(), url: z.string(), width: z.number().int(), height: z.number().int(), caption: z.string(), credit: z.string() })),
  videos: z.array(
    z.object({
      submissionId: z.uuid(),
      title: z.string(),
      credit: z.string(),
      contributorId: z.uuid(),
      pageUrl: z.string(),
      posterUrl: z.string().nullable(),
      durationSeconds: z.number().nullable(),
    }),
  ),
});
export const siteStoryReply = z.object({ story: siteStorySchema });
export type SiteStory = z.infer<typeof siteStorySchema>;

/** A published screen form (屏) as a kiosk card: headline, subline, image or video poster, a QR to the story. */
export const kioskStoryCardSchema = z.object({
  storyId: z.uuid(),
  headline: z.string(),
  subline: z.string(),
  /** The story's studio (工作室): its section on a kiosk's news pages; null for none. */
  section: z.string().nullable(),
  /** The story's standfirst (导语), read on the kiosk's news pages. */
  standfirst: z.string(),
  imageUrl: z.string().nullable(),
  posterUrl: z.string().nullable(),
  hlsUrl: z.string().nullable(),
  url: z.string(),
  /** The QR code to `url`, as SVG markup. */
  qrSvg: z.string(),
  publishedAt: z.iso.datetime(),
});
export type KioskStoryCard = z.infer<typeof kioskStoryCardSchema>;

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
