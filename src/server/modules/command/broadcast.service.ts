import dgram from 'node:dgram';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BroadcastPublic, BroadcastState } from '../../../contracts/command.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import { FFMPEG_BIN, runProcess } from '../media/ffmpeg.runner.js';
import type { CommandScopeService } from './command.scope.js';
import { JanusUnavailableError, type JanusAdapter } from './janus.adapter.js';
import type { JanusRepository } from './janus.repository.js';
import type { JanusCallsService } from './janus.service.js';

export interface BroadcastDeps {
  repo: JanusRepository;
  adapter: JanusAdapter | null;
  calls: JanusCallsService;
  scope: CommandScopeService;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** HLS segments are written under here, one folder per call. */
  dir: string;
  /** A viewer counts for this long after their last heartbeat. Default 30 s. */
  viewerWindowMs?: number;
}

interface Running {
  callId: string;
  userId: string;
  feed: number;
  streamIds: number[];
  dir: string;
  abort: AbortController;
  done: Promise<void>;
}

const LIVE = new Set(['ringing', 'active']);
const SEGMENT = /^(index\.m3u8|seg\d{5}\.ts)$/;
/** Chromium's payload types for Opus and VP8; Janus rewrites the forwarded packets to these. */
const PT = { audio: 111, video: 96 };

/** Two free UDP ports p, p+1 (RTP and the RTCP port ffmpeg opens beside it), p even. */
async function freeRtpPort(): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 50; i++) {
    const port = 41000 + 2 * Math.floor(Math.random() * 9000);
    if ((await tryBind(port)) && (await tryBind(port + 1))) return port;
  }
  throw new AppError('command.broadcast.failed');
}

export function broadcastSdp(ports: { audio: number; video: number }): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=Paike broadcast',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${ports.audio} RTP/AVP ${PT.audio}`,
    `a=rtpmap:${PT.audio} opus/48000/2`,
    `m=video ${ports.video} RTP/AVP ${PT.video}`,
    `a=rtpmap:${PT.video} VP8/90000`,
    '',
  ].join('\n');
}

/**
 * A call shown to an audience (docs/command-janus.md, "Broadcast"): Janus forwards one
 * publisher's RTP (rtp_forward) to two loopback ports, ffmpeg reads them through an SDP file and
 * writes a live HLS playlist, the public watch page plays it. Viewers heartbeat; the audience is
 * who was heard from in the last 30 s, its peak kept on the call. Runs in the process that
 * turned it on; stops when the call ends.
 */
