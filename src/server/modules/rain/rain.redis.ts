import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/**
 * The live grab in Redis: one Lua script, one round trip per grab, counts the attempt against
 * the rate limits, pops a packet, records the winner, decides whether the win is held, and
 * appends the attempt to the session's event stream, all atomically. PostgreSQL is written
 * from the stream by the worker (`drain` in rain.service.ts), never on the grab's path.
 *
 * Keys per session (hash-tagged on the session id, so a cluster keeps them on one slot):
 *   packets  list of "idx:amountFen" still to win
 *   winners  hash userId → win record "idx:amountFen|wonAtMs|ip|deviceId|holdReason"
 *   loaded   marker: the state was loaded from PostgreSQL (an empty list vanishes in Redis,
 *            so "no packets left" and "never loaded" must be told apart)
 *   ipwins   hash ip → wins from that address (for holding clustered wins)
 *   devwins  hash deviceId → wins from that device (for holding device clusters)
 *   events   stream of attempts (won, already grabbed, none left) for the worker to write to
 *            PostgreSQL; consumer group `writers`, entries acknowledged and deleted once committed
 *   rl:ip:<ip>, rl:u:<user>  the per-IP and per-account rate windows (rl:bad:<ip>: bad tokens, HIT_SCRIPT)
 * A key first created by a grab takes the marker's time to live, so nothing outlives the
 * session's state (the rate windows live for one window).
 *
 * The grab script is given only the base key `<prefix>:rain:{<session>}` and derives the rest:
 * they share its hash tag, so a cluster keeps them on its slot, and one key instead of eight
 * (with one packed argument) roughly halves the client's work per call.
 */
export const GRAB_SCRIPT = `
local b = KEYS[1]
local a = {}
for v in string.gmatch(ARGV[1], '([^\\n]*)\\n') do a[#a + 1] = v end
local user, ip, now, device = a[1], a[2], a[3], a[4]
local loaded = b .. ':loaded'
if redis.call('EXISTS', loaded) == 0 then return {-3} end
local window = tonumber(a[7])
local function hit(key, max)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window) end
  if max > 0 and n > max then return math.max(redis.call('PTTL', key), 1) end
  return 0
end
local wait = math.max(hit(b .. ':rl:ip:' .. ip, tonumber(a[5])), hit(b .. ':rl:u:' .. user, tonumber(a[6])))
if wait > 0 then return {-4, wait} end
local function keep(key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, math.max(60, redis.call('TTL', loaded))) end
end
local events = b .. ':events'
local function event(outcome, rec)
  redis.call('XADD', events, '*', 'o', outcome, 'u', user, 'ip', ip, 't', now, 'd', device, 'ua', a[12], 'fp', a[13], 'r', rec)
  keep(events)
end
local winners = b .. ':winners'
local prev = redis.call('HGET', winners, user)
if prev then event('already', ''); return {-1, prev} end
local p = redis.call('LPOP', b .. ':packets')
if not p then event('empty', ''); return {-2} end
local n, d = 0, 0
if ip ~= '' then n = redis.call('HINCRBY', b .. ':ipwins', ip, 1); keep(b .. ':ipwins') end
if device ~= '' then d = redis.call('HINCRBY', b .. ':devwins', device, 1); keep(b .. ':devwins') end
local hold = ''
if a[8] == '1' then hold = 'new_account'
elseif ip ~= '' and n > tonumber(a[9]) then hold = 'ip_cluster'
elseif device ~= '' and d + tonumber(a[11]) > tonumber(a[10]) then hold = 'device_cluster' end
local rec = p .. '|' .. now .. '|' .. ip .. '|' .. device .. '|' .. hold
redis.call('HSET', winners, user, rec)
keep(winners)
event('won', rec)
return {1, rec}
`;

/** Counts a refused attempt (bad token, not open…) against the address's window: 0, or the ms until it reopens. */
// KEYS: the address's window, then (for a bad token) its bad-token window. ARGV: window ms, then each key's max (0: no limit).
export const HIT_SCRIPT = `
local wait = 0
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, tonumber(ARGV[1])) end
  local max = tonumber(ARGV[i + 1])
  if max > 0 and n > max then wait = math.max(wait, redis.call('PTTL', key), 1) end
end
return wait
`;

