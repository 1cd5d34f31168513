import type { FastifyBaseLogger } from 'fastify';
import type { MyRainWin, RainGrabResult, RainScheduleInput, RainSession, RainSessionInput, RainSessionState } from '../../../contracts/rain.js';
import { rawQuery, type Db } from '../../db/client.js';
import type { RainGrabRow, RainSessionRow, UserRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isIntegrityViolation, pgErrorCode } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { NewNotice } from '../propagation/propagation.repository.js';
import { rainPayJob } from './jobs/rain-pay.job.js';
import type { GrabParams, RainEvent, RainRedis, RedisWin } from './rain.redis.js';
import type { CampaignHistory, DeviceWins, NewRainLog, RainRepository, RainSessionWithStats } from './rain.repository.js';
import { cryptoRandomInt, splitDoubleMean, type RandomInt } from './rain.split.js';
import type { RainTokenClaims, RainTokens } from './rain.token.js';
import { createRateWindows, type RateWindows } from './rain.windows.js';

/** RAIN_MAX_WINS_PER_DEVICE's default (config.ts), for a caller that passes no device limit. */
export const DEFAULT_MAX_WINS_PER_DEVICE = 2;
/** RAIN_MAX_WAITING_GRABS's default. */
const DEFAULT_MAX_WAITING_GRABS = 200;

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
  /**
   * Grab attempts per GRAB_WINDOW_MS from one address and from one account, and grabs with a bad
   * or missing token from one address. Counted here, so both the fast path and the Fastify route
   * meet them: on Redis in the grab script (and, for a refusal before it, one more call); without
   * Redis in this process's windows. Unset or 0: no limit.
   */
  grabRatePerIp?: number;
  grabRatePerAccount?: number;
  badTokensPerIp?: number;
  /** PostgreSQL path: grabs in flight beyond this are refused at once with `rain.busy` (503). */
  maxWaitingGrabs?: number;
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
  /** The rate windows without Redis (tests hand in their own clock). */
  windows?: RateWindows;
  /** Tells the winner of a held win, its release or refusal, inside the same transaction (notices.service `notify`). */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
}

/** Notice dedupe keys of a held win: one each for held, released, refused. */
export const rainNoticeKey = (what: 'held' | 'released' | 'refused', grabId: string) => `rain-${what}:${grabId}`;

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
/** Events of a session's Redis stream written to PostgreSQL in one transaction at most. */
const DRAIN_BATCH = 1000;
/** The writer's pause when no stream has anything, after a failure, and between refreshes of the session list. */
const DRAIN_IDLE_MS = 100;
const DRAIN_RETRY_MS = 1000;
const DRAIN_LIST_MS = 5000;
/** A session's stream is drained this long after it ends (settling drains it too). */
const DRAIN_AFTER_END_MS = 15 * 60_000;
/** flushWins writes at most this many batches per session (the worker's writer takes the rest). */
const FLUSH_MAX_PASSES = 20;
/** The tick leaves wins this young to the worker's writer (settling reconciles everything). */
const RECONCILE_GRACE_MS = 10_000;
/** The per-IP and per-account grab rates count attempts in windows of this length. */
export const GRAB_WINDOW_MS = 10_000;

/** Refusals that need no log row from the web process: the grab script logged them in its stream, or they were rate limited. */
const skipped = new WeakSet<AppError>();
function skipLog(err: AppError): AppError {
  skipped.add(err);
  return err;
}

const rateLimited = (waitMs: number) => skipLog(new AppError('request.rate_limited', { seconds: Math.max(1, Math.ceil(waitMs / 1000)) }, { status: 429 }));
/** Refusals that say the grab named nobody: no cookie and no token, or a token that is forged, stale or another session's. */
const BAD_CREDENTIALS = new Set(['rain.bad_token', 'auth.required']);

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