export function createBroadcastService(deps: BroadcastDeps) {
  const { repo, adapter } = deps;
  const windowMs = deps.viewerWindowMs ?? 30_000;
  const running = new Map<string, Running>();
  const viewers = new Map<string, Map<string, number>>();

  function audience(callId: string): number {
    const seen = viewers.get(callId);
    if (!seen) return 0;
    const cutoff = Date.now() - windowMs;
    for (const [id, at] of seen) if (at < cutoff) seen.delete(id);
    return seen.size;
  }

  async function stopLocal(callId: string): Promise<void> {
    const r = running.get(callId);
    if (!r) return;
    running.delete(callId);
    if (adapter) {
      const room = adapter.room(callId);
      await Promise.all(
        r.streamIds.map((stream) =>
          adapter.control((c) => c.stopForward({ room: room.room, feed: r.feed, stream, secret: room.secret }), 'stop forward').catch(() => {}),
        ),
      );
    }
    r.abort.abort();
    await r.done;
    await rm(r.dir, { recursive: true, force: true });
  }

  async function stop(callId: string): Promise<void> {
    await stopLocal(callId);
    viewers.delete(callId);
    await repo.setBroadcast(callId, false);
  }

  async function start(callId: string, userId: string | undefined): Promise<Running> {
    const j = adapter;
    if (!j) throw new AppError('command.janus.not_janus');
    const seat = deps.calls.publishing(callId, userId);
    if (!seat || seat.feed === null || !seat.mids.video) throw new AppError('command.broadcast.no_feed');
    await stopLocal(callId);
    const dir = path.join(deps.dir, callId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const ports = { audio: await freeRtpPort(), video: await freeRtpPort() };
    const sdpPath = path.join(dir, 'input.sdp');
    await writeFile(sdpPath, broadcastSdp(ports));
    const abort = new AbortController();
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-fflags',
      '+genpts',
      '-i',
      sdpPath,
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*2)',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-ar',
      '48000',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_list_size',
      '6',
      '-hls_flags',
      'delete_segments+independent_segments',
      '-hls_segment_filename',
      path.join(dir, 'seg%05d.ts'),
      path.join(dir, 'index.m3u8'),
    ];
    const done = runProcess(FFMPEG_BIN, args, { timeoutMs: 12 * 60 * 60_000, signal: abort.signal })
      .then(() => {})
      .catch((err: unknown) => {
        if (!abort.signal.aborted) deps.logger.warn({ err, callId }, 'broadcast ffmpeg stopped');
      })
      .finally(() => {
        if (running.get(callId)?.abort === abort) void stop(callId).catch(() => {});
      });
    const r: Running = { callId, userId: seat.userId, feed: seat.feed, streamIds: [], dir, abort, done };
    running.set(callId, r);
    try {
      const room = j.room(callId);
      const streams = [{ mid: seat.mids.video, port: ports.video, pt: PT.video }];
      if (seat.mids.audio) streams.push({ mid: seat.mids.audio, port: ports.audio, pt: PT.audio });
      const res = await j.control((c) => c.startForward({ room: room.room, feed: seat.feed, host: '127.0.0.1', secret: room.secret, streams }), 'rtp forward');
      r.streamIds = (res.forwarders ?? res.streams ?? []).map((s) => (s as { stream_id: number }).stream_id).filter((n) => typeof n === 'number');
    } catch (err) {
      await stopLocal(callId);
      if (err instanceof AppError) throw err;
      deps.logger.warn({ err, callId }, 'broadcast rtp_forward failed');
      throw new AppError(err instanceof JanusUnavailableError ? 'command.janus.unavailable' : 'command.broadcast.failed');
    }
    return r;
  }

  async function state(callId: string): Promise<BroadcastState> {
    const call = await repo.getCall(callId);
    return {
      callId,
      on: !!call?.broadcast,
      audience: audience(callId),
      audiencePeak: call?.audiencePeak ?? 0,
      userId: running.get(callId)?.userId ?? null,
      watchPath: `/live/${callId}`,
    };
  }

  /** The call, when its broadcast is on and the call still live; 404 otherwise (and an ended call's broadcast stops). */
  async function publicCall(callId: string) {
    const call = await repo.getCall(callId);
    if (!call?.broadcast) throw new AppError('command.broadcast.not_found');
    if (!LIVE.has(call.status)) {
      await stop(callId);
      throw new AppError('command.broadcast.not_found');
    }
    return call;
  }

  if (adapter) adapter.onRoomClosed((callId) => stop(callId).catch(() => {}));
  const sweeper = setInterval(() => {
    for (const callId of running.keys()) {
      void repo
        .getCall(callId)
        .then((c) => (c && LIVE.has(c.status) ? undefined : stop(callId)))
        .catch(() => {});
    }
  }, 5000);
  sweeper.unref();

  return {
    /** The director turns it on (with whose picture) or off. command.direct, the assignment's desk, the call's director. */
    async set(actor: Actor | null | undefined, callId: string, input: { on: boolean; userId?: string }): Promise<BroadcastState> {
      assertCan(actor, 'command.direct');
      const { call } = await deps.calls.authorise(actor, callId, 'direct');
      const access = await deps.scope.access(actor, call.assignmentId);
      if (access.as !== 'desk') throw new AppError('command.janus.director_only');
      if (input.on) {
        await start(callId, input.userId);
        await repo.setBroadcast(callId, true);
      } else {
        await stop(callId);
      }
      return state(callId);
    },
    /** For the desk: on/off, audience, peak. Anyone who may watch the call. */
    async deskState(actor: Actor | null | undefined, callId: string): Promise<BroadcastState> {
      if (!actor) throw new AppError('auth.required');
      const call = await repo.getCall(callId);
      if (!call) throw new AppError('command.janus.call_not_found');
      const p = await repo.getParticipant(callId, actor.id);
      if (!p || p.role === 'guest') {
        assertCan(actor, 'command.view');
        const access = await deps.scope.access(actor, call.assignmentId);
        if (access.as !== 'desk') throw new AppError('command.janus.call_not_found');
      }
      return state(callId);
    },
    async publicState(callId: string): Promise<BroadcastPublic> {
      const call = await publicCall(callId);
      const assignment = await repo.getAssignment(call.assignmentId);
      const r = running.get(callId);
      const ready = r
        ? await stat(path.join(r.dir, 'index.m3u8')).then(
            () => true,
            () => false,
          )
        : false;
      return {
        callId,
        title: assignment?.title ?? '',
        audience: audience(callId),
        playlist: ready ? `/api/command/broadcasts/${callId}/hls/index.m3u8` : null,
      };
    },
    async heartbeat(callId: string, viewerId: string): Promise<number> {
      await publicCall(callId);
      let seen = viewers.get(callId);
      if (!seen) viewers.set(callId, (seen = new Map()));
      // A flood of made-up viewer ids cannot grow the map without bound.
      if (!seen.has(viewerId) && seen.size >= 100_000) return audience(callId);
      seen.set(viewerId, Date.now());
      const n = audience(callId);
      await repo.raiseAudiencePeak(callId, n);
      return n;
    },
    /** One HLS file of a broadcast that is on: the playlist or a segment. */
    async file(callId: string, name: string): Promise<{ body: Buffer; type: string }> {
      await publicCall(callId);
      const r = running.get(callId);
      if (!r || !SEGMENT.test(name)) throw new AppError('command.broadcast.not_found');
      const body = await readFile(path.join(r.dir, name)).catch(() => null);
      if (!body) throw new AppError('command.broadcast.not_found');
      return { body, type: name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' };
    },
    stop,
    async closeAll(): Promise<void> {
      clearInterval(sweeper);
      await Promise.all([...running.keys()].map((id) => stopLocal(id).catch(() => {})));
    },
  };
}
export type BroadcastService = ReturnType<typeof createBroadcastService>;
