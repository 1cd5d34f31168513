import type { Db } from '../../../db/client.js';
import { assignmentOffers, assignments, fieldProfiles, type AssignmentOfferRow, type AssignmentRow } from '../../../db/schema.js';
import type { AssignmentStatus, Dispatch, OfferStatus } from '../../../../contracts/command.js';

/**
 * Rows straight into the command platform's tables, for tests of one part (the map, calls,
 * recordings, the wall) that need an assignment someone is working without the assignment routes.
 */
export async function insertAssignment(
  db: Db,
  opts: {
    createdBy: string;
    campaignId: string;
    studioId?: string | null;
    status?: AssignmentStatus;
    title?: string;
    lat?: number;
    lng?: number;
    radiusM?: number;
    deadlineAt?: Date;
    dispatch?: Dispatch;
  },
): Promise<AssignmentRow> {
  const now = Date.now();
  const [row] = await db
    .insert(assignments)
    .values({
      createdBy: opts.createdBy,
      campaignId: opts.campaignId,
      studioId: opts.studioId ?? null,
      status: opts.status ?? 'in_progress',
      title: opts.title ?? '滦平县驻村第一书记 连线',
      brief: '到村里拍第一书记带领村民发展产业的一天，连线演播室。',
      placeName: '河北承德滦平县',
      lat: opts.lat ?? 40.94,
      lng: opts.lng ?? 117.33,
      radiusM: opts.radiusM ?? 5000,
      startsAt: new Date(now - 60 * 60_000),
      deadlineAt: opts.deadlineAt ?? new Date(now + 24 * 60 * 60_000),
      dispatch: opts.dispatch ?? { mode: 'nearest', n: 3 },
      dispatchedAt: new Date(now - 30 * 60_000),
      startedAt: opts.status === 'assigned' || opts.status === 'draft' ? null : new Date(now - 20 * 60_000),
    })
    .returning();
  return row!;
}

/** An offer of `assignmentId` to `userId` (accepted by default: the person is working it). */
export async function insertOffer(
  db: Db,
  opts: { assignmentId: string; userId: string; status?: OfferStatus; rank?: number; distanceM?: number | null },
): Promise<AssignmentOfferRow> {
  const now = new Date();
  const status = opts.status ?? 'accepted';
  const [row] = await db
    .insert(assignmentOffers)
    .values({
      assignmentId: opts.assignmentId,
      userId: opts.userId,
      rank: opts.rank ?? 1,
      distanceM: opts.distanceM ?? null,
      status,
      offeredAt: status === 'queued' ? null : now,
      respondBy: status === 'offered' ? new Date(now.getTime() + 30 * 60_000) : null,
      respondedAt: status === 'accepted' || status === 'declined' ? now : null,
    })
    .returning();
  return row!;
}

/** A contributor opted in to assignments near a place. */
export async function insertFieldProfile(db: Db, opts: { userId: string; lat: number; lng: number; travelKm?: number; optedIn?: boolean }): Promise<void> {
  await db
    .insert(fieldProfiles)
    .values({ userId: opts.userId, lat: opts.lat, lng: opts.lng, travelKm: opts.travelKm ?? 30, optedIn: opts.optedIn ?? true })
    .onConflictDoUpdate({
      target: fieldProfiles.userId,
      set: { lat: opts.lat, lng: opts.lng, travelKm: opts.travelKm ?? 30, optedIn: opts.optedIn ?? true },
    });
}
