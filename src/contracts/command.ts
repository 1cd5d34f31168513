import { z } from 'zod';
import { ASSIGNMENT_STATUSES, CALL_MEDIA, CALL_ROLES, CALL_STATUSES, COMMAND_LIMITS, LOCATION_PRECISIONS, OFFER_STATUSES } from './command.limits.js';

export * from './command.limits.js';

/**
 * The mobile reporting command platform's shared shapes (docs/command.md). Each part of the
 * platform appends its own section below the foundation's; the foundation's shapes are the
 * contract between them.
 */
export const assignmentStatusSchema = z.enum(ASSIGNMENT_STATUSES);
export const offerStatusSchema = z.enum(OFFER_STATUSES);
export const locationPrecisionSchema = z.enum(LOCATION_PRECISIONS);
export const callStatusSchema = z.enum(CALL_STATUSES);
export const callMediaSchema = z.enum(CALL_MEDIA);
export const callRoleSchema = z.enum(CALL_ROLES);

export const latSchema = z.number().min(-90).max(90);
export const lngSchema = z.number().min(-180).max(180);
export const pointSchema = z.strictObject({ lat: latSchema, lng: lngSchema });
export type Point = z.infer<typeof pointSchema>;

/** Whom an assignment goes to. */
export const dispatchSchema = z.discriminatedUnion('mode', [
  /** The N opted-in contributors nearest the place (within their own travel distance), one offer at a time per wanted person. */
  z.strictObject({ mode: z.literal('nearest'), n: z.number().int().min(1).max(COMMAND_LIMITS.nearestMax) }),
  /** Every opted-in contributor whose home area is inside the radius, offered at once. */
  z.strictObject({ mode: z.literal('radius') }),
  /** Named contributors or staff reporters, in the order given. */
  z.strictObject({ mode: z.literal('named'), userIds: z.array(z.uuid()).min(1).max(COMMAND_LIMITS.namedMax) }),
]);
export type Dispatch = z.infer<typeof dispatchSchema>;

/** One offer of an assignment to one person, as the desk sees it. */
export const assignmentOfferSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  rank: z.number().int(),
  distanceM: z.number().int().nullable(),
  status: offerStatusSchema,
  offeredAt: z.iso.datetime().nullable(),
  respondBy: z.iso.datetime().nullable(),
  respondedAt: z.iso.datetime().nullable(),
  declineReason: z.string().nullable(),
});
export type AssignmentOffer = z.infer<typeof assignmentOfferSchema>;

/** An assignment as the desk sees it (the field sees `fieldAssignmentSchema`). */
export const assignmentSchema = z.object({
  id: z.uuid(),
  studioId: z.uuid().nullable(),
  campaignId: z.uuid(),
  theme: z.string().nullable(),
  ideaId: z.uuid().nullable(),
  title: z.string(),
  brief: z.string(),
  placeName: z.string(),
  lat: z.number(),
  lng: z.number(),
  radiusM: z.number().int(),
  startsAt: z.iso.datetime(),
  deadlineAt: z.iso.datetime(),
  acceptMinutes: z.number().int(),
  rewardHintFen: z.number().int().nullable(),
  wanted: z.number().int(),
  dispatch: dispatchSchema,
  status: assignmentStatusSchema,
  /** Deadline passed while the work is still out. */
  overdue: z.boolean(),
  version: z.number().int(),
  createdBy: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Footage submitted against it so far. */
  submissionCount: z.number().int(),
  offers: z.array(assignmentOfferSchema),
});
export type Assignment = z.infer<typeof assignmentSchema>;

/** A position report from a phone (POST …/location). */
export const positionReportSchema = z.strictObject({
  lat: latSchema,
  lng: lngSchema,
  accuracyM: z.number().min(0).max(1_000_000).optional(),
  battery: z.number().min(0).max(1).optional(),
  charging: z.boolean().optional(),
  /** navigator.connection.effectiveType ('slow-2g', '2g', '3g', '4g') or type ('wifi', 'cellular'). */
  network: z.string().max(20).optional(),
  recordedAt: z.iso.datetime({ offset: true }),
});
export type PositionReport = z.infer<typeof positionReportSchema>;

