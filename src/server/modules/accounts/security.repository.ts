import { and, count, desc, eq, gt, isNull, lt, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { passwordResets, sessions, type PasswordResetRow } from '../../db/schema.js';

export interface NewPasswordReset {
  userId: string | null;
  channel: 'email' | 'sms';
  target: string;
  secretHash: string;
  ip: string | null;
  expiresAt: Date;
}

/** Password reset links and codes, and the session queries that password changes need. */
export function createSecurityRepository(db: Db) {
  return {
    async createReset(input: NewPasswordReset, tx: Db = db): Promise<PasswordResetRow> {
      const [row] = await tx.insert(passwordResets).values(input).returning();
      return row!;
    },
    async countResetsForTargetSince(target: string, since: Date, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: count() })
        .from(passwordResets)
        .where(and(eq(passwordResets.target, target), gt(passwordResets.createdAt, since)));
      return row?.n ?? 0;
    },
    async countResetsForIpSince(ip: string, since: Date, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: count() })
        .from(passwordResets)
        .where(and(eq(passwordResets.ip, ip), gt(passwordResets.createdAt, since)));
      return row?.n ?? 0;
    },
    /** The email link with this token hash, whatever its state (the caller says why it is refused), locked. */
    async getEmailResetForUpdate(secretHash: string, tx: Db): Promise<PasswordResetRow | undefined> {
      const [row] = await tx
        .select()
        .from(passwordResets)
        .where(and(eq(passwordResets.secretHash, secretHash), eq(passwordResets.channel, 'email')))
        .limit(1)
        .for('update');
      return row;
    },
    /** The newest unused, unexpired SMS code for a phone, locked for the check. */
    async getLiveSmsResetForUpdate(phone: string, now: Date, tx: Db): Promise<PasswordResetRow | undefined> {
      const [row] = await tx
        .select()
        .from(passwordResets)
        .where(and(eq(passwordResets.target, phone), eq(passwordResets.channel, 'sms'), isNull(passwordResets.consumedAt), gt(passwordResets.expiresAt, now)))
        .orderBy(desc(passwordResets.createdAt))
        .limit(1)
        .for('update');
      return row;
    },
    async updateReset(id: string, patch: { attempts?: number; consumedAt?: Date }, tx: Db = db): Promise<void> {
      await tx.update(passwordResets).set(patch).where(eq(passwordResets.id, id));
    },
    /** After a reset every other outstanding link and code of the user stops working. */
    async consumeResetsOfUser(userId: string, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(passwordResets)
        .set({ consumedAt: at })
        .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.consumedAt)));
    },
    async deleteResetsExpiredBefore(before: Date, tx: Db = db): Promise<void> {
      await tx.delete(passwordResets).where(lt(passwordResets.expiresAt, before));
    },
    /** Revokes every live session of the user but `keepId`; returns how many. */
    async revokeOtherSessions(userId: string, keepId: string, at: Date, tx: Db = db): Promise<number> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.userId, userId), ne(sessions.id, keepId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length;
    },
  };
}

export type SecurityRepository = ReturnType<typeof createSecurityRepository>;
