import type { Redis } from 'ioredis';
import type { HubServerMessage } from '../../../contracts/command.js';

/**
 * Who a hub event is for: the sockets subscribed to an assignment's thread (optionally only the
 * desk's or only the field's) and every socket of some users; a socket in both gets it once.
 */
export interface HubTarget {
  assignmentId?: string;
  side?: 'desk' | 'field';
  userIds?: string[];
}
export interface HubEnvelope {
  target: HubTarget;
  event: HubServerMessage;
}

/**
 * Carries hub events to every process that holds sockets (docs/command-live.md, "Fan-out").
 * In one process it is a function call; with REDIS_URL it is Redis pub/sub on one channel,
 * so `paike serve` processes behind a load balancer deliver each other's events.
 */
export interface HubBus {
  publish(envelope: HubEnvelope): Promise<void>;
  /** Starts delivering every published envelope (this process's and others') to `handler`. */
  listen(handler: (envelope: HubEnvelope) => void): Promise<void>;
  close(): Promise<void>;
}

export function createLocalBus(): HubBus {
  const handlers = new Set<(e: HubEnvelope) => void>();
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
export function createRedisBus(redis: Redis, channel: string, onError: (err: unknown) => void): HubBus {
  let sub: Redis | null = null;
  const handlers = new Set<(e: HubEnvelope) => void>();
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
        let envelope: HubEnvelope;
        try {
          envelope = JSON.parse(text) as HubEnvelope;
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
