import type { FastifyBaseLogger } from 'fastify';
import type { RainGrabResult, RainScheduleInput, RainSession, RainSessionInput, RainSessionState } from '../../../contracts/rain.js';
import { rawQuery, type Db } from '../../db/client.js';
import type { RainGrabRow, RainSessionRow, UserRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { rainPayJob } from './jobs/rain-pay.job.js';
import type { RainRedis, RedisWin } from './rain.redis.js';
import type { CampaignHistory, DeviceWins, NewRainLog, RainRepository, RainSessionWithStats } from './rain.repository.js';
import { cryptoRandomInt, splitDoubleMean, type RandomInt } from './rain.split.js';
import type { RainTokenClaims, RainTokens } from './rain.token.js';

/** RAIN_MAX_WINS_PER_DEVICE's default (config.ts), for a caller that passes no device limit. */
export const DEFAULT_MAX_WINS_PER_DEVICE = 2;

export interface RainLimits {
  /** Accounts younger than this are refused. */
  minAccountAgeMinutes: number;
  /** Wins by accounts younger than this are held for review. */
  holdAccountAgeHours: number;
  /** A win is held when more than this many accounts have won from one IP in the session. */
  maxWinsPerIp: number;
  /** A win is held when more than this many accounts have won from one device in the session, or in the campaign. */
  maxWinsPerDevice?: number;
  /** The scheduled job splits (and loads into Redis) sessions starting this soon. */
  prepareAheadMinutes: number;
}

export interface RainServiceDeps {
  db: Db;
  repo: RainRepository;
  ledger: LedgerService;
  jobs: JobQueue;
  audit: AuditRepository;
  clock: Clock;
  tokens: RainTokens;
  limits: RainLimits;
  logger: FastifyBaseLogger;
  /** The live grab engine; PostgreSQL does the grab when absent. */
  redis?: RainRedis;
  random?: RandomInt;
}

export interface GrabMeta {
  ip: string | null;
  userAgent: string | null;
  token: string | undefined;
  /** The rain page's device id (localStorage) and coarse fingerprint hash; null from other clients. */
  deviceId: string | null;
  fingerprint: string | null;
}

/** What a win answers: its amount, why it is held (null: it is not), the contributor's campaign total with it. */
interface WinAnswer {
  amountFen: number;
  held: string | null;
  totalWonFen: number;
}

/** Who grabs: the signed-in user, or the contributor a cookie-less grab's token names. */
interface Grabber {
  id: string;
  createdAt: Date;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000; // Asia/Shanghai has had no DST since 1991.
const SESSION_CACHE_MS = 2000;
const LOG_FLUSH_ROWS = 500;
const LOG_FLUSH_MS = 250;
/** Answered wins written to PostgreSQL in one transaction at most, and such transactions at once. */
const WIN_BATCH_MAX = 500;
const WIN_WRITERS = 2;
/** The tick leaves wins this young to the grab that is writing them (settling reconciles everything). */
const RECONCILE_GRACE_MS = 10_000;

export function sessionState(s: Pick<RainSessionRow, 'startsAt' | 'endsAt' | 'settledAt'>, now: Date): RainSessionState {
  if (s.settledAt) return 'settled';
  if (now < s.startsAt) return 'scheduled';
  if (now < s.endsAt) return 'open';
  return 'ended';
}

export function presentSession(s: RainSessionWithStats, now: Date): RainSession {
  return {
    id: s.id,
    campaignId: s.campaignId,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    budgetFen: s.budgetFen,
    packetCount: s.packetCount,
    eligibility: s.eligibility,
    state: sessionState(s, now),
    grantedFen: s.grantedFen,
    grabbedCount: s.grabbedCount,
  };
}

export function presentGrab(g: RainGrabRow, deviceId: string | null = null) {
  return {
    id: g.id,
    sessionId: g.sessionId,
    userId: g.userId,
    packetIdx: g.packetIdx,
    amountFen: g.amountFen,
    wonAt: g.wonAt.toISOString(),
    held: g.held,
    holdReason: g.holdReason,
    releasedAt: g.releasedAt?.toISOString() ?? null,
    transferId: g.transferId,
    deviceId,
  };
}

/** Start instants of a Shanghai-time schedule: `days` days from `firstDay`, at each of `times`. */
export function scheduleStarts(firstDay: string, days: number, times: string[]): Date[] {
  const [y, m, d] = firstDay.split('-').map(Number) as [number, number, number];
  const out: Date[] = [];
  for (let i = 0; i < days; i++) {
    for (const t of [...new Set(times)].sort()) {
      const [hh, mm] = t.split(':').map(Number) as [number, number];
      out.push(new Date(Date.UTC(y, m - 1, d + i, hh, mm) - SHANGHAI_OFFSET_MS));
    }
  }
  return out;
}

export function createRainService(deps: RainServiceDeps) {
  const { db, repo, ledger, jobs, clock, tokens, limits, logger, redis } = deps;
  const random = deps.random ?? cryptoRandomInt;
  const maxWinsPerDevice = limits.maxWinsPerDevice ?? DEFAULT_MAX_WINS_PER_DEVICE;

  // Session rows change only in split_at / settled_at, which the grab path does not read.
  const sessionCache = new Map<string, { row: RainSessionRow; at: number }>();
  const eligibleCache = new Set<string>();
  /** Tokens the rate limiter has just verified, for the grab of the same request. */
  const checkedTokens = new Map<string, RainTokenClaims>();
  let logBuffer: NewRainLog[] = [];
  let logTimer: NodeJS.Timeout | undefined;

  async function flushLog(): Promise<void> {
    if (logTimer) clearTimeout(logTimer);
    logTimer = undefined;
    const rows = logBuffer;
    logBuffer = [];
    if (!rows.length) return;
    await repo.createLog(rows).catch((err: unknown) => logger.error({ err, rows: rows.length }, 'rain: grab log write failed'));
  }

  /** Attempts are written in batches, off the grab's path; a crash may lose the last quarter second of them. */
  function log(row: NewRainLog): void {
    logBuffer.push(row);
    if (logBuffer.length >= LOG_FLUSH_ROWS) void flushLog();
    else if (!logTimer) logTimer = setTimeout(() => void flushLog(), LOG_FLUSH_MS).unref();
  }

  async function session(id: string): Promise<RainSessionRow> {
    const hit = sessionCache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < SESSION_CACHE_MS) return hit.row;
    const row = await repo.get(id);
    if (!row) throw new AppError('rain.session_not_found');
    sessionCache.set(id, { row, at: now });
    return row;
  }

  /** Splits the budget once (the stored split never changes); safe to call concurrently. */
  async function ensureSplit(sessionId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const s = await repo.getForUpdate(sessionId, tx);
      if (!s) throw new AppError('rain.session_not_found');
      if (s.splitAt) return;
      await repo.createPackets(sessionId, splitDoubleMean(s.budgetFen, s.packetCount, random), tx);
      await repo.setSplit(sessionId, clock.now(), tx);
    });
  }

  const ttlFor = (s: RainSessionRow) => Math.max(60, Math.ceil((s.endsAt.getTime() - clock.now().getTime()) / 1000) + 86_400);

  /** Loads the live state from PostgreSQL unless Redis holds it already. */
  async function loadRedis(s: RainSessionRow): Promise<void> {
    if (!redis) return;
    await ensureSplit(s.id);
    if (await redis.isLoaded(s.id)) return;
    const packets = await repo.listPackets(s.id);
    const grabs = await repo.listGrabs(s.id);
    const devices = await repo.grabDevices(s.id);
    await redis.load(s.id, {
      packets: packets.filter((p) => !p.winnerUserId).map((p) => ({ idx: p.idx, amountFen: p.amountFen })),
      winners: grabs.map((g) => ({
        userId: g.userId,
        idx: g.packetIdx,
        amountFen: g.amountFen,
        wonAt: g.wonAt,
        ip: g.ip,
        deviceId: devices.get(g.id) ?? null,
      })),
      ttlSeconds: ttlFor(s),
    });
  }

  /** Accounts that have won from a device in the campaign, counting this one: its session's count (this win included) plus the other sessions' accounts. */
  const deviceAccounts = (userId: string, inSessionWithThis: number, d: DeviceWins | undefined) =>
    inSessionWithThis + (d?.elsewhere.filter((u) => u !== userId).length ?? 0);

  /** Why a win is held for review, or null: the rules of docs/rain.md, "Anti-abuse", at the time it was won. */
  function holdReason(accountCreatedAt: Date, facts: { ipWins: number; deviceAccounts: number }, at: Date): string | null {
    if (at.getTime() - accountCreatedAt.getTime() < limits.holdAccountAgeHours * 3600_000) return 'new_account';
    if (facts.ipWins > limits.maxWinsPerIp) return 'ip_cluster';
    if (facts.deviceAccounts > maxWinsPerDevice) return 'device_cluster';
    return null;
  }

  /** The hold rules for a win Redis granted, from what PostgreSQL holds now (reconciliation). */
  async function holdFromRecords(s: RainSessionRow, win: RedisWin, accountCreatedAt: Date): Promise<string | null> {
    const ipWins = win.ip ? (await repo.countWinsFromIp(s.id, win.ip, db)) + 1 : 0;
    const d = win.deviceId
      ? (await repo.deviceWins([{ campaignId: s.campaignId, sessionId: s.id, deviceId: win.deviceId }])).get(`${s.id}:${win.deviceId}`)
      : undefined;
    return holdReason(accountCreatedAt, { ipWins, deviceAccounts: win.deviceId ? deviceAccounts(win.userId, (d?.inSession ?? 0) + 1, d) : 0 }, win.wonAt);
  }

  /**
   * Writes a win to PostgreSQL with its payment job in the same transaction. Idempotent: a win
   * already recorded (by the grab or by reconciliation) is returned as it is.
   */
  async function recordWin(s: RainSessionRow, win: RedisWin, held: string | null, source: 'redis' | 'reconcile'): Promise<RainGrabRow | undefined> {
    return db.transaction(async (tx) => {
      const made = await repo.createGrab(
        {
          sessionId: s.id,
          userId: win.userId,
          packetIdx: win.idx,
          amountFen: win.amountFen,
          wonAt: win.wonAt,
          ip: win.ip,
          deviceId: win.deviceId,
          source,
          held: !!held,
          holdReason: held,
        },
        tx,
      );
      if (!made) {
        const existing = await repo.getGrabByUser(s.id, win.userId, tx);
        if (existing?.packetIdx !== win.idx) logger.error({ sessionId: s.id, win, existing }, 'rain: Redis and PostgreSQL disagree on a win');
        return existing;
      }
      if (!(await repo.markPacketWon({ sessionId: s.id, idx: win.idx, userId: win.userId, wonAt: win.wonAt, grabId: made.id }, tx))) {
        throw new Error(`rain: packet ${win.idx} of ${s.id} is already won in PostgreSQL`);
      }
      if (!made.held) await jobs.send('rain.pay', { grabId: made.id }, { tx, singletonKey: made.id });
      return made;
    });
  }

  /** Enqueues many payments in one statement inside `tx` (pg-boss `insert`; `send` costs a round trip each). */
  async function sendPayJobs(grabIds: string[], tx: Db): Promise<void> {
    if (!grabIds.length) return;
    await jobs.raw.insert(
      grabIds.map((grabId) => ({ name: rainPayJob.name, data: rainPayJob.payload.parse({ grabId }), singletonKey: grabId })),
      { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: rowsOf(await tx.execute(rawQuery(text, values))) }) } },
    );
  }

  /**
   * What the campaign's other sessions had recorded when this session's first grab in this
   * process came: each contributor's rain total and the accounts that won from each device.
   * One query per session and process instead of one per grab; a session of the same campaign
   * open at the same time is not in it (its wins count once they are in PostgreSQL).
   */
  const snapshots = new Map<string, { endsAt: number; value: Promise<CampaignHistory> }>();
  function history(s: RainSessionRow): Promise<CampaignHistory> {
    const hit = snapshots.get(s.id);
    if (hit) return hit.value;
    const now = Date.now();
    for (const [id, snap] of snapshots) if (snap.endsAt + 60_000 < now) snapshots.delete(id);
    // This process's answered wins first, so the snapshot holds everything it has answered.
    const value = flushWins().then(() => repo.campaignHistory(s.campaignId, s.id));
    value.catch(() => snapshots.delete(s.id));
    snapshots.set(s.id, { endsAt: s.endsAt.getTime(), value });
    return value;
  }

  interface PendingWin {
    s: RainSessionRow;
    win: RedisWin;
    held: string | null;
  }
  const winQueue: PendingWin[] = [];
  let winWriters = 0;
  let drained: { promise: Promise<void>; resolve(): void } | undefined;

  /**
   * Write-behind with group commit: a win Redis granted is answered at once and queued here;
   * writers take every waiting win (up to WIN_BATCH_MAX) into one transaction of rows, packets
   * and payment jobs. Redis holds the win meanwhile, so a crash before the write loses nothing:
   * reconciliation (each minute, and when settling) records it (docs/rain.md, "Grabbing").
   */
  function queueWin(p: PendingWin): void {
    winQueue.push(p);
    if (winWriters < WIN_WRITERS) void writeWins();
  }

  async function writeWins(): Promise<void> {
    winWriters++;
    try {
      while (winQueue.length) {
        const batch = winQueue.splice(0, WIN_BATCH_MAX);
        try {
          await writeWinBatch(batch);
        } catch (err) {
          // One bad win (a packet PostgreSQL already gave away) must not hold up the others:
          // each is written again in a transaction of its own, which fails alone if it must.
          if (batch.length > 1) logger.warn({ err, wins: batch.length }, 'rain: batched win write failed; writing one by one');
          for (const p of batch) {
            await recordWin(p.s, p.win, p.held, 'redis').catch((e: unknown) =>
              logger.error({ err: e, sessionId: p.s.id, win: p.win }, 'rain: win not written; Redis keeps it for reconciliation'),
            );
          }
        }
      }
    } finally {
      winWriters--;
      if (!winWriters && !winQueue.length && drained) {
        drained.resolve();
        drained = undefined;
      }
    }
  }

  /** Resolves once every win this process has answered is written (or has failed and been logged). */
  function flushWins(): Promise<void> {
    if (!winWriters && !winQueue.length) return Promise.resolve();
    if (!drained) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      drained = { promise, resolve };
    }
    return drained.promise;
  }

  async function writeWinBatch(batch: PendingWin[]): Promise<void> {
    await db.transaction(async (tx) => {
      const made = await repo.createGrabs(
        batch.map((p) => ({
          sessionId: p.s.id,
          userId: p.win.userId,
          packetIdx: p.win.idx,
          amountFen: p.win.amountFen,
          wonAt: p.win.wonAt,
          ip: p.win.ip,
          deviceId: p.win.deviceId,
          source: 'redis' as const,
          held: !!p.held,
          holdReason: p.held,
        })),
        tx,
      );
      const marked = await repo.markPacketsWon(
        made.map((g) => ({ sessionId: g.sessionId, idx: g.packetIdx, userId: g.userId, wonAt: g.wonAt, grabId: g.id })),
        tx,
      );
      if (marked !== made.length) throw new Error(`rain: ${made.length - marked} packet(s) of a batch already won in PostgreSQL`);
      await sendPayJobs(
        made.filter((g) => !g.held).map((g) => g.id),
        tx,
      );
      if (made.length === batch.length) return;
      // Not inserted: already recorded (by reconciliation), or Redis and PostgreSQL disagree.
      const inserted = new Set(made.map((g) => `${g.sessionId}:${g.userId}`));
      for (const p of batch) {
        if (inserted.has(`${p.s.id}:${p.win.userId}`)) continue;
        const existing = await repo.getGrabByUser(p.s.id, p.win.userId, tx);
        if (existing?.packetIdx !== p.win.idx) logger.error({ sessionId: p.s.id, win: p.win, existing }, 'rain: Redis and PostgreSQL disagree on a win');
      }
    });
  }

  async function grabWithRedis(s: RainSessionRow, who: Grabber, meta: GrabMeta, now: Date): Promise<WinAnswer> {
    let out = await redis!.grab(s.id, who.id, meta.ip, now, meta.deviceId);
    if (out.kind === 'not_loaded') {
      await loadRedis(s);
      out = await redis!.grab(s.id, who.id, meta.ip, now, meta.deviceId);
    }
    if (out.kind === 'not_loaded') throw new AppError('server.unavailable');
    if (out.kind === 'empty') throw new AppError('rain.no_packets_left');
    if (out.kind === 'already') throw new AppError('rain.already_grabbed', {}, { details: { amountFen: out.win.amountFen } });
    const { win } = out;
    const past = await history(s);
    const onDevice = win.deviceId ? deviceAccounts(win.userId, out.deviceWins, { inSession: 0, elsewhere: past.devices.get(win.deviceId) ?? [] }) : 0;
    const held = holdReason(who.createdAt, { ipWins: out.ipWins, deviceAccounts: onDevice }, win.wonAt);
    queueWin({ s, win, held });
    return { amountFen: win.amountFen, held, totalWonFen: (past.totals.get(win.userId) ?? 0) + win.amountFen };
  }

  async function grabWithPostgres(s: RainSessionRow, who: Grabber, meta: GrabMeta, now: Date): Promise<WinAnswer> {
    if (!s.splitAt) await ensureSplit(s.id);
    const prior = await repo.getGrabByUser(s.id, who.id);
    if (prior) throw new AppError('rain.already_grabbed', {}, { details: { amountFen: prior.amountFen } });
    try {
      return await db.transaction(async (tx) => {
        const packet = (await repo.lockUnclaimed(s.id, true, tx)) ?? (await repo.lockUnclaimed(s.id, false, tx));
        if (!packet) throw new AppError('rain.no_packets_left');
        const ipWins = meta.ip ? (await repo.countWinsFromIp(s.id, meta.ip, tx)) + 1 : 0;
        let onDevice = 0;
        if (meta.deviceId) {
          const d = (await repo.deviceWins([{ campaignId: s.campaignId, sessionId: s.id, deviceId: meta.deviceId }], tx)).get(`${s.id}:${meta.deviceId}`);
          onDevice = deviceAccounts(who.id, (d?.inSession ?? 0) + 1, d);
        }
        const held = holdReason(who.createdAt, { ipWins, deviceAccounts: onDevice }, now);
        const made = await repo.createGrab(
          {
            sessionId: s.id,
            userId: who.id,
            packetIdx: packet.idx,
            amountFen: packet.amountFen,
            wonAt: now,
            ip: meta.ip,
            deviceId: meta.deviceId,
            source: 'postgres',
            held: !!held,
            holdReason: held,
          },
          tx,
        );
        // The (session, user) constraint is the one that can conflict here: the packet is locked.
        if (!made) throw new AppError('rain.already_grabbed');
        await repo.markPacketWon({ sessionId: s.id, idx: packet.idx, userId: who.id, wonAt: now, grabId: made.id }, tx);
        if (!made.held) await jobs.send('rain.pay', { grabId: made.id }, { tx, singletonKey: made.id });
        // Read in the transaction: once it commits, the answer needs no further connection
        // (a busy pool could refuse one, and a recorded win must not answer 500).
        return { amountFen: made.amountFen, held: made.holdReason, totalWonFen: await repo.totalWon(who.id, s.campaignId, tx) };
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'rain.already_grabbed' && !err.details) {
        const g = await repo.getGrabByUser(s.id, who.id);
        throw new AppError('rain.already_grabbed', {}, { details: { amountFen: g?.amountFen } });
      }
      throw err;
    }
  }

  async function checkEligible(s: RainSessionRow, who: Grabber, claims: RainTokenClaims | null, now: Date): Promise<void> {
    const state = sessionState(s, now);
    if (state !== 'open') throw new AppError('rain.not_open', { state });
    if (claims?.userId !== who.id) throw new AppError('rain.bad_token');
    if (now.getTime() - who.createdAt.getTime() < limits.minAccountAgeMinutes * 60_000)
      throw new AppError('rain.account_too_new', { minutes: limits.minAccountAgeMinutes });
    // Membership was checked when the token was issued, and membership never ends: a valid
    // token is proof enough, and spares every grab a query.
    if (!s.eligibility.requireSubmission) return;
    const key = `${s.id}:${who.id}`;
    if (eligibleCache.has(key)) return;
    if (!(await repo.hasSubmission(s.campaignId, who.id))) throw new AppError('rain.submission_required');
    if (eligibleCache.size > 100_000) eligibleCache.clear();
    eligibleCache.add(key);
  }

  /** Pays one win once (ledger key `rain:<session>:<user>`); a held win waits for release. */
  async function pay(grabId: string): Promise<'paid' | 'already' | 'held' | 'missing'> {
    return db.transaction(async (tx) => {
      const g = await repo.getGrabForUpdate(grabId, tx);
      if (!g) return 'missing';
      if (g.transferId) return 'already';
      if (g.held && !g.releasedAt) return 'held';
      const s = await repo.get(g.sessionId, tx);
      if (!s) return 'missing';
      const expense = await ledger.systemAccount('red_packet_expense', s.campaignId, tx);
      const contributor = await ledger.ensureContributorAccount(g.userId, tx);
      const t = await ledger.post(
        {
          idempotencyKey: `rain:${g.sessionId}:${g.userId}`,
          kind: 'red_packet',
          entries: [
            { accountId: expense.id, amountFen: -g.amountFen },
            { accountId: contributor.id, amountFen: g.amountFen },
          ],
          refs: { sessionId: g.sessionId, campaignId: s.campaignId, grabId: g.id, packetIdx: g.packetIdx },
          memo: '红包雨 red-packet rain',
        },
        tx,
      );
      await repo.setTransfer(g.id, t.id, tx);
      return 'paid';
    });
  }

  /**
   * Makes PostgreSQL hold every win Redis holds, and Redis hold the live state when it lost it.
   * Safe at any time, repeatedly, and while grabs go on.
   */
  async function reconcile(sessionId: string, opts: { graceMs?: number } = {}): Promise<{ recorded: number }> {
    await flushWins();
    const s = await repo.get(sessionId);
    if (!s) throw new AppError('rain.session_not_found');
    if (!redis || !s.splitAt) return { recorded: 0 };
    if (!(await redis.isLoaded(s.id))) {
      // Redis lost the session: PostgreSQL's record is all there is; rebuild from it.
      if (!s.settledAt) await loadRedis(s);
      return { recorded: 0 };
    }
    const inPg = new Set((await repo.listGrabs(s.id)).map((g) => g.userId));
    let recorded = 0;
    // A win younger than the grace is most likely still on its way through a grab's group commit.
    const before = clock.now().getTime() - (opts.graceMs ?? 0);
    const missing = (await redis.winners(s.id))
      .filter((w) => !inPg.has(w.userId) && w.wonAt.getTime() <= before)
      .sort((a, b) => a.wonAt.getTime() - b.wonAt.getTime());
    const created = await repo.accountsCreatedAt(missing.map((w) => w.userId));
    for (const w of missing) {
      // The hold rules are applied again, in the order the wins happened, from what PostgreSQL
      // has recorded by then.
      const held = await holdFromRecords(s, w, created.get(w.userId) ?? new Date(0));
      const g = await recordWin(s, w, held, 'reconcile');
      if (g?.source === 'reconcile') recorded++;
    }
    if (recorded) logger.warn({ sessionId, recorded }, 'rain: recorded wins Redis had and PostgreSQL lacked');
    return { recorded };
  }

  async function settle(sessionId: string): Promise<{ settled: boolean; paid: number; held: number; grantedFen: number; ledgerFen: number }> {
    const s = await repo.get(sessionId);
    if (!s) throw new AppError('rain.session_not_found');
    const now = clock.now();
    if (now < s.endsAt) return { settled: false, paid: 0, held: 0, grantedFen: 0, ledgerFen: 0 };
    await reconcile(s.id);
    let paid = 0;
    let held = 0;
    let grantedFen = 0;
    for (const g of await repo.listGrabs(s.id)) {
      grantedFen += g.amountFen;
      if (g.transferId) continue;
      const r = await pay(g.id);
      if (r === 'paid') paid++;
      if (r === 'held') held++;
    }
    await repo.setSettled(s.id, clock.now());
    sessionCache.delete(s.id);
    return { settled: true, paid, held, grantedFen, ledgerFen: await repo.ledgerTotal(s.id) };
  }

  return {
    ensureSplit,
    loadRedis,
    reconcile,
    pay,
    settle,
    flushLog,
    flushWins,
    get usesRedis() {
      return !!redis;
    },

    async createSchedule(actor: Actor, campaignId: string, input: RainScheduleInput): Promise<RainSession[]> {
      assertCan(actor, 'rain.manage');
      const starts = scheduleStarts(input.firstDay, input.days, input.times);
      return createMany(actor, campaignId, starts, input);
    },

    async createSession(actor: Actor, campaignId: string, input: RainSessionInput): Promise<RainSession> {
      assertCan(actor, 'rain.manage');
      const [made] = await createMany(actor, campaignId, [new Date(input.startsAt)], input);
      if (!made) throw new AppError('rain.session_exists');
      return made;
    },

    async list(campaignId: string): Promise<RainSession[]> {
      const now = clock.now();
      return (await repo.listByCampaign(campaignId)).map((s) => presentSession(s, now));
    },

    async get(id: string): Promise<RainSession> {
      const s = await repo.getWithStats(id);
      if (!s) throw new AppError('rain.session_not_found');
      return presentSession(s, clock.now());
    },

    async issueToken(actor: UserRow, sessionId: string): Promise<{ token: string; expiresAt: string }> {
      assertCan(actor, 'rain.grab');
      const s = await session(sessionId);
      if (sessionState(s, clock.now()) === 'ended' || s.settledAt) throw new AppError('rain.not_open', { state: sessionState(s, clock.now()) });
      if (!(await repo.isMember(s.campaignId, actor.id))) throw new AppError('rain.not_eligible');
      const expiresAt = new Date(s.endsAt.getTime() + 60_000);
      return { token: tokens.issue(s.id, actor, expiresAt), expiresAt: expiresAt.toISOString() };
    },

    /** The contributor a grab token names, if it is valid for this session (the per-account rate limit keys on it). */
    tokenUser(token: string | undefined, sessionId: string): string | null {
      const claims = tokens.read(token, sessionId, clock.now());
      // The grab that follows in the same request reads it again: spare it the second HMAC.
      if (token && claims) {
        if (checkedTokens.size >= 10_000) checkedTokens.clear();
        checkedTokens.set(`${sessionId}:${token}`, claims);
      }
      return claims?.userId ?? null;
    },

    /**
     * One grab by the signed-in `actor`, or, when the request came without the session cookie,
     * by the contributor its token names (docs/rain.md, "Grabbing").
     */
    async grab(actor: UserRow | null, sessionId: string, meta: GrabMeta): Promise<RainGrabResult> {
      const now = clock.now();
      const checked = meta.token ? checkedTokens.get(`${sessionId}:${meta.token}`) : undefined;
      if (checked) checkedTokens.delete(`${sessionId}:${meta.token}`);
      const claims = checked && checked.expiresAt.getTime() >= now.getTime() ? checked : tokens.read(meta.token, sessionId, now);
      // Neither cookie nor a valid token: not signed in, or a token that is stale or not this session's.
      if (!actor && !claims) throw new AppError(meta.token ? 'rain.bad_token' : 'auth.required');
      const who: Grabber = actor ? { id: actor.id, createdAt: actor.createdAt } : { id: claims!.userId, createdAt: claims!.accountCreatedAt };
      const base = {
        sessionId,
        userId: who.id,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
        deviceId: meta.deviceId,
        fingerprint: meta.fingerprint,
        at: now,
      };
      try {
        if (actor) assertCan(actor, 'rain.grab');
        const s = await session(sessionId);
        await checkEligible(s, who, claims, now);
        const won = redis ? await grabWithRedis(s, who, meta, now) : await grabWithPostgres(s, who, meta, now);
        log({ ...base, outcome: won.held ? `won_held:${won.held}` : 'won', amountFen: won.amountFen });
        return { won: true, amountFen: won.amountFen, totalWonFen: won.totalWonFen, held: !!won.held };
      } catch (err) {
        log({ ...base, outcome: err instanceof AppError ? err.code : 'error', amountFen: null });
        throw err;
      }
    },

    async release(actor: Actor, grabId: string) {
      assertCan(actor, 'rain.manage');
      const g = await db.transaction(async (tx) => {
        const found = await repo.getGrabForUpdate(grabId, tx);
        if (!found) throw new AppError('rain.grab_not_found');
        if (!found.held) throw new AppError('rain.not_held');
        await repo.release(grabId, actor.id, clock.now(), tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'rain.release',
            objectType: 'rain_grab',
            objectId: grabId,
            data: { sessionId: found.sessionId, amountFen: found.amountFen, holdReason: found.holdReason },
          },
          tx,
        );
        return found;
      });
      await pay(g.id);
      return presentGrab((await repo.getGrab(grabId))!, await repo.grabDevice(grabId));
    },

    /** For the admin view and tests: the wins recorded in PostgreSQL, this process's answered ones included. */
    async listGrabs(sessionId: string) {
      await flushWins();
      return repo.listGrabs(sessionId);
    },

    /** The admin's view of a session's wins: held ones first, then newest. */
    async adminGrabs(actor: Actor, sessionId: string) {
      assertCan(actor, 'rain.manage');
      await flushWins();
      const grabs = await repo.listGrabs(sessionId);
      const devices = await repo.grabDevices(sessionId);
      return grabs
        .map((g) => presentGrab(g, devices.get(g.id) ?? null))
        .sort((a, b) => Number(b.held && !b.releasedAt) - Number(a.held && !a.releasedAt) || b.wonAt.localeCompare(a.wonAt));
    },
    ledgerTotal: (sessionId: string) => repo.ledgerTotal(sessionId),

    /** The scheduled tick: split and load sessions about to start, catch up open ones, settle ended ones. */
    async tick(): Promise<{ prepared: number; reconciled: number; settling: number }> {
      const now = clock.now();
      const soon = new Date(now.getTime() + limits.prepareAheadMinutes * 60_000);
      let prepared = 0;
      let reconciled = 0;
      for (const s of await repo.listActive(now, soon)) {
        if (redis) await loadRedis(s);
        else await ensureSplit(s.id);
        prepared++;
        if (now >= s.startsAt) {
          await reconcile(s.id, { graceMs: RECONCILE_GRACE_MS });
          reconciled++;
        }
      }
      const ended = await repo.listToSettle(now);
      for (const s of ended) await jobs.send('rain.settle', { sessionId: s.id }, { singletonKey: s.id });
      await flushLog();
      return { prepared, reconciled, settling: ended.length };
    },
  };

  async function createMany(
    actor: Actor,
    campaignId: string,
    starts: Date[],
    input: { durationSeconds: number; budgetFen: number; packetCount: number; eligibility: RainSessionRow['eligibility'] },
  ): Promise<RainSession[]> {
    const made = await db
      .transaction(async (tx) => {
        const rows = await repo.createSessions(
          starts.map((startsAt) => ({
            campaignId,
            startsAt,
            endsAt: new Date(startsAt.getTime() + input.durationSeconds * 1000),
            budgetFen: input.budgetFen,
            packetCount: input.packetCount,
            eligibility: input.eligibility,
            createdBy: actor.id,
          })),
          tx,
        );
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'rain.schedule',
            objectType: 'campaign',
            objectId: campaignId,
            data: { sessions: rows.length, budgetFen: input.budgetFen, packetCount: input.packetCount },
          },
          tx,
        );
        return rows;
      })
      .catch((err: unknown) => {
        if (findFk(err)) throw new AppError('campaign.not_found', {}, { cause: err });
        throw err;
      });
    const now = clock.now();
    return made.map((s) => presentSession({ ...s, grantedFen: 0, grabbedCount: 0 }, now));
  }
}

const rowsOf = (r: unknown): unknown[] => (r as { rows?: unknown[] }).rows ?? (r as unknown[]);

function findFk(err: unknown): boolean {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    if ((cur as { code?: unknown }).code === '23503') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export type RainService = ReturnType<typeof createRainService>;
