import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hashKioskKey } from '../distribution/kiosk.service.js';
import {
  KIOSK_LIMITS,
  PAIRING_CODE_ALPHABET,
  type KioskCommandKind,
  type KioskFleetScreen,
  type KioskReport,
  type ScreenHealth,
} from '../../../contracts/kiosk.js';
import type { MapKiosk } from '../../../contracts/command.js';
import type { Db } from '../../db/client.js';
import type { KioskCommandRow, KioskScreenRow } from '../../db/schema.js';
import type { Bus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, pgErrorCode } from '../../lib/errors.js';
import { sseFrame, type SseClient } from '../../lib/sse.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { FleetRepository, FleetRow, ScreenSettings } from './fleet.repository.js';

// One hash for device keys and pairing secrets: the one the playlist and beacon routes check keys with.
const hashSecret = hashKioskKey;
const newKey = () => `pk_kiosk_${randomBytes(24).toString('base64url')}`;
const newCode = () => Array.from({ length: 6 }, () => PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)]).join('');

/** What crosses the bus: a command for a screen's open stream, or the end of its key. */
export type KioskBusEvent =
  | { screenId: string; type: 'command'; command: { id: string; kind: KioskCommandKind; createdAt: string } }
  | { screenId: string; type: 'revoked' }
  /** Its key was replaced (rotated, re-paired): caches of the old one must go (the beacons'). */
  | { screenId: string; type: 'key' }
  | { screenId: string; type: 'schedule' };

export interface FleetDeps {
  db: Db;
  repo: FleetRepository;
  audit: AuditRepository;
  clock: Clock;
  bus: Bus<KioskBusEvent>;
  /** Whether a campaign exists (a screen or layer may be limited to one). */
  campaignExists: (id: string) => Promise<boolean>;
}

export interface ScreenSettingsInput {
  name: string;
  groupId: string | null;
  campaignId: string | null;
  place: { name: string; lat: number; lng: number } | null;
  orientation: 'landscape' | 'portrait';
  timeZone: string;
  openingHours: ScreenSettings['openingHours'];
}

const HEALTH_ORDER: Record<ScreenHealth, number> = { offline: 0, late: 1, never: 2, ok: 3, revoked: 4 };

export function healthOf(s: Pick<KioskScreenRow, 'revokedAt' | 'lastSeenAt'>, now: Date): ScreenHealth {
  if (s.revokedAt) return 'revoked';
  if (!s.lastSeenAt) return 'never';
  const age = (now.getTime() - s.lastSeenAt.getTime()) / 1000;
  if (age < KIOSK_LIMITS.lateAfterSeconds) return 'ok';
  return age < KIOSK_LIMITS.offlineAfterSeconds ? 'late' : 'offline';
}

export function presentFleetScreen(s: FleetRow, now: Date): KioskFleetScreen {
  const report = s.lastReport ?? null;
  return {
    id: s.id,
    name: s.name,
    health: healthOf(s, now),
    groupId: s.groupId,
    groupName: s.groupName,
    campaignId: s.campaignId,
    place: s.placeName !== null && s.lat !== null && s.lng !== null ? { name: s.placeName, lat: s.lat, lng: s.lng } : null,
    orientation: s.orientation,
    timeZone: s.timeZone,
    openingHours: s.openingHours ?? null,
    lastSeenAt: s.lastSeenAt?.toISOString() ?? null,
    appVersion: s.appVersion,
    storageUsedBytes: s.storageUsedBytes,
    storageQuotaBytes: s.storageQuotaBytes,
    report,
    clockSkewSeconds: report && s.lastSeenAt ? Math.round((Date.parse(report.clock) - s.lastSeenAt.getTime()) / 1000) : null,
    screenshotAt: s.screenshotAt?.toISOString() ?? null,
    keyRotatedAt: s.keyRotatedAt?.toISOString() ?? null,
    revokedAt: s.revokedAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  };
}

const presentCommand = (c: KioskCommandRow) => ({
  id: c.id,
  kind: c.kind,
  createdAt: c.createdAt.toISOString(),
  sentAt: c.sentAt?.toISOString() ?? null,
  doneAt: c.doneAt?.toISOString() ?? null,
  result: c.result,
});

const settingsRow = (s: Partial<ScreenSettingsInput>): Partial<ScreenSettings> => {
  const { place, ...rest } = s;
  return {
    ...rest,
    ...(place === undefined ? {} : { placeName: place?.name ?? null, lat: place?.lat ?? null, lng: place?.lng ?? null }),
  };
};

