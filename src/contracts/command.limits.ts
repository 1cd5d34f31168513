/**
 * The command platform's words without zod, so pages import them without the schema library
 * (types come from command.ts with `import type`, which the bundle drops).
 */

/** Superdesk Planning's coverage states. Overdue is derived: see isOverdue. */
export const ASSIGNMENT_STATUSES = ['draft', 'assigned', 'in_progress', 'submitted', 'completed', 'cancelled'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/** States in which the assignment is live in the field: offers run, locations may be shared, calls may be made. */
export const ACTIVE_ASSIGNMENT_STATUSES = ['assigned', 'in_progress'] as const satisfies readonly AssignmentStatus[];
/** States after which nothing more happens in the field. */
export const ENDED_ASSIGNMENT_STATUSES = ['completed', 'cancelled'] as const satisfies readonly AssignmentStatus[];

export const OFFER_STATUSES = ['queued', 'offered', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export const DISPATCH_MODES = ['nearest', 'radius', 'named'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

export const LOCATION_PRECISIONS = ['coarse', 'precise'] as const;
export type LocationPrecision = (typeof LOCATION_PRECISIONS)[number];

export const CALL_STATUSES = ['ringing', 'active', 'ended', 'missed', 'declined', 'failed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const CALL_MEDIA = ['p2p', 'janus'] as const;
export type CallMedia = (typeof CALL_MEDIA)[number];
export const CALL_ROLES = ['director', 'guest', 'watcher'] as const;
export type CallRole = (typeof CALL_ROLES)[number];

export const COMMAND_LIMITS = {
  title: 120,
  brief: 4000,
  placeName: 120,
  /** Metres. */
  radiusMin: 50,
  radiusMax: 500_000,
  acceptMinutesMax: 1440,
  wantedMax: 50,
  /** Nearest N people offered at most. */
  nearestMax: 100,
  namedMax: 50,
  rewardHintFenMax: 1_000_000,
  chatBody: 2000,
  clientId: 64,
  /** Coarse positions are rounded to a grid of this many metres. */
  coarseMetres: 100,
} as const;

/** Deadline passed while the work is still out (not submitted, completed or cancelled). */
export function isOverdue(a: { status: AssignmentStatus; deadlineAt: string | Date }, now: Date): boolean {
  if (a.status === 'draft' || a.status === 'submitted' || a.status === 'completed' || a.status === 'cancelled') return false;
  return new Date(a.deadlineAt).getTime() < now.getTime();
}

/** Great-circle distance in metres (haversine; the Earth as a 6,371 km sphere). */
export function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h))));
}

/**
 * A position rounded to a grid of about `metres` (default 100 m): latitude in fixed steps,
 * longitude in steps widened by 1/cos(latitude) so cells stay about square.
 */
export function coarsen(p: { lat: number; lng: number }, metres: number = COMMAND_LIMITS.coarseMetres): { lat: number; lng: number } {
  const latStep = metres / 111_320;
  const lat = Math.round(p.lat / latStep) * latStep;
  const lngStep = latStep / Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
  const lng = Math.round(p.lng / lngStep) * lngStep;
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) };
}
