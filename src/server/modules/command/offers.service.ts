import { distanceMetres, isOverdue, type FieldAssignment } from '../../../contracts/command.js';
import type { Db } from '../../db/client.js';
import type { AssignmentOfferRow, AssignmentRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { can, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { NewNotice } from '../propagation/propagation.repository.js';
import type { AssignmentsRepository, NewOffer } from './assignments.repository.js';
import { shanghaiMinuteText } from '../../lib/time.js';
import type { CommandScopeService } from './command.scope.js';

export interface OffersServiceDeps {
  db: Db;
  repo: AssignmentsRepository;
  scope: CommandScopeService;
  audit: AuditRepository;
  clock: Clock;
  notify: (n: NewNotice, tx: Db) => Promise<unknown>;
}

/** The farthest anyone may say they travel (field_profiles.travel_km): the box dispatch searches first. */
const TRAVEL_KM_MAX = 2000;

/** "12-03 18:30" in Beijing time: the notice says when to reply, the same for every language. */
export const respondByText = shanghaiMinuteText;

/** Whether a person may be sent field work at all (contributors and staff reporters, not disabled). */
export function isFieldPerson(u: { roles: readonly string[]; disabled: boolean }): boolean {
  return !u.disabled && can({ id: '', roles: u.roles as Actor['roles'] }, 'command.field');
}

/** 400 `command.assignment.bad_person` unless every named person exists, is enabled and may work in the field. */
export async function assertFieldPeople(repo: Pick<AssignmentsRepository, 'usersByIds'>, userIds: string[], tx: Db): Promise<void> {
  const found = new Map((await repo.usersByIds(userIds, tx)).map((u) => [u.id, u]));
  for (const id of userIds) {
    const u = found.get(id);
    if (!u || !isFieldPerson({ roles: u.roles as string[], disabled: u.disabled })) throw new AppError('command.assignment.bad_person', { id });
  }
}

/**
 * Offers (docs/command.md, "Dispatch and offers"): who an assignment goes to, in what order, and
 * how a decline, a missed reply or an acceptance moves it on. Every movement of one assignment's
 * offers happens under that assignment's row lock (repo.lock), so two people accepting the last
 * place at the same moment are ordered and only one of them gets it.
 */
export function createOffersService(deps: OffersServiceDeps) {
  const { db, repo, audit, clock } = deps;

  async function changed(a: AssignmentRow, userIds: string[], changeText: string, tx: Db): Promise<void> {
    for (const userId of new Set(userIds)) {
      await deps.notify(
        {
          userId,
          kind: 'assignment_changed',
          submissionId: null,
          params: { assignmentId: a.id, title: a.title, changeText },
          dedupeKey: `assignment_changed:${a.id}:${userId}:${changeText}:${a.version}`,
        },
        tx,
      );
    }
  }

  /**
   * Brings the offers in line with the places still open: withdraws every open offer once the
   * wanted number have accepted, else offers the next queued people until as many are out as
   * places remain. Runs under the assignment's lock, inside the caller's transaction.
   */
  async function refill(a: AssignmentRow, tx: Db, actorId: string | null = null): Promise<void> {
    const now = clock.now();
    const offers = await repo.offers([a.id], tx);
    const accepted = offers.filter((o) => o.status === 'accepted').length;
    const open = offers.filter((o) => o.status === 'offered');
    const queued = offers.filter((o) => o.status === 'queued');
    if (accepted >= a.wanted) {
      const withdrawn = [...open, ...queued];
      for (const o of withdrawn) await repo.updateOffer(o.id, { status: 'withdrawn', respondedAt: o.status === 'offered' ? now : null }, tx);
      if (withdrawn.length) {
        await repo.addEvent({ assignmentId: a.id, actorId, kind: 'filled', params: { withdrawn: withdrawn.length }, at: now }, tx);
        await changed(
          a,
          open.map((o) => o.userId),
          'command.assignment.change.filled',
          tx,
        );
      }
      return;
    }
    // Radius dispatch offered everyone at once; nearest and named keep the rest queued.
    const free = a.wanted - accepted - open.length;
    const next = queued.slice(0, Math.max(0, free));
    const respondBy = new Date(now.getTime() + a.acceptMinutes * 60_000);
    for (const o of next) {
      await repo.updateOffer(o.id, { status: 'offered', offeredAt: now, respondBy }, tx);
      await repo.addEvent({ assignmentId: a.id, actorId, kind: 'offered', params: { userId: o.userId, name: o.name, rank: o.rank }, at: now }, tx);
      await deps.notify(
        {
          userId: o.userId,
          kind: 'assignment_offered',
          submissionId: null,
          params: { assignmentId: a.id, title: a.title, respondByText: respondByText(respondBy) },
          dedupeKey: `assignment_offered:${o.id}`,
        },
        tx,
      );
    }
    if (!next.length && !open.length && !queued.length && accepted < a.wanted) {
      await repo.addEvent({ assignmentId: a.id, actorId, kind: 'exhausted', params: { accepted, wanted: a.wanted }, at: now }, tx);
    }
  }

  /**
   * Who the assignment goes to, as queued offers in rank order (then `refill` offers the first
   * ones). 409 `command.assignment.no_candidates` when nobody fits: the desk widens the place or
   * names people rather than dispatching into the void.
   */
  async function dispatch(a: AssignmentRow, actorId: string, tx: Db): Promise<void> {
    const already = new Set((await repo.offers([a.id], tx)).map((o) => o.userId));
    const place = { lat: a.lat, lng: a.lng };
    let picked: { userId: string; distanceM: number | null }[];
    const d = a.dispatch;
    if (d.mode === 'named') {
      await assertFieldPeople(repo, d.userIds, tx);
      picked = [...new Set(d.userIds)].filter((id) => !already.has(id)).map((userId) => ({ userId, distanceM: null }));
    } else {
      const boxKm = d.mode === 'radius' ? a.radiusM / 1000 : TRAVEL_KM_MAX;
      const near = (await repo.candidatesNear({ ...place, boxKm }, tx))
        .filter((c) => !already.has(c.userId) && isFieldPerson({ roles: c.roles, disabled: false }))
        .map((c) => ({ userId: c.userId, travelKm: c.travelKm, distanceM: distanceMetres(place, c) }))
        .filter((c) => (d.mode === 'radius' ? c.distanceM <= a.radiusM : c.distanceM <= c.travelKm * 1000))
        .sort((x, y) => x.distanceM - y.distanceM || x.userId.localeCompare(y.userId));
      picked = d.mode === 'nearest' ? near.slice(0, d.n) : near;
    }
    if (!picked.length) throw new AppError('command.assignment.no_candidates');
    const now = clock.now();
    const respondBy = new Date(now.getTime() + a.acceptMinutes * 60_000);
    const rows: NewOffer[] = picked.map((p, i) => ({
      assignmentId: a.id,
      userId: p.userId,
      rank: already.size + i + 1,
      distanceM: p.distanceM,
      status: 'queued',
    }));
    await repo.insertOffers(rows, tx);
    await repo.addEvent({ assignmentId: a.id, actorId, kind: 'dispatched', params: { mode: d.mode, people: picked.length }, at: now }, tx);
    if (d.mode === 'radius') {
      // Everyone in the radius at once: the first `wanted` to accept take the places.
      const offers = await repo.offers([a.id], tx);
      for (const o of offers.filter((x) => x.status === 'queued')) {
        await repo.updateOffer(o.id, { status: 'offered', offeredAt: now, respondBy }, tx);
        await deps.notify(
          {
            userId: o.userId,
            kind: 'assignment_offered',
            submissionId: null,
            params: { assignmentId: a.id, title: a.title, respondByText: respondByText(respondBy) },
            dedupeKey: `assignment_offered:${o.id}`,
          },
          tx,
        );
      }
      return;
    }
    await refill(a, tx, actorId);
  }

  /** Withdraws every open and queued offer (cancel, complete) and tells those who were offered or working it. */
  async function closeOffers(a: AssignmentRow, changeText: string, tx: Db): Promise<void> {
    const now = clock.now();
    const offers = await repo.offers([a.id], tx);
    for (const o of offers) {
      if (o.status === 'offered' || o.status === 'queued')
        await repo.updateOffer(o.id, { status: 'withdrawn', respondedAt: o.status === 'offered' ? now : null }, tx);
    }
    await changed(
      a,
      offers.filter((o) => o.status === 'offered' || o.status === 'accepted').map((o) => o.userId),
      changeText,
      tx,
    );
  }

  function presentField(a: AssignmentRow, o: AssignmentOfferRow, mine: number, now: Date): FieldAssignment {
    return {
      id: a.id,
      campaignId: a.campaignId,
      theme: a.theme,
      title: a.title,
      brief: a.brief,
      placeName: a.placeName,
      lat: a.lat,
      lng: a.lng,
      radiusM: a.radiusM,
      startsAt: a.startsAt.toISOString(),
      deadlineAt: a.deadlineAt.toISOString(),
      rewardHintFen: a.rewardHintFen,
      status: a.status,
      overdue: isOverdue(a, now),
      offer: {
        id: o.id,
        status: o.status,
        distanceM: o.distanceM,
        offeredAt: o.offeredAt?.toISOString() ?? null,
        respondBy: o.respondBy?.toISOString() ?? null,
        respondedAt: o.respondedAt?.toISOString() ?? null,
      },
      mySubmissionCount: mine,
    };
  }

  /** The field's view of one assignment: the person's own offer, open or accepted; 404 otherwise. */
  async function fieldView(actor: Actor | null | undefined, id: string, tx: Db = db): Promise<FieldAssignment> {
    if (!actor) throw new AppError('auth.required');
    if (!can(actor, 'command.field')) throw new AppError('auth.forbidden');
    const access = await deps.scope.access(actor, id, tx);
    if (access.as !== 'field') throw new AppError('command.assignment_not_found');
    const offer = (await repo.offerOf(id, actor.id, tx))!;
    const counts = await repo.submissionCounts([id], actor.id, tx);
    return presentField(access.assignment, offer, counts.get(id) ?? 0, clock.now());
  }

  /** Locks the assignment, then reads the actor's offer fresh (after whoever held the lock before). */
  async function lockForResponse(actor: Actor | null | undefined, id: string, tx: Db): Promise<{ a: AssignmentRow; offer: AssignmentOfferRow }> {
    if (!actor) throw new AppError('auth.required');
    if (!can(actor, 'command.field')) throw new AppError('auth.forbidden');
    const a = await repo.lock(id, tx);
    const offer = a ? await repo.offerOf(id, actor.id, tx) : undefined;
    // Never offered, still queued, or a draft: nothing to see (no probing by id).
    if (!a || !offer || offer.status === 'queued' || a.status === 'draft') throw new AppError('command.assignment_not_found');
    return { a, offer };
  }

  return {
    dispatch,
    refill,
    closeOffers,
    changed,

    /** My offers and accepted assignments, newest first. */
    async tasks(actor: Actor | null | undefined): Promise<FieldAssignment[]> {
      if (!actor) throw new AppError('auth.required');
      if (!can(actor, 'command.field')) throw new AppError('auth.forbidden');
      const rows = await repo.myOffers(actor.id);
      const counts = await repo.submissionCounts(
        rows.map((r) => r.assignment.id),
        actor.id,
      );
      const now = clock.now();
      return rows.map((r) => presentField(r.assignment, r.offer, counts.get(r.assignment.id) ?? 0, now));
    },

    fieldView,

    /**
     * Accepts an open offer. 409 `command.offer.filled` when the places were taken first (the
     * offer is then withdrawn), `command.offer.expired` after respond_by, `command.offer.not_open`
     * for a declined or expired one, `command.assignment.not_active` once the assignment ended.
     * Accepting twice answers the same.
     */
    async accept(actor: Actor | null | undefined, id: string): Promise<FieldAssignment> {
      return db.transaction(async (tx) => {
        const { a, offer } = await lockForResponse(actor, id, tx);
        const me = actor!;
        if (offer.status === 'accepted') return fieldView(me, id, tx);
        if (a.status !== 'assigned' && a.status !== 'in_progress') throw new AppError('command.assignment.not_active', { status: a.status });
        const offers = await repo.offers([id], tx);
        const accepted = offers.filter((o) => o.status === 'accepted').length;
        if (offer.status === 'withdrawn' || accepted >= a.wanted) throw new AppError('command.offer.filled');
        if (offer.status !== 'offered') throw new AppError('command.offer.not_open', { status: offer.status });
        const now = clock.now();
        if (offer.respondBy && offer.respondBy.getTime() <= now.getTime()) throw new AppError('command.offer.expired');
        await repo.updateOffer(offer.id, { status: 'accepted', respondedAt: now }, tx);
        await repo.addEvent({ assignmentId: id, actorId: me.id, kind: 'accepted', params: { userId: me.id }, at: now }, tx);
        await audit.create({ actorId: me.id, action: 'offer.accept', objectType: 'assignment', objectId: id, data: { offerId: offer.id } }, tx);
        await refill(a, tx, me.id);
        return fieldView(me, id, tx);
      });
    },

    /** Declines an open offer (with an optional reason); the next queued person is offered it. */
    async decline(actor: Actor | null | undefined, id: string, reason?: string): Promise<FieldAssignment> {
      return db.transaction(async (tx) => {
        const { a, offer } = await lockForResponse(actor, id, tx);
        const me = actor!;
        if (offer.status !== 'offered')
          throw new AppError(offer.status === 'withdrawn' ? 'command.offer.filled' : 'command.offer.not_open', { status: offer.status });
        const now = clock.now();
        await repo.updateOffer(offer.id, { status: 'declined', respondedAt: now, declineReason: reason || null }, tx);
        await repo.addEvent({ assignmentId: id, actorId: me.id, kind: 'declined', params: { userId: me.id, reason: reason ?? null }, at: now }, tx);
        await audit.create({ actorId: me.id, action: 'offer.decline', objectType: 'assignment', objectId: id, data: { offerId: offer.id } }, tx);
        if (a.status === 'assigned' || a.status === 'in_progress') await refill(a, tx, me.id);
        return presentField(a, { ...offer, status: 'declined', respondedAt: now, declineReason: reason || null }, 0, now);
      });
    },

    /**
     * The `command.offer-expiry` sweep: every offer whose respond_by has passed becomes `expired`
     * and the assignment goes to the next queued person. Each assignment in its own transaction,
     * re-read under its lock, so a second run (or two workers) finds nothing left to do.
     */
    async expireDue(): Promise<number> {
      const now = clock.now();
      let expired = 0;
      for (const id of await repo.withDueOffers(now)) {
        expired += await db.transaction(async (tx) => {
          const a = await repo.lock(id, tx);
          if (!a) return 0;
          const due = (await repo.offers([id], tx)).filter((o) => o.status === 'offered' && o.respondBy && o.respondBy.getTime() <= now.getTime());
          for (const o of due) {
            await repo.updateOffer(o.id, { status: 'expired', respondedAt: now }, tx);
            await repo.addEvent({ assignmentId: id, actorId: null, kind: 'expired', params: { userId: o.userId, name: o.name }, at: now }, tx);
          }
          if (due.length) {
            await audit.create({ actorId: null, action: 'offer.expire', objectType: 'assignment', objectId: id, data: { offers: due.map((o) => o.id) } }, tx);
            if (a.status === 'assigned' || a.status === 'in_progress') await refill(a, tx);
          }
          return due.length;
        });
      }
      return expired;
    },
  };
}
export type OffersService = ReturnType<typeof createOffersService>;
