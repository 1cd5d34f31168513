import { and, asc, eq, getTableColumns, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignmentOffers, assignments, campaigns, commandCallParticipants, commandCalls, users, type CommandCallRow } from '../../db/schema.js';
import type { CallRole, CallStatus } from '../../../contracts/command.limits.js';

/** command_calls with 0033's fallback_reason, which the foundation's drizzle table does not list. */
export type CallRow = CommandCallRow & { fallbackReason: string | null };
const callColumns = { ...getTableColumns(commandCalls), fallbackReason: sql<string | null>`${commandCalls}.fallback_reason` };

export interface ParticipantRow {
  userId: string;
  name: string;
  role: CallRole;
  joinedAt: Date | null;
  leftAt: Date | null;
}

export function createCallsRepository(db: Db) {
  return {
    async create(
      input: {
        assignmentId: string;
        startedBy: string;
        direction: 'desk_to_field' | 'field_to_desk';
        calleeId: string | null;
        media: 'p2p' | 'janus';
        fallbackReason: string | null;
      },
      tx: Db = db,
    ): Promise<string> {
      const { fallbackReason, ...values } = input;
      const [row] = await tx.insert(commandCalls).values(values).returning({ id: commandCalls.id });
      if (fallbackReason) await tx.execute(sql`UPDATE command_calls SET fallback_reason = ${fallbackReason} WHERE id = ${row!.id}`);
      return row!.id;
    },
    async get(id: string, tx: Db = db): Promise<CallRow | undefined> {
      const [row] = await tx.select(callColumns).from(commandCalls).where(eq(commandCalls.id, id)).limit(1);
      return row;
    },
    /** Ringing or active calls of an assignment. */
    async listLive(assignmentId: string, tx: Db = db): Promise<CallRow[]> {
      return tx
        .select(callColumns)
        .from(commandCalls)
        .where(and(eq(commandCalls.assignmentId, assignmentId), inArray(commandCalls.status, ['ringing', 'active'])))
        .orderBy(asc(commandCalls.startedAt));
    },
    async participants(callId: string, tx: Db = db): Promise<ParticipantRow[]> {
      return tx
        .select({
          userId: commandCallParticipants.userId,
          name: users.name,
          role: commandCallParticipants.role,
          joinedAt: commandCallParticipants.joinedAt,
          leftAt: commandCallParticipants.leftAt,
        })
        .from(commandCallParticipants)
        .innerJoin(users, eq(users.id, commandCallParticipants.userId))
        .where(eq(commandCallParticipants.callId, callId))
        .orderBy(asc(commandCallParticipants.role), asc(users.name));
    },
    async addParticipant(input: { callId: string; userId: string; role: CallRole; joinedAt: Date | null }, tx: Db = db): Promise<void> {
      await tx.insert(commandCallParticipants).values(input).onConflictDoNothing();
    },
    async markJoined(callId: string, userIds: string[], at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(commandCallParticipants)
        .set({ joinedAt: at })
        .where(and(eq(commandCallParticipants.callId, callId), inArray(commandCallParticipants.userId, userIds), isNull(commandCallParticipants.joinedAt)));
    },
    async markAllLeft(callId: string, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(commandCallParticipants)
        .set({ leftAt: at })
        .where(and(eq(commandCallParticipants.callId, callId), isNull(commandCallParticipants.leftAt)));
    },
    /** Moves a call from one of `from` to a new state; undefined when it was no longer in `from` (someone else won). */
    async transition(
      id: string,
      from: CallStatus[],
      set: Partial<Pick<CommandCallRow, 'status' | 'answeredAt' | 'endedAt' | 'endReason' | 'janusRoom' | 'recordingStatus' | 'media'>>,
      tx: Db = db,
    ): Promise<CallRow | undefined> {
      const [row] = await tx
        .update(commandCalls)
        .set(set)
        .where(and(eq(commandCalls.id, id), inArray(commandCalls.status, from)))
        .returning(callColumns);
      return row;
    },
    async setFallback(id: string, reason: string, tx: Db = db): Promise<void> {
      await tx.execute(sql`UPDATE command_calls SET media = 'p2p', janus_room = NULL, fallback_reason = ${reason} WHERE id = ${id}`);
    },
    async setRecording(id: string, set: { janusRoom?: number; recordingStatus: CommandCallRow['recordingStatus'] }, tx: Db = db): Promise<void> {
      await tx.update(commandCalls).set(set).where(eq(commandCalls.id, id));
    },
    /** Rings that ran out before `before`: missed, in one statement so two processes sweeping never both report one. */
    async expireRinging(before: Date, at: Date, tx: Db = db): Promise<CallRow[]> {
      return tx
        .update(commandCalls)
        .set({ status: 'missed', endedAt: at, endReason: 'no_answer' })
        .where(and(eq(commandCalls.status, 'ringing'), lt(commandCalls.startedAt, before)))
        .returning(callColumns);
    },
    /** Whether the person holds an accepted offer of the assignment (works it). */
    async isWorking(assignmentId: string, userId: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx
        .select({ one: sql<number>`1` })
        .from(assignmentOffers)
        .where(and(eq(assignmentOffers.assignmentId, assignmentId), eq(assignmentOffers.userId, userId), eq(assignmentOffers.status, 'accepted')))
        .limit(1);
      return !!row;
    },
    /** The people who accepted the assignment (whom the desk may call). */
    async workers(assignmentId: string, tx: Db = db): Promise<{ userId: string; name: string }[]> {
      return tx
        .select({ userId: assignmentOffers.userId, name: users.name })
        .from(assignmentOffers)
        .innerJoin(users, eq(users.id, assignmentOffers.userId))
        .where(and(eq(assignmentOffers.assignmentId, assignmentId), eq(assignmentOffers.status, 'accepted')))
        .orderBy(asc(assignmentOffers.rank));
    },
    async assignmentSummary(id: string, tx: Db = db) {
      const [row] = await tx
        .select({
          id: assignments.id,
          title: assignments.title,
          campaignId: assignments.campaignId,
          // The theme footage is filed under: the assignment's, or (an assignment open to any theme)
          // the campaign's first, since every upload names one (docs/api.md, "Uploads").
          theme: sql<string | null>`coalesce(${assignments.theme}, ${campaigns.themes}->0->>'key')`,
          status: assignments.status,
        })
        .from(assignments)
        .innerJoin(campaigns, eq(campaigns.id, assignments.campaignId))
        .where(eq(assignments.id, id))
        .limit(1);
      return row;
    },
  };
}
export type CallsRepository = ReturnType<typeof createCallsRepository>;
