import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  identities,
  users,
  wechatPendingSignups,
  wechatStates,
  type IdentityRow,
  type WechatAppKind,
  type WechatPendingSignupRow,
  type WechatScope,
  type WechatStateRow,
} from '../../db/schema.js';

export interface NewIdentity {
  userId: string;
  appId: string;
  appKind: WechatAppKind;
  openid: string;
  unionid: string | null;
  nickname: string | null;
}

export function createWechatRepository(db: Db) {
  return {
    async getIdentity(appId: string, openid: string, tx: Db = db): Promise<IdentityRow | undefined> {
      const [row] = await tx
        .select()
        .from(identities)
        .where(and(eq(identities.provider, 'wechat'), eq(identities.appId, appId), eq(identities.openid, openid)));
      return row;
    },
    async listByUnionid(unionid: string, tx: Db = db): Promise<IdentityRow[]> {
      return tx
        .select()
        .from(identities)
        .where(and(eq(identities.provider, 'wechat'), eq(identities.unionid, unionid)));
    },
    async listByUser(userId: string, tx: Db = db): Promise<IdentityRow[]> {
      return tx
        .select()
        .from(identities)
        .where(and(eq(identities.provider, 'wechat'), eq(identities.userId, userId)))
        .orderBy(identities.createdAt);
    },
    async getUserIdentityForApp(userId: string, appId: string, tx: Db = db): Promise<IdentityRow | undefined> {
      const [row] = await tx
        .select()
        .from(identities)
        .where(and(eq(identities.provider, 'wechat'), eq(identities.userId, userId), eq(identities.appId, appId)));
      return row;
    },
    async create(input: NewIdentity, tx: Db = db): Promise<IdentityRow> {
      const [row] = await tx
        .insert(identities)
        .values({ ...input, provider: 'wechat' })
        .returning();
      return row!;
    },
    async update(id: string, patch: { lastUsedAt?: Date; unionid?: string; nickname?: string }, tx: Db = db): Promise<void> {
      await tx.update(identities).set(patch).where(eq(identities.id, id));
    },
    /** Removes one of this user's identities; false when the user has no such identity. */
    async delete(userId: string, id: string, tx: Db = db): Promise<IdentityRow | undefined> {
      const [row] = await tx
        .delete(identities)
        .where(and(eq(identities.id, id), eq(identities.userId, userId)))
        .returning();
      return row;
    },

    /** Locks the account row: unlinks of one account run one at a time, so the last way in cannot go twice. */
    async lockUser(userId: string, tx: Db) {
      const [row] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      return row;
    },

    async createState(
      input: {
        stateHash: string;
        appKind: WechatAppKind;
        scope: WechatScope;
        intent: 'sign_in' | 'link';
        userId: string | null;
        campaignId: string | null;
        nextPath: string | null;
        expiresAt: Date;
      },
      tx: Db = db,
    ): Promise<void> {
      await tx.insert(wechatStates).values(input);
    },
    /** Marks a live state used and returns it; nothing when it is unknown, used or expired (one winner under concurrency). */
    async consumeState(stateHash: string, now: Date, tx: Db = db): Promise<WechatStateRow | undefined> {
      const [row] = await tx
        .update(wechatStates)
        .set({ consumedAt: now })
        .where(and(eq(wechatStates.stateHash, stateHash), isNull(wechatStates.consumedAt), gt(wechatStates.expiresAt, now)))
        .returning();
      return row;
    },

    async createPending(input: Omit<WechatPendingSignupRow, 'id' | 'createdAt' | 'consumedAt'>, tx: Db = db): Promise<void> {
      await tx.insert(wechatPendingSignups).values(input);
    },
    async getLivePending(tokenHash: string, now: Date, tx: Db = db): Promise<WechatPendingSignupRow | undefined> {
      const [row] = await tx
        .select()
        .from(wechatPendingSignups)
        .where(and(eq(wechatPendingSignups.tokenHash, tokenHash), isNull(wechatPendingSignups.consumedAt), gt(wechatPendingSignups.expiresAt, now)));
      return row;
    },
    async consumePending(tokenHash: string, now: Date, tx: Db): Promise<WechatPendingSignupRow | undefined> {
      const [row] = await tx
        .update(wechatPendingSignups)
        .set({ consumedAt: now })
        .where(and(eq(wechatPendingSignups.tokenHash, tokenHash), isNull(wechatPendingSignups.consumedAt), gt(wechatPendingSignups.expiresAt, now)))
        .returning();
      return row;
    },
    async deleteOld(before: Date, tx: Db = db): Promise<void> {
      await tx.delete(wechatStates).where(or(lt(wechatStates.expiresAt, before), lt(wechatStates.consumedAt, before)));
      await tx.delete(wechatPendingSignups).where(or(lt(wechatPendingSignups.expiresAt, before), lt(wechatPendingSignups.consumedAt, before)));
    },
  };
}

export type WechatRepository = ReturnType<typeof createWechatRepository>;
