import { desc } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';

export interface AuditEntry {
  actorId: string | null;
  /** `<domain>.<verb>`, e.g. `campaign.create`. */
  action: string;
  objectType: string;
  objectId?: string | null;
  data?: Record<string, unknown>;
}

/** Who did what, and when. Written in the same transaction as the action it records. */
export function createAuditRepository(db: Db) {
  return {
    async create(entry: AuditEntry, tx: Db = db): Promise<void> {
      await tx.insert(auditLog).values({ ...entry, objectId: entry.objectId ?? null, data: entry.data ?? {} });
    },
    async list(limit = 100, tx: Db = db) {
      return tx.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
