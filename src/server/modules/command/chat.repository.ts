import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { commandMessages, users } from '../../db/schema.js';
import type { Role } from '../../../contracts/accounts.js';

export interface ChatRow {
  id: number;
  assignmentId: string;
  senderId: string;
  senderName: string;
  senderRoles: Role[];
  clientId: string;
  body: string;
  createdAt: Date;
}

const columns = {
  id: commandMessages.id,
  assignmentId: commandMessages.assignmentId,
  senderId: commandMessages.senderId,
  senderName: users.name,
  senderRoles: users.roles,
  clientId: commandMessages.clientId,
  body: commandMessages.body,
  createdAt: commandMessages.createdAt,
};

/** command_messages: a thread per assignment, ordered by id; (sender, client id) is unique. */
export function createChatRepository(db: Db) {
  return {
    /**
     * Stores a message unless the sender already sent one with this client id; either way
     * returns the stored row (the original on a resend) and whether it was a resend.
     */
    async create(
      input: { assignmentId: string; senderId: string; clientId: string; body: string },
      tx: Db = db,
    ): Promise<{ row: ChatRow; duplicate: boolean }> {
      const inserted = await tx.insert(commandMessages).values(input).onConflictDoNothing().returning({ id: commandMessages.id });
      const duplicate = inserted.length === 0;
      const [row] = await tx
        .select(columns)
        .from(commandMessages)
        .innerJoin(users, eq(users.id, commandMessages.senderId))
        .where(and(eq(commandMessages.senderId, input.senderId), eq(commandMessages.clientId, input.clientId)))
        .limit(1);
      return { row: row!, duplicate };
    },
    /** The thread after `afterId`, oldest first, at most `limit`. */
    async listAfter(assignmentId: string, afterId: number, limit: number, tx: Db = db): Promise<ChatRow[]> {
      return tx
        .select(columns)
        .from(commandMessages)
        .innerJoin(users, eq(users.id, commandMessages.senderId))
        .where(and(eq(commandMessages.assignmentId, assignmentId), gt(commandMessages.id, afterId)))
        .orderBy(asc(commandMessages.id))
        .limit(limit);
    },
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
