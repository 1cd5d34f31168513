import { STAFF_ROLES } from '../../../contracts/accounts.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { AccountsRepository } from '../accounts/accounts.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { DeskRepository } from './desk.repository.js';

/**
 * Staffing a studio one person at a time (chief editors and admins, `studio.members`): add or
 * remove a member, set or clear the lead. Each change is its own audit row in the same
 * transaction; a request that changes nothing (adding a member twice) writes none, so a retry is
 * harmless. Whole-studio edits (name, routes, the member list at once) stay in desk.service.ts.
 */
export function createStudioMembersService(deps: { db: Db; repo: DeskRepository; accounts: AccountsRepository; audit: AuditRepository }) {
  const { db, repo } = deps;

  async function studioOrThrow(id: string, tx: Db) {
    const s = await repo.getStudioForUpdate(id, tx);
    if (!s) throw new AppError('studio.not_found');
    return s;
  }

  /** Members are staff who can work a queue: a contributor or finance-only account is refused. */
  async function staffOrThrow(userId: string, tx: Db) {
    const u = await deps.accounts.getUser(userId, tx);
    if (!u) throw new AppError('studio.unknown_reference');
    if (u.disabled || !u.roles.some((r) => r !== 'finance' && STAFF_ROLES.includes(r))) throw new AppError('studio.member_not_staff', {}, { status: 409 });
    return u;
  }

  const studio = async (id: string) => (await repo.listStudios()).find((s) => s.id === id)!;

  return {
    async addMember(actor: Actor, studioId: string, userId: string) {
      assertCan(actor, 'studio.members');
      await db.transaction(async (tx) => {
        const s = await studioOrThrow(studioId, tx);
        const u = await staffOrThrow(userId, tx);
        if (await repo.addMember(studioId, userId, tx)) {
          await deps.audit.create(
            { actorId: actor.id, action: 'studio.member_add', objectType: 'studio', objectId: studioId, data: { studio: s.name, userId, userName: u.name } },
            tx,
          );
        }
      });
      return studio(studioId);
    },

    /** Removing the lead's membership also clears the lead: a lead outside the studio would still see its queue. */
    async removeMember(actor: Actor, studioId: string, userId: string) {
      assertCan(actor, 'studio.members');
      await db.transaction(async (tx) => {
        const s = await studioOrThrow(studioId, tx);
        if (!(await repo.removeMember(studioId, userId, tx))) return;
        const wasLead = s.leadUserId === userId;
        if (wasLead) await repo.updateStudio(studioId, { leadUserId: null }, tx);
        const u = await deps.accounts.getUser(userId, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'studio.member_remove',
            objectType: 'studio',
            objectId: studioId,
            data: { studio: s.name, userId, userName: u?.name ?? null, leadCleared: wasLead },
          },
          tx,
        );
      });
      return studio(studioId);
    },

    /** The lead is one of the studio's members (add them first), or null for none. */
    async setLead(actor: Actor, studioId: string, userId: string | null) {
      assertCan(actor, 'studio.members');
      await db.transaction(async (tx) => {
        const s = await studioOrThrow(studioId, tx);
        if (s.leadUserId === userId) return;
        let userName: string | null = null;
        if (userId) {
          userName = (await staffOrThrow(userId, tx)).name;
          if (!(await repo.isMember(studioId, userId, tx))) throw new AppError('studio.lead_not_member', {}, { status: 409 });
        }
        await repo.updateStudio(studioId, { leadUserId: userId }, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'studio.lead_set',
            objectType: 'studio',
            objectId: studioId,
            data: { studio: s.name, from: s.leadUserId, to: userId, userName },
          },
          tx,
        );
      });
      return studio(studioId);
    },
  };
}
export type StudioMembersService = ReturnType<typeof createStudioMembersService>;
