import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The live grab in Redis: one Lua script pops a packet and records the winner atomically.
 *
 * Keys per session (hash-tagged on the session id, so a cluster keeps them on one slot):
 *   packets  list of "idx:amountFen" still to win
 *   winners  hash userId → "idx:amountFen:wonAtMs:ip" (+ "#deviceId" when the page sent one)
 *   ipwins   hash ip → wins from that address (for holding clustered wins)
 *   loaded   marker: the state was loaded from PostgreSQL (an empty list vanishes in Redis,
 *            so "no packets left" and "never loaded" must be told apart)
 *   devwins  hash deviceId → wins from that device (for holding device clusters)
 * A hash first created by a grab takes the marker's time to live, so nothing outlives the
 * session's state.
 */
export const GRAB_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 0 then return {-3} end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev then return {-1, prev} end
local p = redis.call('LPOP', KEYS[1])
if not p then return {-2} end
local rec = p .. ':' .. ARGV[3] .. ':' .. ARGV[2]
if ARGV[4] ~= '' then rec = rec .. '#' .. ARGV[4] end
local function keep(key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, math.max(60, redis.call('TTL', KEYS[3]))) end
end
redis.call('HSET', KEYS[2], ARGV[1], rec)
keep(KEYS[2])
local n, d = 0, 0
if ARGV[2] ~= '' then n = redis.call('HINCRBY', KEYS[4], ARGV[2], 1); keep(KEYS[4]) end
if ARGV[4] ~= '' then d = redis.call('HINCRBY', KEYS[5], ARGV[4], 1); keep(KEYS[5]) end
return {1, rec, n, d}
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
redis.call('SET', KEYS[3], '1', 'EX', ttl)
for k = 1, 5 do if k ~= 3 and redis.call('EXISTS', KEYS[k]) == 1 then redis.call('EXPIRE', KEYS[k], ttl) end end
return 1
`;

export interface RedisWin {
  userId: string;
  idx: number;
  amountFen: number;
  wonAt: Date;
  ip: string | null;
  deviceId: string | null;
}

export type RedisGrabOutcome =
  /** ipWins / deviceWins: wins from the address / device in this session, this one included (0 when unknown). */
  { kind: 'won'; win: RedisWin; ipWins: number; deviceWins: number } | { kind: 'already'; win: RedisWin } | { kind: 'empty' } | { kind: 'not_loaded' };

export interface RedisLoadState {
  packets: { idx: number; amountFen: number }[];
  winners: RedisWin[];
  ttlSeconds: number;
}

function parseRec(userId: string, rec: string): RedisWin {
  // idx:amount:ms:ip[#device] — the address may itself hold colons (IPv6), so it is whatever
  // follows the third; a device id is [A-Za-z0-9_-] and neither holds '#'.
  const hash = rec.indexOf('#');
  const deviceId = hash < 0 ? null : rec.slice(hash + 1) || null;
  const body = hash < 0 ? rec : rec.slice(0, hash);
  const [idx, amount, ms] = body.split(':', 3);
  const ip = body.split(':').slice(3).join(':');
  return { userId, idx: Number(idx), amountFen: Number(amount), wonAt: new Date(Number(ms)), ip: ip || null, deviceId };
}

function formatRec(w: RedisWin): string {
  return `${w.idx}:${w.amountFen}:${w.wonAt.getTime()}:${w.ip ?? ''}${w.deviceId ? `#${w.deviceId}` : ''}`;
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

export function createRainRedis(redis: Redis, prefix: string) {
  const keys = (sessionId: string) => {
    const base = `${prefix}:rain:{${sessionId}}`;
    return [`${base}:packets`, `${base}:winners`, `${base}:loaded`, `${base}:ipwins`, `${base}:devwins`];
  };
  const shas = new Map<string, string>();

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

  return {
    keys,
    async grab(sessionId: string, userId: string, ip: string | null, now: Date, deviceId: string | null = null): Promise<RedisGrabOutcome> {
      const r = (await run(GRAB_SCRIPT, keys(sessionId), [userId, ip ?? '', now.getTime(), deviceId ?? ''])) as [number, string?, number?, number?];
      switch (r[0]) {
        case 1:
          return { kind: 'won', win: parseRec(userId, r[1]!), ipWins: Number(r[2] ?? 0), deviceWins: Number(r[3] ?? 0) };
        case -1:
          return { kind: 'already', win: parseRec(userId, r[1]!) };
        case -2:
          return { kind: 'empty' };
        default:
          return { kind: 'not_loaded' };
      }
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
    /** Drops a session's live state (tests simulate a lost Redis with it). */
    async forget(sessionId: string): Promise<void> {
      await redis.del(...keys(sessionId));
    },
  };
}
export type RainRedis = ReturnType<typeof createRainRedis>;
