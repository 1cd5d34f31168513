import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignmentOffers, assignments, type AssignmentRow } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, can, type Actor, type Permission } from '../accounts/permissions.js';
import type { DeskRepository } from '../desk/desk.repository.js';

export interface CommandScopeDeps {
  db: Db;
  repo: Pick<DeskRepository, 'studioIdsForUser'>;
}

export type CommandScope = { all: true } | { all: false; studioIds: string[] };

/** How an actor stands to one assignment: desk staff covering its studio, a person working it, or neither. */
export type AssignmentAccess = { as: 'desk'; assignment: AssignmentRow } | { as: 'field'; assignment: AssignmentRow; offerStatus: 'offered' | 'accepted' };

/**
 * The command platform's object check, in one place (docs/command.md, "Who may do what"):
 * desk staff work on assignments of a studio they belong to or lead and on the central desk's
 * (studio NULL); chief editors and admins on all. A person in the field sees an assignment
 * while it is offered to them or they have accepted it, and nothing else of anyone's.
 * Unknown and out-of-reach assignments are both 404 to the field (no probing by id); the desk
 * gets 403 `command.out_of_scope` for another studio's.
 */
export function createCommandScope(deps: CommandScopeDeps) {
  const { db, repo } = deps;

  async function of(actor: Actor, tx: Db = db): Promise<CommandScope> {
    if (can(actor, 'command.view_all')) return { all: true };
    return { all: false, studioIds: await repo.studioIdsForUser(actor.id, tx) };
  }

  function covers(scope: CommandScope, studioId: string | null): boolean {
    return studioId === null || scope.all || scope.studioIds.includes(studioId);
  }

  async function access(actor: Actor | null | undefined, assignmentId: string, tx: Db = db): Promise<AssignmentAccess> {
    if (!actor) throw new AppError('auth.required');
    const [row] = await tx.select().from(assignments).where(eq(assignments.id, assignmentId)).limit(1);
    if (!row) throw new AppError('command.assignment_not_found');
    if (can(actor, 'command.view')) {
      if (!covers(await of(actor, tx), row.studioId)) throw new AppError('command.out_of_scope');
      return { as: 'desk', assignment: row };
    }
    if (can(actor, 'command.field')) {
      const [offer] = await tx
        .select({ status: assignmentOffers.status })
        .from(assignmentOffers)
        .where(
          and(
            eq(assignmentOffers.assignmentId, assignmentId),
            eq(assignmentOffers.userId, actor.id),
            inArray(assignmentOffers.status, ['offered', 'accepted']),
          ),
        )
        .limit(1);
      if (offer && (offer.status === 'offered' || offer.status === 'accepted') && row.status !== 'draft') {
        return { as: 'field', assignment: row, offerStatus: offer.status };
      }
      throw new AppError('command.assignment_not_found');
    }
    throw new AppError('auth.forbidden');
  }

  return {
    /** What the actor may see on the desk; asserts `permission` first. */
    async forActor(actor: Actor | null | undefined, permission: Permission, tx: Db = db): Promise<CommandScope> {
      assertCan(actor, permission);
      return of(actor, tx);
    },
    covers,
    /** 403 `command.out_of_scope` unless the actor covers `studioId` (null: the central desk, everyone's). */
    async assertCovers(actor: Actor, studioId: string | null, tx: Db = db): Promise<void> {
      if (!covers(await of(actor, tx), studioId)) throw new AppError('command.out_of_scope');
    },
    /** The assignment and how the actor may act on it; throws when they may not see it at all. */
    access,
    /** Like `access`, but only a person who accepted it (not merely offered) counts from the field. */
    async accessWorking(actor: Actor | null | undefined, assignmentId: string, tx: Db = db): Promise<AssignmentAccess> {
      const a = await access(actor, assignmentId, tx);
      if (a.as === 'field' && a.offerStatus !== 'accepted') throw new AppError('command.assignment_not_found');
      return a;
    },
  };
}
export type CommandScopeService = ReturnType<typeof createCommandScope>;
