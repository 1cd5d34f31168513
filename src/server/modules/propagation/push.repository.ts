import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { noticePushDeliveries, pushSubscriptions, type NoticePushDeliveryRow, type PushSubscriptionRow } from '../../db/schema.js';

/** Browsers kept per user; subscribing an eleventh drops the oldest (a user's old phones and browsers). */
export const MAX_SUBSCRIPTIONS_PER_USER = 10;

/** Web Push subscriptions and the notices pushed to each (migrations/0021_notices_more.sql). */
export function createPushRepository(db: Db) {
  return {
    /**
     * Saves a browser's subscription for `userId`. The endpoint is the browser's, so a browser that
     * signs in as someone else moves to them; re-subscribing refreshes the keys.
     */
    async upsert(s: { userId: string; endpoint: string; p256dh: string; auth: string; at: Date }, tx: Db = db): Promise<PushSubscriptionRow> {
      const [row] = await tx
        .insert(pushSubscriptions)
        .values({ userId: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth, createdAt: s.at })
        .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId: s.userId, p256dh: s.p256dh, auth: s.auth, createdAt: s.at } })
        .returning();
      await tx.execute(sql`
        DELETE FROM push_subscriptions WHERE user_id = ${s.userId} AND id NOT IN (
          SELECT id FROM push_subscriptions WHERE user_id = ${s.userId} ORDER BY created_at DESC, id DESC LIMIT ${MAX_SUBSCRIPTIONS_PER_USER})`);
      return row!;
    },

    /** Removes the user's own subscription of this endpoint; false when they have none (someone else's is not touched). */
    async deleteOwn(q: { userId: string; endpoint: string }, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.userId, q.userId), eq(pushSubscriptions.endpoint, q.endpoint)))
        .returning({ id: pushSubscriptions.id });
      return rows.length > 0;
    },

    /** The push service said it is gone (404/410): the subscription and its delivery rows go. */
    async delete(id: string, tx: Db = db): Promise<void> {
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
    },

    async list(userId: string, tx: Db = db): Promise<PushSubscriptionRow[]> {
      return tx.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    },

    async touch(id: string, at: Date, tx: Db = db): Promise<void> {
      await tx.update(pushSubscriptions).set({ lastSentAt: at }).where(eq(pushSubscriptions.id, id));
    },

    /** Takes the right to push one notice to one subscription: a first claim, or one waiting to be retried. */
    async claim(q: { noticeId: string; subscriptionId: string; at: Date }, tx: Db = db): Promise<NoticePushDeliveryRow | undefined> {
      const [row] = await tx
        .insert(noticePushDeliveries)
        .values({ noticeId: q.noticeId, subscriptionId: q.subscriptionId, status: 'sending', attempts: 1, claimedAt: q.at })
        .onConflictDoUpdate({
          target: [noticePushDeliveries.noticeId, noticePushDeliveries.subscriptionId],
          set: { status: 'sending', attempts: sql`${noticePushDeliveries.attempts} + 1`, claimedAt: q.at },
          setWhere: eq(noticePushDeliveries.status, 'retry'),
        })
        .returning();
      return row;
    },

    async get(noticeId: string, subscriptionId: string, tx: Db = db): Promise<NoticePushDeliveryRow | undefined> {
      const [row] = await tx
        .select()
        .from(noticePushDeliveries)
        .where(and(eq(noticePushDeliveries.noticeId, noticeId), eq(noticePushDeliveries.subscriptionId, subscriptionId)));
      return row;
    },

    async listForNotice(noticeId: string, tx: Db = db): Promise<NoticePushDeliveryRow[]> {
      return tx.select().from(noticePushDeliveries).where(eq(noticePushDeliveries.noticeId, noticeId));
    },

    /** Records how a claimed push ended; only the claim (status 'sending') is changed. */
    async finish(
      q: { noticeId: string; subscriptionId: string; status: 'sent' | 'retry' | 'failed' | 'unknown'; at: Date; error?: string | null },
      tx: Db = db,
    ): Promise<void> {
      await tx
        .update(noticePushDeliveries)
        .set({ status: q.status, sentAt: q.status === 'sent' ? q.at : null, error: q.error ?? null })
        .where(
          and(
            eq(noticePushDeliveries.noticeId, q.noticeId),
            eq(noticePushDeliveries.subscriptionId, q.subscriptionId),
            eq(noticePushDeliveries.status, 'sending'),
          ),
        );
    },
  };
}
export type PushRepository = ReturnType<typeof createPushRepository>;
