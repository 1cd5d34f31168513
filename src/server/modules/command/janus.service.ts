import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import type { CallRole } from '../../../contracts/command.limits.js';
import type { JanusFeed } from '../../../contracts/command.js';
import type { Db } from '../../db/client.js';
import type { CommandCallRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { can, type Actor } from '../accounts/permissions.js';
import type { CommandScopeService } from './command.scope.js';
import { janusErrorCode, JanusUnavailableError, type JanusAdapter } from './janus.adapter.js';
import type { JanusRepository } from './janus.repository.js';

export interface JanusCallsDeps {
  db: Db;
  repo: JanusRepository;
  /** Null when JANUS_URL is unset: every route answers 409 `command.janus.not_janus`. */
  adapter: JanusAdapter | null;
  scope: CommandScopeService;
  clock: Clock;
  /** A browser not heard from (feeds poll) for this long loses its handles. Default 45 s. */
  idleMs?: number;
}

/** One person's place in a call's room: their publisher handle and one subscriber handle per feed they watch. */
export interface Seat {
  callId: string;
  userId: string;
  role: CallRole;
  publisher: VideoRoomHandle | null;
  feed: number | null;
  /** The media line ids of the published offer (a=mid), for rtp_forward by stream. */
  mids: { audio?: string; video?: string };
  subscribers: Map<number, VideoRoomHandle>;
  seenAt: number;
}

const LIVE_STATUSES = new Set(['ringing', 'active']);

/** a=mid of the first audio and video m-sections of an SDP. */
export function midsOf(sdp: string): { audio?: string; video?: string } {
  const out: { audio?: string; video?: string } = {};
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.startsWith('audio') ? 'audio' : section.startsWith('video') ? 'video' : null;
    const mid = /a=mid:(\S+)/.exec(section)?.[1];
    if (kind && mid && !out[kind]) out[kind] = mid;
  }
  return out;
}

/**
 * Browsers' negotiation with the call's VideoRoom, through Paike (docs/command-janus.md): Paike
 * holds every Janus handle, so a browser never learns the room's secret or pin and can only do
 * what its participant row allows. Director and guests publish; a watcher (desk staff covering
 * the assignment's studio) only subscribes.
 */
