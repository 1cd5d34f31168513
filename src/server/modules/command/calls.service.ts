import type { FastifyBaseLogger } from 'fastify';
import { CALL_RING_SECONDS, type LiveCall } from '../../../contracts/command.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from '../../../contracts/command.limits.js';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { CallRoomBackend } from './call.backend.js';
import type { CallRow, CallsRepository, ParticipantRow } from './calls.repository.js';
import type { CommandScopeService } from './command.scope.js';
import type { HubBus } from './hub.bus.js';
import type { Presence } from './hub.presence.js';

export interface CallsServiceDeps {
  db: Db;
  repo: CallsRepository;
  scope: CommandScopeService;
  bus: HubBus;
  presence: Presence;
  /** The media server seam: null or unhealthy → peer to peer. */
  callRooms: () => CallRoomBackend | null;
  /** Set when Janus is configured, so a call that went peer to peer says why. */
  janusConfigured: boolean;
  jobs: Pick<JobQueue, 'send'>;
  clock: Clock;
  logger: FastifyBaseLogger;
  ringSeconds?: number;
}

/** Who may relay media signalling for a call, cached briefly: ICE candidates come in bursts and each one would otherwise cost a query. */
interface RelayEntry {
  status: CallRow['status'];
  media: CallRow['media'];
  assignmentId: string;
  people: Map<string, ParticipantRow['role']>;
  until: number;
}
const RELAY_CACHE_MS = 3000;

/**
 * Calls (连线) about an assignment (docs/command-live.md, "Calls"): who may ring whom, the ring's
 * life (ringing → active | declined | missed; → ended), where the media goes (a Janus room when
 * the backend answers, else peer to peer, saying why when Janus was meant to carry it), and who
 * may exchange signalling. Every change is published to the call's people and the thread's desk.
 */
