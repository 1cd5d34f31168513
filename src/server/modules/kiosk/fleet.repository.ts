import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  kioskCommands,
  kioskGroups,
  kioskLayers,
  kioskPairings,
  kioskScreens,
  type KioskCommandRow,
  type KioskGroupRow,
  type KioskLayerRow,
  type KioskPairingRow,
  type KioskScreenRow,
} from '../../db/schema.js';
import type { KioskCommandKind, KioskReport } from '../../../contracts/kiosk.js';

export type ScreenSettings = Pick<
  KioskScreenRow,
  'name' | 'groupId' | 'campaignId' | 'placeName' | 'lat' | 'lng' | 'orientation' | 'timeZone' | 'openingHours'
>;
export type FleetRow = KioskScreenRow & { groupName: string | null };
export type NewLayer = Omit<KioskLayerRow, 'id' | 'createdAt'>;

/** The kiosk fleet's tables: groups, screens, pairings, commands and schedule layers. */
export function createFleetRepository(db: Db) {
  return {
    // ---- groups ----
    async listGroups(tx: Db = db): Promise<(KioskGroupRow & { screens: number })[]> {
      return tx
        .select({
          id: kioskGroups.id,
          name: kioskGroups.name,
          createdAt: kioskGroups.createdAt,
          // Qualified by hand: drizzle writes a lone column as "id", which inside this subquery
          // would be the screen's id, and every group would count 0.
          screens: sql<number>`(SELECT count(*)::int FROM kiosk_screens s WHERE s.group_id = kiosk_groups.id)`,
        })
        .from(kioskGroups)
        .orderBy(asc(kioskGroups.name));
    },
    async getGroup(id: string, tx: Db = db): Promise<KioskGroupRow | undefined> {
      const [row] = await tx.select().from(kioskGroups).where(eq(kioskGroups.id, id));
      return row;
    },
    /** Undefined when the name is taken. */
    async createGroup(name: string, tx: Db = db): Promise<KioskGroupRow | undefined> {
      const [row] = await tx.insert(kioskGroups).values({ name }).onConflictDoNothing().returning();
      return row;
    },
    async deleteGroup(id: string, tx: Db = db): Promise<boolean> {
      return (await tx.delete(kioskGroups).where(eq(kioskGroups.id, id)).returning({ id: kioskGroups.id })).length > 0;
    },

    // ---- screens ----
    async listFleet(tx: Db = db): Promise<FleetRow[]> {
      const rows = await tx
        .select({ screen: kioskScreens, groupName: kioskGroups.name })
        .from(kioskScreens)
        .leftJoin(kioskGroups, eq(kioskGroups.id, kioskScreens.groupId))
        .orderBy(asc(kioskScreens.name));
      return rows.map((r) => ({ ...r.screen, groupName: r.groupName }));
    },
    async getScreen(id: string, tx: Db = db): Promise<FleetRow | undefined> {
      const [r] = await tx
        .select({ screen: kioskScreens, groupName: kioskGroups.name })
        .from(kioskScreens)
        .leftJoin(kioskGroups, eq(kioskGroups.id, kioskScreens.groupId))
        .where(eq(kioskScreens.id, id));
      return r && { ...r.screen, groupName: r.groupName };
    },
    /** A screen a key opens: never a revoked one (its hash is gone). */
    async getScreenByKeyHash(keyHash: string, tx: Db = db): Promise<KioskScreenRow | undefined> {
      const [row] = await tx.select().from(kioskScreens).where(eq(kioskScreens.keyHash, keyHash));
      return row;
    },
    /** Undefined when the name is taken. */
    async createScreen(settings: ScreenSettings, tx: Db = db): Promise<KioskScreenRow | undefined> {
      const [row] = await tx.insert(kioskScreens).values(settings).onConflictDoNothing({ target: kioskScreens.name }).returning();
      return row;
    },
    async updateScreen(id: string, patch: Partial<ScreenSettings>, tx: Db = db): Promise<KioskScreenRow | undefined> {
      if (Object.keys(patch).length === 0) return (await tx.select().from(kioskScreens).where(eq(kioskScreens.id, id)))[0];
      const [row] = await tx.update(kioskScreens).set(patch).where(eq(kioskScreens.id, id)).returning();
      return row;
    },
    /** Replaces the screen's key; `revokedAt` is cleared (a re-paired screen is back). */
    async setKeyHash(id: string, keyHash: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(kioskScreens).set({ keyHash, keyRotatedAt: at, revokedAt: null }).where(eq(kioskScreens.id, id));
    },
    /** Swaps the key only if it is still `oldHash`: two rotations racing give one winner. */
    async rotateKeyHash(id: string, oldHash: string, newHash: string, at: Date, tx: Db = db): Promise<boolean> {
      const r = await tx
        .update(kioskScreens)
        .set({ keyHash: newHash, keyRotatedAt: at })
        .where(and(eq(kioskScreens.id, id), eq(kioskScreens.keyHash, oldHash)))
        .returning({ id: kioskScreens.id });
      return r.length > 0;
    },
    async revoke(id: string, at: Date, tx: Db = db): Promise<boolean> {
      const r = await tx.update(kioskScreens).set({ keyHash: null, revokedAt: at }).where(eq(kioskScreens.id, id)).returning({ id: kioskScreens.id });
      return r.length > 0;
    },
    async deleteScreen(id: string, tx: Db = db): Promise<boolean> {
      return (await tx.delete(kioskScreens).where(eq(kioskScreens.id, id)).returning({ id: kioskScreens.id })).length > 0;
    },
    async recordHeartbeat(id: string, report: KioskReport, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(kioskScreens)
        .set({
          lastSeenAt: at,
          appVersion: report.appVersion,
          storageUsedBytes: report.storageUsedBytes,
          storageQuotaBytes: report.storageQuotaBytes,
          lastReport: report,
        })
        .where(eq(kioskScreens.id, id));
    },
    async touch(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(kioskScreens).set({ lastSeenAt: at }).where(eq(kioskScreens.id, id));
    },
    async setScreenshot(id: string, key: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(kioskScreens).set({ screenshotKey: key, screenshotAt: at }).where(eq(kioskScreens.id, id));
    },

    // ---- pairings ----
    /** Undefined when the code is already showing on another waiting screen. */
    async createPairing(p: Pick<KioskPairingRow, 'code' | 'secretHash' | 'expiresAt'>, tx: Db = db): Promise<KioskPairingRow | undefined> {
      const [row] = await tx.insert(kioskPairings).values(p).onConflictDoNothing().returning();
      return row;
    },
    async getPairing(id: string, tx: Db = db): Promise<KioskPairingRow | undefined> {
      const [row] = await tx.select().from(kioskPairings).where(eq(kioskPairings.id, id));
      return row;
    },
    /** Takes a waiting, unexpired code for a screen; undefined when no screen shows it. */
    async claimPairing(q: { code: string; screenId: string; at: Date; expiresAt: Date }, tx: Db = db): Promise<KioskPairingRow | undefined> {
      const [row] = await tx
        .update(kioskPairings)
        .set({ screenId: q.screenId, claimedAt: q.at, expiresAt: q.expiresAt })
        .where(and(eq(kioskPairings.code, q.code), isNull(kioskPairings.claimedAt), gt(kioskPairings.expiresAt, q.at)))
        .returning();
      return row;
    },
    async markDelivered(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx
        .update(kioskPairings)
        .set({ deliveredAt: sql`coalesce(${kioskPairings.deliveredAt}, ${at.toISOString()}::timestamptz)` })
        .where(eq(kioskPairings.id, id));
    },
    /** Pairings past their time, waiting or done: nothing reads them after that. */
    async deleteExpiredPairings(before: Date, tx: Db = db): Promise<number> {
      return (await tx.delete(kioskPairings).where(lt(kioskPairings.expiresAt, before)).returning({ id: kioskPairings.id })).length;
    },

    // ---- commands ----
    async createCommand(c: { screenId: string; kind: KioskCommandKind; createdBy: string | null }, tx: Db = db): Promise<KioskCommandRow> {
      const [row] = await tx.insert(kioskCommands).values(c).returning();
      return row!;
    },
    async pendingCommands(screenId: string, tx: Db = db): Promise<KioskCommandRow[]> {
      return tx
        .select()
        .from(kioskCommands)
        .where(and(eq(kioskCommands.screenId, screenId), isNull(kioskCommands.doneAt)))
        .orderBy(asc(kioskCommands.createdAt));
    },
    async markSent(ids: string[], at: Date, tx: Db = db): Promise<void> {
      if (ids.length === 0) return;
      await tx
        .update(kioskCommands)
        .set({ sentAt: sql`coalesce(${kioskCommands.sentAt}, ${at.toISOString()}::timestamptz)` })
        .where(inArray(kioskCommands.id, ids));
    },
    /** Only the screen's own, and only once. */
    async markDone(q: { id: string; screenId: string; result: string; at: Date }, tx: Db = db): Promise<KioskCommandRow | undefined> {
      const [row] = await tx
        .update(kioskCommands)
        .set({ doneAt: q.at, result: q.result })
        .where(and(eq(kioskCommands.id, q.id), eq(kioskCommands.screenId, q.screenId), isNull(kioskCommands.doneAt)))
        .returning();
      return row;
    },
    async finishPending(q: { screenId: string; kind?: KioskCommandKind; result: string; at: Date }, tx: Db = db): Promise<void> {
      await tx
        .update(kioskCommands)
        .set({ doneAt: q.at, result: q.result })
        .where(and(eq(kioskCommands.screenId, q.screenId), isNull(kioskCommands.doneAt), q.kind ? eq(kioskCommands.kind, q.kind) : undefined));
    },
    async recentCommands(screenId: string, limit: number, tx: Db = db): Promise<KioskCommandRow[]> {
      return tx.select().from(kioskCommands).where(eq(kioskCommands.screenId, screenId)).orderBy(desc(kioskCommands.createdAt)).limit(limit);
    },

    // ---- layers ----
    /** The layers that can play on a screen: its own and its group's. */
    async layersForScreen(screen: Pick<KioskScreenRow, 'id' | 'groupId'>, tx: Db = db): Promise<KioskLayerRow[]> {
      return tx
        .select()
        .from(kioskLayers)
        .where(screen.groupId ? or(eq(kioskLayers.screenId, screen.id), eq(kioskLayers.groupId, screen.groupId)) : eq(kioskLayers.screenId, screen.id))
        .orderBy(asc(kioskLayers.createdAt));
    },
    async listLayers(q: { groupId?: string; screenId?: string }, tx: Db = db): Promise<KioskLayerRow[]> {
      const where = q.groupId ? eq(kioskLayers.groupId, q.groupId) : q.screenId ? eq(kioskLayers.screenId, q.screenId) : undefined;
      return tx.select().from(kioskLayers).where(where).orderBy(asc(kioskLayers.createdAt));
    },
    async countLayers(q: { groupId: string | null; screenId: string | null }, tx: Db = db): Promise<number> {
      const where = q.groupId ? eq(kioskLayers.groupId, q.groupId) : eq(kioskLayers.screenId, q.screenId!);
      const [r] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(kioskLayers)
        .where(where);
      return r?.n ?? 0;
    },
    async createLayer(l: NewLayer, tx: Db = db): Promise<KioskLayerRow> {
      const [row] = await tx.insert(kioskLayers).values(l).returning();
      return row!;
    },
    async getLayer(id: string, tx: Db = db): Promise<KioskLayerRow | undefined> {
      const [row] = await tx.select().from(kioskLayers).where(eq(kioskLayers.id, id));
      return row;
    },
    async deleteLayer(id: string, tx: Db = db): Promise<boolean> {
      return (await tx.delete(kioskLayers).where(eq(kioskLayers.id, id)).returning({ id: kioskLayers.id })).length > 0;
    },
    /** The screens a layer reaches: one, or every screen of its group. */
    async screenIdsOf(q: { groupId: string | null; screenId: string | null }, tx: Db = db): Promise<string[]> {
      if (q.screenId) return [q.screenId];
      const rows = await tx.select({ id: kioskScreens.id }).from(kioskScreens).where(eq(kioskScreens.groupId, q.groupId!));
      return rows.map((r) => r.id);
    },
  };
}
export type FleetRepository = ReturnType<typeof createFleetRepository>;
