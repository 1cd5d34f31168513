import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignments, campaigns, commandCallParticipants, commandCalls, fieldPositions, submissions, type CommandCallRow } from '../../db/schema.js';

/** The call rows part janus reads and the columns it owns (broadcast, audience_peak, recording_*). */
export function createJanusRepository(db: Db) {
  return {
    async getCall(id: string, tx: Db = db): Promise<CommandCallRow | undefined> {
      const [row] = await tx.select().from(commandCalls).where(eq(commandCalls.id, id)).limit(1);
      return row;
    },
    async getCallForUpdate(id: string, tx: Db): Promise<CommandCallRow | undefined> {
      const [row] = await tx.select().from(commandCalls).where(eq(commandCalls.id, id)).for('update').limit(1);
      return row;
    },
    async getParticipant(callId: string, userId: string, tx: Db = db) {
      const [row] = await tx
        .select()
        .from(commandCallParticipants)
        .where(and(eq(commandCallParticipants.callId, callId), eq(commandCallParticipants.userId, userId)))
        .limit(1);
      return row;
    },
    async listParticipants(callId: string, tx: Db = db) {
      return tx.select().from(commandCallParticipants).where(eq(commandCallParticipants.callId, callId));
    },
    /** A desk person watching: a participant row for the record (live's rows are never changed here). */
    async addWatcher(callId: string, userId: string, at: Date, tx: Db = db): Promise<void> {
      await tx.insert(commandCallParticipants).values({ callId, userId, role: 'watcher', joinedAt: at }).onConflictDoNothing();
    },
    async setBroadcast(callId: string, on: boolean, tx: Db = db): Promise<void> {
      await tx.update(commandCalls).set({ broadcast: on }).where(eq(commandCalls.id, callId));
    },
    async raiseAudiencePeak(callId: string, audience: number, tx: Db = db): Promise<number> {
      const [row] = await tx
        .update(commandCalls)
        .set({ audiencePeak: sql`greatest(${commandCalls.audiencePeak}, ${audience})` })
        .where(eq(commandCalls.id, callId))
        .returning({ peak: commandCalls.audiencePeak });
      return row?.peak ?? 0;
    },
    async setRecording(
      callId: string,
      patch: { recordingStatus: CommandCallRow['recordingStatus']; submissionId?: string; recordingError?: string | null },
      tx: Db = db,
    ): Promise<void> {
      await tx
        .update(commandCalls)
        .set({ recordingStatus: patch.recordingStatus, ...(patch.submissionId ? { submissionId: patch.submissionId } : {}) })
        .where(eq(commandCalls.id, callId));
      // recording_error comes from migration 0034, not in the foundation's drizzle table.
      if (patch.recordingError !== undefined) {
        await tx.execute(sql`UPDATE command_calls SET recording_error = ${patch.recordingError} WHERE id = ${callId}`);
      }
    },
    async recordingError(callId: string, tx: Db = db): Promise<string | null> {
      const res = await tx.execute(sql`SELECT recording_error FROM command_calls WHERE id = ${callId}`);
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { recording_error: string | null }[];
      return rows[0]?.recording_error ?? null;
    },
    async getAssignment(id: string, tx: Db = db) {
      const [row] = await tx.select().from(assignments).where(eq(assignments.id, id)).limit(1);
      return row;
    },
    /** Where the person last was on this assignment (part map's rows), if they shared it. */
    async lastPosition(assignmentId: string, userId: string, tx: Db = db) {
      const [row] = await tx
        .select({ lat: fieldPositions.lat, lng: fieldPositions.lng })
        .from(fieldPositions)
        .where(and(eq(fieldPositions.assignmentId, assignmentId), eq(fieldPositions.userId, userId)))
        .orderBy(desc(fieldPositions.recordedAt))
        .limit(1);
      return row;
    },
  };
}
export type JanusRepository = ReturnType<typeof createJanusRepository>;

/** Campaign themes, for a call recording on an assignment without a theme of its own. */
export async function campaignThemes(db: Db, campaignId: string): Promise<string[]> {
  const [row] = await db.select({ themes: campaigns.themes }).from(campaigns).where(eq(campaigns.id, campaignId)).limit(1);
  return (row?.themes ?? []).map((t) => t.key);
}

/** The call recording's submission row, with the id the job chose (a rerun finds it instead of adding another). */
export async function insertCallSubmission(tx: Db, row: typeof submissions.$inferInsert & { id: string }): Promise<void> {
  await tx.insert(submissions).values(row).onConflictDoNothing({ target: submissions.id });
}
