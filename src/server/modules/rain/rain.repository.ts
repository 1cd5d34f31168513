import { and, asc, eq, gt, gte, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  rainGrabRefusals,
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
  users,
} from '../../db/schema.js';

export type NewRainSession = Omit<typeof rainSessions.$inferInsert, 'id' | 'createdAt' | 'splitAt' | 'settledAt'>;
export type NewRainGrab = Omit<typeof rainGrabs.$inferInsert, 'id' | 'releasedAt' | 'releasedBy' | 'transferId'> & { id?: string };
export type NewRainLog = Omit<typeof rainGrabLog.$inferInsert, 'id'>;
export interface CampaignHistory {
  totals: Map<string, number>;
  devices: Map<string, string[]>;
}
/** Accounts that have won from one device: in this session, and (their ids) in the campaign's other sessions. */
export interface DeviceWins {
  inSession: number;
  elsewhere: string[];
}
export type RainSessionWithStats = RainSessionRow & { grantedFen: number; grabbedCount: number };

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

// The batch statements below are plain SQL over one JSON parameter: one round trip for any
// number of rows, the same on PGlite and PostgreSQL, and cheap to build on the grab's hot path.
const GRAB_COLUMNS = sql.raw(
  'id, session_id, user_id, packet_idx, amount_fen::text AS amount_fen, won_at, ip, device_id, source, held, hold_reason, released_at, released_by, transfer_id',
);
interface RawGrab {
  id: string;
  session_id: string;
  user_id: string;
  packet_idx: number;
  amount_fen: string;
  won_at: Date | string;
  ip: string | null;
  device_id: string | null;
  source: RainGrabRow['source'];
  held: boolean;
  hold_reason: string | null;
  released_at: Date | string | null;
  released_by: string | null;
  transfer_id: string | null;
}
const toGrabRow = (r: RawGrab): RainGrabRow => ({
  id: r.id,
  sessionId: r.session_id,
  userId: r.user_id,
  packetIdx: Number(r.packet_idx),
  amountFen: Number(r.amount_fen),
  wonAt: new Date(r.won_at),
  ip: r.ip,
  deviceId: r.device_id,
  source: r.source,
  held: r.held,
  holdReason: r.hold_reason,
  releasedAt: r.released_at === null ? null : new Date(r.released_at),
  releasedBy: r.released_by,
  transferId: r.transfer_id,
});