/** A person on the desk's map. */
export const fieldPersonSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  assignmentId: z.uuid(),
  lat: z.number(),
  lng: z.number(),
  precision: locationPrecisionSchema,
  accuracyM: z.number().nullable(),
  battery: z.number().nullable(),
  charging: z.boolean().nullable(),
  network: z.string().nullable(),
  lastSeenAt: z.iso.datetime(),
});
export type FieldPerson = z.infer<typeof fieldPersonSchema>;

/** A call as the desk and the field see it. */
export const callSchema = z.object({
  id: z.uuid(),
  assignmentId: z.uuid(),
  startedBy: z.uuid(),
  direction: z.enum(['desk_to_field', 'field_to_desk']),
  calleeId: z.uuid().nullable(),
  media: callMediaSchema,
  status: callStatusSchema,
  broadcast: z.boolean(),
  audiencePeak: z.number().int(),
  startedAt: z.iso.datetime(),
  answeredAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  endReason: z.string().nullable(),
  /** Why a call went peer to peer although Janus is configured ('janus_down'); null otherwise. The desk shows it. */
  fallbackReason: z.string().nullable(),
  recordingStatus: z.enum(['none', 'recording', 'pending', 'processing', 'done', 'failed']),
  submissionId: z.uuid().nullable(),
});
export type Call = z.infer<typeof callSchema>;

// Part map (docs/command-map.md): location consent, position reports, the desk's map.
export * from './command.map.limits.js';
// Imports are hoisted: this one sits in the part's appended section so the foundation's lines stay untouched.
import { LOCATION_LIMITS, LOCATION_STOP_REASONS } from './command.map.limits.js';
import { SCREEN_HEALTH } from './kiosk.limits.js';

/** PUT …/location-share: the person's consent. Coarse (about 100 m) unless they choose precise. */
export const locationShareBodySchema = z.strictObject({ precision: locationPrecisionSchema.default('coarse') });

/** POST …/location: one report, or a batch queued while the phone was offline (oldest first). */
export const positionUploadSchema = z.union([
  positionReportSchema,
  z.strictObject({ reports: z.array(positionReportSchema).min(1).max(LOCATION_LIMITS.batchMax) }),
]);
export type PositionUpload = z.infer<typeof positionUploadSchema>;

/** What a batch did: how many were stored, and which were refused (by index) and why. */
export const positionUploadReplySchema = z.object({
  stored: z.number().int(),
  refused: z.array(z.object({ index: z.number().int(), code: z.string() })),
  precision: locationPrecisionSchema,
});

export const locationShareStateSchema = z.object({
  precision: locationPrecisionSchema,
  consentedAt: z.iso.datetime(),
  stoppedAt: z.iso.datetime().nullable(),
  stopReason: z.enum(LOCATION_STOP_REASONS).nullable(),
});
export type LocationShareState = z.infer<typeof locationShareStateSchema>;

/** GET …/location: the person's own share and last position, or the desk's view of the assignment's people. */
export const assignmentLocationReplySchema = z.discriminatedUnion('as', [
  z.object({
    as: z.literal('field'),
    /** Locations may be shared now (the assignment is assigned or in progress). */
    active: z.boolean(),
    share: locationShareStateSchema.nullable(),
    last: fieldPersonSchema.nullable(),
  }),
  z.object({ as: z.literal('desk'), active: z.boolean(), people: z.array(fieldPersonSchema) }),
]);
export type AssignmentLocationReply = z.infer<typeof assignmentLocationReplySchema>;

