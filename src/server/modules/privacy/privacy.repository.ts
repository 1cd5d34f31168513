import { and, asc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  accountErasures,
  campaignMembers,
  campaigns,
  grandPrizeNominations,
  ledgerAccounts,
  ledgerEntries,
  ledgerTransfers,
  identities,
  noticeDeliveries,
  noticePushDeliveries,
  notices,
  packages,
  payouts,
  phoneCodes,
  pushSubscriptions,
  rainGrabLog,
  rainGrabs,
  sessions,
  submissionClips,
  submissions,
  uploadQuota,
  users,
  type UserRow,
} from '../../db/schema.js';

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** Payout states whose money has not reached its end (paid out, or back on the balance). */
export const OPEN_PAYOUT_STATUSES = ['requested', 'batched', 'exported'] as const;
/** Submission states that may still be adopted (and so paid): a deletion withdraws them. */
const OPEN_SUBMISSION_STATUSES = ['uploading', 'processing', 'in_review'] as const;

export interface OpenMoney {
  balanceFen: number;
  openPayouts: number;
  unpaidRainWins: number;
  pendingRewards: number;
}

/**
 * Reads across the ledger, payouts, rain and propagation tables on behalf of one account: the
 * privacy module owns these queries so that none of those modules has to know about deletion.
 */
