import { and, asc, desc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { PAYOUT_STATUSES } from '../../../contracts/payouts.js';
import type { Db } from '../../db/client.js';
import { payoutBatches, payouts, type PayoutBatchRow, type PayoutRow } from '../../db/schema.js';

type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type NewPayout = typeof payouts.$inferInsert;

export function createPayoutsRepository(db: Db) {
  return {
    async get(id: string, tx: Db = db): Promise<PayoutRow | undefined> {
      const [row] = await tx.select().from(payouts).where(eq(payouts.id, id));
      return row;
    },
    async getForUpdate(id: string, tx: Db): Promise<PayoutRow | undefined> {
      const [row] = await tx.select().from(payouts).where(eq(payouts.id, id)).for('update');
      return row;
    },
    async getByRequestId(requestId: string, tx: Db = db): Promise<PayoutRow | undefined> {
      const [row] = await tx.select().from(payouts).where(eq(payouts.requestId, requestId));
      return row;
    },
    /**
     * Inserts unless the request id is taken; returns undefined then. A concurrent duplicate
     * waits for the first writer's commit and then yields nothing (READ COMMITTED).
     */
    async create(input: NewPayout, tx: Db): Promise<PayoutRow | undefined> {
      const [row] = await tx.insert(payouts).values(input).onConflictDoNothing({ target: payouts.requestId }).returning();
      return row;
    },
    async update(id: string, patch: Partial<NewPayout>, tx: Db): Promise<PayoutRow | undefined> {
      const [row] = await tx.update(payouts).set(patch).where(eq(payouts.id, id)).returning();
      return row;
    },
    async list(opts: { userId?: string; status?: PayoutStatus; limit: number; before?: Date }, tx: Db = db): Promise<PayoutRow[]> {
      return tx
        .select()
        .from(payouts)
        .where(
          and(
            opts.userId ? eq(payouts.userId, opts.userId) : undefined,
            opts.status ? eq(payouts.status, opts.status) : undefined,
            opts.before ? lt(payouts.requestedAt, opts.before) : undefined,
          ),
        )
        .orderBy(desc(payouts.requestedAt), desc(payouts.id))
        .limit(opts.limit);
    },
    /** Row-locks the payouts in id order (two batches over the same payouts cannot deadlock). */
    async lockMany(ids: string[], tx: Db): Promise<PayoutRow[]> {
      if (!ids.length) return [];
      return tx.select().from(payouts).where(inArray(payouts.id, ids)).orderBy(asc(payouts.id)).for('update');
    },
    async listByBatch(batchId: string, tx: Db = db): Promise<PayoutRow[]> {
      return tx.select().from(payouts).where(eq(payouts.batchId, batchId)).orderBy(asc(payouts.requestedAt), asc(payouts.id));
    },
    async setBatch(ids: string[], batchId: string, tx: Db): Promise<number> {
      const rows = await tx
        .update(payouts)
        .set({ batchId, status: 'batched' })
        .where(and(inArray(payouts.id, ids), eq(payouts.status, 'requested')))
        .returning({ id: payouts.id });
      return rows.length;
    },
    async markBatchExported(batchId: string, at: Date, tx: Db): Promise<void> {
      await tx
        .update(payouts)
        .set({ status: 'exported', exportedAt: at })
        .where(and(eq(payouts.batchId, batchId), eq(payouts.status, 'batched')));
    },
    async setProviderRef(id: string, providerRef: string, tx: Db): Promise<void> {
      await tx.update(payouts).set({ providerRef }).where(eq(payouts.id, id));
    },
    async countOpenInBatch(batchId: string, tx: Db): Promise<number> {
      const [r] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(payouts)
        .where(and(eq(payouts.batchId, batchId), notInArray(payouts.status, ['paid', 'failed'])));
      return r?.n ?? 0;
    },

    // ---- batches ----
    async createBatch(input: typeof payoutBatches.$inferInsert, tx: Db): Promise<PayoutBatchRow> {
      const [row] = await tx.insert(payoutBatches).values(input).returning();
      return row!;
    },
    async getBatch(id: string, tx: Db = db): Promise<PayoutBatchRow | undefined> {
      const [row] = await tx.select().from(payoutBatches).where(eq(payoutBatches.id, id));
      return row;
    },
    async getBatchForUpdate(id: string, tx: Db): Promise<PayoutBatchRow | undefined> {
      const [row] = await tx.select().from(payoutBatches).where(eq(payoutBatches.id, id)).for('update');
      return row;
    },
    async updateBatch(id: string, patch: Partial<typeof payoutBatches.$inferInsert>, tx: Db): Promise<PayoutBatchRow | undefined> {
      const [row] = await tx.update(payoutBatches).set(patch).where(eq(payoutBatches.id, id)).returning();
      return row;
    },
    async listBatches(limit: number, tx: Db = db): Promise<PayoutBatchRow[]> {
      return tx.select().from(payoutBatches).orderBy(desc(payoutBatches.createdAt), desc(payoutBatches.id)).limit(limit);
    },
    async payoutIdsByBatch(batchIds: string[], tx: Db = db): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>(batchIds.map((id) => [id, []]));
      if (!batchIds.length) return out;
      const rows = await tx
        .select({ id: payouts.id, batchId: payouts.batchId })
        .from(payouts)
        .where(inArray(payouts.batchId, batchIds))
        .orderBy(asc(payouts.requestedAt), asc(payouts.id));
      for (const r of rows) out.get(r.batchId!)?.push(r.id);
      return out;
    },
  };
}
export type PayoutsRepository = ReturnType<typeof createPayoutsRepository>;