export const mapQuerySchema = z.strictObject({
  /** Heat layer: submissions of the last N days (default 7). */
  heatDays: z.coerce.number().int().min(1).max(30).default(7),
  /** Heat layer: grid cell size in kilometres (default 10; at least 2, so no single point shows). */
  heatCellKm: z.coerce.number().int().min(2).max(200).default(10),
});

export const mapAssignmentSchema = z.object({
  id: z.uuid(),
  studioId: z.uuid().nullable(),
  title: z.string(),
  placeName: z.string(),
  lat: z.number(),
  lng: z.number(),
  radiusM: z.number().int(),
  status: assignmentStatusSchema,
  overdue: z.boolean(),
  deadlineAt: z.iso.datetime(),
});
export type MapAssignment = z.infer<typeof mapAssignmentSchema>;

export const heatCellSchema = z.object({ lat: z.number(), lng: z.number(), n: z.number().int() });
export type HeatCell = z.infer<typeof heatCellSchema>;

/** A paired kiosk screen with a place (issue 16): where the newsroom's screens stand, and whether they are up. */
export const mapKioskSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  placeName: z.string(),
  lat: z.number(),
  lng: z.number(),
  health: z.enum(SCREEN_HEALTH),
  lastSeenAt: z.string().nullable(),
});
export type MapKiosk = z.infer<typeof mapKioskSchema>;

export const commandMapReplySchema = z.object({
  generatedAt: z.iso.datetime(),
  /** MAP_TILE_URL ({z}/{x}/{y}); null: outlines only. */
  tileUrl: z.string().nullable(),
  assignments: z.array(mapAssignmentSchema),
  people: z.array(fieldPersonSchema),
  heat: z.object({ days: z.number().int(), cellKm: z.number().int(), cells: z.array(heatCellSchema) }),
  /** Kiosk screens with a place, revoked ones left out. */
  kiosks: z.array(mapKioskSchema),
});
export type CommandMapReply = z.infer<typeof commandMapReplySchema>;

// Part assign: assignments (任务) on the desk, offers in the field, field profiles (docs/command.md).
const placeSchema = z.strictObject({
  name: z.string().trim().min(1).max(COMMAND_LIMITS.placeName),
  lat: latSchema,
  lng: lngSchema,
  radiusM: z.number().int().min(COMMAND_LIMITS.radiusMin).max(COMMAND_LIMITS.radiusMax),
});

/** What the desk writes when it creates an assignment (or changes a draft). */
export const assignmentCreateSchema = z.strictObject({
  title: z.string().trim().min(1).max(COMMAND_LIMITS.title),
  brief: z.string().trim().min(1).max(COMMAND_LIMITS.brief),
  campaignId: z.uuid(),
  /** Null: any theme of the campaign. */
  theme: z.string().trim().min(1).max(40).nullable().default(null),
  /** Null: the central desk's. */
  studioId: z.uuid().nullable(),
  place: placeSchema,
  /** Default: now. */
  startsAt: z.iso.datetime({ offset: true }).optional(),
  deadlineAt: z.iso.datetime({ offset: true }),
  acceptMinutes: z.number().int().min(1).max(COMMAND_LIMITS.acceptMinutesMax).default(30),
  rewardHintFen: z.number().int().min(0).max(COMMAND_LIMITS.rewardHintFenMax).nullable().default(null),
  wanted: z.number().int().min(1).max(COMMAND_LIMITS.wantedMax).default(1),
  dispatch: dispatchSchema,
  /** true: dispatch at once (the assignment leaves draft in the same request). */
  send: z.boolean().default(false),
});
export type AssignmentCreate = z.input<typeof assignmentCreateSchema>;

