import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  campaigns,
  grandPrizeNominations,
  grandPrizeRounds,
  packages,
  submissions,
  users,
  type CampaignRow,
  type GrandPrizeNominationRow,
  type GrandPrizeRoundRow,
} from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

export type NewNomination = typeof grandPrizeNominations.$inferInsert;
export type NominationView = GrandPrizeNominationRow & { headline: string; userName: string };

export function createGrandPrizeRepository(db: Db) {
  return {
    /** Published campaigns that have ended and have no grand-prize round yet. */
    async listEndedWithoutRound(now: Date, tx: Db = db): Promise<CampaignRow[]> {
      return tx
        .select()
        .from(campaigns)
        .where(
          and(
            eq(campaigns.published, true),
            lte(campaigns.endsAt, now),
            sql`NOT EXISTS (SELECT 1 FROM grand_prize_rounds r WHERE r.campaign_id = ${campaigns.id})`,
          ),
        )
        .orderBy(asc(campaigns.endsAt));
    },

    /** Claims the campaign's round: undefined when it exists already (a second run is a no-op). */
    async createRound(row: typeof grandPrizeRounds.$inferInsert, tx: Db): Promise<GrandPrizeRoundRow | undefined> {
      const [made] = await tx.insert(grandPrizeRounds).values(row).onConflictDoNothing().returning();
      return made;
    },
    async updateRound(campaignId: string, patch: Partial<Pick<GrandPrizeRoundRow, 'nominatedCount'>>, tx: Db): Promise<void> {
      await tx.update(grandPrizeRounds).set(patch).where(eq(grandPrizeRounds.campaignId, campaignId));
    },
    async getRound(campaignId: string, tx: Db = db): Promise<GrandPrizeRoundRow | undefined> {
      const [row] = await tx.select().from(grandPrizeRounds).where(eq(grandPrizeRounds.campaignId, campaignId));
      return row;
    },
    /** Serialises the campaign's confirmations: the cap is checked against a sum nobody else can change meanwhile. */
    async getRoundForUpdate(campaignId: string, tx: Db): Promise<GrandPrizeRoundRow | undefined> {
      const [row] = await tx.select().from(grandPrizeRounds).where(eq(grandPrizeRounds.campaignId, campaignId)).for('update');
      return row;
    },

    async createNominations(rows: NewNomination[], tx: Db): Promise<number> {
      if (!rows.length) return 0;
      const made = await tx.insert(grandPrizeNominations).values(rows).onConflictDoNothing().returning({ id: grandPrizeNominations.submissionId });
      return made.length;
    },

    async listDueForRecheck(now: Date, tx: Db = db): Promise<GrandPrizeNominationRow[]> {
      return tx
        .select()
        .from(grandPrizeNominations)
        .where(and(eq(grandPrizeNominations.status, 'nominated'), lte(grandPrizeNominations.recheckAfter, now)))
        .orderBy(asc(grandPrizeNominations.recheckAfter));
    },

    /**
     * Reach as the platforms report it now: per publication its latest sample's views (not
     * the highest ever seen, so a platform that has since removed fake plays is believed),
     * summed over the video's channels.
     */
    async latestReach(submissionId: string, tx: Db = db): Promise<number> {
      const r = await tx.execute(sql`
        SELECT coalesce(sum(l.views), 0)::float8 AS reach
        FROM publications p
        CROSS JOIN LATERAL (
          SELECT ms.views FROM metric_samples ms
          WHERE ms.publication_id = p.id AND ms.views IS NOT NULL
          ORDER BY ms.sampled_at DESC LIMIT 1
        ) l
        WHERE p.submission_id = ${submissionId}::uuid`);
      return Number(rowsOf<{ reach: number | string }>(r)[0]?.reach ?? 0);
    },

    /** Moves a nomination on from `from` (a concurrent move makes this a no-op); true when it moved. */
    async updateNomination(
      key: { campaignId: string; submissionId: string; from: GrandPrizeNominationRow['status'] },
      patch: Partial<Omit<GrandPrizeNominationRow, 'campaignId' | 'submissionId'>>,
      tx: Db = db,
    ): Promise<boolean> {
      const rows = await tx
        .update(grandPrizeNominations)
        .set(patch)
        .where(
          and(
            eq(grandPrizeNominations.campaignId, key.campaignId),
            eq(grandPrizeNominations.submissionId, key.submissionId),
            eq(grandPrizeNominations.status, key.from),
          ),
        )
        .returning({ id: grandPrizeNominations.submissionId });
      return rows.length > 0;
    },

    async getForUpdate(campaignId: string, submissionId: string, tx: Db): Promise<GrandPrizeNominationRow | undefined> {
      const [row] = await tx
        .select()
        .from(grandPrizeNominations)
        .where(and(eq(grandPrizeNominations.campaignId, campaignId), eq(grandPrizeNominations.submissionId, submissionId)))
        .for('update');
      return row;
    },

    async confirmedFen(campaignId: string, tx: Db = db): Promise<number> {
      const [row] = await tx
        .select({ fen: sql<string>`coalesce(sum(${grandPrizeNominations.amountFen}), 0)::text` })
        .from(grandPrizeNominations)
        .where(and(eq(grandPrizeNominations.campaignId, campaignId), eq(grandPrizeNominations.status, 'confirmed')));
      return Number(row?.fen ?? 0);
    },

    /** A campaign's nominations (or one), highest reach first, with public names. */
    async list(campaignId: string, submissionId?: string, tx: Db = db): Promise<NominationView[]> {
      const rows = await tx
        .select({ n: grandPrizeNominations, headline: sql<string>`coalesce(${packages.headline}, ${submissions.title})`, userName: users.name })
        .from(grandPrizeNominations)
        .innerJoin(submissions, eq(submissions.id, grandPrizeNominations.submissionId))
        .innerJoin(users, eq(users.id, grandPrizeNominations.userId))
        .leftJoin(packages, and(eq(packages.submissionId, submissions.id), eq(packages.channel, 'app')))
        .where(and(eq(grandPrizeNominations.campaignId, campaignId), submissionId ? eq(grandPrizeNominations.submissionId, submissionId) : undefined))
        .orderBy(desc(grandPrizeNominations.reachAtNomination), asc(grandPrizeNominations.submissionId));
      return rows.map((r) => ({ ...r.n, headline: r.headline, userName: r.userName }));
    },
  };
}
export type GrandPrizeRepository = ReturnType<typeof createGrandPrizeRepository>;
