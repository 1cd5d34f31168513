import { z } from 'zod';
import { CONTENT_SOURCES, KIOSK_COMMANDS, KIOSK_LIMITS, ORIENTATIONS, PAIRING_CODE_ALPHABET, SCREEN_HEALTH } from './kiosk.limits.js';
import { isTimeZone, LAYER_KINDS, layerProblem, minuteOf } from './kiosk.schedule.js';
import { kioskItemSchema } from './distribution.js';
import { weeklyChartSchema } from './charts.js';
import { kioskStoryCardSchema } from './kitchen.js';

export * from './kiosk.limits.js';
export * from './kiosk.schedule.js';

/**
 * E-newspaper kiosks (issue 16, docs/kiosk.md): the fleet, its schedules and the kiosk app's
 * messages. Screens talk with their device key in `x-kiosk-key`; admins with a session.
 */
export const pairingCodeSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(new RegExp(`^[${PAIRING_CODE_ALPHABET}]{6}$`), 'a 6-character code as the screen shows it'));

const hhmm = z.string().refine((s) => !Number.isNaN(minuteOf(s)), 'a time as HH:MM (00:00–24:00)');
export const dailyWindowSchema = z.strictObject({
  days: z
    .array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]))
    .min(1)
    .max(7),
  start: hhmm,
  end: hhmm,
});
export const openingHoursSchema = z.array(dailyWindowSchema).min(1).max(KIOSK_LIMITS.windowsPerLayer).nullable();

export const timeZoneSchema = z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');

/** What the screen says about itself with each heartbeat. */
export const kioskReportSchema = z.strictObject({
  appVersion: z.string().max(40),
  storageUsedBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  storageQuotaBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  /** The layer and item on screen now, as the screen itself resolved them. */
  layerId: z.uuid().nullable().default(null),
  itemId: z.string().max(80).nullable().default(null),
  dark: z.boolean().default(false),
  manifestVersion: z.string().max(80).nullable().default(null),
  /** The screen's own clock (ISO), to show skew on the admin page. */
  clock: z.iso.datetime({ offset: true }),
  /** Since when the screen has had no network, if it is reporting after an outage. */
  offlineSince: z.iso.datetime({ offset: true }).nullable().default(null),
  mode: z.enum(['attract', 'touch']).default('attract'),
});
export type KioskReport = z.infer<typeof kioskReportSchema>;

// ---- content of a layer ----
export const kioskContentSchema = z.strictObject({
  sources: z.array(z.enum(CONTENT_SOURCES)).min(1).max(CONTENT_SOURCES.length),
  /** Limit the videos and chart to one campaign. */
  campaignId: z.uuid().nullable().default(null),
  /** Seconds a still card (a story, a notice, the chart) stays up; videos play to their end. */
  cardSeconds: z.number().int().min(5).max(120).default(12),
});
export type KioskContent = z.infer<typeof kioskContentSchema>;

// ---- layers ----
const layerFields = {
  name: z.string().trim().min(1).max(80),
  kind: z.enum(LAYER_KINDS),
  priority: z.number().int().min(-100).max(100).default(0),
  windows: z.array(dailyWindowSchema).min(1).max(KIOSK_LIMITS.windowsPerLayer).nullable().default(null),
  fromDate: z.iso.date().nullable().default(null),
  toDate: z.iso.date().nullable().default(null),
  startsAt: z.iso.datetime({ offset: true }).nullable().default(null),
  endsAt: z.iso.datetime({ offset: true }).nullable().default(null),
  content: kioskContentSchema,
};
export const kioskLayerBody = z
  .strictObject({
    ...layerFields,
    /** Exactly one of these. */
    groupId: z.uuid().nullable().default(null),
    screenId: z.uuid().nullable().default(null),
  })
  .superRefine((l, ctx) => {
    if ((l.groupId === null) === (l.screenId === null))
      ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'a layer belongs to one group or one screen' });
    const problem = layerProblem(l);
    if (problem) ctx.addIssue({ code: 'custom', path: [problemPath[problem] ?? 'kind'], message: problem });
    if (l.kind === 'interrupt' && l.startsAt && l.endsAt && Date.parse(l.endsAt) - Date.parse(l.startsAt) > KIOSK_LIMITS.interruptMaxHours * 3_600_000)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `an interrupt lasts ${KIOSK_LIMITS.interruptMaxHours} hours at most` });
  });