/** A change to a draft: only the fields sent change; `version` is the one the editor saw. */
export const assignmentPatchSchema = z.strictObject({
  version: z.number().int().min(1),
  title: z.string().trim().min(1).max(COMMAND_LIMITS.title).optional(),
  brief: z.string().trim().min(1).max(COMMAND_LIMITS.brief).optional(),
  campaignId: z.uuid().optional(),
  theme: z.string().trim().min(1).max(40).nullable().optional(),
  studioId: z.uuid().nullable().optional(),
  place: placeSchema.optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  deadlineAt: z.iso.datetime({ offset: true }).optional(),
  acceptMinutes: z.number().int().min(1).max(COMMAND_LIMITS.acceptMinutesMax).optional(),
  rewardHintFen: z.number().int().min(0).max(COMMAND_LIMITS.rewardHintFenMax).nullable().optional(),
  wanted: z.number().int().min(1).max(COMMAND_LIMITS.wantedMax).optional(),
  dispatch: dispatchSchema.optional(),
});
export type AssignmentPatch = z.infer<typeof assignmentPatchSchema>;

export const assignmentListQuerySchema = z.strictObject({
  status: assignmentStatusSchema.optional(),
  /** 'true': only overdue ones. */
  overdue: z.enum(['true', 'false']).optional(),
  studioId: z.uuid().optional(),
  /** Words in the title or place name. */
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export const assignmentCancelSchema = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const offerDeclineSchema = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const assignmentEventSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  at: z.iso.datetime(),
});
export type AssignmentEvent = z.infer<typeof assignmentEventSchema>;

/** Footage submitted against an assignment, as the desk sees it. */
export const assignmentFootageSchema = z.object({
  submissionId: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  title: z.string(),
  status: z.string(),
  createdAt: z.iso.datetime(),
});
export type AssignmentFootage = z.infer<typeof assignmentFootageSchema>;

export const assignmentDetailSchema = z.object({
  assignment: assignmentSchema,
  events: z.array(assignmentEventSchema),
  footage: z.array(assignmentFootageSchema),
});
export type AssignmentDetail = z.infer<typeof assignmentDetailSchema>;

/** An assignment as the person it is offered to sees it: no other people, their own offer. */
export const fieldAssignmentSchema = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  theme: z.string().nullable(),
  title: z.string(),
  brief: z.string(),
  placeName: z.string(),
  lat: z.number(),
  lng: z.number(),
  radiusM: z.number().int(),
  startsAt: z.iso.datetime(),
  deadlineAt: z.iso.datetime(),
  rewardHintFen: z.number().int().nullable(),
  status: assignmentStatusSchema,
  overdue: z.boolean(),
  offer: assignmentOfferSchema.pick({ id: true, status: true, distanceM: true, offeredAt: true, respondBy: true, respondedAt: true }),
  /** The person's own footage for it so far. */
  mySubmissionCount: z.number().int(),
});
export type FieldAssignment = z.infer<typeof fieldAssignmentSchema>;

