import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { hubClientMessageSchema, type ChatMessage, type HubClientMessage, type HubServerMessage } from '../../../contracts/command.js';
import type { Locale } from '../../../contracts/common.js';
import { AppError } from '../../lib/errors.js';
import { translateAny } from '../../lib/messages.js';
import type { Actor } from '../accounts/permissions.js';
import type { ChatService } from './chat.service.js';
import { CHAT_PAGE } from './chat.service.js';
import type { CallsService } from './calls.service.js';
import type { CommandScopeService } from './command.scope.js';
import type { HubBus, HubEnvelope } from './hub.bus.js';
import type { Presence } from './hub.presence.js';

export interface HubLimits {
  /** Largest frame a client may send (bytes); a bigger one closes the socket (1009). */
  maxMessageBytes: number;
  /** Messages a socket may send per second, sustained, and in one burst. */
  ratePerSecond: number;
  burst: number;
  /** Server pings this often; a socket that missed the previous pong is dropped. */
  heartbeatMs: number;
  /** Threads one socket may follow at once. */
  maxSubscriptions: number;
  /** A socket whose unsent backlog grows past this is too slow to keep (4008). */
  maxBacklogBytes: number;
  /** How often this process turns expired rings into missed calls. */
  ringSweepMs: number;
}

export const HUB_LIMITS: HubLimits = {
  maxMessageBytes: 64 * 1024,
  ratePerSecond: 20,
  burst: 60,
  heartbeatMs: 25_000,
  maxSubscriptions: 50,
  maxBacklogBytes: 1024 * 1024,
  ringSweepMs: 5000,
};

export interface HubDeps {
  bus: HubBus;
  presence: Presence;
  chat: ChatService;
  calls: CallsService;
  scope: CommandScopeService;
  /** Re-checks the socket's session at each heartbeat: a signed-out or revoked session loses its socket. */
  authenticate: (token: string) => Promise<{ user: Actor & { id: string } } | null>;
  logger: FastifyBaseLogger;
  limits?: Partial<HubLimits>;
}

interface Conn {
  id: string;
  socket: WebSocket;
  user: Actor;
  token: string;
  locale: Locale;
  subs: Map<string, 'desk' | 'field'>;
  /** Threads being resumed: live messages wait here so the replay and the live stream join without gaps or repeats. */
  resuming: Map<string, ChatMessage[]>;
  tokens: number;
  refilledAt: number;
  alive: boolean;
  strikes: number;
}

/**
 * The command platform's WebSocket hub (docs/command-live.md; protocol in docs/api.md, "Live
 * contact"): one socket per open page carries chat, call notices, peer-to-peer signalling and
 * the director's requests. Sockets are this process's; events reach them from any process
 * through the bus. Services decide; the hub validates, authorises relays, and delivers.
 */
