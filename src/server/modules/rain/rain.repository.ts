import { and, asc, eq, gt, gte, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  campaignMembers,
  ledgerEntries,
  ledgerTransfers,
  rainGrabLog,
  rainGrabs,
  rainPackets,
  rainSessions,
  submissions,
  type RainGrabRow,
  type RainPacketRow,
  type RainSessionRow,
} from '../../db/schema.js';

export type NewRainSession = Omit<typeof rainSessions.$inferInsert, 'id' | 'createdAt' | 'splitAt' | 'settledAt'>;
export type NewRainGrab = Omit<typeof rainGrabs.$inferInsert, 'id' | 'releasedAt' | 'releasedBy' | 'transferId'> & { id?: string };
export type NewRainLog = Omit<typeof rainGrabLog.$inferInsert, 'id'>;
export type RainSessionWithStats = RainSessionRow & { grantedFen: number; grabbedCount: number };

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

export function createRainRepository(db: Db) {
  const stats = {
    // Spelled out: drizzle renders bare column names inside sql``, and "id" would bind to rain_grabs.
    grantedFen: sql<number>`(SELECT coalesce(sum(g.amount_fen), 0)::bigint FROM rain_grabs g WHERE g.session_id = "rain_sessions"."id")`.mapWith(Number),
    grabbedCount: sql<number>`(SELECT count(*)::int FROM rain_grabs g WHERE g.session_id = "rain_sessions"."id")`.mapWith(Number),
  };
  return {
    async createSessions(rows: NewRainSession[], tx: Db = db): Promise<RainSessionRow[]> {
      if (!rows.length) return [];
      return tx.insert(rainSessions).values(rows).onConflictDoNothing().returning();
    },
    async get(id: string, tx: Db = db): Promise<RainSessionRow | undefined> {
      const [row] = await tx.select().from(rainSessions).where(eq(rainSessions.id, id));
      return row;
    },
    async getWithStats(id: string, tx: Db = db): Promise<RainSessionWithStats | undefined> {
      const [row] = await tx
        .select({ s: rainSessions, ...stats })
        .from(rainSessions)
        .where(eq(rainSessions.id, id));
      return row && { ...row.s, grantedFen: row.grantedFen, grabbedCount: row.grabbedCount };
    },
    /** Serialises the split of one session. */
    async getForUpdate(id: string, tx: Db): Promise<RainSessionRow | undefined> {
      const [row] = await tx.select().from(rainSessions).where(eq(rainSessions.id, id)).for('update');
      return row;
    },
    async listByCampaign(campaignId: string, tx: Db = db): Promise<RainSessionWithStats[]> {
      const rows = await tx
        .select({ s: rainSessions, ...stats })
        .from(rainSessions)
        .where(eq(rainSessions.campaignId, campaignId))
        .orderBy(asc(rainSessions.startsAt));
      return rows.map((r) => ({ ...r.s, grantedFen: r.grantedFen, grabbedCount: r.grabbedCount }));
    },
    /** Unsettled sessions that start before `until` and have not ended by `from`. */
    async listActive(from: Date, until: Date, tx: Db = db): Promise<RainSessionRow[]> {
      return tx
        .select()
        .from(rainSessions)
        .where(and(isNull(rainSessions.settledAt), lte(rainSessions.startsAt, until), gt(rainSessions.endsAt, from)))
        .orderBy(asc(rainSessions.startsAt));
    },
    async listToSettle(now: Date, tx: Db = db): Promise<RainSessionRow[]> {
      return tx
        .select()
        .from(rainSessions)
        .where(and(isNull(rainSessions.settledAt), lte(rainSessions.endsAt, now)))
        .orderBy(asc(rainSessions.endsAt))
        .limit(500);
    },
    async createPackets(sessionId: string, amounts: number[], tx: Db): Promise<void> {
      // Chunked: one statement's parameters stay far below PostgreSQL's 65,535.
      for (let i = 0; i < amounts.length; i += 5000) {
        await tx.insert(rainPackets).values(amounts.slice(i, i + 5000).map((amountFen, j) => ({ sessionId, idx: i + j, amountFen })));
      }
    },
    async setSplit(sessionId: string, at: Date, tx: Db): Promise<void> {
      await tx.update(rainSessions).set({ splitAt: at }).where(eq(rainSessions.id, sessionId));
    },
    async setSettled(sessionId: string, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(rainSessions)
        .set({ settledAt: at })
        .where(and(eq(rainSessions.id, sessionId), isNull(rainSessions.settledAt)));
    },
    async listPackets(sessionId: string, tx: Db = db): Promise<RainPacketRow[]> {
      return tx.select().from(rainPackets).where(eq(rainPackets.sessionId, sessionId)).orderBy(asc(rainPackets.idx));
    },
    /**
     * Locks one unclaimed packet. `skipLocked` is the fast path; without it the query waits for
     * packets other transactions hold, so "none" means none is left, not "all are in flight".
     */
    async lockUnclaimed(sessionId: string, skipLocked: boolean, tx: Db): Promise<{ idx: number; amountFen: number } | undefined> {
      const q = tx
        .select({ idx: rainPackets.idx, amountFen: rainPackets.amountFen })
        .from(rainPackets)
        .where(and(eq(rainPackets.sessionId, sessionId), isNull(rainPackets.winnerUserId)))
        .orderBy(asc(rainPackets.idx))
        .limit(1);
      const [row] = await (skipLocked ? q.for('update', { skipLocked: true }) : q.for('update'));
      return row;
    },
    async markPacketWon(p: { sessionId: string; idx: number; userId: string; wonAt: Date; grabId: string }, tx: Db): Promise<boolean> {
      const rows = await tx
        .update(rainPackets)
        .set({ winnerUserId: p.userId, wonAt: p.wonAt, grabId: p.grabId })
        .where(and(eq(rainPackets.sessionId, p.sessionId), eq(rainPackets.idx, p.idx), isNull(rainPackets.winnerUserId)))
        .returning({ idx: rainPackets.idx });
      return rows.length === 1;
    },
    async getGrab(id: string, tx: Db = db): Promise<RainGrabRow | undefined> {
      const [row] = await tx.select().from(rainGrabs).where(eq(rainGrabs.id, id));
      return row;
    },
    async getGrabForUpdate(id: string, tx: Db): Promise<RainGrabRow | undefined> {
      const [row] = await tx.select().from(rainGrabs).where(eq(rainGrabs.id, id)).for('update');
      return row;
    },
    async getGrabByUser(sessionId: string, userId: string, tx: Db = db): Promise<RainGrabRow | undefined> {
      const [row] = await tx
        .select()
        .from(rainGrabs)
        .where(and(eq(rainGrabs.sessionId, sessionId), eq(rainGrabs.userId, userId)));
      return row;
    },
    /** Inserts a win; undefined when the contributor or the packet already has one (nothing written). */
    async createGrab(row: NewRainGrab, tx: Db): Promise<RainGrabRow | undefined> {
      const [made] = await tx.insert(rainGrabs).values(row).onConflictDoNothing().returning();
      return made;
    },
    async listGrabs(sessionId: string, tx: Db = db): Promise<RainGrabRow[]> {
      return tx.select().from(rainGrabs).where(eq(rainGrabs.sessionId, sessionId)).orderBy(asc(rainGrabs.packetIdx));
    },
    async countWinsFromIp(sessionId: string, ip: string, tx: Db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(rainGrabs)
        .where(and(eq(rainGrabs.sessionId, sessionId), eq(rainGrabs.ip, ip)));
      return row?.n ?? 0;
    },
    async totalWon(userId: string, campaignId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<string>`coalesce(sum(${rainGrabs.amountFen}), 0)::text` })
        .from(rainGrabs)
        .innerJoin(rainSessions, eq(rainSessions.id, rainGrabs.sessionId))
        .where(and(eq(rainGrabs.userId, userId), eq(rainSessions.campaignId, campaignId)));
      return Number(row?.n ?? 0);
    },
    async setTransfer(grabId: string, transferId: string, tx: Db): Promise<void> {
      await tx.update(rainGrabs).set({ transferId }).where(eq(rainGrabs.id, grabId));
    },
    async release(grabId: string, by: string, at: Date, tx: Db): Promise<void> {
      await tx
        .update(rainGrabs)
        .set({ releasedAt: at, releasedBy: by })
        .where(and(eq(rainGrabs.id, grabId), isNull(rainGrabs.releasedAt)));
    },
    async isMember(campaignId: string, userId: string, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ u: campaignMembers.userId })
        .from(campaignMembers)
        .where(and(eq(campaignMembers.campaignId, campaignId), eq(campaignMembers.userId, userId)));
      return rows.length > 0;
    },
    async hasSubmission(campaignId: string, userId: string, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ id: submissions.id })
        .from(submissions)
        .where(and(eq(submissions.campaignId, campaignId), eq(submissions.userId, userId), ne(submissions.status, 'uploading')))
        .limit(1);
      return rows.length > 0;
    },
    async createLog(rows: NewRainLog[], tx: Db = db): Promise<void> {
      if (rows.length) await tx.insert(rainGrabLog).values(rows);
    },
    async listLog(sessionId: string, since: Date = new Date(0), tx: Db = db) {
      return tx
        .select()
        .from(rainGrabLog)
        .where(and(eq(rainGrabLog.sessionId, sessionId), gte(rainGrabLog.at, since)))
        .orderBy(asc(rainGrabLog.id));
    },
    /** What the ledger credited contributors for a session's red packets. */
    async ledgerTotal(sessionId: string, tx: Db = db): Promise<number> {
      const r = await tx.execute(sql`
        SELECT coalesce(sum(${ledgerEntries.amountFen}), 0)::text AS total
        FROM ${ledgerTransfers} JOIN ${ledgerEntries} ON ${ledgerEntries.transferId} = ${ledgerTransfers.id}
        WHERE ${ledgerTransfers.kind} = 'red_packet' AND ${ledgerTransfers.refs}->>'sessionId' = ${sessionId} AND ${ledgerEntries.amountFen} > 0`);
      return Number(rowsOf<{ total: string }>(r)[0]?.total ?? 0);
    },
    async listGrabsByIds(ids: string[], tx: Db = db): Promise<RainGrabRow[]> {
      if (!ids.length) return [];
      return tx.select().from(rainGrabs).where(inArray(rainGrabs.id, ids));
    },
  };
}
export type RainRepository = ReturnType<typeof createRainRepository>;
