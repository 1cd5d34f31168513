import type { Redis } from 'ioredis';

/**
 * Carries events to every process that holds open connections (the command hub's sockets,
 * docs/command-live.md "Fan-out"; the kiosks' event streams, docs/kiosk.md). In one process it
 * is a function call; with REDIS_URL it is Redis pub/sub on one channel, so `paike serve`
 * processes behind a load balancer deliver each other's events.
 */
export interface Bus<T> {
  publish(envelope: T): Promise<void>;
  /** Starts delivering every published envelope (this process's and others') to `handler`. */
  listen(handler: (envelope: T) => void): Promise<void>;
  close(): Promise<void>;
}

export function createLocalBus<T>(): Bus<T> {
  const handlers = new Set<(e: T) => void>();
  return {
    async publish(envelope) {
      for (const h of handlers) h(envelope);
    },
    async listen(handler) {
      handlers.add(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}

/**
 * Redis pub/sub. A subscribed ioredis connection can do nothing else, so listening takes a
 * duplicate of the shared connection, made only in processes that hold sockets (not workers).
 */
export function createRedisBus<T>(redis: Redis, channel: string, onError: (err: unknown) => void): Bus<T> {
  let sub: Redis | null = null;
  const handlers = new Set<(e: T) => void>();
  return {
    async publish(envelope) {
      await redis.publish(channel, JSON.stringify(envelope));
    },
    async listen(handler) {
      handlers.add(handler);
      if (sub) return;
      sub = redis.duplicate({ enableAutoPipelining: false });
      sub.on('error', onError);
      sub.on('message', (ch: string, text: string) => {
        if (ch !== channel) return;
        let envelope: T;
        try {
          envelope = JSON.parse(text) as T;
        } catch (err) {
          onError(err);
          return;
        }
        for (const h of handlers) h(envelope);
      });
      await sub.subscribe(channel);
    },
    async close() {
      handlers.clear();
      const s = sub;
      sub = null;
      if (s) await s.quit().catch(() => s.disconnect());
    },
  };
}
