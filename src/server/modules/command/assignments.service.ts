import {
  isOverdue,
  type Assignment,
  type AssignmentCreate,
  type AssignmentDetail,
  type AssignmentPatch,
  type AssignmentStatus,
  type Dispatch,
} from '../../../contracts/command.js';
import type { Db } from '../../db/client.js';
import type { AssignmentRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { AssignmentSet, AssignmentsRepository } from './assignments.repository.js';
import type { CommandScopeService } from './command.scope.js';
import { assertFieldPeople, type OffersService } from './offers.service.js';

export interface AssignmentsServiceDeps {
  db: Db;
  repo: AssignmentsRepository;
  scope: CommandScopeService;
  offers: OffersService;
  audit: AuditRepository;
  clock: Clock;
}

export type AssignmentAction = 'dispatch' | 'submit' | 'complete' | 'cancel';

/**
 * The desk's actions and the states each may start from (Superdesk Planning's coverage states).
 * `in_progress` is never an action: the first footage uploaded against the assignment moves it
 * there (assignments.footage.ts). `submitted` is the desk's word that the footage it needs is in;
 * `complete` may also close an assignment the desk decides is done without that step.
 */
export const TRANSITIONS: Record<AssignmentAction, { from: readonly AssignmentStatus[]; to: AssignmentStatus }> = {
  dispatch: { from: ['draft'], to: 'assigned' },
  submit: { from: ['in_progress'], to: 'submitted' },
  complete: { from: ['assigned', 'in_progress', 'submitted'], to: 'completed' },
  cancel: { from: ['draft', 'assigned', 'in_progress', 'submitted'], to: 'cancelled' },
};

/** What each transition stamps on the row. */
const STAMP: Partial<Record<AssignmentStatus, keyof AssignmentRow>> = {
  assigned: 'dispatchedAt',
  submitted: 'submittedAt',
  completed: 'completedAt',
  cancelled: 'cancelledAt',
};

/**
 * Assignments (任务) on the desk (docs/command.md): editors create them for a studio they cover
 * (or the central desk), change them while draft, dispatch, mark submitted, complete, cancel.
 * Every change writes an assignment_events row and an audit row in its own transaction.
 */
export function createAssignmentsService(deps: AssignmentsServiceDeps) {
  const { db, repo, audit, clock, offers } = deps;

  async function present(rows: AssignmentRow[], tx: Db = db): Promise<Assignment[]> {
    const ids = rows.map((r) => r.id);
    const [all, counts] = [await repo.offers(ids, tx), await repo.submissionCounts(ids, undefined, tx)];
    const now = clock.now();
    return rows.map((a) => ({
      id: a.id,
      studioId: a.studioId,
      campaignId: a.campaignId,
      theme: a.theme,
      ideaId: a.ideaId,
      title: a.title,
      brief: a.brief,
      placeName: a.placeName,
      lat: a.lat,
      lng: a.lng,
      radiusM: a.radiusM,
      startsAt: a.startsAt.toISOString(),
      deadlineAt: a.deadlineAt.toISOString(),
      acceptMinutes: a.acceptMinutes,
      rewardHintFen: a.rewardHintFen,
      wanted: a.wanted,
      dispatch: a.dispatch,
      status: a.status,
      overdue: isOverdue(a, now),
      version: a.version,
      createdBy: a.createdBy,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      submissionCount: counts.get(a.id) ?? 0,
      offers: all
        .filter((o) => o.assignmentId === a.id)
        .map((o) => ({
          id: o.id,
          userId: o.userId,
          name: o.name,
          rank: o.rank,
          distanceM: o.distanceM,
          status: o.status,
          offeredAt: o.offeredAt?.toISOString() ?? null,
          respondBy: o.respondBy?.toISOString() ?? null,
          respondedAt: o.respondedAt?.toISOString() ?? null,
          declineReason: o.declineReason,
        })),
    }));
  }

  async function presentOne(id: string, tx: Db): Promise<Assignment> {
    return (await present([(await repo.get(id, tx))!], tx))[0]!;
  }

  /** Campaign, theme, studio (in the actor's scope), times and named people of an assignment as it will be. */
  async function check(
    actor: Actor,
    a: { campaignId: string; theme: string | null; studioId: string | null; startsAt: Date; deadlineAt: Date; dispatch: Dispatch },
    tx: Db,
  ) {
    const themes = await repo.campaignThemes(a.campaignId, tx);
    if (!themes) throw new AppError('campaign.not_found');
    if (a.theme !== null && !themes.includes(a.theme)) throw new AppError('command.assignment.unknown_theme', { theme: a.theme });
    if (a.studioId !== null && !(await repo.studioExists(a.studioId, tx))) throw new AppError('studio.not_found');
    await deps.scope.assertCovers(actor, a.studioId, tx);
    if (a.deadlineAt.getTime() <= a.startsAt.getTime()) throw new AppError('command.assignment.bad_times');
    if (a.dispatch.mode === 'named') await assertFieldPeople(repo, a.dispatch.userIds, tx);
  }

  /** The assignment locked, in the actor's desk scope; 404 to anyone who is not desk staff covering it. */
  async function lockOnDesk(actor: Actor | null | undefined, id: string, tx: Db): Promise<AssignmentRow> {
    assertCan(actor, 'command.assign');
    const access = await deps.scope.access(actor, id, tx);
    if (access.as !== 'desk') throw new AppError('command.assignment_not_found');
    return (await repo.lock(id, tx))!;
  }

  async function transition(actor: Actor, a: AssignmentRow, action: AssignmentAction, tx: Db, extra: AssignmentSet = {}): Promise<AssignmentRow> {
    const t = TRANSITIONS[action];
    if (!t.from.includes(a.status)) throw new AppError('command.assignment.bad_transition', { from: a.status, action });
    const now = clock.now();
    const stamp = STAMP[t.to];
    const updated = await repo.update(a.id, { ...extra, status: t.to, updatedAt: now, ...(stamp ? { [stamp]: now } : {}) }, tx);
    await repo.addEvent(
      { assignmentId: a.id, actorId: actor.id, kind: t.to, params: { from: a.status, ...(extra.cancelReason ? { reason: extra.cancelReason } : {}) }, at: now },
      tx,
    );
    await audit.create(
      // prettier-ignore
      { actorId: actor.id, action: ({ dispatch: 'assignment.dispatch', submit: 'assignment.submit', complete: 'assignment.complete', cancel: 'assignment.cancel' } as const)[action], objectType: 'assignment', objectId: a.id, data: { from: a.status, to: t.to } },
      tx,
    );
    return updated;
  }

  async function dispatchIn(actor: Actor, a: AssignmentRow, tx: Db): Promise<void> {
    const updated = await transition(actor, a, 'dispatch', tx);
    await offers.dispatch(updated, actor.id, tx);
  }

  return {
    async list(
      actor: Actor | null | undefined,
      q: { status?: AssignmentStatus; overdue?: 'true' | 'false'; studioId?: string; q?: string; limit: number },
    ): Promise<Assignment[]> {
      const scope = await deps.scope.forActor(actor, 'command.view');
      if (q.studioId && !scope.all && !scope.studioIds.includes(q.studioId)) throw new AppError('command.out_of_scope');
      const rows = await repo.list({
        studioIds: scope.all ? undefined : scope.studioIds,
        studioId: q.studioId,
        status: q.status,
        overdueAt: q.overdue === 'true' ? clock.now() : undefined,
        q: q.q,
        limit: q.limit,
      });
      const out = await present(rows);
      return q.overdue === 'false' ? out.filter((a) => !a.overdue) : out;
    },

    async get(actor: Actor | null | undefined, id: string): Promise<AssignmentDetail> {
      assertCan(actor, 'command.view');
      const access = await deps.scope.access(actor, id);
      if (access.as !== 'desk') throw new AppError('command.assignment_not_found');
      const [assignment, events, footage] = [await presentOne(id, db), await repo.events(id), await repo.footage(id)];
      return {
        assignment,
        events: events.map((e) => ({
          id: e.event.id,
          kind: e.event.kind,
          actorId: e.event.actorId,
          actorName: e.actorName,
          params: e.event.params as Record<string, unknown>,
          at: e.event.at.toISOString(),
        })),
        footage: footage.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })),
      };
    },

    async create(actor: Actor | null | undefined, body: AssignmentCreate & { send: boolean }): Promise<Assignment> {
      assertCan(actor, 'command.assign');
      return db.transaction(async (tx) => {
        const now = clock.now();
        const values = {
          campaignId: body.campaignId,
          theme: body.theme ?? null,
          studioId: body.studioId,
          startsAt: body.startsAt ? new Date(body.startsAt) : now,
          deadlineAt: new Date(body.deadlineAt),
          dispatch: body.dispatch,
        };
        await check(actor, values, tx);
        const row = await repo.create(
          {
            ...values,
            title: body.title,
            brief: body.brief,
            placeName: body.place.name,
            lat: body.place.lat,
            lng: body.place.lng,
            radiusM: body.place.radiusM,
            acceptMinutes: body.acceptMinutes ?? 30,
            rewardHintFen: body.rewardHintFen ?? null,
            wanted: body.wanted ?? 1,
            status: 'draft',
            createdBy: actor.id,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
        await repo.addEvent({ assignmentId: row.id, actorId: actor.id, kind: 'created', at: now }, tx);
        await audit.create({ actorId: actor.id, action: 'assignment.create', objectType: 'assignment', objectId: row.id, data: { send: body.send } }, tx);
        if (body.send) await dispatchIn(actor, row, tx);
        return presentOne(row.id, tx);
      });
    },

    /** Changes a draft. 409 `command.assignment.stale` when `version` is not the current one, `command.assignment.not_draft` once dispatched. */
    async patch(actor: Actor | null | undefined, id: string, body: AssignmentPatch): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const a = await lockOnDesk(actor, id, tx);
        const me = actor!;
        if (a.version !== body.version) throw new AppError('command.assignment.stale', { version: a.version });
        if (a.status !== 'draft') throw new AppError('command.assignment.not_draft', { status: a.status });
        const next = {
          campaignId: body.campaignId ?? a.campaignId,
          theme: body.theme !== undefined ? body.theme : a.theme,
          studioId: body.studioId !== undefined ? body.studioId : a.studioId,
          startsAt: body.startsAt ? new Date(body.startsAt) : a.startsAt,
          deadlineAt: body.deadlineAt ? new Date(body.deadlineAt) : a.deadlineAt,
          dispatch: body.dispatch ?? a.dispatch,
        };
        await check(me, next, tx);
        const set: AssignmentSet = { ...next, updatedAt: clock.now() };
        if (body.title !== undefined) set.title = body.title;
        if (body.brief !== undefined) set.brief = body.brief;
        if (body.place) Object.assign(set, { placeName: body.place.name, lat: body.place.lat, lng: body.place.lng, radiusM: body.place.radiusM });
        if (body.acceptMinutes !== undefined) set.acceptMinutes = body.acceptMinutes;
        if (body.rewardHintFen !== undefined) set.rewardHintFen = body.rewardHintFen;
        if (body.wanted !== undefined) set.wanted = body.wanted;
        await repo.update(id, set, tx);
        const fields = Object.keys(body).filter((k) => k !== 'version');
        await repo.addEvent({ assignmentId: id, actorId: me.id, kind: 'updated', params: { fields }, at: clock.now() }, tx);
        await audit.create({ actorId: me.id, action: 'assignment.update', objectType: 'assignment', objectId: id, data: { fields } }, tx);
        return presentOne(id, tx);
      });
    },

    /** Draft → assigned, offering it to the people its dispatch names (offers.service.ts). */
    async dispatch(actor: Actor | null | undefined, id: string): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const a = await lockOnDesk(actor, id, tx);
        await dispatchIn(actor!, a, tx);
        return presentOne(id, tx);
      });
    },

    async submit(actor: Actor | null | undefined, id: string): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const a = await lockOnDesk(actor, id, tx);
        const updated = await transition(actor!, a, 'submit', tx);
        await offers.closeOffers(updated, 'command.assignment.change.submitted', tx);
        return presentOne(id, tx);
      });
    },

    async complete(actor: Actor | null | undefined, id: string): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const a = await lockOnDesk(actor, id, tx);
        const updated = await transition(actor!, a, 'complete', tx);
        await offers.closeOffers(updated, 'command.assignment.change.completed', tx);
        return presentOne(id, tx);
      });
    },

    async cancel(actor: Actor | null | undefined, id: string, reason: string): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const a = await lockOnDesk(actor, id, tx);
        const updated = await transition(actor!, a, 'cancel', tx, { cancelReason: reason });
        await offers.closeOffers(updated, 'command.assignment.change.cancelled', tx);
        return presentOne(id, tx);
      });
    },
  };
}
export type AssignmentsService = ReturnType<typeof createAssignmentsService>;