export function createJanusCallsService(deps: JanusCallsDeps) {
  const { repo, adapter } = deps;
  const idleMs = deps.idleMs ?? 45_000;
  const seats = new Map<string, Seat>();
  const key = (callId: string, userId: string) => `${callId}:${userId}`;

  function need(): JanusAdapter {
    if (!adapter) throw new AppError('command.janus.not_janus');
    return adapter;
  }

  /** Janus's refusals and silences in the API's terms. */
  async function guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof JanusUnavailableError) throw new AppError('command.janus.unavailable');
      const code = janusErrorCode(err);
      if (code === 428 || code === 426) throw new AppError('command.janus.feed_not_found');
      throw new AppError('command.janus.rejected');
    }
  }

  /** Who the actor is in the call; refuses anyone else, and a watcher who wants to publish. */
  async function authorise(
    actor: Actor | null | undefined,
    callId: string,
    want: 'publish' | 'watch' | 'direct',
  ): Promise<{ call: CommandCallRow; role: CallRole }> {
    if (!actor) throw new AppError('auth.required');
    const call = await repo.getCall(callId);
    if (!call) throw new AppError('command.janus.call_not_found');
    const p = await repo.getParticipant(callId, actor.id);
    let role: CallRole;
    if (p) {
      role = p.role;
    } else {
      // Other desks may watch a call on an assignment of a studio they cover (command.view + scope).
      if (!can(actor, 'command.view')) throw new AppError('command.janus.call_not_found');
      const access = await deps.scope.access(actor, call.assignmentId).catch(() => null);
      if (access?.as !== 'desk') throw new AppError('command.janus.call_not_found');
      role = 'watcher';
    }
    if (want === 'publish' && role === 'watcher') throw new AppError('command.janus.watcher_cannot_publish');
    if (want === 'direct' && (role !== 'director' || !can(actor, 'command.direct'))) throw new AppError('command.janus.director_only');
    if (call.media !== 'janus' || call.janusRoom === null) throw new AppError('command.janus.not_janus');
    if (!LIVE_STATUSES.has(call.status)) throw new AppError('command.janus.call_not_live');
    if (!p) await repo.addWatcher(callId, actor.id, deps.clock.now());
    return { call, role };
  }

  function seatOf(callId: string, userId: string, role: CallRole): Seat {
    const k = key(callId, userId);
    let s = seats.get(k);
    if (!s) {
      s = { callId, userId, role, publisher: null, feed: null, mids: {}, subscribers: new Map(), seenAt: Date.now() };
      seats.set(k, s);
    }
    s.seenAt = Date.now();
    return s;
  }

  async function detach(h: VideoRoomHandle | null | undefined): Promise<void> {
    if (!h) return;
    await Promise.race([h.detach().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  }

  async function release(seat: Seat): Promise<void> {
    seats.delete(key(seat.callId, seat.userId));
    const handles = [seat.publisher, ...seat.subscribers.values()];
    seat.publisher = null;
    seat.subscribers.clear();
    await Promise.all(handles.map(detach));
  }

  async function releaseCall(callId: string): Promise<void> {
    await Promise.all([...seats.values()].filter((s) => s.callId === callId).map(release));
  }

  if (adapter) {
    adapter.onRoomClosed(releaseCall);
    // Every handle died with the link; the browsers publish again when their polls fail.
    adapter.onLinkLost(() => seats.clear());
  }
  const sweeper = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const s of seats.values()) if (s.seenAt < cutoff) void release(s);
    },
    Math.min(idleMs, 15_000),
  );
  sweeper.unref();

  return {
    authorise,
    /** The publisher seat of a person in a call, if they are publishing now (broadcast picks its feed here). */
    publishing(callId: string, userId?: string): Seat | undefined {
      const all = [...seats.values()].filter((s) => s.callId === callId && s.publisher && s.feed !== null);
      if (userId) return all.find((s) => s.userId === userId);
      return all.find((s) => s.role === 'guest') ?? all[0];
    },

    /** The browser's offer in, Janus's answer out; the browser has finished gathering (no trickle). */
    async publish(actor: Actor | null | undefined, callId: string, sdp: string): Promise<{ feed: number; sdp: string }> {
      const { call, role } = await authorise(actor, callId, 'publish');
      const j = need();
      const seat = seatOf(callId, actor!.id, role);
      // Publishing again (a reload, a new camera): the old feed goes first.
      const old = seat.publisher;
      seat.publisher = null;
      seat.feed = null;
      await detach(old);
      const room = j.room(callId);
      return guard(async () => {
        const handle = await j.attach();
        try {
          const res = await j.call(
            () =>
              handle.joinConfigurePublisher({
                room: call.janusRoom ?? room.room,
                pin: room.pin,
                display: actor!.id,
                audio: true,
                video: true,
                // One recording per publish, in the room's rec_dir (Janus prefixes it: a bare name):
                // u-<userId>-<ms>-{audio,video}-<mid>.mjr
                filename: `u-${actor!.id}-${Date.now()}`,
                jsep: { type: 'offer', sdp },
              }),
            'publish',
          );
          if (!res.jsep) throw new AppError('command.janus.rejected');
          seat.publisher = handle;
          seat.feed = res.feed;
          seat.mids = midsOf(sdp);
          return { feed: res.feed, sdp: res.jsep.sdp };
        } catch (err) {
          await detach(handle);
          throw err;
        }
      });
    },

    /** Everyone else publishing in the room; polling it also keeps the asker's handles alive. */
    async feeds(actor: Actor | null | undefined, callId: string, wait?: { known: number[]; seconds: number }): Promise<JanusFeed[]> {
      const { role } = await authorise(actor, callId, 'watch');
      const j = need();
      const seat = seatOf(callId, actor!.id, role);
      const room = j.room(callId);
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      const list = async () =>
        (await guard(() => j.control((c) => c.listParticipants({ room: room.room, secret: room.secret }), 'list participants'))).participants.filter(
          (p) => p.publisher && p.display && uuid.test(p.display) && p.display !== actor!.id,
        );
      let found = await list();
      if (wait) {
        // Long poll: answer as soon as the set of feeds differs from what the browser knows.
        // Janus's listparticipants is an in-memory lookup, so asking it every 150 ms is cheap.
        const known = [...wait.known].sort((a, b) => a - b).join(',');
        const deadline = Date.now() + wait.seconds * 1000;
        while (
          found
            .map((p) => p.feed)
            .sort((a, b) => a - b)
            .join(',') === known &&
          Date.now() < deadline &&
          seats.has(key(callId, actor!.id))
        ) {
          await new Promise((r) => setTimeout(r, 150));
          seat.seenAt = Date.now();
          found = await list();
        }
      }
      const roles = new Map((await repo.listParticipants(callId)).map((p) => [p.userId, p.role]));
      return found.map((p) => ({ feed: p.feed, userId: p.display!, role: roles.get(p.display!) ?? null }));
    },

    /** Janus's offer for one feed; the browser answers with `answer`. */
    async subscribe(actor: Actor | null | undefined, callId: string, feed: number): Promise<{ feed: number; sdp: string }> {
      const { role } = await authorise(actor, callId, 'watch');
      const j = need();
      const seat = seatOf(callId, actor!.id, role);
      const old = seat.subscribers.get(feed);
      seat.subscribers.delete(feed);
      await detach(old);
      const room = j.room(callId);
      return guard(async () => {
        const handle = await j.attach();
        try {
          const res = await j.call(() => handle.joinSubscriber({ room: room.room, feed, pin: room.pin }), 'subscribe');
          if (!res.jsep) throw new AppError('command.janus.rejected');
          seat.subscribers.set(feed, handle);
          return { feed, sdp: res.jsep.sdp };
        } catch (err) {
          await detach(handle);
          throw err;
        }
      });
    },

    async answer(actor: Actor | null | undefined, callId: string, feed: number, sdp: string): Promise<void> {
      const { role } = await authorise(actor, callId, 'watch');
      const j = need();
      const handle = seatOf(callId, actor!.id, role).subscribers.get(feed);
      if (!handle) throw new AppError('command.janus.feed_not_found');
      await guard(() => j.call(() => handle.start({ jsep: { type: 'answer', sdp } }), 'start'));
    },

    /** Lets go of the asker's handles (their feed leaves the room). Allowed after the call ended. */
    async leave(actor: Actor | null | undefined, callId: string): Promise<void> {
      if (!actor) throw new AppError('auth.required');
      const seat = seats.get(key(callId, actor.id));
      if (seat) await release(seat);
    },

    /** The director caps a guest's (or anyone's) video bitrate at Janus: REMB tells their browser to send less. */
    async setBitrate(actor: Actor | null | undefined, callId: string, input: { userId: string; maxBitrateKbps: number }): Promise<void> {
      await authorise(actor, callId, 'direct');
      const j = need();
      const seat = seats.get(key(callId, input.userId));
      const handle = seat?.publisher;
      if (!handle) throw new AppError('command.janus.not_publishing');
      await guard(() => j.call(() => handle.configure({ bitrate: input.maxBitrateKbps * 1000 }), 'configure'));
    },

    releaseCall,
    async closeAll(): Promise<void> {
      clearInterval(sweeper);
      await Promise.all([...seats.values()].map(release));
    },
  };
}
export type JanusCallsService = ReturnType<typeof createJanusCallsService>;
