import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaignMembers, campaigns, type CampaignRow } from '../../db/schema.js';

export type CampaignWithCount = CampaignRow & { memberCount: number };
export type NewCampaign = Omit<typeof campaigns.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

const memberCount = sql<number>`(SELECT count(*)::int FROM ${campaignMembers} WHERE ${campaignMembers.campaignId} = ${campaigns.id})`;

export function createCampaignsRepository(db: Db) {
  return {
    async get(id: string, tx: Db = db): Promise<CampaignWithCount | undefined> {
      const [row] = await tx.select({ c: campaigns, memberCount }).from(campaigns).where(eq(campaigns.id, id));
      return row && { ...row.c, memberCount: row.memberCount };
    },
    async getBySlug(slug: string, tx: Db = db): Promise<CampaignWithCount | undefined> {
      const [row] = await tx.select({ c: campaigns, memberCount }).from(campaigns).where(eq(campaigns.slug, slug));
      return row && { ...row.c, memberCount: row.memberCount };
    },
    /** Locks the campaign row so concurrent joins count members one at a time. */
    async getForUpdate(id: string, tx: Db): Promise<CampaignRow | undefined> {
      const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      return row;
    },
    async list(tx: Db = db): Promise<CampaignWithCount[]> {
      const rows = await tx.select({ c: campaigns, memberCount }).from(campaigns).orderBy(asc(campaigns.startsAt));
      return rows.map((r) => ({ ...r.c, memberCount: r.memberCount }));
    },
    async listOpen(now: Date, tx: Db = db): Promise<CampaignWithCount[]> {
      const rows = await tx
        .select({ c: campaigns, memberCount })
        .from(campaigns)
        .where(and(eq(campaigns.published, true), lte(campaigns.startsAt, now), gt(campaigns.endsAt, now)))
        .orderBy(asc(campaigns.endsAt));
      return rows.map((r) => ({ ...r.c, memberCount: r.memberCount }));
    },
    async listForMember(userId: string, tx: Db = db): Promise<CampaignWithCount[]> {
      const rows = await tx
        .select({ c: campaigns, memberCount })
        .from(campaigns)
        .innerJoin(campaignMembers, eq(campaignMembers.campaignId, campaigns.id))
        .where(eq(campaignMembers.userId, userId))
        .orderBy(asc(campaignMembers.joinedAt));
      return rows.map((r) => ({ ...r.c, memberCount: r.memberCount }));
    },
    async count(tx: Db = db): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(campaigns);
      return row?.n ?? 0;
    },
    async create(input: NewCampaign, tx: Db = db): Promise<CampaignRow> {
      const [row] = await tx.insert(campaigns).values(input).returning();
      return row!;
    },
    async update(id: string, patch: Partial<NewCampaign>, tx: Db = db): Promise<CampaignRow | undefined> {
      const [row] = await tx
        .update(campaigns)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(campaigns.id, id))
        .returning();
      return row;
    },
    async countMembers(campaignId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(campaignMembers)
        .where(eq(campaignMembers.campaignId, campaignId));
      return row?.n ?? 0;
    },
    async isMember(campaignId: string, userId: string, tx: Db = db): Promise<boolean> {
      const rows = await tx
        .select({ u: campaignMembers.userId })
        .from(campaignMembers)
        .where(and(eq(campaignMembers.campaignId, campaignId), eq(campaignMembers.userId, userId)));
      return rows.length > 0;
    },
    async addMember(campaignId: string, userId: string, tx: Db = db): Promise<void> {
      await tx.insert(campaignMembers).values({ campaignId, userId }).onConflictDoNothing();
    },
  };
}
export type CampaignsRepository = ReturnType<typeof createCampaignsRepository>;
