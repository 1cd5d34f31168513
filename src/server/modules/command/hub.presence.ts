import type { Redis } from 'ioredis';

/**
 * Who is connected, by key: `user:<id>` (any socket of theirs) and `desk:<assignmentId>`
 * (desk staff with that assignment's thread open). A call to a key with nobody behind it is
 * refused at once (409 `command.call.offline`) instead of ringing into the void.
 *
 * Each socket registers under its own connection id with an expiry that its heartbeat pushes
 * forward, so a process that dies without cleaning up stops counting within `ttlMs`.
 */
export interface Presence {
  add(key: string, connId: string): Promise<void>;
  remove(key: string, connId: string): Promise<void>;
  /** Pushes the expiry of these registrations forward (each heartbeat). */
  refresh(keys: string[], connId: string): Promise<void>;
  online(key: string): Promise<boolean>;
}

export function createLocalPresence(opts: { ttlMs: number; now: () => number }): Presence {
  const map = new Map<string, Map<string, number>>();
  const put = (key: string, connId: string) => {
    let m = map.get(key);
    if (!m) map.set(key, (m = new Map()));
    m.set(connId, opts.now() + opts.ttlMs);
  };
  return {
    async add(key, connId) {
      put(key, connId);
    },
    async remove(key, connId) {
      const m = map.get(key);
      m?.delete(connId);
      if (m && m.size === 0) map.delete(key);
    },
    async refresh(keys, connId) {
      for (const k of keys) if (map.get(k)?.has(connId)) put(k, connId);
    },
    async online(key) {
      const m = map.get(key);
      if (!m) return false;
      const now = opts.now();
      for (const [id, until] of m) {
        if (until > now) return true;
        m.delete(id);
      }
      return false;
    },
  };
}

/** Presence shared by every process: one sorted set per key, connection ids scored by expiry (ms). */
export function createRedisPresence(redis: Redis, prefix: string, opts: { ttlMs: number; now: () => number }): Presence {
  const k = (key: string) => `${prefix}${key}`;
  return {
    async add(key, connId) {
      const until = opts.now() + opts.ttlMs;
      await redis
        .multi()
        .zadd(k(key), until, connId)
        .pexpire(k(key), opts.ttlMs * 2)
        .exec();
    },
    async remove(key, connId) {
      await redis.zrem(k(key), connId);
    },
    async refresh(keys, connId) {
      if (keys.length === 0) return;
      const until = opts.now() + opts.ttlMs;
      const m = redis.multi();
      // XX: only registrations that still exist (a socket that left a thread stays out of it).
      for (const key of keys) m.zadd(k(key), 'XX', until, connId).pexpire(k(key), opts.ttlMs * 2);
      await m.exec();
    },
    async online(key) {
      const now = opts.now();
      await redis.zremrangebyscore(k(key), '-inf', now);
      return (await redis.zcount(k(key), now, '+inf')) > 0;
    },
  };
}