export function createHub(deps: HubDeps) {
  const limits: HubLimits = { ...HUB_LIMITS, ...deps.limits };
  const { bus, presence, chat, calls, scope, logger } = deps;
  const conns = new Set<Conn>();
  const byUser = new Map<string, Set<Conn>>();
  const byThread = new Map<string, Set<Conn>>();
  let timers: NodeJS.Timeout[] = [];
  let started = false;

  const index = (map: Map<string, Set<Conn>>, key: string, c: Conn) => {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Set()));
    s.add(c);
  };
  const unindex = (map: Map<string, Set<Conn>>, key: string, c: Conn) => {
    const s = map.get(key);
    s?.delete(c);
    if (s && s.size === 0) map.delete(key);
  };

  function write(c: Conn, frame: string): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > limits.maxBacklogBytes) {
      c.socket.close(4008, 'too slow');
      return;
    }
    c.socket.send(frame);
  }
  const send = (c: Conn, msg: HubServerMessage) => write(c, JSON.stringify(msg));

  function deliver(env: HubEnvelope): void {
    const { target, event } = env;
    if (event.type === 'call') calls.forget(event.call.id);
    const to = new Set<Conn>();
    if (target.assignmentId) {
      for (const c of byThread.get(target.assignmentId) ?? []) {
        if (!target.side || c.subs.get(target.assignmentId) === target.side) to.add(c);
      }
    }
    for (const u of target.userIds ?? []) for (const c of byUser.get(u) ?? []) to.add(c);
    if (to.size === 0) return;
    const frame = JSON.stringify(event);
    for (const c of to) {
      if (event.type === 'chat.message') {
        const held = c.resuming.get(event.message.assignmentId);
        if (held) {
          held.push(event.message);
          continue;
        }
      }
      write(c, frame);
    }
  }

  function fail(c: Conn, err: unknown, ref?: string, clientId?: string): void {
    if (err instanceof AppError) {
      send(c, {
        type: 'error',
        code: err.code,
        message: translateAny(err.code, c.locale, err.params),
        ...(ref ? { ref } : {}),
        ...(clientId ? { clientId } : {}),
      });
      return;
    }
    logger.error({ err }, 'command hub: message failed');
    send(c, {
      type: 'error',
      code: 'server.internal',
      message: translateAny('server.internal', c.locale),
      ...(ref ? { ref } : {}),
      ...(clientId ? { clientId } : {}),
    });
  }

  async function subscribe(c: Conn, assignmentId: string): Promise<'desk' | 'field'> {
    const had = c.subs.get(assignmentId);
    if (had) return had;
    if (c.subs.size >= limits.maxSubscriptions) throw new AppError('command.hub.too_many_subscriptions', { max: limits.maxSubscriptions });
    const access = await scope.accessWorking(c.user, assignmentId);
    if (c.socket.readyState !== c.socket.OPEN) return access.as;
    c.subs.set(assignmentId, access.as);
    index(byThread, assignmentId, c);
    if (access.as === 'desk') await presence.add(`desk:${assignmentId}`, c.id);
    return access.as;
  }

  async function unsubscribe(c: Conn, assignmentId: string): Promise<void> {
    const side = c.subs.get(assignmentId);
    if (!side) return;
    c.subs.delete(assignmentId);
    c.resuming.delete(assignmentId);
    unindex(byThread, assignmentId, c);
    if (side === 'desk') await presence.remove(`desk:${assignmentId}`, c.id);
  }

  async function resume(c: Conn, assignmentId: string, afterId: number): Promise<void> {
    // Hold live messages first, then read: anything stored after the read began is either in
    // the read or held, and the merge below sends each id once, in order.
    const fresh = !c.resuming.has(assignmentId);
    if (fresh) c.resuming.set(assignmentId, []);
    try {
      await subscribe(c, assignmentId);
      let last = afterId;
      for (;;) {
        const page = await chat.list(c.user, assignmentId, last, CHAT_PAGE);
        for (const m of page) send(c, { type: 'chat.message', message: m });
        if (page.length) last = page[page.length - 1]!.id;
        if (page.length < CHAT_PAGE) break;
      }
      const held = (c.resuming.get(assignmentId) ?? []).filter((m) => m.id > last).sort((a, b) => a.id - b.id);
      for (const m of held) {
        send(c, { type: 'chat.message', message: m });
        last = m.id;
      }
      send(c, { type: 'resumed', assignmentId, lastId: last });
    } finally {
      if (fresh) c.resuming.delete(assignmentId);
    }
  }

  async function handle(c: Conn, msg: HubClientMessage): Promise<void> {
    const from = c.user.id;
    switch (msg.type) {
      case 'ping':
        send(c, { type: 'pong', ...(msg.t === undefined ? {} : { t: msg.t }) });
        return;
      case 'subscribe':
        send(c, { type: 'subscribed', assignmentId: msg.assignmentId, side: await subscribe(c, msg.assignmentId) });
        return;
      case 'unsubscribe':
        await unsubscribe(c, msg.assignmentId);
        send(c, { type: 'unsubscribed', assignmentId: msg.assignmentId });
        return;
      case 'resume':
        await resume(c, msg.assignmentId, msg.afterId);
        return;
      case 'chat.send': {
        const { message, duplicate } = await chat.send(c.user, { assignmentId: msg.assignmentId, clientId: msg.clientId, body: msg.body });
        send(c, { type: 'chat.ack', clientId: msg.clientId, duplicate, message });
        return;
      }
      case 'signal': {
        if (!(await calls.mayRelay({ callId: msg.callId, from, to: msg.to }))) throw new AppError('command.call.relay_refused');
        await bus.publish({ target: { userIds: [msg.to] }, event: { type: 'signal', callId: msg.callId, from, kind: msg.kind, data: msg.data } });
        return;
      }
      case 'director': {
        if (!(await calls.mayRelay({ callId: msg.callId, from, to: msg.to, director: true }))) throw new AppError('command.call.relay_refused');
        await bus.publish({
          target: { userIds: [msg.to] },
          event: { type: 'director', callId: msg.callId, from, requestId: msg.requestId, quality: msg.quality },
        });
        return;
      }
      case 'director.ack': {
        const e = await calls.mayRelay({ callId: msg.callId, from });
        if (!e) throw new AppError('command.call.relay_refused');
        const directors = [...e.people].filter(([id, role]) => role === 'director' && id !== from).map(([id]) => id);
        await bus.publish({
          target: { userIds: directors },
          event: { type: 'director.ack', callId: msg.callId, from, requestId: msg.requestId, quality: msg.quality, ok: msg.ok },
        });
        return;
      }
      case 'call.degraded': {
        const e = await calls.mayRelay({ callId: msg.callId, from });
        if (!e) throw new AppError('command.call.relay_refused');
        const others = [...e.people.keys()].filter((id) => id !== from);
        await bus.publish({
          target: { userIds: others },
          event: { type: 'call.degraded', callId: msg.callId, from, audioOnly: msg.audioOnly, reason: msg.reason, ...(msg.stats ? { stats: msg.stats } : {}) },
        });
        return;
      }
    }
  }

  function allow(c: Conn): boolean {
    const now = Date.now();
    c.tokens = Math.min(limits.burst, c.tokens + ((now - c.refilledAt) / 1000) * limits.ratePerSecond);
    c.refilledAt = now;
    if (c.tokens < 1) return false;
    c.tokens -= 1;
    return true;
  }

  async function heartbeat(): Promise<void> {
    for (const c of [...conns]) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
      try {
        const found = await deps.authenticate(c.token);
        if (!found) {
          c.socket.close(4401, 'session ended');
          continue;
        }
        // Access can end while the socket is open (an offer withdrawn, a studio left): drop those threads.
        for (const id of [...c.subs.keys()]) {
          const ok = await scope.accessWorking(c.user, id).then(
            () => true,
            () => false,
          );
          if (!ok) {
            await unsubscribe(c, id);
            send(c, { type: 'unsubscribed', assignmentId: id });
          }
        }
        await presence.refresh([`user:${c.user.id}`, ...[...c.subs].filter(([, side]) => side === 'desk').map(([id]) => `desk:${id}`)], c.id);
      } catch (err) {
        logger.warn({ err }, 'command hub: heartbeat check failed');
      }
    }
  }

  return {
    limits,
    /** Starts delivering bus events and the timers; the routes call it once when the app starts. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      await bus.listen(deliver);
      const hb = setInterval(() => void heartbeat(), limits.heartbeatMs);
      const sweep = setInterval(
        () => void calls.expireRinging().catch((err: unknown) => logger.warn({ err }, 'command hub: ring sweep failed')),
        limits.ringSweepMs,
      );
      hb.unref();
      sweep.unref();
      timers = [hb, sweep];
    },

    /** Takes a socket whose upgrade request carried a valid session. */
    accept(socket: WebSocket, opts: { user: Actor; token: string; locale: Locale }): void {
      const c: Conn = {
        id: randomUUID(),
        socket,
        user: { id: opts.user.id, roles: opts.user.roles },
        token: opts.token,
        locale: opts.locale,
        subs: new Map(),
        resuming: new Map(),
        tokens: limits.burst,
        refilledAt: Date.now(),
        alive: true,
        strikes: 0,
      };
      conns.add(c);
      index(byUser, c.user.id, c);
      const ready = presence.add(`user:${c.user.id}`, c.id).catch((err: unknown) => logger.warn({ err }, 'command hub: presence'));
      socket.on('pong', () => {
        c.alive = true;
      });
      // One message at a time per socket, so a client's messages take effect in the order sent.
      let chain: Promise<void> = ready;
      socket.on('message', (data, isBinary) => {
        if (!allow(c)) {
          c.strikes += 1;
          if (c.strikes > limits.burst) socket.close(1008, 'rate limit');
          else fail(c, new AppError('command.hub.rate_limited'));
          return;
        }
        c.strikes = 0;
        chain = chain.then(async () => {
          let parsed: HubClientMessage;
          try {
            if (isBinary) throw new Error('binary');
            const raw = JSON.parse(data.toString()) as unknown;
            const r = hubClientMessageSchema.safeParse(raw);
            if (!r.success) {
              const ref =
                raw && typeof raw === 'object' && typeof (raw as { type?: unknown }).type === 'string'
                  ? String((raw as { type: string }).type).slice(0, 40)
                  : undefined;
              fail(c, new AppError('command.hub.bad_message', { detail: r.error.issues[0]?.path.join('.') || 'type' }), ref);
              return;
            }
            parsed = r.data;
          } catch {
            fail(c, new AppError('command.hub.bad_message', { detail: 'JSON' }));
            return;
          }
          try {
            await handle(c, parsed);
          } catch (err) {
            fail(c, err, parsed.type, parsed.type === 'chat.send' ? parsed.clientId : undefined);
          }
        });
      });
      socket.on('close', () => {
        conns.delete(c);
        unindex(byUser, c.user.id, c);
        const keys = [`user:${c.user.id}`];
        for (const [id, side] of c.subs) {
          unindex(byThread, id, c);
          if (side === 'desk') keys.push(`desk:${id}`);
        }
        void Promise.all(keys.map((k) => presence.remove(k, c.id))).catch((err: unknown) => logger.warn({ err }, 'command hub: presence'));
      });
      void ready.then(() =>
        send(c, { type: 'hello', userId: c.user.id, heartbeatSeconds: limits.heartbeatMs / 1000, maxMessageBytes: limits.maxMessageBytes }),
      );
    },

    /** Sockets open in this process (the bench and tests read it). */
    size: () => conns.size,

    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      for (const c of conns) c.socket.close(1001, 'server going away');
      await bus.close();
      started = false;
    },
  };
}
export type Hub = ReturnType<typeof createHub>;
