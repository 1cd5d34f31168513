import { and, asc, desc, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { phoneCodes, sessions, users, type SessionRow, type UserRow } from '../../db/schema.js';
import type { Role } from '../../../contracts/accounts.js';
import type { Locale } from '../../../contracts/common.js';
import type { AdminUserQuery } from '../../../contracts/backOffice.js';
import { userTextCondition } from './user-search.js';

export interface NewUser {
  email?: string | null;
  phone?: string | null;
  name: string;
  passwordHash?: string | null;
  roles: Role[];
  locale: Locale;
}

export interface NewSession {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

const ORDER = {
  newest: [desc(users.createdAt), desc(users.id)],
  oldest: [asc(users.createdAt), asc(users.id)],
  name: [asc(users.name), asc(users.id)],
} as const;

async function pageOf(tx: Db, where: SQL | undefined, sort: keyof typeof ORDER, page: number, pageSize: number) {
  const [count] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(where);
  const rows = await tx
    .select()
    .from(users)
    .where(where)
    .orderBy(...ORDER[sort])
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { rows, total: count?.n ?? 0 };
}

export function createAccountsRepository(db: Db) {
  return {
    async getUser(id: string, tx: Db = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.id, id));
      return row;
    },
    async getUserByEmail(email: string, tx: Db = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.email, email));
      return row;
    },
    async getUserByPhone(phone: string, tx: Db = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.phone, phone));
      return row;
    },
    async listUsers(tx: Db = db): Promise<UserRow[]> {
      return tx.select().from(users).orderBy(asc(users.createdAt));
    },
    /** One page of accounts matching the admin search, with the total across all pages. */
    async searchUsers(q: AdminUserQuery, tx: Db = db): Promise<{ rows: UserRow[]; total: number }> {
      const where = and(
        userTextCondition(q.q),
        q.role ? sql`${q.role} = ANY(${users.roles})` : undefined,
        q.status ? eq(users.disabled, q.status === 'disabled') : undefined,
      );
      return pageOf(tx, where, q.sort, q.page, q.pageSize);
    },
    /** Enabled staff (editor, chief editor, admin) for the studio member picker. */
    async searchStaff(q: { q?: string; page: number; pageSize: number }, tx: Db = db): Promise<{ rows: UserRow[]; total: number }> {
      const where = and(userTextCondition(q.q), eq(users.disabled, false), sql`${users.roles} && ARRAY['editor','chief_editor','admin']::text[]`);
      return pageOf(tx, where, 'name', q.page, q.pageSize);
    },
    /** Live sessions of a user: how many, and when one was last used. */
    async sessionSummary(userId: string, now: Date, tx: Db = db): Promise<{ active: number; lastSeenAt: Date | null }> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int`, last: sql<string | null>`max(${sessions.lastSeenAt})` })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
      return { active: row?.n ?? 0, lastSeenAt: row?.last ? new Date(row.last) : null };
    },
    /**
     * Locks every enabled admin row, so two admins demoting each other at once are serialised
     * and the "last admin" check cannot be raced past.
     */
    async lockActiveAdmins(tx: Db): Promise<string[]> {
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(sql`'admin' = ANY(${users.roles})`, eq(users.disabled, false)))
        .for('update');
      return rows.map((r) => r.id);
    },
    async countUsers(tx: Db = db): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
    async countActiveAdmins(tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(sql`'admin' = ANY(${users.roles})`, eq(users.disabled, false)));
      return row?.n ?? 0;
    },
    async createUser(input: NewUser, tx: Db = db): Promise<UserRow> {
      const [row] = await tx
        .insert(users)
        .values({ ...input, email: input.email ?? null, phone: input.phone ?? null, passwordHash: input.passwordHash ?? null })
        .returning();
      return row!;
    },
    async updateUser(
      id: string,
      patch: Partial<Pick<UserRow, 'name' | 'locale' | 'roles' | 'disabled' | 'passwordHash'>>,
      tx: Db = db,
    ): Promise<UserRow | undefined> {
      const [row] = await tx
        .update(users)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return row;
    },

    async createSession(input: NewSession, tx: Db = db): Promise<SessionRow> {
      const [row] = await tx.insert(sessions).values(input).returning();
      return row!;
    },
    async getSessionByTokenHash(tokenHash: string, tx: Db = db): Promise<{ session: SessionRow; user: UserRow } | undefined> {
      const [row] = await tx
        .select({ session: sessions, user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.tokenHash, tokenHash));
      return row;
    },
    async listActiveSessions(userId: string, now: Date, tx: Db = db): Promise<SessionRow[]> {
      return tx
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .orderBy(desc(sessions.lastSeenAt));
    },
    async touchSession(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
    },
    /** Revokes one session of this user; returns false when there is no such live session. */
    async revokeSession(userId: string, sessionId: string, at: Date, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length > 0;
    },
    /** Revokes every live session of a user; returns how many there were. */
    async revokeAllSessions(userId: string, at: Date, tx: Db = db): Promise<number> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length;
    },
    /** Deletes sessions that expired or were revoked more than `before`. */
    async deleteDeadSessions(before: Date, tx: Db = db): Promise<number> {
      const rows = await tx
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
        .returning({ id: sessions.id });
      return rows.length;
    },

    async createPhoneCode(input: { phone: string; codeHash: string; expiresAt: Date }, tx: Db = db) {
      const [row] = await tx.insert(phoneCodes).values(input).returning();
      return row!;
    },
    async countPhoneCodesSince(phone: string, since: Date, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(phoneCodes)
        .where(and(eq(phoneCodes.phone, phone), gt(phoneCodes.createdAt, since)));
      return row?.n ?? 0;
    },
    /** The newest unconsumed, unexpired code for a phone, locked for the check. */
    async getLivePhoneCodeForUpdate(phone: string, now: Date, tx: Db) {
      const [row] = await tx
        .select()
        .from(phoneCodes)
        .where(and(eq(phoneCodes.phone, phone), isNull(phoneCodes.consumedAt), gt(phoneCodes.expiresAt, now)))
        .orderBy(desc(phoneCodes.createdAt))
        .limit(1)
        .for('update');
      return row;
    },
    async updatePhoneCode(id: string, patch: { attempts?: number; consumedAt?: Date }, tx: Db = db): Promise<void> {
      await tx.update(phoneCodes).set(patch).where(eq(phoneCodes.id, id));
    },
    async deleteOldPhoneCodes(before: Date, tx: Db = db): Promise<void> {
      await tx.delete(phoneCodes).where(lt(phoneCodes.expiresAt, before));
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