/** A person's standing choice to be offered assignments near a place (home area rounded to about 1 km). */
export const fieldProfileSchema = z.object({
  optedIn: z.boolean(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  placeName: z.string().nullable(),
  travelKm: z.number().int(),
  updatedAt: z.iso.datetime().nullable(),
});
export type FieldProfile = z.infer<typeof fieldProfileSchema>;

export const fieldProfilePutSchema = z
  .strictObject({
    optedIn: z.boolean(),
    lat: latSchema.optional(),
    lng: lngSchema.optional(),
    placeName: z.string().trim().max(COMMAND_LIMITS.placeName).optional(),
    travelKm: z.number().int().min(1).max(2000).optional(),
  })
  .refine((b) => !b.optedIn || (b.lat !== undefined && b.lng !== undefined), { message: 'lat and lng are required to opt in', path: ['lat'] });
export type FieldProfilePut = z.infer<typeof fieldProfilePutSchema>;

// Part wall -------------------------------------------------------------------------------------
// The command wall (docs/command-wall.md): one snapshot of the field, per scope.

const wallAssignmentSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  placeName: z.string(),
  status: assignmentStatusSchema,
  deadlineAt: z.iso.datetime(),
  overdue: z.boolean(),
  /** The studio's name; null: the central desk. */
  studio: z.string().nullable(),
  /** People who accepted it. */
  people: z.number().int(),
});
const wallPersonSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  assignmentId: z.uuid(),
  assignmentTitle: z.string(),
  placeName: z.string(),
  /** The latest position's time (never the position itself: the wall is seen by the whole room). Null: none reported yet. */
  lastSeenAt: z.iso.datetime().nullable(),
  battery: z.number().nullable(),
  charging: z.boolean().nullable(),
  network: z.string().nullable(),
});
const wallCallSchema = z.object({
  id: z.uuid(),
  assignmentId: z.uuid(),
  assignmentTitle: z.string(),
  placeName: z.string(),
  status: z.enum(['ringing', 'active']),
  media: callMediaSchema,
  /** The person in the field the call is with (the callee of a desk call, the caller of a field call). */
  fieldName: z.string().nullable(),
  /** The desk side: who started or answered it. */
  deskName: z.string().nullable(),
  /** Field guests in the room (Janus calls may have several). */
  guests: z.number().int(),
  broadcast: z.boolean(),
  /** The largest audience so far (command_calls.audience_peak). */
  audience: z.number().int(),
  startedAt: z.iso.datetime(),
  answeredAt: z.iso.datetime().nullable(),
});
const wallFootageSchema = z.object({
  submissionId: z.uuid(),
  title: z.string(),
  contributor: z.string(),
  assignmentTitle: z.string(),
  status: z.enum(['uploading', 'processing', 'in_review', 'adopted', 'rejected', 'withdrawn']),
  source: z.enum(['upload', 'edit', 'call']),
  createdAt: z.iso.datetime(),
});
const wallReachItemSchema = z.object({
  submissionId: z.uuid(),
  title: z.string(),
  contributor: z.string(),
  assignmentTitle: z.string(),
  /** Highest views reported, summed over its publications. */
  reach: z.number(),
  /** Gained today (Asia/Shanghai). */
  today: z.number(),
});

export const commandWallSnapshotSchema = z.object({
  generatedAt: z.iso.datetime().describe('When the figures were computed'),
  day: z.string().describe('Today in Asia/Shanghai, `YYYY-MM-DD`'),
  intervalSeconds: z.number().int().describe('COMMAND_WALL_INTERVAL_SECONDS: the page calls itself stale after three intervals without word'),
  scope: z.object({ all: z.boolean(), studios: z.array(z.string()).describe('Names of the studios shown besides the central desk (empty when `all`)') }),
  assignments: z.object({
    counts: z.record(assignmentStatusSchema, z.number().int()).describe('Open states: all; completed and cancelled: today only'),
    overdue: z.number().int(),
    urgent: z.array(wallAssignmentSchema).describe('Active (assigned, in progress) ones by deadline, soonest first, at most 6'),
  }),
  field: z.object({ count: z.number().int(), people: z.array(wallPersonSchema).describe('Most recently seen first, at most 8') }),
  calls: z.object({ count: z.number().int(), items: z.array(wallCallSchema).describe('Newest first, at most 6') }),
  footage: z.object({
    hours: z.number().int(),
    count: z.number().int().describe('Submissions against an assignment in the last `hours`'),
    items: z.array(wallFootageSchema).describe('Newest first, at most 8'),
  }),
  propagation: z.object({
    total: z.number(),
    today: z.number(),
    items: z.array(wallReachItemSchema).describe("By today's gain, then reach, at most 6"),
  }),
});
export type CommandWallSnapshot = z.infer<typeof commandWallSnapshotSchema>;
export const commandWallReply = z.object({ wall: commandWallSnapshotSchema });

// Part janus: the Janus media path, broadcast and its audience (docs/command-janus.md).
const sdpSchema = z.string().min(10).max(64_000);

/** A browser's offer to publish its camera and microphone into the call's room. */
export const janusPublishBody = z.strictObject({ sdp: sdpSchema });
export const janusPublishReply = z.object({ feed: z.number().int(), sdp: sdpSchema });

