import type { Db } from '../../db/client.js';
import type { SubmissionRow } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import type { SubmissionsRepository } from '../submissions/submissions.repository.js';
import type { DeskRepository } from './desk.repository.js';

export interface StudioScopeDeps {
  db: Db;
  repo: Pick<DeskRepository, 'studioOf' | 'studioIdsForUser'>;
  submissionsRepo: Pick<SubmissionsRepository, 'get'>;
}

export type Scope = { all: true } | { all: false; studioIds: string[] };

/**
 * The desk's object check, in one place (docs/desk.md, "Studios"): an editor works on items
 * routed to a studio they belong to or lead, and on items routed nowhere; chief editors and
 * admins on everything. Every desk, packaging, daily-pick, publishing, submission and media
 * route that names a submission goes through here, after its own permission check and before
 * anything about the item (its status, its files) is revealed.
 *
 * Only editors are studio-bound (desk.review without desk.view_all). Staff who read without
 * reviewing (finance) are not: what they may do is decided by their own permissions.
 */
export function createStudioScope(deps: StudioScopeDeps) {
  const { db, repo } = deps;

  // Inside a transaction every read must go through `tx`: on the embedded database a read on
  // the pool would wait for the transaction that is waiting for it.
  async function of(actor: Actor, tx: Db = db): Promise<Scope> {
    if (can(actor, 'desk.view_all') || !can(actor, 'desk.review')) return { all: true };
    return { all: false, studioIds: await repo.studioIdsForUser(actor.id, tx) };
  }

  async function assertCovers(actor: Actor, row: Pick<SubmissionRow, 'id'>, tx: Db = db): Promise<void> {
    const scope = await of(actor, tx);
    if (scope.all) return;
    const studio = await repo.studioOf(row.id, tx);
    if (studio && !scope.studioIds.includes(studio)) throw new AppError('desk.out_of_scope');
  }

  return {
    /** What a desk user may work on; asserts the desk permission first. */
    async forDesk(actor: Actor, tx: Db = db): Promise<Scope> {
      assertCan(actor, 'desk.review');
      return of(actor, tx);
    },

    /** 403 `desk.out_of_scope` when the item is routed to a studio the actor is not in. */
    assertCovers,

    /** The item by id (404 when there is none), then the scope check. */
    async assertCoversId(actor: Actor, submissionId: string, tx: Db = db): Promise<SubmissionRow> {
      const row = await deps.submissionsRepo.get(submissionId, tx);
      if (!row) throw new AppError('submission.not_found');
      await assertCovers(actor, row, tx);
      return row;
    },

    /** Reading a submission or its files: its contributor, or desk staff within their scope. */
    async assertCanRead(actor: Actor | null | undefined, row: SubmissionRow, tx: Db = db): Promise<void> {
      if (!actor) throw new AppError('auth.required');
      if (actor.id === row.userId) return;
      assertCan(actor, 'desk.access');
      await assertCovers(actor, row, tx);
    },
  };
}
export type StudioScope = ReturnType<typeof createStudioScope>;
