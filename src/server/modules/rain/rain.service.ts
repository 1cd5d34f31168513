import type { FastifyBaseLogger } from 'fastify';
import type { RainGrabResult, RainScheduleInput, RainSession, RainSessionInput, RainSessionState } from '../../../contracts/rain.js';
import type { Db } from '../../db/client.js';
import type { RainGrabRow, RainSessionRow, UserRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { RainRedis, RedisWin } from './rain.redis.js';
import type { NewRainLog, RainRepository, RainSessionWithStats } from './rain.repository.js';
import { cryptoRandomInt, splitDoubleMean, type RandomInt } from './rain.split.js';
import type { RainTokens } from './rain.token.js';

export interface RainLimits {
  /** Accounts younger than this are refused. */
  minAccountAgeMinutes: number;
  /** Wins by accounts younger than this are held for review. */
  holdAccountAgeHours: number;
  /** A win is held when more than this many accounts have won from one IP in the session. */
  maxWinsPerIp: number;
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
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000; // Asia/Shanghai has had no DST since 1991.
const SESSION_CACHE_MS = 2000;
const LOG_FLUSH_ROWS = 500;
const LOG_FLUSH_MS = 250;

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

export function presentGrab(g: RainGrabRow) {
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

  // Session rows change only in split_at / settled_at, which the grab path does not read.
  const sessionCache = new Map<string, { row: RainSessionRow; at: number }>();
  const eligibleCache = new Set<string>();
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
    await redis.load(s.id, {
      packets: packets.filter((p) => !p.winnerUserId).map((p) => ({ idx: p.idx, amountFen: p.amountFen })),
      winners: grabs.map((g) => ({ userId: g.userId, idx: g.packetIdx, amountFen: g.amountFen, wonAt: g.wonAt, ip: g.ip })),
      ttlSeconds: ttlFor(s),
    });
  }

  function holdReason(user: UserRow, winsFromIp: number, now: Date): string | null {
    if (now.getTime() - user.createdAt.getTime() < limits.holdAccountAgeHours * 3600_000) return 'new_account';
    if (winsFromIp > limits.maxWinsPerIp) return 'ip_cluster';
    return null;
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

  async function grabWithRedis(s: RainSessionRow, user: UserRow, meta: GrabMeta, now: Date): Promise<RainGrabRow> {
    let out = await redis!.grab(s.id, user.id, meta.ip, now);
    if (out.kind === 'not_loaded') {
      await loadRedis(s);
      out = await redis!.grab(s.id, user.id, meta.ip, now);
    }
    if (out.kind === 'not_loaded') throw new AppError('server.unavailable');
    if (out.kind === 'empty') throw new AppError('rain.no_packets_left');
    if (out.kind === 'already') throw new AppError('rain.already_grabbed', {}, { details: { amountFen: out.win.amountFen } });
    const grab = await recordWin(s, out.win, holdReason(user, out.ipWins, now), 'redis');
    if (!grab || grab.userId !== user.id) throw new AppError('server.unavailable');
    return grab;
  }

  async function grabWithPostgres(s: RainSessionRow, user: UserRow, meta: GrabMeta, now: Date): Promise<RainGrabRow> {
    if (!s.splitAt) await ensureSplit(s.id);
    const prior = await repo.getGrabByUser(s.id, user.id);
    if (prior) throw new AppError('rain.already_grabbed', {}, { details: { amountFen: prior.amountFen } });
    try {
      return await db.transaction(async (tx) => {
        const packet = (await repo.lockUnclaimed(s.id, true, tx)) ?? (await repo.lockUnclaimed(s.id, false, tx));
        if (!packet) throw new AppError('rain.no_packets_left');
        const fromIp = meta.ip ? (await repo.countWinsFromIp(s.id, meta.ip, tx)) + 1 : 0;
        const held = holdReason(user, fromIp, now);
        const made = await repo.createGrab(
          {
            sessionId: s.id,
            userId: user.id,
            packetIdx: packet.idx,
            amountFen: packet.amountFen,
            wonAt: now,
            ip: meta.ip,
            source: 'postgres',
            held: !!held,
            holdReason: held,
          },
          tx,
        );
        // The (session, user) constraint is the one that can conflict here: the packet is locked.
        if (!made) throw new AppError('rain.already_grabbed');
        await repo.markPacketWon({ sessionId: s.id, idx: packet.idx, userId: user.id, wonAt: now, grabId: made.id }, tx);
        if (!made.held) await jobs.send('rain.pay', { grabId: made.id }, { tx, singletonKey: made.id });
        return made;
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'rain.already_grabbed' && !err.details) {
        const g = await repo.getGrabByUser(s.id, user.id);
        throw new AppError('rain.already_grabbed', {}, { details: { amountFen: g?.amountFen } });
      }
      throw err;
    }
  }

  async function checkEligible(s: RainSessionRow, user: UserRow, meta: GrabMeta, now: Date): Promise<void> {
    const state = sessionState(s, now);
    if (state !== 'open') throw new AppError('rain.not_open', { state });
    if (!tokens.verify(meta.token, s.id, user.id, now)) throw new AppError('rain.bad_token');
    if (now.getTime() - user.createdAt.getTime() < limits.minAccountAgeMinutes * 60_000)
      throw new AppError('rain.account_too_new', { minutes: limits.minAccountAgeMinutes });
    const key = `${s.id}:${user.id}`;
    if (eligibleCache.has(key)) return;
    if (!(await repo.isMember(s.campaignId, user.id))) throw new AppError('rain.not_eligible');
    if (s.eligibility.requireSubmission && !(await repo.hasSubmission(s.campaignId, user.id))) throw new AppError('rain.submission_required');
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
  async function reconcile(sessionId: string): Promise<{ recorded: number }> {
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
    const missing = (await redis.winners(s.id)).filter((w) => !inPg.has(w.userId)).sort((a, b) => a.wonAt.getTime() - b.wonAt.getTime());
    for (const w of missing) {
      // The win's hold rules are re-applied from what is known now: the IP cluster counts all recorded wins.
      const fromIp = w.ip ? (await repo.countWinsFromIp(s.id, w.ip, db)) + 1 : 0;
      const held = fromIp > limits.maxWinsPerIp ? 'ip_cluster' : null;
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
      return { token: tokens.issue(s.id, actor.id, expiresAt), expiresAt: expiresAt.toISOString() };
    },

    async grab(actor: UserRow, sessionId: string, meta: GrabMeta): Promise<RainGrabResult> {
      const now = clock.now();
      const base = { sessionId, userId: actor.id, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null, at: now };
      try {
        assertCan(actor, 'rain.grab');
        const s = await session(sessionId);
        await checkEligible(s, actor, meta, now);
        const grab = redis ? await grabWithRedis(s, actor, meta, now) : await grabWithPostgres(s, actor, meta, now);
        log({ ...base, outcome: grab.held ? `won_held:${grab.holdReason}` : 'won', amountFen: grab.amountFen });
        return { won: true, amountFen: grab.amountFen, totalWonFen: await repo.totalWon(actor.id, s.campaignId), held: grab.held };
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
      return presentGrab((await repo.getGrab(grabId))!);
    },

    /** For the admin view and tests. */
    listGrabs: (sessionId: string) => repo.listGrabs(sessionId),

    /** The admin's view of a session's wins: held ones first, then newest. */
    async adminGrabs(actor: Actor, sessionId: string) {
      assertCan(actor, 'rain.manage');
      const grabs = await repo.listGrabs(sessionId);
      return grabs.map(presentGrab).sort((a, b) => Number(b.held && !b.releasedAt) - Number(a.held && !a.releasedAt) || b.wonAt.localeCompare(a.wonAt));
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
          await reconcile(s.id);
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

function findFk(err: unknown): boolean {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    if ((cur as { code?: unknown }).code === '23503') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export type RainService = ReturnType<typeof createRainService>;