/** Someone publishing in the call's room (a feed), other than the asker. */
export const janusFeedSchema = z.object({ feed: z.number().int(), userId: z.uuid(), role: callRoleSchema.nullable() });
export type JanusFeed = z.infer<typeof janusFeedSchema>;
export const janusFeedsReply = z.object({ feeds: z.array(janusFeedSchema) });

export const janusSubscribeBody = z.strictObject({ feed: z.number().int().positive() });
export const janusSubscribeReply = z.object({ feed: z.number().int(), sdp: sdpSchema });
export const janusAnswerBody = z.strictObject({ sdp: sdpSchema });

/** The director caps a guest's video bitrate at Janus (REMB to the guest's browser). */
export const janusBitrateBody = z.strictObject({ userId: z.uuid(), maxBitrateKbps: z.number().int().min(32).max(8000) });

/** Broadcast on or off; `userId`: whose picture the audience sees (default: the first field guest publishing). */
export const broadcastBody = z.strictObject({ on: z.boolean(), userId: z.uuid().optional() });
export const broadcastStateSchema = z.object({
  callId: z.uuid(),
  on: z.boolean(),
  /** Viewers heard from in the last 30 s. */
  audience: z.number().int(),
  audiencePeak: z.number().int(),
  /** Whose picture is on air, when on. */
  userId: z.uuid().nullable(),
  /** The public watch page (/live/<callId>). */
  watchPath: z.string(),
});
export type BroadcastState = z.infer<typeof broadcastStateSchema>;

/** What the public watch page knows: only broadcasts that are on exist. */
export const broadcastPublicSchema = z.object({
  callId: z.uuid(),
  title: z.string(),
  audience: z.number().int(),
  /** HLS playlist; null until the first segments are written (the page retries). */
  playlist: z.string().nullable(),
});
export type BroadcastPublic = z.infer<typeof broadcastPublicSchema>;
export const broadcastViewerBody = z.strictObject({ viewerId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });
export const broadcastViewerReply = z.object({ audience: z.number().int() });

// Part live: chat, calls and the WebSocket hub's protocol (docs/command-live.md, docs/api.md "Live contact").

/** How long a call rings before it is missed. */
export const CALL_RING_SECONDS = 45;

