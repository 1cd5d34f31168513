import { and, asc, desc, eq, gte, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { dailyPicks, packages } from '../../db/schema.js';

export function createPackagingRepository(db: Db) {
  return {
    async listPackages(submissionId: string, tx: Db = db) {
      return tx.select().from(packages).where(eq(packages.submissionId, submissionId)).orderBy(asc(packages.channel));
    },
    async upsertPackage(row: typeof packages.$inferInsert, tx: Db = db) {
      const [out] = await tx
        .insert(packages)
        .values(row)
        .onConflictDoUpdate({
          target: [packages.submissionId, packages.channel],
          set: {
            headline: row.headline,
            summary: row.summary,
            tags: row.tags,
            coverKey: row.coverKey,
            credit: row.credit,
            updatedBy: row.updatedBy,
            updatedAt: new Date(),
          },
        })
        .returning();
      return out!;
    },
    async getPick(day: string, tx: Db = db) {
      const [row] = await tx.select().from(dailyPicks).where(eq(dailyPicks.day, day));
      return row;
    },
    async upsertPick(row: typeof dailyPicks.$inferInsert, tx: Db = db) {
      const [out] = await tx
        .insert(dailyPicks)
        .values(row)
        .onConflictDoUpdate({
          target: dailyPicks.day,
          set: {
            submissionId: row.submissionId,
            headline: row.headline,
            summary: row.summary,
            coverKey: row.coverKey,
            scheduledBy: row.scheduledBy,
            updatedAt: new Date(),
          },
        })
        .returning();
      return out!;
    },
    async deletePick(day: string, tx: Db = db) {
      await tx.delete(dailyPicks).where(eq(dailyPicks.day, day));
    },
    async listPicks(from: string, to: string, tx: Db = db) {
      return tx
        .select()
        .from(dailyPicks)
        .where(and(gte(dailyPicks.day, from), lte(dailyPicks.day, to)))
        .orderBy(desc(dailyPicks.day));
    },
    /** Has this submission been a daily pick on or before `day`? Then its media are public. */
    async wasPickedBy(submissionId: string, day: string, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ day: dailyPicks.day })
        .from(dailyPicks)
        .where(and(eq(dailyPicks.submissionId, submissionId), lte(dailyPicks.day, day)))
        .limit(1);
      return rows.length > 0;
    },
  };
}
export type PackagingRepository = ReturnType<typeof createPackagingRepository>;