export function createRainRepository(db: Db) {
  const stats = {
    // Spelled out: drizzle renders bare column names inside sql``, and "id" would bind to rain_grabs.
    grantedFen: sql<number>`(SELECT coalesce(sum(g.amount_fen), 0)::bigint FROM rain_grabs g WHERE g.session_id = "rain_sessions"."id")`.mapWith(Number),
    grabbedCount: sql<number>`(SELECT count(*)::int FROM rain_grabs g WHERE g.session_id = "rain_sessions"."id")`.mapWith(Number),
  };
  /** Inserts many wins in one statement; returns the rows inserted (a win whose contributor or packet already has one is skipped). */
  async function createGrabs(rows: NewRainGrab[], tx: Db): Promise<RainGrabRow[]> {
    if (!rows.length) return [];
    const json = JSON.stringify(
      rows.map((r) => ({
        session_id: r.sessionId,
        user_id: r.userId,
        packet_idx: r.packetIdx,
        amount_fen: r.amountFen,
        won_at: r.wonAt.toISOString(),
        ip: r.ip ?? null,
        source: r.source,
        held: r.held ?? false,
        hold_reason: r.holdReason ?? null,
        device_id: r.deviceId ?? null,
      })),
    );
    const r = await tx.execute(sql`
      INSERT INTO rain_grabs (session_id, user_id, packet_idx, amount_fen, won_at, ip, source, held, hold_reason, device_id)
      SELECT session_id, user_id, packet_idx, amount_fen, won_at, ip, source, held, hold_reason, device_id
      FROM json_to_recordset(${json}::json) AS x(session_id uuid, user_id uuid, packet_idx integer, amount_fen bigint, won_at timestamptz,
                                                 ip text, source text, held boolean, hold_reason text, device_id text)
      ON CONFLICT DO NOTHING
      RETURNING ${GRAB_COLUMNS}`);
    return rowsOf<RawGrab>(r).map(toGrabRow);
  }

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
      const [made] = await createGrabs([row], tx);
      return made;
    },
    createGrabs,
    /** Marks each packet of a session with the win recorded for it, where it is not marked yet; how many were marked. */
    async markPacketsFromGrabs(sessionId: string, tx: Db = db): Promise<number> {
      const r = await tx.execute(sql`
        UPDATE rain_packets p SET winner_user_id = g.user_id, won_at = g.won_at, grab_id = g.id
        FROM rain_grabs g
        WHERE g.session_id = ${sessionId} AND p.session_id = ${sessionId} AND p.idx = g.packet_idx AND p.winner_user_id IS NULL
        RETURNING p.idx`);
      return rowsOf(r).length;
    },
    /** The campaign's recorded rain outside one session: each contributor's total, and the accounts that won from each device. */
    async campaignHistory(campaignId: string, exceptSessionId: string, tx: Db = db): Promise<CampaignHistory> {
      const totals = await tx.execute(sql`
        SELECT g.user_id, sum(g.amount_fen)::text AS total FROM rain_grabs g JOIN rain_sessions s ON s.id = g.session_id
        WHERE s.campaign_id = ${campaignId} AND g.session_id <> ${exceptSessionId} GROUP BY g.user_id`);
      const devices = await tx.execute(sql`
        SELECT g.device_id, array_agg(DISTINCT g.user_id::text) AS users FROM rain_grabs g JOIN rain_sessions s ON s.id = g.session_id
        WHERE s.campaign_id = ${campaignId} AND g.session_id <> ${exceptSessionId} AND g.device_id IS NOT NULL GROUP BY g.device_id`);
      return {
        totals: new Map(rowsOf<{ user_id: string; total: string }>(totals).map((t) => [t.user_id, Number(t.total)])),
        devices: new Map(rowsOf<{ device_id: string; users: string[] }>(devices).map((d) => [d.device_id, d.users])),
      };
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
    /**
     * For each (campaign, session, device): how many accounts have won from the device in the
     * session, and which accounts have in the campaign's other sessions. Keyed `sessionId:deviceId`.
     */
    async deviceWins(rows: { campaignId: string; sessionId: string; deviceId: string }[], tx: Db = db): Promise<Map<string, DeviceWins>> {
      if (!rows.length) return new Map();
      const json = JSON.stringify(rows.map((d) => ({ campaign_id: d.campaignId, session_id: d.sessionId, device_id: d.deviceId })));
      const r = await tx.execute(sql`
        SELECT x.session_id, x.device_id,
               count(DISTINCT g.user_id) FILTER (WHERE g.session_id = x.session_id)::int AS in_session,
               coalesce(array_agg(DISTINCT g.user_id::text) FILTER (WHERE g.session_id <> x.session_id), '{}') AS elsewhere
        FROM (SELECT DISTINCT campaign_id, session_id, device_id FROM json_to_recordset(${json}::json) AS x(campaign_id uuid, session_id uuid, device_id text)) x
        JOIN rain_grabs g ON g.device_id = x.device_id
        JOIN rain_sessions s ON s.id = g.session_id AND s.campaign_id = x.campaign_id
        GROUP BY x.session_id, x.device_id`);
      return new Map(
        rowsOf<{ session_id: string; device_id: string; in_session: number; elsewhere: string[] }>(r).map((d) => [
          `${d.session_id}:${d.device_id}`,
          { inSession: Number(d.in_session), elsewhere: d.elsewhere },
        ]),
      );
    },
    /** When each account was created (the hold rules re-applied by reconciliation need it). */
    async accountsCreatedAt(userIds: string[], tx: Db = db): Promise<Map<string, Date>> {
      if (!userIds.length) return new Map();
      const rows = await tx.select({ id: users.id, createdAt: users.createdAt }).from(users).where(inArray(users.id, userIds));
      return new Map(rows.map((u) => [u.id, u.createdAt]));
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
    /** A contributor's wins, newest first, with their session and whether an admin refused them. */
    async listWinsOfUser(userId: string, limit: number, tx: Db = db) {
      return tx
        .select({ grab: rainGrabs, campaignId: rainSessions.campaignId, endsAt: rainSessions.endsAt, refusedAt: rainGrabRefusals.refusedAt })
        .from(rainGrabs)
        .innerJoin(rainSessions, eq(rainSessions.id, rainGrabs.sessionId))
        .leftJoin(rainGrabRefusals, eq(rainGrabRefusals.grabId, rainGrabs.id))
        .where(eq(rainGrabs.userId, userId))
        .orderBy(sql`${rainGrabs.wonAt} DESC`)
        .limit(limit);
    },
    async getRefusal(grabId: string, tx: Db = db) {
      const [row] = await tx.select().from(rainGrabRefusals).where(eq(rainGrabRefusals.grabId, grabId));
      return row;
    },
    async createRefusal(r: typeof rainGrabRefusals.$inferInsert, tx: Db): Promise<void> {
      await tx.insert(rainGrabRefusals).values(r).onConflictDoNothing();
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
      if (!rows.length) return;
      const json = JSON.stringify(
        rows.map((r) => ({
          session_id: r.sessionId,
          user_id: r.userId ?? null,
          ip: r.ip ?? null,
          user_agent: r.userAgent ?? null,
          at: r.at.toISOString(),
          outcome: r.outcome,
          amount_fen: r.amountFen ?? null,
          device_id: r.deviceId ?? null,
          fingerprint: r.fingerprint ?? null,
          event_id: r.eventId ?? null,
        })),
      );
      // An attempt from the Redis stream that is already logged (written twice) is skipped.
      await tx.execute(sql`
        INSERT INTO rain_grab_log (session_id, user_id, ip, user_agent, at, outcome, amount_fen, device_id, fingerprint, event_id)
        SELECT session_id, user_id, ip, user_agent, at, outcome, amount_fen, device_id, fingerprint, event_id
        FROM json_to_recordset(${json}::json) AS x(session_id uuid, user_id uuid, ip text, user_agent text, at timestamptz, outcome text,
                                                   amount_fen bigint, device_id text, fingerprint text, event_id text)
        ON CONFLICT DO NOTHING`);
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