export function createPrivacyRepository(db: Db) {
  return {
    /** The user row, locked: two deletions of one account run one after the other. */
    async lockUser(userId: string, tx: Db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      return row;
    },
    async getErasure(userId: string, tx: Db = db) {
      const [row] = await tx.select().from(accountErasures).where(eq(accountErasures.userId, userId));
      return row;
    },

    /**
     * Locks the contributor's ledger account the way every debit does (FOR NO KEY UPDATE), so a
     * payout request committing meanwhile is either seen by the checks below or waits for us.
     */
    async lockContributorAccount(userId: string, tx: Db): Promise<string | undefined> {
      const [row] = await tx
        .select({ id: ledgerAccounts.id })
        .from(ledgerAccounts)
        .where(and(eq(ledgerAccounts.kind, 'contributor'), eq(ledgerAccounts.userId, userId)))
        .for('no key update');
      return row?.id;
    },

    async openMoney(userId: string, tx: Db = db): Promise<OpenMoney> {
      const [bal] = await tx
        .select({ fen: sql<string>`coalesce(sum(${ledgerEntries.amountFen}), 0)::text` })
        .from(ledgerEntries)
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
        .where(and(eq(ledgerAccounts.kind, 'contributor'), eq(ledgerAccounts.userId, userId)));
      const [pay] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(payouts)
        .where(and(eq(payouts.userId, userId), inArray(payouts.status, [...OPEN_PAYOUT_STATUSES])));
      // A win without a transfer is owed: due at the session's end, or held for review.
      const [rain] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(rainGrabs)
        .where(and(eq(rainGrabs.userId, userId), isNull(rainGrabs.transferId)));
      const held = rowsOf<{ n: number }>(await tx.execute(sql`SELECT count(*)::int AS n FROM propagation_holds WHERE user_id = ${userId} AND status = 'held'`));
      const [nominated] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(grandPrizeNominations)
        .where(
          and(
            eq(grandPrizeNominations.userId, userId),
            inArray(grandPrizeNominations.status, ['nominated', 'confirmable']),
            isNull(grandPrizeNominations.transferId),
          ),
        );
      return {
        balanceFen: Number(bal?.fen ?? 0),
        openPayouts: pay?.n ?? 0,
        unpaidRainWins: rain?.n ?? 0,
        pendingRewards: Number(held[0]?.n ?? 0) + (nominated?.n ?? 0),
      };
    },

    /** Withdraws what could still be adopted; returns the ids whose stored files are to go. */
    async withdrawOpenSubmissions(userId: string, now: Date, tx: Db): Promise<string[]> {
      const rows = await tx
        .update(submissions)
        .set({ status: 'withdrawn', withdrawnAt: now, uploadId: null, progress: 0, updatedAt: now })
        .where(and(eq(submissions.userId, userId), inArray(submissions.status, [...OPEN_SUBMISSION_STATUSES])))
        .returning({ id: submissions.id });
      return rows.map((r) => r.id);
    },

    /**
     * Empties the account of personal data in the caller's transaction (docs/privacy.md lists
     * each column and why what stays, stays). Returns the submissions whose files are to go.
     */
    async erase(input: { user: UserRow; now: Date; anonymousName: string; placeholderEmail: string }, tx: Db): Promise<{ mediaToDelete: string[] }> {
      const { user, now } = input;
      const id = user.id;
      await tx
        .update(users)
        .set({ name: input.anonymousName, email: input.placeholderEmail, phone: null, passwordHash: null, disabled: true, updatedAt: now })
        .where(eq(users.id, id));
      await tx.delete(sessions).where(eq(sessions.userId, id));
      if (user.phone) await tx.delete(phoneCodes).where(eq(phoneCodes.phone, user.phone));
      await tx.delete(campaignMembers).where(eq(campaignMembers.userId, id));
      await tx.delete(uploadQuota).where(eq(uploadQuota.userId, id));
      const mine = tx.select({ id: notices.id }).from(notices).where(eq(notices.userId, id));
      await tx.delete(noticeDeliveries).where(inArray(noticeDeliveries.noticeId, mine));
      await tx.delete(noticePushDeliveries).where(inArray(noticePushDeliveries.noticeId, mine));
      await tx.delete(notices).where(eq(notices.userId, id));
      // A push endpoint and a WeChat openid/unionid each name this person on another platform.
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, id));
      await tx.delete(identities).where(eq(identities.userId, id));
      // Device and network traces of the rain; the wins themselves are the books' (amount, time).
      await tx.update(rainGrabs).set({ ip: null, deviceId: null }).where(eq(rainGrabs.userId, id));
      await tx.update(rainGrabLog).set({ ip: null, userAgent: null, deviceId: null, fingerprint: null }).where(eq(rainGrabLog.userId, id));
      // A failed payout paid nobody: its payee details are no record of a payment. A paid one is
      // (the bank's statement names the payee), so it keeps them, encrypted and masked.
      await tx
        .update(payouts)
        .set({ detailsEnc: 'erased', realNameMasked: '*', accountMasked: '*', requestHash: 'erased' })
        .where(and(eq(payouts.userId, id), eq(payouts.status, 'failed')));
      // Videos never adopted: no longer the platform's to keep. Adopted ones stay published (the
      // campaign terms), credited to 拍客: an empty package credit falls back to the account's name.
      const unadopted = await tx
        .update(submissions)
        .set({ outputs: null, probe: null, location: null, description: null, originalFilename: 'erased', uploadId: null, updatedAt: now })
        .where(and(eq(submissions.userId, id), notInArray(submissions.status, ['adopted'])))
        .returning({ id: submissions.id });
      if (unadopted.length)
        await tx
          .update(submissionClips)
          .set({ filename: 'erased', uploadId: null })
          .where(
            inArray(
              submissionClips.submissionId,
              unadopted.map((s) => s.id),
            ),
          );
      const own = tx.select({ id: submissions.id }).from(submissions).where(eq(submissions.userId, id));
      // The file name a phone gave may carry a name or place; the probe stays (distilled stream facts
      // the desk's edits and cover frames need, no container tags).
      await tx.update(submissions).set({ originalFilename: 'erased' }).where(eq(submissions.userId, id));
      await tx.update(packages).set({ credit: '' }).where(inArray(packages.submissionId, own));
      await tx.insert(accountErasures).values({ userId: id, erasedAt: now }).onConflictDoNothing();
      return { mediaToDelete: unadopted.map((s) => s.id) };
    },

    // ---- export ----

    async exportRows(userId: string, tx: Db = db) {
      const memberships = await tx
        .select({ campaignId: campaignMembers.campaignId, slug: campaigns.slug, title: campaigns.title, joinedAt: campaignMembers.joinedAt })
        .from(campaignMembers)
        .innerJoin(campaigns, eq(campaigns.id, campaignMembers.campaignId))
        .where(eq(campaignMembers.userId, userId))
        .orderBy(asc(campaignMembers.joinedAt));
      const subs = await tx.select().from(submissions).where(eq(submissions.userId, userId)).orderBy(asc(submissions.createdAt));
      const ledger = await tx
        .select({
          id: ledgerEntries.id,
          at: ledgerEntries.createdAt,
          amountFen: ledgerEntries.amountFen,
          kind: ledgerTransfers.kind,
          memo: ledgerTransfers.memo,
          refs: ledgerTransfers.refs,
          transferId: ledgerTransfers.id,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerEntries.transferId))
        .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
        .where(and(eq(ledgerAccounts.kind, 'contributor'), eq(ledgerAccounts.userId, userId)))
        .orderBy(asc(ledgerEntries.id));
      const pays = await tx.select().from(payouts).where(eq(payouts.userId, userId)).orderBy(asc(payouts.requestedAt));
      const notes = await tx.select().from(notices).where(eq(notices.userId, userId)).orderBy(asc(notices.createdAt));
      const wins = await tx.select().from(rainGrabs).where(eq(rainGrabs.userId, userId)).orderBy(asc(rainGrabs.wonAt));
      const sess = await tx.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt));
      const holds = rowsOf<{
        kind: string;
        submission_id: string;
        amount_fen: string | null;
        status: string;
        created_at: Date | string;
        decided_at: Date | string | null;
      }>(
        await tx.execute(
          sql`SELECT kind, submission_id, amount_fen::text AS amount_fen, status, created_at, decided_at FROM propagation_holds WHERE user_id = ${userId} ORDER BY created_at`,
        ),
      );
      return { memberships, submissions: subs, ledger, payouts: pays, notices: notes, rainWins: wins, sessions: sess, holds };
    },
  };
}

export type PrivacyRepository = ReturnType<typeof createPrivacyRepository>;
