import { createHash, createHmac } from 'node:crypto';
import path from 'node:path';
import Janode, { type JanodeConnection, type JanodeJsep, type JanodeSession } from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { CallRoomBackend } from './call.backend.js';

// janode logs every request to stdout at its default level, and each refused connect as an error; the adapter reports what matters.
Janode.Logger.setLevel('none');

export interface JanusAdapterOptions {
  /** JANUS_URL: ws://host:port/ */
  url: string;
  apiSecret?: string;
  /** Where rooms record; each call records into its own folder below it (recordingDir). */
  recordingsDir: string;
  /** Key for each room's secret and pin (only Paike knows them, so a browser cannot join without Paike). */
  roomKey: string;
  /** The longest healthy() may take (default 800 ms). */
  healthTimeoutMs?: number;
  /** The longest any other request to Janus may take (default 8 s). */
  requestTimeoutMs?: number;
  logger?: { warn(obj: unknown, msg?: string): void };
}

export class JanusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JanusUnavailableError';
  }
}

interface Link {
  conn: JanodeConnection;
  session: JanodeSession;
  /** The handle that creates and destroys rooms and starts forwarders. */
  control: VideoRoomHandle;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JanusUnavailableError(`Janus: ${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Janus's plugin errors come back as "<code> <text>" (427 room exists, 426 no such room). */
export function janusErrorCode(err: unknown): number | null {
  const m = err instanceof Error ? /^(\d{3}) /.exec(err.message) : null;
  return m ? Number(m[1]) : null;
}

/** The room number of a call: 48 bits of its id's hash, so opening twice finds the same room. */
export function roomOf(callId: string): number {
  return parseInt(createHash('sha256').update(`paike:call-room:${callId}`).digest('hex').slice(0, 12), 16);
}

/**
 * Paike's one link to Janus (janode over its WebSocket API): connected on first use, dropped
 * when Janus closes it or stops answering and connected again on the next request, so a
 * restarted Janus is picked up without restarting Paike. Every request is bounded: a Janus
 * that hangs makes requests fail with JanusUnavailableError, never hang.
 */
export function createJanusAdapter(opts: JanusAdapterOptions) {
  const healthTimeoutMs = opts.healthTimeoutMs ?? 800;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 8000;
  let link: Promise<Link> | null = null;
  let closed = false;
  const roomClosedListeners: ((callId: string) => void | Promise<void>)[] = [];
  const linkLostListeners: (() => void)[] = [];

  function drop(which: Promise<Link> | null) {
    if (which && link === which) {
      link = null;
      for (const l of linkLostListeners) l();
      void which.then((l) => l.conn.close()).catch(() => {});
    }
  }

  async function open(): Promise<Link> {
    const conn = await Janode.connect({
      address: { url: opts.url, ...(opts.apiSecret ? { apisecret: opts.apiSecret } : {}) },
      // One attempt: the next request tries again, so a Janus that is down costs one refused connect.
      max_retries: 1,
      retry_time_secs: 1,
    });
    try {
      const session = await conn.create(15);
      const control = await session.attach(VideoRoomPlugin);
      return { conn, session, control };
    } catch (err) {
      void conn.close().catch(() => {});
      throw err;
    }
  }

  function connect(timeoutMs: number): Promise<Link> {
    if (closed) return Promise.reject(new JanusUnavailableError('Janus adapter closed'));
    if (!link) {
      const p = open();
      link = p;
      p.then(
        (l) => {
          const lost = () => drop(p);
          l.conn.once(Janode.EVENT.CONNECTION_CLOSED, lost);
          l.conn.once(Janode.EVENT.CONNECTION_ERROR, lost);
          l.session.once(Janode.EVENT.SESSION_DESTROYED, lost);
          if (closed) drop(p);
        },
        () => {
          if (link === p) link = null;
        },
      );
    }
    return withTimeout(link, timeoutMs, 'connect');
  }

  async function request<T>(fn: (l: Link) => Promise<T>, what: string, timeoutMs = requestTimeoutMs): Promise<T> {
    const started = Date.now();
    let l: Link;
    try {
      l = await connect(timeoutMs);
    } catch (err) {
      if (err instanceof JanusUnavailableError) throw err;
      throw new JanusUnavailableError(`Janus: cannot connect to ${opts.url}`, { cause: err });
    }
    const current = link;
    try {
      return await withTimeout(fn(l), Math.max(1, timeoutMs - (Date.now() - started)), what);
    } catch (err) {
      // A timeout means Janus stopped answering: start afresh next time.
      if (err instanceof JanusUnavailableError) drop(current);
      throw err;
    }
  }

  const secretOf = (callId: string, what: 'secret' | 'pin') => createHmac('sha256', opts.roomKey).update(`${what}:${callId}`).digest('hex').slice(0, 32);

  const backend: CallRoomBackend = {
    async healthy() {
      try {
        await request((l) => l.conn.getInfo(), 'info', healthTimeoutMs);
        return true;
      } catch {
        return false;
      }
    },

    async openRoom({ callId, record }) {
      const room = roomOf(callId);
      await request(async (l) => {
        try {
          await l.control.create({
            room,
            description: `paike call ${callId}`,
            max_publishers: 6,
            is_private: true,
            secret: secretOf(callId, 'secret'),
            pin: secretOf(callId, 'pin'),
            record,
            rec_dir: recordingDir(callId),
            audiocodec: 'opus',
            videocodec: 'vp8',
            // A keyframe every few seconds: recordings and broadcasts start cleanly at any point.
            fir_freq: 3,
            bitrate: 1_500_000,
          });
        } catch (err) {
          if (janusErrorCode(err) !== 427) throw err; // 427: already open (a retried start)
        }
      }, 'create room');
      return { room };
    },

    async closeRoom({ callId, room }) {
      for (const l of roomClosedListeners) await l(callId);
      await request(async (l) => {
        try {
          await l.control.destroy({ room, secret: secretOf(callId, 'secret') });
        } catch (err) {
          if (janusErrorCode(err) !== 426) throw err; // 426: gone already (Janus restarted)
        }
      }, 'destroy room');
    },
  };

  function recordingDir(callId: string): string {
    return path.join(opts.recordingsDir, callId);
  }

  return {
    ...backend,
    recordingDir,
    room: (callId: string) => ({ room: roomOf(callId), secret: secretOf(callId, 'secret'), pin: secretOf(callId, 'pin') }),
    /** A new VideoRoom handle on Paike's session: one per browser connection (publisher or subscriber). */
    attach: () => request((l) => l.session.attach(VideoRoomPlugin), 'attach'),
    /** A bounded request on a handle (join, configure, start …). */
    call: <T>(fn: () => Promise<T>, what: string) => withTimeout(fn(), requestTimeoutMs, what),
    control: <T>(fn: (control: VideoRoomHandle) => Promise<T>, what: string) => request((l) => fn(l.control), what),
    onRoomClosed(fn: (callId: string) => void | Promise<void>) {
      roomClosedListeners.push(fn);
    },
    /** The link dropped: every handle on it died with it. */
    onLinkLost(fn: () => void) {
      linkLostListeners.push(fn);
    },
    async close() {
      closed = true;
      drop(link);
    },
  };
}
export type JanusAdapter = ReturnType<typeof createJanusAdapter>;
export type { JanodeJsep };

/** JANUS_RECORDINGS_DIR, or DATA_DIR/janus-recordings: a folder Janus writes and Paike reads. */
export function janusRecordingsDir(config: { JANUS_RECORDINGS_DIR?: string; dataDir: string }): string {
  return config.JANUS_RECORDINGS_DIR ? path.resolve(config.JANUS_RECORDINGS_DIR) : path.join(config.dataDir, 'janus-recordings');
}

/** The key rooms' secrets and pins are made from: stable across restarts, so a restarted Paike still manages its rooms. */
export function janusRoomKey(config: { JANUS_API_SECRET?: string; PAYOUT_DETAILS_KEY?: string; dataDir: string }): string {
  const base = config.JANUS_API_SECRET ?? config.PAYOUT_DETAILS_KEY ?? `paike-development:${config.dataDir}`;
  return createHash('sha256').update(`paike:janus-room-key:v1:${base}`).digest('hex');
}