/**
 * The kiosk fleet (docs/kiosk.md "Screens and their fleet"): pairing by code, device keys
 * (stored hashed, rotated, revoked at once), heartbeats and commands that reach an open screen
 * within a second through its event stream (and wait for it in the table when it is away).
 */
export function createFleetService(deps: FleetDeps) {
  const { repo, clock } = deps;
  /** This process's open screen streams. */
  const streams = new Map<string, Set<SseClient>>();
  let listening: Promise<void> | null = null;

  const deliver = (e: KioskBusEvent) => {
    const set = streams.get(e.screenId);
    if (!set) return;
    for (const c of set) {
      if (e.type === 'command') {
        c.write(sseFrame('command', e.command));
        void repo.markSent([e.command.id], clock.now()).catch(() => {});
      } else if (e.type === 'schedule') {
        c.write(sseFrame('schedule', {}));
      } else if (e.type === 'revoked') {
        c.write(sseFrame('revoked', {}));
        c.close();
      }
    }
  };
  const ensureListening = () => (listening ??= deps.bus.listen(deliver));

  async function checkRefs(s: Partial<ScreenSettingsInput>) {
    if (s.groupId && !(await repo.getGroup(s.groupId))) throw new AppError('kiosk.group_not_found');
    if (s.campaignId && !(await deps.campaignExists(s.campaignId))) throw new AppError('kiosk.campaign_not_found');
  }

  async function screenOr404(id: string): Promise<FleetRow> {
    const s = await repo.getScreen(id);
    if (!s) throw new AppError('kiosk.screen_not_found');
    return s;
  }

  async function pushCommand(actor: Actor | null, screenId: string, kind: KioskCommandKind) {
    const row = await repo.createCommand({ screenId, kind, createdBy: actor?.id ?? null });
    await deps.bus.publish({ screenId, type: 'command', command: { id: row.id, kind: row.kind, createdAt: row.createdAt.toISOString() } });
    return row;
  }

  return {
    // ---- the screen's side: pairing ----
    /** A screen at /kiosk asks for a code to show. */
    async startPairing() {
      const secret = randomBytes(24).toString('base64url');
      const expiresAt = new Date(clock.now().getTime() + KIOSK_LIMITS.pairingMinutes * 60_000);
      // Pairings are only read while they last: whoever asks for a new one clears the day-old ones.
      await repo.deleteExpiredPairings(new Date(clock.now().getTime() - 86_400_000));
      // A clash with a code another screen shows now is rare (31^6 codes); try again.
      for (let i = 0; i < 5; i++) {
        const row = await repo.createPairing({ code: newCode(), secretHash: hashSecret(secret), expiresAt });
        if (row) return { id: row.id, code: row.code, secret, expiresAt: expiresAt.toISOString(), pollSeconds: 3 };
      }
      throw new AppError('server.unavailable');
    },

    /**
     * The waiting screen polls. Once claimed it gets a device key; a poll that comes again
     * (the reply was lost on a weak link) gets a fresh key that replaces the first, until the
     * screen has used one: then the pairing is spent.
     */
    async pollPairing(id: string, secret: string | undefined) {
      const p = await repo.getPairing(id);
      if (!p) throw new AppError('kiosk.pairing_not_found');
      const given = Buffer.from(hashSecret(secret ?? ''), 'hex');
      if (!secret || !timingSafeEqual(given, Buffer.from(p.secretHash, 'hex'))) throw new AppError('kiosk.pairing_secret_invalid');
      const now = clock.now();
      if (p.expiresAt <= now) return { status: 'expired' as const };
      if (!p.screenId || !p.claimedAt) return { status: 'waiting' as const, expiresAt: p.expiresAt.toISOString() };
      const screen = await repo.getScreen(p.screenId);
      if (!screen) return { status: 'expired' as const };
      if (p.deliveredAt && screen.lastSeenAt && screen.lastSeenAt >= p.deliveredAt) return { status: 'expired' as const };
      const key = newKey();
      await deps.db.transaction(async (tx) => {
        await repo.setKeyHash(screen.id, hashSecret(key), now, tx);
        await repo.markDelivered(p.id, now, tx);
      });
      await deps.bus.publish({ screenId: screen.id, type: 'key' });
      return { status: 'paired' as const, key, screen: { id: screen.id, name: screen.name } };
    },

    // ---- the admin's side ----
    async claim(actor: Actor, body: ScreenSettingsInput & { code: string }) {
      assertCan(actor, 'kiosk.manage');
      await checkRefs(body);
      const { code, ...settings } = body;
      const now = clock.now();
      const screen = await deps.db.transaction(async (tx) => {
        const row = await repo.createScreen(settingsRow(settings) as ScreenSettings, tx);
        if (!row) throw new AppError('kiosk.name_taken');
        const claimed = await repo.claimPairing(
          { code, screenId: row.id, at: now, expiresAt: new Date(now.getTime() + KIOSK_LIMITS.pairingMinutes * 60_000) },
          tx,
        );
        if (!claimed) throw new AppError('kiosk.code_unknown');
        await deps.audit.create({ actorId: actor.id, action: 'kiosk.pair', objectType: 'kiosk_screen', objectId: row.id, data: { name: row.name } }, tx);
        return row;
      });
      return presentFleetScreen(await screenOr404(screen.id), now);
    },

    /** Pairs a new device (or the same one after a revoke) to an existing screen. */
    async repair(actor: Actor, screenId: string, code: string) {
      assertCan(actor, 'kiosk.manage');
      const screen = await screenOr404(screenId);
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        const claimed = await repo.claimPairing({ code, screenId, at: now, expiresAt: new Date(now.getTime() + KIOSK_LIMITS.pairingMinutes * 60_000) }, tx);
        if (!claimed) throw new AppError('kiosk.code_unknown');
        await deps.audit.create({ actorId: actor.id, action: 'kiosk.repair', objectType: 'kiosk_screen', objectId: screenId, data: { name: screen.name } }, tx);
      });
      return presentFleetScreen(await screenOr404(screenId), now);
    },

    /**
     * Screens with a place, for the command map (its route checks `command.view`): the desk sees
     * where the newsroom's screens stand and which are down. Revoked screens are left out.
     */
    async placed(): Promise<MapKiosk[]> {
      const now = clock.now();
      return (await repo.listFleet()).flatMap((s) =>
        s.revokedAt || s.placeName === null || s.lat === null || s.lng === null
          ? []
          : [
              {
                id: s.id,
                name: s.name,
                placeName: s.placeName,
                lat: s.lat,
                lng: s.lng,
                health: healthOf(s, now),
                lastSeenAt: s.lastSeenAt?.toISOString() ?? null,
              },
            ],
      );
    },
    async fleet(actor: Actor) {
      assertCan(actor, 'kiosk.manage');
      const now = clock.now();
      return (await repo.listFleet())
        .map((s) => presentFleetScreen(s, now))
        .sort((a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health] || a.name.localeCompare(b.name, 'zh-CN'));
    },
    async screen(actor: Actor, id: string) {
      assertCan(actor, 'kiosk.manage');
      const s = await screenOr404(id);
      return { screen: presentFleetScreen(s, clock.now()), commands: (await repo.recentCommands(id, 20)).map(presentCommand) };
    },
    async update(actor: Actor, id: string, patch: Partial<ScreenSettingsInput>) {
      assertCan(actor, 'kiosk.manage');
      await checkRefs(patch);
      const row = await repo.updateScreen(id, settingsRow(patch)).catch((err: unknown) => {
        if (pgErrorCode(err) === '23505') throw new AppError('kiosk.name_taken');
        throw err;
      });
      if (!row) throw new AppError('kiosk.screen_not_found');
      await deps.audit.create({ actorId: actor.id, action: 'kiosk.update', objectType: 'kiosk_screen', objectId: id, data: { fields: Object.keys(patch) } });
      // Hours, zone and group change what plays: the screen fetches its schedule again.
      await deps.bus.publish({ screenId: id, type: 'schedule' });
      return presentFleetScreen(await screenOr404(id), clock.now());
    },

    /** The key stops working now, on every process, and the screen's open stream is closed. */
    async revoke(actor: Actor, id: string) {
      assertCan(actor, 'kiosk.manage');
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        if (!(await repo.revoke(id, now, tx))) throw new AppError('kiosk.screen_not_found');
        await repo.finishPending({ screenId: id, result: 'revoked', at: now }, tx);
        await deps.audit.create({ actorId: actor.id, action: 'kiosk.revoke', objectType: 'kiosk_screen', objectId: id }, tx);
      });
      await deps.bus.publish({ screenId: id, type: 'revoked' });
      return presentFleetScreen(await screenOr404(id), now);
    },

    async command(actor: Actor, id: string, kind: KioskCommandKind) {
      assertCan(actor, 'kiosk.manage');
      const s = await screenOr404(id);
      if (s.revokedAt) throw new AppError('kiosk.screen_revoked');
      const row = await pushCommand(actor, id, kind);
      await deps.audit.create({ actorId: actor.id, action: 'kiosk.command', objectType: 'kiosk_screen', objectId: id, data: { kind } });
      return presentCommand(row);
    },

    // ---- groups ----
    async groups(actor: Actor) {
      assertCan(actor, 'kiosk.manage');
      return (await repo.listGroups()).map((g) => ({ id: g.id, name: g.name, screens: g.screens, createdAt: g.createdAt.toISOString() }));
    },
    async createGroup(actor: Actor, name: string) {
      assertCan(actor, 'kiosk.manage');
      const g = await repo.createGroup(name);
      if (!g) throw new AppError('kiosk.group_name_taken');
      await deps.audit.create({ actorId: actor.id, action: 'kiosk.group_create', objectType: 'kiosk_group', objectId: g.id, data: { name } });
      return { id: g.id, name: g.name, screens: 0, createdAt: g.createdAt.toISOString() };
    },
    /** Its screens stay, without a group; its layers go with it. */
    async deleteGroup(actor: Actor, id: string) {
      assertCan(actor, 'kiosk.manage');
      const screens = await repo.screenIdsOf({ groupId: id, screenId: null });
      if (!(await repo.deleteGroup(id))) throw new AppError('kiosk.group_not_found');
      await deps.audit.create({ actorId: actor.id, action: 'kiosk.group_delete', objectType: 'kiosk_group', objectId: id });
      for (const screenId of screens) await deps.bus.publish({ screenId, type: 'schedule' });
    },

    // ---- the screen's side, with its key ----
    /** The screen behind a device key; a revoked or unknown key is refused at once. */
    async screenFor(key: string | undefined): Promise<KioskScreenRow> {
      if (!key) throw new AppError('kiosk.key_invalid');
      const screen = await repo.getScreenByKeyHash(hashSecret(key));
      if (!screen) throw new AppError('kiosk.key_invalid');
      return screen;
    },
    async heartbeat(screen: KioskScreenRow, report: KioskReport) {
      const now = clock.now();
      await repo.recordHeartbeat(screen.id, report, now);
      const pending = await repo.pendingCommands(screen.id);
      return {
        serverTime: now.toISOString(),
        heartbeatSeconds: KIOSK_LIMITS.heartbeatSeconds,
        commands: pending.map((c) => ({ id: c.id, kind: c.kind, createdAt: c.createdAt.toISOString() })),
      };
    },
    /** A new key for the screen; the one it used stops working. */
    async rotateKey(screen: KioskScreenRow) {
      const key = newKey();
      const now = clock.now();
      if (!screen.keyHash || !(await repo.rotateKeyHash(screen.id, screen.keyHash, hashSecret(key), now))) throw new AppError('kiosk.key_invalid');
      await repo.finishPending({ screenId: screen.id, kind: 'rotate_key', result: 'ok', at: now });
      await deps.bus.publish({ screenId: screen.id, type: 'key' });
      return { key };
    },
    async commandDone(screen: KioskScreenRow, commandId: string, result: string) {
      const row = await repo.markDone({ id: commandId, screenId: screen.id, result, at: clock.now() });
      if (!row) throw new AppError('kiosk.command_not_found');
      return presentCommand(row);
    },

    /** Attaches an open event stream: pending commands first, then whatever comes. */
    async attach(screen: KioskScreenRow, client: SseClient): Promise<() => void> {
      await ensureListening();
      let set = streams.get(screen.id);
      if (!set) streams.set(screen.id, (set = new Set()));
      set.add(client);
      const now = clock.now();
      client.write(sseFrame('hello', { serverTime: now.toISOString(), screen: { id: screen.id, name: screen.name } }));
      const pending = await repo.pendingCommands(screen.id);
      for (const c of pending) client.write(sseFrame('command', { id: c.id, kind: c.kind, createdAt: c.createdAt.toISOString() }));
      await repo.markSent(
        pending.map((c) => c.id),
        now,
      );
      await repo.touch(screen.id, now);
      const keepAlive = setInterval(() => client.write(': keep-alive\n\n'), 25_000);
      keepAlive.unref();
      return () => {
        clearInterval(keepAlive);
        set.delete(client);
        if (set.size === 0) streams.delete(screen.id);
      };
    },
    /** Tells a screen's open streams that its schedule changed. */
    async scheduleChanged(screenIds: string[]) {
      for (const screenId of screenIds) await deps.bus.publish({ screenId, type: 'schedule' });
    },
    /** Streams open on this process (for tests and the metrics). */
    openStreams: () => [...streams.values()].reduce((n, s) => n + s.size, 0),
    closeAll() {
      for (const set of streams.values()) for (const c of set) c.close();
      streams.clear();
    },
  };
}
export type FleetService = ReturnType<typeof createFleetService>;