export function createCallsService(deps: CallsServiceDeps) {
  const { db, repo, scope, bus, presence, clock, logger } = deps;
  const ringMs = (deps.ringSeconds ?? CALL_RING_SECONDS) * 1000;
  const relay = new Map<string, RelayEntry>();

  async function view(row: CallRow, tx: Db = db): Promise<LiveCall> {
    const [people, assignment] = await Promise.all([repo.participants(row.id, tx), repo.assignmentSummary(row.assignmentId, tx)]);
    return {
      id: row.id,
      assignmentId: row.assignmentId,
      startedBy: row.startedBy,
      direction: row.direction,
      calleeId: row.calleeId,
      media: row.media,
      status: row.status,
      broadcast: row.broadcast,
      audiencePeak: row.audiencePeak,
      startedAt: row.startedAt.toISOString(),
      answeredAt: row.answeredAt?.toISOString() ?? null,
      endedAt: row.endedAt?.toISOString() ?? null,
      endReason: row.endReason,
      fallbackReason: row.fallbackReason,
      recordingStatus: row.recordingStatus,
      submissionId: row.submissionId,
      participants: people.map((p) => ({ ...p, joinedAt: p.joinedAt?.toISOString() ?? null, leftAt: p.leftAt?.toISOString() ?? null })),
      assignment: assignment!,
      ringsUntil: row.status === 'ringing' ? new Date(row.startedAt.getTime() + ringMs).toISOString() : null,
    };
  }

  const summary = (a: { id: string; title: string; campaignId: string; theme: string | null; status: LiveCall['assignment']['status'] }) => ({
    id: a.id,
    title: a.title,
    campaignId: a.campaignId,
    theme: a.theme,
    status: a.status,
  });

  /** Tells the call's people (and whoever it rings) and the desk on the thread. */
  async function announce(call: LiveCall): Promise<void> {
    relay.delete(call.id);
    const userIds = new Set(call.participants.map((p) => p.userId));
    if (call.calleeId) userIds.add(call.calleeId);
    await bus.publish({ target: { assignmentId: call.assignmentId, side: 'desk', userIds: [...userIds] }, event: { type: 'call', call } });
  }

  async function load(id: string): Promise<CallRow> {
    const row = await repo.get(id);
    if (!row) throw new AppError('command.call.not_found');
    return row;
  }

  /** The call, if the actor may see it: desk staff covering its assignment, or one of its field people. */
  async function reach(actor: Actor | null | undefined, id: string) {
    const row = await load(id);
    const access = await scope.accessWorking(actor, row.assignmentId).catch((err: unknown) => {
      // Seeing the assignment is the precondition; for the field a call they are not on does not exist.
      throw err instanceof AppError && err.code === 'command.assignment_not_found' ? new AppError('command.call.not_found') : err;
    });
    const people = await repo.participants(id);
    const mine = people.find((p) => p.userId === actor!.id);
    if (access.as === 'field' && !mine && row.calleeId !== actor!.id) throw new AppError('command.call.not_found');
    return { row, access, people, mine };
  }

  /** After a call ends: a Janus room is closed and its recording handed to part janus's job. */
  async function afterEnd(row: CallRow, answered: boolean): Promise<void> {
    if (row.media !== 'janus' || row.janusRoom === null) return;
    const rooms = deps.callRooms();
    try {
      await rooms?.closeRoom({ callId: row.id, room: row.janusRoom });
    } catch (err) {
      logger.warn({ err, callId: row.id }, 'command call: closing the Janus room failed');
    }
    if (!answered) {
      await repo.setRecording(row.id, { recordingStatus: 'none' });
      return;
    }
    await db.transaction(async (tx) => {
      await repo.setRecording(row.id, { recordingStatus: 'pending' }, tx);
      await deps.jobs.send('command.call-recording', { callId: row.id }, { tx, singletonKey: `call-recording:${row.id}` });
    });
  }

  async function chooseMedia(): Promise<{ media: 'p2p' | 'janus'; fallbackReason: string | null }> {
    const rooms = deps.callRooms();
    const healthy = rooms ? await rooms.healthy().catch(() => false) : false;
    if (healthy) return { media: 'janus', fallbackReason: null };
    return { media: 'p2p', fallbackReason: deps.janusConfigured ? 'janus_down' : null };
  }

  return {
    ringMs,
    view,
    /** Drops a call's cached relay rights (its state changed, here or in another process). */
    forget(callId: string): void {
      relay.delete(callId);
    },

    async start(actor: Actor | null | undefined, assignmentId: string, input: { calleeId?: string }): Promise<LiveCall> {
      const access = await scope.accessWorking(actor, assignmentId);
      const me = actor!;
      if (!(ACTIVE_ASSIGNMENT_STATUSES as readonly string[]).includes(access.assignment.status)) throw new AppError('command.call.assignment_not_active');
      let calleeId: string | null = null;
      if (access.as === 'desk') {
        assertCan(me, 'command.direct');
        if (!input.calleeId) throw new AppError('command.call.callee_required');
        if (!(await repo.isWorking(assignmentId, input.calleeId))) throw new AppError('command.call.callee_not_working');
        if (!(await presence.online(`user:${input.calleeId}`))) throw new AppError('command.call.offline');
        calleeId = input.calleeId;
      } else {
        if (input.calleeId) throw new AppError('command.call.callee_not_allowed');
        if (!(await presence.online(`desk:${assignmentId}`))) throw new AppError('command.call.offline');
      }
      const { media, fallbackReason } = await chooseMedia();
      const now = clock.now();
      let id: string;
      try {
        id = await db.transaction(async (tx) => {
          const callId = await repo.create(
            { assignmentId, startedBy: me.id, direction: access.as === 'desk' ? 'desk_to_field' : 'field_to_desk', calleeId, media, fallbackReason },
            tx,
          );
          await repo.addParticipant({ callId, userId: me.id, role: access.as === 'desk' ? 'director' : 'guest', joinedAt: now }, tx);
          if (calleeId) await repo.addParticipant({ callId, userId: calleeId, role: 'guest', joinedAt: null }, tx);
          return callId;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('command.call.busy');
        throw err;
      }
      if (media === 'janus') {
        try {
          const { room } = await deps.callRooms()!.openRoom({ callId: id, record: true });
          await repo.setRecording(id, { janusRoom: room, recordingStatus: 'recording' });
        } catch (err) {
          // Janus answered the health check but not the room: the call still happens, peer to peer.
          logger.warn({ err, callId: id }, 'command call: opening the Janus room failed; peer to peer');
          await repo.setFallback(id, 'janus_down');
        }
      }
      const call = await view((await repo.get(id))!);
      await announce(call);
      return call;
    },

    async get(actor: Actor | null | undefined, id: string): Promise<LiveCall> {
      const { row } = await reach(actor, id);
      return view(row);
    },

    /**
     * Ringing or active calls on an assignment the actor may see (the field: only their own),
     * and whom the actor could call now: the desk sees the people working it and whether each
     * is online; the field whether anyone at the desk has the thread open.
     */
    async contacts(actor: Actor | null | undefined, assignmentId: string) {
      const access = await scope.accessWorking(actor, assignmentId);
      const all = await Promise.all((await repo.listLive(assignmentId)).map((r) => view(r)));
      if (access.as === 'field') {
        return {
          calls: all.filter((c) => c.calleeId === actor!.id || c.participants.some((p) => p.userId === actor!.id)),
          people: [],
          deskOnline: await presence.online(`desk:${assignmentId}`),
          assignment: summary(access.assignment),
        };
      }
      const workers = await repo.workers(assignmentId);
      const people = await Promise.all(workers.map(async (w) => ({ ...w, online: await presence.online(`user:${w.userId}`) })));
      return { calls: all, people, deskOnline: true, assignment: summary(access.assignment) };
    },

    async answer(actor: Actor | null | undefined, id: string): Promise<LiveCall> {
      const { row, access } = await reach(actor, id);
      const me = actor!;
      if (row.direction === 'desk_to_field') {
        if (row.calleeId !== me.id) throw new AppError('command.call.not_callee');
      } else {
        if (access.as !== 'desk') throw new AppError('command.call.not_callee');
        assertCan(me, 'command.direct');
      }
      const now = clock.now();
      const moved = await db.transaction(async (tx) => {
        const r = await repo.transition(id, ['ringing'], { status: 'active', answeredAt: now }, tx);
        if (!r) return undefined;
        if (row.direction === 'field_to_desk') await repo.addParticipant({ callId: id, userId: me.id, role: 'director', joinedAt: now }, tx);
        await repo.markJoined(id, [me.id], now, tx);
        return r;
      });
      if (!moved) throw new AppError('command.call.not_ringing');
      const call = await view(moved);
      await announce(call);
      return call;
    },

    async decline(actor: Actor | null | undefined, id: string): Promise<LiveCall> {
      const { row, access } = await reach(actor, id);
      if (row.direction === 'desk_to_field' ? row.calleeId !== actor!.id : access.as !== 'desk') throw new AppError('command.call.not_callee');
      const now = clock.now();
      const moved = await db.transaction(async (tx) => {
        const r = await repo.transition(id, ['ringing'], { status: 'declined', endedAt: now, endReason: 'declined' }, tx);
        if (r) await repo.markAllLeft(id, now, tx);
        return r;
      });
      if (!moved) throw new AppError('command.call.not_ringing');
      await afterEnd(moved, false);
      const call = await view((await repo.get(id))!);
      await announce(call);
      return call;
    },

    /** Ends a ringing (the caller cancels) or active call; any participant may. */
    async hangUp(actor: Actor | null | undefined, id: string): Promise<LiveCall> {
      const { row, mine } = await reach(actor, id);
      if (!mine) throw new AppError('command.call.not_participant');
      const now = clock.now();
      const wasActive = row.status === 'active';
      const moved = await db.transaction(async (tx) => {
        const r = await repo.transition(
          id,
          ['ringing', 'active'],
          { status: 'ended', endedAt: now, endReason: row.status === 'ringing' ? 'cancelled' : 'hangup' },
          tx,
        );
        if (r) await repo.markAllLeft(id, now, tx);
        return r;
      });
      if (!moved) throw new AppError('command.call.ended');
      await afterEnd(moved, wasActive);
      const call = await view((await repo.get(id))!);
      await announce(call);
      return call;
    },

    /** Rings older than the ring time become missed; every serve process runs this every few seconds. */
    async expireRinging(now: Date = clock.now()): Promise<number> {
      const rows = await repo.expireRinging(new Date(now.getTime() - ringMs), now);
      for (const r of rows) {
        await repo.markAllLeft(r.id, now);
        await afterEnd(r, false);
        await announce(await view((await repo.get(r.id))!));
      }
      return rows.length;
    },

    /**
     * Whether `from` may send `to` signalling for this call: both on it, it active, and (for
     * director requests) `from` its director. Peer-to-peer signalling only: a Janus call
     * negotiates with the media server over part janus's routes.
     */
    async mayRelay(opts: { callId: string; from: string; to?: string; director?: boolean }): Promise<RelayEntry | null> {
      let e = relay.get(opts.callId);
      if (!e || e.until < Date.now()) {
        const row = await repo.get(opts.callId);
        if (!row) return null;
        const people = await repo.participants(opts.callId);
        e = {
          status: row.status,
          media: row.media,
          assignmentId: row.assignmentId,
          people: new Map(people.map((p) => [p.userId, p.role])),
          until: Date.now() + RELAY_CACHE_MS,
        };
        relay.set(opts.callId, e);
        if (relay.size > 10_000) relay.clear();
      }
      if (e.status !== 'active' || !e.people.has(opts.from)) return null;
      if (opts.to !== undefined && (opts.to === opts.from || !e.people.has(opts.to))) return null;
      if (opts.director && e.people.get(opts.from) !== 'director') return null;
      return e;
    },
  };
}
export type CallsService = ReturnType<typeof createCallsService>;