const problemPath: Record<string, string> = {
  window_time: 'windows',
  window_days: 'windows',
  window_missing: 'windows',
  campaign_dates: 'fromDate',
  interrupt_times: 'endsAt',
};
export type KioskLayerBody = z.infer<typeof kioskLayerBody>;

export const kioskLayerSchema = z.object({
  id: z.uuid(),
  groupId: z.uuid().nullable(),
  screenId: z.uuid().nullable(),
  scope: z.enum(['group', 'screen']),
  name: z.string(),
  kind: z.enum(LAYER_KINDS),
  priority: z.number().int(),
  windows: z.array(dailyWindowSchema).nullable(),
  fromDate: z.string().nullable(),
  toDate: z.string().nullable(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  content: kioskContentSchema,
  createdAt: z.string(),
});
export type KioskLayer = z.infer<typeof kioskLayerSchema>;

// ---- groups and screens ----
export const kioskGroupBody = z.strictObject({ name: z.string().trim().min(1).max(80) });
export const kioskGroupSchema = z.object({ id: z.uuid(), name: z.string(), screens: z.number().int(), createdAt: z.string() });

export const kioskPlaceSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

/** Everything an admin sets on a screen; the claim takes the same fields with the code. */
const screenSettings = {
  name: z.string().trim().min(1).max(80),
  groupId: z.uuid().nullable().default(null),
  campaignId: z.uuid().nullable().default(null),
  place: kioskPlaceSchema.nullable().default(null),
  orientation: z.enum(ORIENTATIONS).default('landscape'),
  timeZone: timeZoneSchema.default('Asia/Shanghai'),
  openingHours: openingHoursSchema.default(null),
};
export const kioskClaimBody = z.strictObject({ code: pairingCodeSchema, ...screenSettings });
export const kioskScreenUpdateBody = z.strictObject(screenSettings).partial();

export const kioskFleetScreenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  health: z.enum(SCREEN_HEALTH),
  groupId: z.uuid().nullable(),
  groupName: z.string().nullable(),
  campaignId: z.uuid().nullable(),
  place: z.object({ name: z.string(), lat: z.number(), lng: z.number() }).nullable(),
  orientation: z.enum(ORIENTATIONS),
  timeZone: z.string(),
  openingHours: z.array(dailyWindowSchema).nullable(),
  lastSeenAt: z.string().nullable(),
  appVersion: z.string().nullable(),
  storageUsedBytes: z.number().nullable(),
  storageQuotaBytes: z.number().nullable(),
  report: kioskReportSchema.nullable(),
  /** The screen's clock minus the server's at its last heartbeat, in seconds. */
  clockSkewSeconds: z.number().nullable(),
  screenshotAt: z.string().nullable(),
  keyRotatedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type KioskFleetScreen = z.infer<typeof kioskFleetScreenSchema>;

export const segmentSchema = z.object({ from: z.string(), to: z.string(), dark: z.boolean(), layerId: z.string().nullable() });
export const kioskScheduleReply = z.object({
  screenId: z.uuid(),
  timeZone: z.string(),
  at: z.string(),
  now: z.object({ dark: z.boolean(), layer: kioskLayerSchema.nullable() }),
  nextChangeAt: z.string().nullable(),
  layers: z.array(kioskLayerSchema),
  timeline: z.array(segmentSchema),
});

// ---- pairing (the screen's side) ----
export const kioskPairingReply = z.object({
  id: z.uuid(),
  code: z.string(),
  /** Send back in `x-pairing-secret` when polling; shown to nobody. */
  secret: z.string(),
  expiresAt: z.string(),
  pollSeconds: z.number().int(),
});
export const kioskPairingStatusReply = z.discriminatedUnion('status', [
  z.object({ status: z.literal('waiting'), expiresAt: z.string() }),
  z.object({ status: z.literal('expired') }),
  /** Given once: the device key and the screen it opens. */
  z.object({ status: z.literal('paired'), key: z.string(), screen: z.object({ id: z.uuid(), name: z.string() }) }),
]);

export const kioskHeartbeatReply = z.object({
  serverTime: z.string(),
  heartbeatSeconds: z.number().int(),
  /** Commands not yet done, oldest first (also pushed on the event stream). */
  commands: z.array(z.object({ id: z.uuid(), kind: z.enum(KIOSK_COMMANDS), createdAt: z.string() })),
});
export const kioskCommandSchema = z.object({
  id: z.uuid(),
  kind: z.enum(KIOSK_COMMANDS),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  doneAt: z.string().nullable(),
  result: z.string().nullable(),
});
export const kioskCommandBody = z.strictObject({ kind: z.enum(['reload', 'refresh', 'screenshot', 'rotate_key']) });
export const kioskCommandDoneBody = z.strictObject({ result: z.string().max(200).default('ok') });
export const kioskKeyReply = z.object({ key: z.string() });

/** The screen's own schedule, which it keeps and resolves offline (docs/kiosk.md). */
export const kioskOwnScheduleReply = z.object({
  serverTime: z.string(),
  power: z.object({ timeZone: z.string(), hours: z.array(dailyWindowSchema).nullable() }),
  orientation: z.enum(ORIENTATIONS),
  layers: z.array(kioskLayerSchema),
});

/** Proof of play: the videos a screen played, each with the id it made when the play began. */
export const kioskPlaysBody = z.strictObject({
  plays: z
    .array(
      z.strictObject({
        id: z.uuid(),
        submissionId: z.uuid(),
        playedAt: z.iso.datetime({ offset: true }),
        durationMs: z.number().int().min(0).max(86_400_000),
      }),
    )
    .min(1)
    .max(500),
  /**
   * The screen's own clock when it sent this batch. With it, `playedAt` is read on the screen's own
   * clock too and shifted by the difference to the server's, so a screen whose clock is wrong or
   * jumped during an outage still reports when its plays happened.
   */
  sentAt: z.iso.datetime({ offset: true }).optional(),
});
export const PLAY_OUTCOMES = ['counted', 'duplicate', 'not_on_kiosk', 'too_short', 'in_future', 'too_old', 'over_rate'] as const;
export const kioskPlaysReply = z.object({ results: z.array(z.object({ id: z.uuid(), outcome: z.enum(PLAY_OUTCOMES) })) });

// ---- the offline manifest (docs/kiosk.md "Offline") ----
const offlineOf = z.object({
  /** For a video: the one HLS rendition kept offline (a media playlist hls.js plays directly). */
  hlsUrl: z.string().optional(),
  /** Every file the item needs; it can play offline once all of them are cached. */
  assets: z.array(z.string()),
});
export const kioskManifestAssetSchema = z.object({
  url: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  kind: z.enum(['playlist', 'init', 'segment', 'image']),
});
export const kioskManifestReply = z.object({
  /** Changes when anything below changes; also the ETag. */
  version: z.string(),
  screen: z.object({ id: z.uuid(), name: z.string() }),
  schedule: z.object({
    version: z.string(),
    power: z.object({ timeZone: z.string(), hours: z.array(dailyWindowSchema).nullable() }),
    orientation: z.enum(ORIENTATIONS),
    layers: z.array(kioskLayerSchema),
  }),
  items: z.array(kioskItemSchema.extend({ offline: offlineOf.nullable() })),
  cards: z.array(kioskStoryCardSchema.extend({ offline: offlineOf })),
  chart: weeklyChartSchema.nullable(),
  /** In the order to cache them: the loop's first items first. */
  assets: z.array(kioskManifestAssetSchema),
  totalBytes: z.number().int().nonnegative(),
  /** Cache at most this much (and never past 80 % of the browser's quota); items past it play online only. */
  storageBudgetBytes: z.number().int().positive(),
});
export type KioskManifest = z.infer<typeof kioskManifestReply>;