/** A chat message of an assignment's thread. `id` orders the thread (ascending, gaps possible). */
export const chatMessageSchema = z.object({
  id: z.number().int(),
  assignmentId: z.uuid(),
  senderId: z.uuid(),
  senderName: z.string(),
  /** Whether the sender is desk staff or a person in the field. */
  senderSide: z.enum(['desk', 'field']),
  clientId: z.string(),
  body: z.string(),
  createdAt: z.iso.datetime(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The sender's own id for one message: a resend with the same id is the same message. */
export const chatClientIdSchema = z
  .string()
  .min(1)
  .max(COMMAND_LIMITS.clientId)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : -');
export const chatBodySchema = z.string().trim().min(1).max(COMMAND_LIMITS.chatBody);

/** A person on a call. */
export const callParticipantSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  role: callRoleSchema,
  joinedAt: z.iso.datetime().nullable(),
  leftAt: z.iso.datetime().nullable(),
});

/** A call with its people and what the phone needs to file its own recording against the assignment. */
export const liveCallSchema = callSchema.extend({
  participants: z.array(callParticipantSchema),
  assignment: z.object({ id: z.uuid(), title: z.string(), campaignId: z.uuid(), theme: z.string().nullable(), status: assignmentStatusSchema }),
  /** When a ringing call turns missed. */
  ringsUntil: z.iso.datetime().nullable(),
});
export type LiveCall = z.infer<typeof liveCallSchema>;

export const startCallSchema = z.strictObject({
  /** Desk → field: the person working the assignment to ring. Omitted from the field (it rings the desk). */
  calleeId: z.uuid().optional(),
});

export const callQualitySchema = z.strictObject({
  maxBitrateKbps: z.number().int().min(32).max(20_000).optional(),
  scaleDownBy: z.number().min(1).max(16).optional(),
  audioOnly: z.boolean().optional(),
});

export const iceServersReply = z.object({
  iceServers: z.array(z.object({ urls: z.array(z.string()), username: z.string().optional(), credential: z.string().optional() })),
  /** When the TURN credentials stop working (null without TURN). */
  expiresAt: z.iso.datetime().nullable(),
});

const signalSdpSchema = z.strictObject({ type: z.enum(['offer', 'answer']), sdp: z.string().min(1).max(32_000) });
const candidateSchema = z
  .strictObject({
    candidate: z.string().max(1000),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .nullable();

/** Messages a client sends over GET /api/command/ws (JSON text frames). */
export const hubClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), assignmentId: z.uuid() }),
  z.strictObject({ type: z.literal('unsubscribe'), assignmentId: z.uuid() }),
  z.strictObject({ type: z.literal('resume'), assignmentId: z.uuid(), afterId: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('chat.send'), assignmentId: z.uuid(), clientId: chatClientIdSchema, body: chatBodySchema }),
  z
    .strictObject({
      type: z.literal('signal'),
      callId: z.uuid(),
      to: z.uuid(),
      kind: z.enum(['offer', 'answer', 'ice']),
      data: z.union([signalSdpSchema, candidateSchema]),
    })
    // An offer or answer carries a description of its own kind; `ice` a candidate (null: no more candidates).
    .refine((m) => (m.kind === 'ice' ? m.data === null || 'candidate' in m.data : m.data !== null && 'sdp' in m.data && m.data.type === m.kind), {
      path: ['data'],
      message: 'data does not match kind',
    }),
  z.strictObject({ type: z.literal('director'), callId: z.uuid(), to: z.uuid(), requestId: z.string().min(1).max(64), quality: callQualitySchema }),
  z.strictObject({
    type: z.literal('director.ack'),
    callId: z.uuid(),
    requestId: z.string().min(1).max(64),
    quality: callQualitySchema,
    ok: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('call.degraded'),
    callId: z.uuid(),
    audioOnly: z.boolean(),
    reason: z.string().min(1).max(40),
    stats: z
      .strictObject({
        availableKbps: z.number().min(0).max(1e6).nullable().optional(),
        lossPct: z.number().min(0).max(100).nullable().optional(),
        rttMs: z.number().min(0).max(1e6).nullable().optional(),
      })
      .optional(),
  }),
  z.strictObject({ type: z.literal('ping'), t: z.number().optional() }),
]);
export type HubClientMessage = z.infer<typeof hubClientMessageSchema>;

/** Messages the hub sends. */
export type HubServerMessage =
  | { type: 'hello'; userId: string; heartbeatSeconds: number; maxMessageBytes: number }
  | { type: 'subscribed'; assignmentId: string; side: 'desk' | 'field' }
  | { type: 'unsubscribed'; assignmentId: string }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.ack'; clientId: string; duplicate: boolean; message: ChatMessage }
  | { type: 'resumed'; assignmentId: string; lastId: number }
  | { type: 'call'; call: LiveCall }
  | { type: 'signal'; callId: string; from: string; kind: 'offer' | 'answer' | 'ice'; data: unknown }
  | { type: 'director'; callId: string; from: string; requestId: string; quality: z.infer<typeof callQualitySchema> }
  | { type: 'director.ack'; callId: string; from: string; requestId: string; quality: z.infer<typeof callQualitySchema>; ok: boolean }
  | {
      type: 'call.degraded';
      callId: string;
      from: string;
      audioOnly: boolean;
      reason: string;
      stats?: { availableKbps?: number | null; lossPct?: number | null; rttMs?: number | null };
    }
  | { type: 'pong'; t?: number }
  | { type: 'error'; code: string; message: string; ref?: string; clientId?: string };
