import { and, desc, eq, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { AuditEntry, AuditQuery } from '../../../contracts/backOffice.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import { auditLog, campaigns, studios, submissions, users } from '../../db/schema.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import { escapeLike, userTextCondition } from '../accounts/user-search.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A day typed as YYYY-MM-DD is a day in the campaign's time zone (docs/architecture: Asia/Shanghai). */
function bound(value: string, end: boolean): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(value);
  const start = new Date(`${value}T00:00:00+08:00`);
  return end ? new Date(start.getTime() + 86_400_000) : start;
}

function filters(q: AuditQuery): SQL | undefined {
  const action = q.action ? (q.action.includes('.') ? eq(auditLog.action, q.action) : like(auditLog.action, `${escapeLike(q.action)}.%`)) : undefined;
  return and(
    q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
    // The joined `users` row is the actor's, so the user search's condition applies to it as is.
    userTextCondition(q.actor),
    action,
    q.objectType ? eq(auditLog.objectType, q.objectType) : undefined,
    q.objectId ? eq(auditLog.objectId, q.objectId) : undefined,
    q.from ? sql`${auditLog.at} >= ${bound(q.from, false).toISOString()}` : undefined,
    q.to ? sql`${auditLog.at} < ${bound(q.to, true).toISOString()}` : undefined,
  );
}

/** Reading the audit log: chief editors and admins (`audit.read`), newest first, filtered and paged. */
export function createAuditService(deps: { db: Db }) {
  const { db } = deps;

  /** Names for the objects on a page, one query per kind that has names (users, submissions, studios, campaigns). */
  async function objectNames(rows: { objectType: string; objectId: string | null }[], locale: Locale): Promise<Map<string, string>> {
    const ids = (type: string) => [...new Set(rows.filter((r) => r.objectType === type && r.objectId && UUID.test(r.objectId)).map((r) => r.objectId!))];
    const names = new Map<string, string>();
    const put = (type: string, list: { id: string; name: string }[]) => list.forEach((x) => names.set(`${type}:${x.id}`, x.name));
    const [u, s, st, c] = [ids('user'), ids('submission'), ids('studio'), ids('campaign')];
    if (u.length) put('user', await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, u)));
    if (s.length) put('submission', await db.select({ id: submissions.id, name: submissions.title }).from(submissions).where(inArray(submissions.id, s)));
    if (st.length) put('studio', await db.select({ id: studios.id, name: studios.name }).from(studios).where(inArray(studios.id, st)));
    if (c.length) {
      const found = await db.select({ id: campaigns.id, title: campaigns.title }).from(campaigns).where(inArray(campaigns.id, c));
      put(
        'campaign',
        found.map((x) => ({ id: x.id, name: x.title[locale] })),
      );
    }
    return names;
  }

  return {
    async list(actor: Actor, q: AuditQuery, locale: Locale = 'zh-CN'): Promise<{ entries: AuditEntry[]; total: number }> {
      assertCan(actor, 'audit.read');
      const where = filters(q);
      const [count] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(where);
      const rows = await db
        .select({ e: auditLog, actorName: users.name })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(and(where, q.before ? lt(auditLog.id, q.before) : undefined))
        .orderBy(desc(auditLog.id))
        .limit(q.limit)
        .offset(q.before || !q.page ? 0 : (q.page - 1) * q.limit);
      const names = await objectNames(
        rows.map((r) => r.e),
        locale,
      );
      return {
        total: count?.n ?? 0,
        entries: rows.map(({ e, actorName }) => ({
          id: e.id,
          at: e.at.toISOString(),
          actorId: e.actorId,
          actorName: actorName ?? null,
          action: e.action,
          objectType: e.objectType,
          objectId: e.objectId,
          objectName: e.objectId ? (names.get(`${e.objectType}:${e.objectId}`) ?? null) : null,
          data: e.data,
        })),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
