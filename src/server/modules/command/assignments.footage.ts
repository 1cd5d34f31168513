import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignmentEvents, assignmentOffers, assignments, auditLog, commandCallParticipants, commandCalls } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';

/**
 * Footage uploaded against an assignment (docs/command.md, "Footage"; the tus metadata
 * `assignmentId`). Called by the submissions service inside the upload's own transaction, so
 * it reads and writes the command tables directly rather than through the command services
 * (which are built after the submissions service).
 *
 * The uploader must hold an ACCEPTED offer of an assignment that is `assigned` or `in_progress`;
 * the upload's campaign must be the assignment's, and its theme the assignment's when it has one.
 * 404 `command.assignment_not_found` when the person was never offered it (no probing by id).
 */
export async function checkFootage(tx: Db, input: { userId: string; assignmentId: string; campaignId: string; theme: string }): Promise<void> {
  // Locked: the first footage's move to in_progress and a desk action on the same row are ordered.
  const [a] = await tx.select().from(assignments).where(eq(assignments.id, input.assignmentId)).for('update');
  const [offer] = a
    ? await tx
        .select({ status: assignmentOffers.status })
        .from(assignmentOffers)
        .where(and(eq(assignmentOffers.assignmentId, a.id), eq(assignmentOffers.userId, input.userId)))
    : [];
  if (!a || !offer || offer.status === 'queued' || a.status === 'draft') throw new AppError('command.assignment_not_found');
  if (offer.status !== 'accepted') throw new AppError('command.assignment.not_accepted');
  if (a.status !== 'assigned' && a.status !== 'in_progress') throw new AppError('command.assignment.not_active', { status: a.status });
  if (a.campaignId !== input.campaignId) throw new AppError('command.assignment.wrong_campaign');
  if (a.theme !== null && a.theme !== input.theme) throw new AppError('command.assignment.wrong_theme', { theme: a.theme });
}

/**
 * The phone's own recording of a call (tus metadata `callId`; docs/command-live.md,
 * "Store-and-forward"). What entitles it is having been on the call, not the offer's state: the
 * desk may call someone who has not accepted yet, and a phone that crashed may come back after
 * the assignment was completed or the campaign closed; the footage is still the desk's. The
 * uploader must be a participant of a call that connected, on this assignment and campaign.
 * 404 `command.call.not_found` otherwise (no probing by id). Returns the assignment's theme.
 */
export async function checkCallRecording(
  tx: Db,
  input: { userId: string; callId: string; assignmentId: string; campaignId: string },
): Promise<{ theme: string | null }> {
  const [row] = await tx
    .select({ assignmentId: commandCalls.assignmentId, answeredAt: commandCalls.answeredAt, campaignId: assignments.campaignId, theme: assignments.theme })
    .from(commandCalls)
    .innerJoin(assignments, eq(assignments.id, commandCalls.assignmentId))
    .innerJoin(commandCallParticipants, and(eq(commandCallParticipants.callId, commandCalls.id), eq(commandCallParticipants.userId, input.userId)))
    .where(eq(commandCalls.id, input.callId));
  if (!row || row.assignmentId !== input.assignmentId || row.answeredAt === null) throw new AppError('command.call.not_found');
  if (row.campaignId !== input.campaignId) throw new AppError('command.assignment.wrong_campaign');
  return { theme: row.theme };
}

/** After the submission row exists: records the footage and moves an `assigned` assignment to `in_progress`. */
export async function footageArrived(tx: Db, input: { userId: string; assignmentId: string; submissionId: string; now: Date }): Promise<void> {
  const [a] = await tx.select({ status: assignments.status }).from(assignments).where(eq(assignments.id, input.assignmentId));
  await tx.insert(assignmentEvents).values({
    assignmentId: input.assignmentId,
    actorId: input.userId,
    kind: 'footage',
    params: { submissionId: input.submissionId },
    at: input.now,
  });
  if (a?.status !== 'assigned') return;
  await tx
    .update(assignments)
    .set({ status: 'in_progress', startedAt: input.now, updatedAt: input.now, version: sql`${assignments.version} + 1` })
    .where(eq(assignments.id, input.assignmentId));
  await tx.insert(assignmentEvents).values({
    assignmentId: input.assignmentId,
    actorId: input.userId,
    kind: 'in_progress',
    params: { from: 'assigned', submissionId: input.submissionId },
    at: input.now,
  });
  await tx.insert(auditLog).values({
    actorId: input.userId,
    action: 'assignment.start',
    objectType: 'assignment',
    objectId: input.assignmentId,
    data: { submissionId: input.submissionId },
  });
}
