import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, can, type Actor, type Permission } from '../accounts/permissions.js';
import type { DeskRepository } from '../desk/desk.repository.js';

export interface KitchenScopeDeps {
  db: Db;
  repo: Pick<DeskRepository, 'studioIdsForUser'>;
}

export type KitchenScope = { all: true } | { all: false; studioIds: string[] };

/**
 * The kitchen's object check, in one place (docs/kitchen.md, "Who may do what"): an editor
 * works on stories and ideas of a studio they belong to or lead, and on those of no studio;
 * chief editors and admins on all. Every kitchen route that names a story, form or idea goes
 * through here after its permission check and before anything about the object is revealed.
 */
export function createKitchenScope(deps: KitchenScopeDeps) {
  const { db, repo } = deps;

  async function of(actor: Actor, tx: Db = db): Promise<KitchenScope> {
    if (can(actor, 'kitchen.view_all')) return { all: true };
    return { all: false, studioIds: await repo.studioIdsForUser(actor.id, tx) };
  }

  return {
    /** What the actor may see; asserts `permission` first. */
    async forActor(actor: Actor | null | undefined, permission: Permission, tx: Db = db): Promise<KitchenScope> {
      assertCan(actor, permission);
      return of(actor, tx);
    },
    /** 403 `kitchen.out_of_scope` unless the actor covers `studioId` (null: the central desk, everyone's). */
    async assertCovers(actor: Actor, studioId: string | null, tx: Db = db): Promise<void> {
      if (studioId === null) return;
      const scope = await of(actor, tx);
      if (!scope.all && !scope.studioIds.includes(studioId)) throw new AppError('kitchen.out_of_scope');
    },
  };
}
export type KitchenScopeService = ReturnType<typeof createKitchenScope>;