// ARGV: ttlSeconds, nPackets, nWinners, nIps, nDevices, packets…, (user, rec)…, (ip, count)…, (device, count)…
export const LOAD_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4], KEYS[5])
local ttl = tonumber(ARGV[1])
local np, nw, ni, nd = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local i = 6
for _ = 1, np do redis.call('RPUSH', KEYS[1], ARGV[i]); i = i + 1 end
for _ = 1, nw do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, ni do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, nd do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]); i = i + 2 end
-- The event stream is kept if it exists (entries not yet written to PostgreSQL stay there);
-- its group is made unless it is there already (BUSYGROUP, caught).
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[6], 'writers', '0', 'MKSTREAM')
redis.call('SET', KEYS[3], '1', 'EX', ttl)
for k = 1, 6 do if k ~= 3 and redis.call('EXISTS', KEYS[k]) == 1 then redis.call('EXPIRE', KEYS[k], ttl) end end
return 1
`;

export interface RedisWin {
  userId: string;
  idx: number;
  amountFen: number;
  wonAt: Date;
  ip: string | null;
  deviceId: string | null;
  /**
   * Why the script held the win (the answer the contributor got), null when it did not; undefined
   * for a record without a decision (written by an earlier version), whose hold is worked out again.
   */
  holdReason?: string | null;
}

/** What the grab script needs besides who grabs: the limits, and the facts the hold rules use that only PostgreSQL knows. */
export interface GrabParams {
  userId: string;
  ip: string | null;
  now: Date;
  deviceId: string | null;
  userAgent: string | null;
  fingerprint: string | null;
  /** Attempts per window from one address / one account (0: unlimited). */
  ratePerIp: number;
  ratePerAccount: number;
  rateWindowMs: number;
  /** The account is young enough for its win to be held. */
  newAccount: boolean;
  maxWinsPerIp: number;
  maxWinsPerDevice: number;
  /** Other accounts that have won from this device in the campaign's other sessions. */
  deviceAccountsElsewhere: number;
}

export type RedisGrabOutcome =
  | { kind: 'won'; win: RedisWin }
  | { kind: 'already'; win: RedisWin }
  | { kind: 'empty' }
  | { kind: 'not_loaded' }
  | { kind: 'rate_limited'; retryAfterMs: number };

export interface RedisLoadState {
  packets: { idx: number; amountFen: number }[];
  winners: RedisWin[];
  ttlSeconds: number;
}

/** One attempt the grab script appended to a session's stream. */
export interface RainEvent {
  /** The stream entry id: unique per session, so writing an event twice is a no-op. */
  id: string;
  outcome: 'won' | 'already' | 'empty';
  userId: string;
  ip: string | null;
  at: Date;
  deviceId: string | null;
  userAgent: string | null;
  fingerprint: string | null;
  win?: RedisWin;
}

export function parseRec(userId: string, rec: string): RedisWin {
  if (rec.includes('|')) {
    const [packet = '', ms, ip, device, hold] = rec.split('|');
    const [idx, amount] = packet.split(':');
    return {
      userId,
      idx: Number(idx),
      amountFen: Number(amount),
      wonAt: new Date(Number(ms)),
      ip: ip || null,
      deviceId: device || null,
      holdReason: hold || null,
    };
  }
  // The earlier record: idx:amount:ms:ip[#device] (the address may hold colons: IPv6), no hold decision.
  const hash = rec.indexOf('#');
  const deviceId = hash < 0 ? null : rec.slice(hash + 1) || null;
  const body = hash < 0 ? rec : rec.slice(0, hash);
  const [idx, amount, ms] = body.split(':', 3);
  const ip = body.split(':').slice(3).join(':');
  return { userId, idx: Number(idx), amountFen: Number(amount), wonAt: new Date(Number(ms)), ip: ip || null, deviceId };
}

function formatRec(w: RedisWin): string {
  return `${w.idx}:${w.amountFen}|${w.wonAt.getTime()}|${w.ip ?? ''}|${w.deviceId ?? ''}|${w.holdReason ?? ''}`;
}

function parseEvent(id: string, flat: string[]): RainEvent | null {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  const outcome = f.o;
  if ((outcome !== 'won' && outcome !== 'already' && outcome !== 'empty') || !f.u) return null;
  const event: RainEvent = {
    id,
    outcome,
    userId: f.u,
    ip: f.ip || null,
    at: new Date(Number(f.t)),
    deviceId: f.d || null,
    userAgent: f.ua || null,
    fingerprint: f.fp || null,
  };
  if (outcome === 'won' && f.r) event.win = parseRec(f.u, f.r);
  return event;
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
/** Stream entries a consumer took and has not acknowledged for this long are taken over (it died). */
const CLAIM_IDLE_MS = 30_000;
const GROUP = 'writers';

export function createRainRedis(redis: Redis, prefix: string, opts: { claimIdleMs?: number } = {}) {
  const claimIdleMs = opts.claimIdleMs ?? CLAIM_IDLE_MS;
  const base = (sessionId: string) => `${prefix}:rain:{${sessionId}}`;
  const keys = (sessionId: string) => {
    const b = base(sessionId);
    return [`${b}:packets`, `${b}:winners`, `${b}:loaded`, `${b}:ipwins`, `${b}:devwins`, `${b}:events`];
  };
  const eventsKey = (sessionId: string) => `${base(sessionId)}:events`;
  const ipWindowKey = (sessionId: string, ip: string | null) => `${base(sessionId)}:rl:ip:${ip ?? ''}`;
  const shas = new Map<string, string>();
  // Unique per process: a restarted worker is a new consumer, and what the old one held is claimed.
  const consumer = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  /** EVALSHA, falling back to EVAL when the server has not seen (or has flushed) the script. */
  async function run(script: string, k: string[], args: (string | number)[]): Promise<unknown> {
    let sha = shas.get(script);
    if (!sha) shas.set(script, (sha = sha1(script)));
    try {
      return await redis.evalsha(sha, k.length, ...k, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return redis.eval(script, k.length, ...k, ...args);
    }
  }

  const isNoGroup = (err: unknown) => err instanceof Error && /NOGROUP|no such key/i.test(err.message);
  const toEvents = (entries: [string, string[]][] | null | undefined) =>
    (entries ?? []).map(([id, flat]) => parseEvent(id, flat) ?? { id, invalid: true as const });

  return {
    keys,
    async grab(sessionId: string, p: GrabParams): Promise<RedisGrabOutcome> {
      // One packed argument, newline-separated (no field can hold a newline: ids and addresses
      // cannot, and one is taken out of the user agent): the client's work per call grows with
      // the number of arguments, and this is the hottest call there is.
      const fields = [
        p.userId,
        p.ip ?? '',
        p.now.getTime(),
        p.deviceId ?? '',
        p.ratePerIp,
        p.ratePerAccount,
        p.rateWindowMs,
        p.newAccount ? '1' : '0',
        p.maxWinsPerIp,
        p.maxWinsPerDevice,
        p.deviceAccountsElsewhere,
        p.userAgent?.replace(/[\r\n]/g, ' ') ?? '',
        p.fingerprint ?? '',
      ];
      const r = (await run(GRAB_SCRIPT, [base(sessionId)], [`${fields.join('\n')}\n`])) as [number, string | number | undefined];
      switch (r[0]) {
        case 1:
          return { kind: 'won', win: parseRec(p.userId, String(r[1])) };
        case -1:
          return { kind: 'already', win: parseRec(p.userId, String(r[1])) };
        case -2:
          return { kind: 'empty' };
        case -4:
          return { kind: 'rate_limited', retryAfterMs: Number(r[1]) };
        default:
          return { kind: 'not_loaded' };
      }
    },
    /**
     * Counts a refused attempt against the address's window and, with `badTokens`, against its
     * bad-token window (one call); the ms until the later of them reopens when one is past its
     * max, else 0.
     */
    async hit(sessionId: string, ip: string | null, limits: { perIp: number; badTokens: number; windowMs: number }): Promise<number> {
      const k = [ipWindowKey(sessionId, ip)];
      const args = [limits.windowMs, limits.perIp];
      if (limits.badTokens > 0) {
        k.push(`${base(sessionId)}:rl:bad:${ip ?? ''}`);
        args.push(limits.badTokens);
      }
      return Number(await run(HIT_SCRIPT, k, args));
    },
    /** Loads a session's state unless it is already loaded (atomic: live grabs never see a half-built list). */
    async load(sessionId: string, state: RedisLoadState): Promise<boolean> {
      const ipCounts = new Map<string, number>();
      const deviceCounts = new Map<string, number>();
      for (const w of state.winners) {
        if (w.ip) ipCounts.set(w.ip, (ipCounts.get(w.ip) ?? 0) + 1);
        if (w.deviceId) deviceCounts.set(w.deviceId, (deviceCounts.get(w.deviceId) ?? 0) + 1);
      }
      const args: (string | number)[] = [state.ttlSeconds, state.packets.length, state.winners.length, ipCounts.size, deviceCounts.size];
      for (const p of state.packets) args.push(`${p.idx}:${p.amountFen}`);
      for (const w of state.winners) args.push(w.userId, formatRec(w));
      for (const [ip, n] of ipCounts) args.push(ip, n);
      for (const [device, n] of deviceCounts) args.push(device, n);
      return (await run(LOAD_SCRIPT, keys(sessionId), args)) === 1;
    },
    async isLoaded(sessionId: string): Promise<boolean> {
      return (await redis.exists(keys(sessionId)[2]!)) === 1;
    },
    async winners(sessionId: string): Promise<RedisWin[]> {
      const all = await redis.hgetall(keys(sessionId)[1]!);
      return Object.entries(all).map(([userId, rec]) => parseRec(userId, rec));
    },
    async remaining(sessionId: string): Promise<number> {
      return redis.llen(keys(sessionId)[0]!);
    },
    /**
     * Up to `count` events of a session not yet written: first those another consumer took and
     * left unacknowledged for CLAIM_IDLE_MS (it died, or its write failed), then new ones. An
     * entry that cannot be parsed comes back as `{id, invalid}` so it is acknowledged, not retried.
     */
    async readEvents(sessionId: string, count: number): Promise<(RainEvent | { id: string; invalid: true })[]> {
      const key = eventsKey(sessionId);
      try {
        const claimed = (await redis.xautoclaim(key, GROUP, consumer, claimIdleMs, '0-0', 'COUNT', count)) as [string, [string, string[]][]];
        if (claimed[1]?.length) return toEvents(claimed[1]);
        const fresh = (await redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', key, '>')) as [string, [string, string[]][]][] | null;
        return toEvents(fresh?.[0]?.[1]);
      } catch (err) {
        if (!isNoGroup(err)) throw err;
        // No stream: Redis lost the session (reconciliation reloads it), nothing to write. A
        // stream without its group (made by a grab after the group was lost) gets one, from its
        // first entry, and is read on the next call.
        if (await redis.exists(key)) await redis.xgroup('CREATE', key, GROUP, '0').catch(() => {});
        return [];
      }
    },
    /** Acknowledges written events and drops them from the stream. */
    async ackEvents(sessionId: string, ids: string[]): Promise<void> {
      if (!ids.length) return;
      const key = eventsKey(sessionId);
      await redis
        .multi()
        .xack(key, GROUP, ...ids)
        .xdel(key, ...ids)
        .exec();
    },
    /** Events appended and not yet acknowledged (waiting or taken). */
    async pendingEvents(sessionId: string): Promise<number> {
      return redis.xlen(eventsKey(sessionId)).catch(() => 0);
    },
    /** Drops a session's live state (tests simulate a lost Redis with it). */
    async forget(sessionId: string): Promise<void> {
      await redis.del(...keys(sessionId));
    },
    /** Drops a session's unwritten events (tests simulate events lost before they were written). */
    async forgetEvents(sessionId: string): Promise<void> {
      await redis.xtrim(eventsKey(sessionId), 'MAXLEN', 0);
    },
  };
}
export type RainRedis = ReturnType<typeof createRainRedis>;