export function presentGrab(g: RainGrabRow, refusedAt: Date | null = null) {
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
    deviceId: g.deviceId,
    refusedAt: refusedAt?.toISOString() ?? null,
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
  const windows = deps.windows ?? createRateWindows();

  // Session rows change only in split_at / settled_at, which the grab path does not read.
  const sessionCache = new Map<string, { row: Promise<RainSessionRow>; at: number }>();
  const eligibleCache = new Set<string>();
  let pgGrabsInFlight = 0;
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

  /** The session's row, read at most once per SESSION_CACHE_MS per process: a burst of grabs shares one read. */
  function session(id: string): Promise<RainSessionRow> {
    const hit = sessionCache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < SESSION_CACHE_MS) return hit.row;
    const row = repo.get(id).then((r) => {
      if (!r) throw new AppError('rain.session_not_found');
      return r;
    });
    sessionCache.set(id, { row, at: now });
    // Not found or failed: not remembered (unknown ids would fill the cache, and a failure must not stick).
    row.catch(() => {
      if (sessionCache.get(id)?.row === row) sessionCache.delete(id);
    });
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
    // On Redis a packet's winner is in rain_grabs (rain_packets says so once the session settles).
    const packets = await repo.listPackets(s.id);
    const grabs = await repo.listGrabs(s.id);
    const won = new Set(grabs.map((g) => g.packetIdx));
    await redis.load(s.id, {
      packets: packets.filter((p) => !p.winnerUserId && !won.has(p.idx)).map((p) => ({ idx: p.idx, amountFen: p.amountFen })),
      winners: grabs.map((g) => ({
        userId: g.userId,
        idx: g.packetIdx,
        amountFen: g.amountFen,
        wonAt: g.wonAt,
        ip: g.ip,
        deviceId: g.deviceId,
        holdReason: g.holdReason,
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
   * Writes wins Redis granted to PostgreSQL in `tx`: their rows and the payment jobs of those
   * not held, due when the session ends. Idempotent: a win already recorded (by an earlier write
   * of the same event, or by reconciliation) is skipped; so is one whose packet PostgreSQL
   * records as someone else's (Redis and PostgreSQL disagree: a failover to a lagging copy could
   * do it), which is logged as an error and stays in Redis for review. The packets' own winner
   * columns are filled in when the session settles (one statement instead of one per win).
   */
  async function writeWins(
    wins: { win: RedisWin; held: string | null; source: 'redis' | 'reconcile' }[],
    s: Pick<RainSessionRow, 'id' | 'endsAt'>,
    tx: Db,
  ): Promise<RainGrabRow[]> {
    const sessionId = s.id;
    if (!wins.length) return [];
    const made = await repo.createGrabs(
      wins.map(({ win, held, source }) => ({
        sessionId,
        userId: win.userId,
        packetIdx: win.idx,
        amountFen: win.amountFen,
        wonAt: win.wonAt,
        ip: win.ip,
        deviceId: win.deviceId,
        source,
        held: !!held,
        holdReason: held,
      })),
      tx,
    );
    await sendPayJobs(
      made.filter((g) => !g.held).map((g) => g.id),
      s.endsAt,
      tx,
    );
    for (const g of made.filter((w) => w.held)) await notifyHeld(g, tx);
    if (made.length < wins.length) {
      // Not inserted: already recorded, which is only right if it is the same packet.
      const inserted = new Set(made.map((g) => g.userId));
      for (const { win } of wins) {
        if (inserted.has(win.userId)) continue;
        const existing = await repo.getGrabByUser(sessionId, win.userId, tx);
        if (existing?.packetIdx !== win.idx) logger.error({ sessionId, win, existing }, 'rain: Redis and PostgreSQL disagree on a win');
      }
    }
    return made;
  }

  /** A held win tells its winner at once (it is not paid at the session's end like the others). */
  async function notifyHeld(g: RainGrabRow, tx: Db): Promise<void> {
    await deps.notify?.(
      {
        userId: g.userId,
        kind: 'rain_held',
        submissionId: null,
        params: { amountFen: g.amountFen, sessionId: g.sessionId },
        dedupeKey: rainNoticeKey('held', g.id),
      },
      tx,
    );
  }

  /** Writes one win in a transaction of its own (reconciliation); the row recorded for it, or undefined when PostgreSQL disagrees. */
  async function recordWin(s: RainSessionRow, win: RedisWin, held: string | null): Promise<RainGrabRow | undefined> {
    return db.transaction(async (tx) => {
      const [made] = await writeWins([{ win, held, source: 'reconcile' }], s, tx);
      return made ?? repo.getGrabByUser(s.id, win.userId, tx);
    });
  }

  /**
   * Enqueues many payments in one statement inside `tx` (pg-boss `insert`; `send` costs a round
   * trip each), due at `after`: a session's payments wait for its end, so the ledger's writes
   * follow the burst instead of competing with it (docs/rain.md, "Payment").
   */
  async function sendPayJobs(grabIds: string[], after: Date, tx: Db): Promise<void> {
    if (!grabIds.length) return;
    await jobs.raw.insert(
      grabIds.map((grabId) => ({ name: rainPayJob.name, data: rainPayJob.payload.parse({ grabId }), singletonKey: grabId, startAfter: after })),
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
    const value = repo.campaignHistory(s.campaignId, s.id);
    value.catch(() => snapshots.delete(s.id));
    snapshots.set(s.id, { endsAt: s.endsAt.getTime(), value });
    return value;
  }

  /** Sessions this process has grabbed in, with their end: drained by this process's worker too, and by flushWins(). */
  const touched = new Map<string, number>();
  /** One drain per session at a time in this process (the worker's loop, settling, an admin's read). */
  const draining = new Map<string, Promise<number>>();

  const logOf = (sessionId: string, e: RainEvent): NewRainLog => ({
    sessionId,
    userId: e.userId,
    ip: e.ip,
    userAgent: e.userAgent,
    deviceId: e.deviceId,
    fingerprint: e.fingerprint,
    at: e.at,
    outcome:
      e.outcome === 'won'
        ? e.win?.holdReason
          ? `won_held:${e.win.holdReason}`
          : 'won'
        : e.outcome === 'already'
          ? 'rain.already_grabbed'
          : 'rain.no_packets_left',
    amountFen: e.outcome === 'won' ? (e.win?.amountFen ?? null) : null,
    eventId: e.id,
  });
  const winsOf = (events: RainEvent[]) =>
    events.flatMap((e) => (e.outcome === 'won' && e.win ? [{ win: e.win, held: e.win.holdReason ?? null, source: 'redis' as const }] : []));

  /**
   * Writes one batch of a session's stream to PostgreSQL (wins with their payment jobs, and the
   * log of every attempt, in one transaction) and acknowledges it; the number of events read.
   * A batch that PostgreSQL refuses for an integrity violation (a win whose account is gone, say)
   * is written event by event, so one bad event holds up no other: that one is logged as an
   * error and left to Redis and reconciliation. Any other failure leaves the batch
   * unacknowledged: it is taken up again after CLAIM_IDLE_MS (every write here is idempotent).
   */
  async function drainOnce(sessionId: string): Promise<number> {
    const read = await redis!.readEvents(sessionId, DRAIN_BATCH);
    if (!read.length) return 0;
    const s = await session(sessionId);
    const events = read.filter((e): e is RainEvent => !('invalid' in e));
    if (events.length < read.length)
      logger.error({ sessionId, ids: read.filter((e) => 'invalid' in e).map((e) => e.id) }, 'rain: unreadable grab events skipped');
    try {
      await db.transaction(async (tx) => {
        await writeWins(winsOf(events), s, tx);
        await repo.createLog(
          events.map((e) => logOf(sessionId, e)),
          tx,
        );
      });
    } catch (err) {
      if (!isIntegrityViolation(err)) throw err;
      logger.warn({ err, events: events.length }, 'rain: PostgreSQL refused a batch of grab events; writing one by one');
      for (const e of events) {
        await db
          .transaction(async (tx) => {
            await writeWins(winsOf([e]), s, tx);
            await repo.createLog([logOf(sessionId, e)], tx);
          })
          .catch((e2: unknown) => {
            if (!isIntegrityViolation(e2)) throw e2;
            logger.error({ err: e2, sessionId, event: e }, 'rain: grab event not written; Redis keeps its win for review');
          });
      }
    }
    await redis!.ackEvents(
      sessionId,
      read.map((e) => e.id),
    );
    return read.length;
  }

  /** One drain of a session at a time in this process; the number of events written. */
  function drain(sessionId: string): Promise<number> {
    const prev = draining.get(sessionId) ?? Promise.resolve(0);
    const next = prev.catch(() => 0).then(() => drainOnce(sessionId));
    draining.set(sessionId, next);
    void next
      .catch(() => {})
      .finally(() => {
        if (draining.get(sessionId) === next) draining.delete(sessionId);
      });
    return next;
  }

  /**
   * Writes every event waiting in Redis for a session (or for every session this process has
   * grabbed in) to PostgreSQL. Events another live worker has taken are written by it.
   */
  async function flushWins(sessionId?: string): Promise<void> {
    if (!redis) return;
    const now = Date.now();
    for (const [id, endsAt] of touched) if (endsAt + DRAIN_AFTER_END_MS < now) touched.delete(id);
    // Bounded: during a burst new events keep coming, and a reader (an admin's view) must not wait for its end.
    for (const id of sessionId ? [sessionId] : [...touched.keys()]) for (let pass = 0; pass < FLUSH_MAX_PASSES && (await drain(id)) > 0; pass++);
  }

  /**
   * The worker's writer: drains the streams of the sessions that are open or just ended (and
   * those this process grabbed in), a batch at a time, pausing DRAIN_IDLE_MS when there is
   * nothing to write. Stopping waits for the batch in hand.
   */
  function startDrainer(): { stop(): Promise<void> } {
    if (!redis) return { stop: async () => {} };
    let stopped = false;
    let wake: (() => void) | undefined;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    let sessions: string[] = [];
    let listedAt = 0;
    const loop = async () => {
      while (!stopped) {
        let full = false;
        try {
          if (Date.now() - listedAt > DRAIN_LIST_MS) {
            const now = clock.now();
            const active = await repo.listActive(new Date(now.getTime() - DRAIN_AFTER_END_MS), new Date(now.getTime() + limits.prepareAheadMinutes * 60_000));
            sessions = active.map((s) => s.id);
            listedAt = Date.now();
          }
          for (const id of new Set([...sessions, ...touched.keys()])) {
            if (stopped) break;
            if ((await drain(id)) >= DRAIN_BATCH) full = true;
          }
        } catch (err) {
          logger.error({ err }, 'rain: writing grab events to PostgreSQL failed; trying again');
          await pause(DRAIN_RETRY_MS);
        }
        if (!full && !stopped) await pause(DRAIN_IDLE_MS);
      }
    };
    const done = loop();
    return {
      async stop() {
        stopped = true;
        wake?.();
        await done;
      },
    };
  }

  function isNewAccount(createdAt: Date, at: Date): boolean {
    return at.getTime() - createdAt.getTime() < limits.holdAccountAgeHours * 3600_000;
  }

  /** The grab on Redis: one script call; PostgreSQL is written from its stream by the worker. */
  async function grabWithRedis(s: RainSessionRow, who: Grabber, meta: GrabMeta, now: Date): Promise<WinAnswer> {
    const past = await history(s);
    const params: GrabParams = {
      userId: who.id,
      ip: meta.ip,
      now,
      deviceId: meta.deviceId,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      fingerprint: meta.fingerprint,
      ratePerIp: limits.grabRatePerIp ?? 0,
      ratePerAccount: limits.grabRatePerAccount ?? 0,
      rateWindowMs: GRAB_WINDOW_MS,
      newAccount: isNewAccount(who.createdAt, now),
      maxWinsPerIp: limits.maxWinsPerIp,
      maxWinsPerDevice,
      deviceAccountsElsewhere: meta.deviceId ? (past.devices.get(meta.deviceId)?.filter((u) => u !== who.id).length ?? 0) : 0,
    };
    let out = await redis!.grab(s.id, params);
    if (out.kind === 'not_loaded') {
      await loadRedis(s);
      out = await redis!.grab(s.id, params);
    }
    if (!touched.has(s.id)) touched.set(s.id, s.endsAt.getTime());
    switch (out.kind) {
      case 'not_loaded':
        throw new AppError('server.unavailable');
      case 'rate_limited':
        throw rateLimited(out.retryAfterMs);
      case 'empty':
        throw skipLog(new AppError('rain.no_packets_left'));
      case 'already':
        throw skipLog(new AppError('rain.already_grabbed', {}, { details: { amountFen: out.win.amountFen } }));
      case 'won': {
        const { win } = out;
        const held = win.holdReason ?? null;
        return { amountFen: win.amountFen, held, totalWonFen: (past.totals.get(win.userId) ?? 0) + win.amountFen };
      }
    }
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
        if (!made.held) await jobs.send('rain.pay', { grabId: made.id }, { tx, singletonKey: made.id, startAfter: s.endsAt });
        else await notifyHeld(made, tx);
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
    await flushWins(sessionId);
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
    // A win younger than the grace is most likely still on its way through the worker's writer.
    const before = clock.now().getTime() - (opts.graceMs ?? 0);
    const missing = (await redis.winners(s.id))
      .filter((w) => !inPg.has(w.userId) && w.wonAt.getTime() <= before)
      .sort((a, b) => a.wonAt.getTime() - b.wonAt.getTime());
    const created = await repo.accountsCreatedAt(missing.map((w) => w.userId));
    for (const w of missing) {
      // The hold the script decided, which the contributor was told; for a record without one
      // (an earlier version's), the rules again, in the order the wins happened, from what
      // PostgreSQL has recorded by then.
      const held = w.holdReason !== undefined ? w.holdReason : await holdFromRecords(s, w, created.get(w.userId) ?? new Date(0));
      const g = await recordWin(s, w, held).catch((err: unknown) => {
        if (!isIntegrityViolation(err)) throw err;
        logger.error({ err, sessionId, win: w }, 'rain: a win Redis holds cannot be written to PostgreSQL; left for review');
        return undefined;
      });
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
    // The session is over, so its stream only shrinks: write all of it (wins and log rows).
    if (redis) while ((await drain(s.id)) > 0);
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
    // The packets' record of their winners, for the audit of the split (the Redis path writes only the wins).
    await repo.markPacketsFromGrabs(s.id);
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
    /** Writes every attempt this process knows of to the log: its own buffer, and the streams of the sessions it grabbed in. */
    async flushLog(): Promise<void> {
      await flushWins();
      await flushLog();
    },
    flushWins,
    startDrainer,
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

    /**
     * One grab by the signed-in `actor`, or, when the request came without the session cookie,
     * by the contributor its token names (docs/rain.md, "Grabbing").
     */
    async grab(actor: UserRow | null, sessionId: string, meta: GrabMeta): Promise<RainGrabResult> {
      const now = clock.now();
      const claims = tokens.read(meta.token, sessionId, now);
      let who: Grabber | undefined;
      const logRow = (outcome: string, amountFen: number | null): NewRainLog => ({
        sessionId,
        userId: who?.id ?? null,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
        deviceId: meta.deviceId,
        fingerprint: meta.fingerprint,
        at: now,
        outcome,
        amountFen,
      });
      try {
        // Without Redis every attempt counts against its address here, before any other work (on
        // Redis the grab script counts it, or the catch below for a refusal before the script).
        if (!redis && limits.grabRatePerIp) {
          const wait = windows.hit(`${sessionId}:ip:${meta.ip ?? ''}`, limits.grabRatePerIp, GRAB_WINDOW_MS);
          if (wait > 0) throw rateLimited(wait);
        }
        // Neither cookie nor a valid token: not signed in, or a token that is stale or not this session's.
        if (!actor && !claims) throw new AppError(meta.token ? 'rain.bad_token' : 'auth.required');
        who = actor ? { id: actor.id, createdAt: actor.createdAt } : { id: claims!.userId, createdAt: claims!.accountCreatedAt };
        if (actor) assertCan(actor, 'rain.grab');
        if (!redis && limits.grabRatePerAccount) {
          const wait = windows.hit(`${sessionId}:u:${who.id}`, limits.grabRatePerAccount, GRAB_WINDOW_MS);
          if (wait > 0) throw rateLimited(wait);
        }
        const s = await session(sessionId);
        await checkEligible(s, who, claims, now);
        if (redis) {
          // The script has put the attempt in the session's stream, for the worker to log.
          const won = await grabWithRedis(s, who, meta, now);
          return { won: true, amountFen: won.amountFen, totalWonFen: won.totalWonFen, held: !!won.held };
        }
        // Each grab holds a database connection for its transaction; past the bound, waiting for
        // one would take seconds of a one-minute rain and end in a timeout: "tap again" now.
        if (pgGrabsInFlight >= (limits.maxWaitingGrabs ?? DEFAULT_MAX_WAITING_GRABS)) throw skipLog(new AppError('rain.busy', { seconds: 1 }));
        pgGrabsInFlight++;
        const won = await grabWithPostgres(s, who, meta, now).finally(() => pgGrabsInFlight--);
        log(logRow(won.held ? `won_held:${won.held}` : 'won', won.amountFen));
        return { won: true, amountFen: won.amountFen, totalWonFen: won.totalWonFen, held: !!won.held };
      } catch (err) {
        if (err instanceof AppError && skipped.has(err)) throw err;
        // A refusal before the grab script still counts against its address, as grabs do, and a
        // bad token also against the address's bad-token window: past either, a flood of forged
        // tokens is answered 429 and not logged row by row. Without Redis the address's window
        // has counted it already, at the top.
        if (err instanceof AppError && err.status < 500) {
          const bad = BAD_CREDENTIALS.has(err.code) && limits.badTokensPerIp ? limits.badTokensPerIp : 0;
          let wait = 0;
          if (redis && (limits.grabRatePerIp || bad))
            wait = await redis.hit(sessionId, meta.ip, { perIp: limits.grabRatePerIp ?? 0, badTokens: bad, windowMs: GRAB_WINDOW_MS }).catch(() => 0);
          else if (!redis && bad) wait = windows.hit(`${sessionId}:bad:${meta.ip ?? ''}`, bad, GRAB_WINDOW_MS);
          if (wait > 0) throw rateLimited(wait);
        }
        if (who) log(logRow(err instanceof AppError ? err.code : 'error', null));
        throw err;
      }
    },

    async release(actor: Actor, grabId: string) {
      assertCan(actor, 'rain.manage');
      const g = await db.transaction(async (tx) => {
        const found = await repo.getGrabForUpdate(grabId, tx);
        if (!found) throw new AppError('rain.grab_not_found');
        if (!found.held) throw new AppError('rain.not_held');
        if (found.releasedAt) return found;
        if (await repo.getRefusal(grabId, tx)) throw new AppError('rain.refused', {}, { status: 409 });
        await repo.release(grabId, actor.id, clock.now(), tx);
        await deps.notify?.(
          {
            userId: found.userId,
            kind: 'rain_released',
            submissionId: null,
            params: { amountFen: found.amountFen, sessionId: found.sessionId },
            dedupeKey: rainNoticeKey('released', grabId),
          },
          tx,
        );
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
      return presentGrab((await repo.getGrab(grabId))!);
    },

    /** The contributor's own wins, kept after their session ends; held ones are pending on earnings. */
    async myWins(actor: Actor): Promise<{ wins: MyRainWin[]; heldFen: number }> {
      const rows = await repo.listWinsOfUser(actor.id, 100);
      const wins = rows.map(({ grab: g, campaignId, endsAt, refusedAt }) => ({
        id: g.id,
        sessionId: g.sessionId,
        campaignId,
        amountFen: g.amountFen,
        wonAt: g.wonAt.toISOString(),
        sessionEndsAt: endsAt.toISOString(),
        status: refusedAt ? ('refused' as const) : g.transferId ? ('paid' as const) : g.held && !g.releasedAt ? ('held' as const) : ('waiting' as const),
      }));
      return { wins, heldFen: wins.filter((w) => w.status === 'held').reduce((a, w) => a + w.amountFen, 0) };
    },

    /**
     * Refuses a held win: it is never paid (pay() pays a held win only once released) and its
     * winner is told. Refusing again answers the same; a released win cannot be refused.
     */
    async refuse(actor: Actor, grabId: string, input: { reason?: string }) {
      assertCan(actor, 'rain.manage');
      await db.transaction(async (tx) => {
        const found = await repo.getGrabForUpdate(grabId, tx);
        if (!found) throw new AppError('rain.grab_not_found');
        if (!found.held) throw new AppError('rain.not_held');
        if (found.releasedAt) throw new AppError('rain.already_released', {}, { status: 409 });
        if (await repo.getRefusal(grabId, tx)) return;
        await repo.createRefusal({ grabId, refusedBy: actor.id, refusedAt: clock.now(), reason: input.reason ?? null }, tx);
        await deps.notify?.(
          {
            userId: found.userId,
            kind: 'rain_refused',
            submissionId: null,
            params: { amountFen: found.amountFen, sessionId: found.sessionId },
            dedupeKey: rainNoticeKey('refused', grabId),
          },
          tx,
        );
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'rain.refuse',
            objectType: 'rain_grab',
            objectId: grabId,
            data: { sessionId: found.sessionId, amountFen: found.amountFen, holdReason: found.holdReason, reason: input.reason ?? null },
          },
          tx,
        );
      });
      return presentGrab((await repo.getGrab(grabId))!, (await repo.getRefusal(grabId))?.refusedAt ?? null);
    },

    /** For the admin view and tests: the wins recorded in PostgreSQL, after writing those waiting in Redis. */
    async listGrabs(sessionId: string) {
      await flushWins(sessionId);
      return repo.listGrabs(sessionId);
    },

    /** The admin's view of a session's wins: held ones first, then newest. */
    async adminGrabs(actor: Actor, sessionId: string) {
      assertCan(actor, 'rain.manage');
      await flushWins(sessionId);
      const grabs = await repo.listGrabs(sessionId);
      // Only held wins can be refused, and they are few: one lookup each.
      const refused = new Map<string, Date>();
      for (const g of grabs) {
        if (!g.held || g.releasedAt) continue;
        const r = await repo.getRefusal(g.id);
        if (r) refused.set(g.id, r.refusedAt);
      }
      const open = (g: { held: boolean; releasedAt: string | null; refusedAt: string | null }) => g.held && !g.releasedAt && !g.refusedAt;
      return grabs.map((g) => presentGrab(g, refused.get(g.id) ?? null)).sort((a, b) => Number(open(b)) - Number(open(a)) || b.wonAt.localeCompare(a.wonAt));
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
        if (pgErrorCode(err) === '23503') throw new AppError('campaign.not_found', {}, { cause: err });
        throw err;
      });
    const now = clock.now();
    return made.map((s) => presentSession({ ...s, grantedFen: 0, grabbedCount: 0 }, now));
  }
}

const rowsOf = (r: unknown): unknown[] => (r as { rows?: unknown[] }).rows ?? (r as unknown[]);

export type RainService = ReturnType<typeof createRainService>;
