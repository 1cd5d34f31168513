import { desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { auditLog, users } from '../../db/schema.js';
import { assertCan, type Actor } from '../accounts/permissions.js';

/** Reading the audit log: chief editors and admins (`audit.read`), newest first, paged by id. */
export function createAuditService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async list(actor: Actor, q: { limit: number; before?: number }) {
      assertCan(actor, 'audit.read');
      const rows = await db
        .select({ e: auditLog, actorName: users.name })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(q.before ? lt(auditLog.id, q.before) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(q.limit);
      return {
        entries: rows.map(({ e, actorName }) => ({
          id: e.id,
          at: e.at.toISOString(),
          actorId: e.actorId,
          actorName: actorName ?? null,
          action: e.action,
          objectType: e.objectType,
          objectId: e.objectId,
          data: e.data,
        })),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
