import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { HoldStatus, LendingKind, ReadingPosition } from '../../../contracts/lending.js';
import type { Db } from '../../db/client.js';
import {
  lendingHolds,
  lendingLicences,
  lendingLoans,
  lendingTitles,
  type LendingHoldRow,
  type LendingLicenceRow,
  type LendingLoanRow,
  type LendingTitleRow,
} from '../../db/schema.js';

export type NewTitle = Omit<LendingTitleRow, 'createdAt' | 'withdrawnAt'>;
export type LicencePatch = Partial<Pick<LendingLicenceRow, 'copies' | 'loanDays' | 'maxLoans' | 'expiresAt'>>;

/** How the copies of a title are taken at a moment. */
export interface TitleCounts {
  active: number;
  /** Offers not yet lapsed: a copy kept for the reader it is offered to. */
  offered: number;
  waiting: number;
}
export type CatalogueRow = LendingTitleRow & { licence: LendingLicenceRow; counts: TitleCounts };
export type LoanWithTitle = LendingLoanRow & { title: LendingTitleRow };
export type HoldWithTitle = LendingHoldRow & { title: LendingTitleRow };

const count = (where: SQL) => sql<number>`(SELECT count(*)::int FROM ${where})`;
// Counted live (offers past their time are not copies kept), so a reading between sweeps is right.
const countsOf = (now: Date) => ({
  active: count(sql`lending_loans l WHERE l.title_id = ${lendingTitles.id} AND l.status = 'active'`),
  offered: count(
    sql`lending_holds h WHERE h.title_id = ${lendingTitles.id} AND h.status = 'offered' AND h.offer_expires_at > ${now.toISOString()}::timestamptz`,
  ),
  waiting: count(sql`lending_holds h WHERE h.title_id = ${lendingTitles.id} AND h.status = 'waiting'`),
});

/** The lending tables (migrations/0038_lending.sql): titles, licences, loans and holds. */
export function createLendingRepository(db: Db) {
  return {
    // ---- titles and licences ----
    async createTitle(t: NewTitle, licence: Omit<LendingLicenceRow, 'titleId' | 'loansUsed' | 'updatedAt'>, tx: Db = db): Promise<LendingTitleRow> {
      const [row] = await tx.insert(lendingTitles).values(t).returning();
      await tx.insert(lendingLicences).values({ ...licence, titleId: t.id });
      return row!;
    },
    async getTitle(id: string, tx: Db = db): Promise<LendingTitleRow | undefined> {
      const [row] = await tx.select().from(lendingTitles).where(eq(lendingTitles.id, id));
      return row;
    },
    async getListedBySha(sha256: string, tx: Db = db): Promise<LendingTitleRow | undefined> {
      const [row] = await tx
        .select()
        .from(lendingTitles)
        .where(and(eq(lendingTitles.sha256, sha256), isNull(lendingTitles.withdrawnAt)));
      return row;
    },
    /** Titles with their licence and live counts, newest first. */
    async listCatalogue(
      q: { now: Date; kind?: LendingKind; withdrawn: 'include' | 'exclude' | 'only'; limit: number; offset: number; ids?: string[] },
      tx: Db = db,
    ): Promise<CatalogueRow[]> {
      const rows = await tx
        .select({ title: lendingTitles, licence: lendingLicences, ...countsOf(q.now) })
        .from(lendingTitles)
        .innerJoin(lendingLicences, eq(lendingLicences.titleId, lendingTitles.id))
        .where(
          and(
            q.kind ? eq(lendingTitles.kind, q.kind) : undefined,
            q.withdrawn === 'exclude' ? isNull(lendingTitles.withdrawnAt) : q.withdrawn === 'only' ? isNotNull(lendingTitles.withdrawnAt) : undefined,
            q.ids ? inArray(lendingTitles.id, q.ids) : undefined,
          ),
        )
        .orderBy(desc(lendingTitles.createdAt), asc(lendingTitles.id))
        .limit(q.limit)
        .offset(q.offset);
      return rows.map((r) => ({ ...r.title, licence: r.licence, counts: { active: r.active, offered: r.offered, waiting: r.waiting } }));
    },
    async withdraw(id: string, at: Date, tx: Db = db): Promise<LendingTitleRow | undefined> {
      const [row] = await tx
        .update(lendingTitles)
        .set({ withdrawnAt: sql`coalesce(${lendingTitles.withdrawnAt}, ${at.toISOString()}::timestamptz)` })
        .where(eq(lendingTitles.id, id))
        .returning();
      return row;
    },

    /** The title's licence, its row locked until the transaction ends: every change to who holds a copy takes it first. */
    async lockLicence(titleId: string, tx: Db): Promise<LendingLicenceRow | undefined> {
      const [row] = await tx.select().from(lendingLicences).where(eq(lendingLicences.titleId, titleId)).for('update');
      return row;
    },
    async updateLicence(titleId: string, patch: LicencePatch & { updatedAt: Date }, tx: Db = db): Promise<LendingLicenceRow | undefined> {
      const [row] = await tx.update(lendingLicences).set(patch).where(eq(lendingLicences.titleId, titleId)).returning();
      return row;
    },
    async useLoan(titleId: string, tx: Db): Promise<void> {
      await tx
        .update(lendingLicences)
        .set({ loansUsed: sql`${lendingLicences.loansUsed} + 1` })
        .where(eq(lendingLicences.titleId, titleId));
    },
    async counts(titleId: string, now: Date, tx: Db = db): Promise<TitleCounts> {
      const [r] = await tx.select(countsOf(now)).from(lendingTitles).where(eq(lendingTitles.id, titleId));
      return r ?? { active: 0, offered: 0, waiting: 0 };
    },

    // ---- loans ----
    async getLoan(id: string, tx: Db = db): Promise<LoanWithTitle | undefined> {
      const [r] = await tx
        .select({ loan: lendingLoans, title: lendingTitles })
        .from(lendingLoans)
        .innerJoin(lendingTitles, eq(lendingTitles.id, lendingLoans.titleId))
        .where(eq(lendingLoans.id, id));
      return r && { ...r.loan, title: r.title };
    },
    async activeLoanOf(q: { userId: string; titleId: string }, tx: Db = db): Promise<LendingLoanRow | undefined> {
      const [row] = await tx
        .select()
        .from(lendingLoans)
        .where(and(eq(lendingLoans.userId, q.userId), eq(lendingLoans.titleId, q.titleId), eq(lendingLoans.status, 'active')));
      return row;
    },
    /** A new loan resumes where the reader's last loan of the title left off. */
    async createLoan(l: { titleId: string; userId: string; borrowedAt: Date; dueAt: Date }, tx: Db): Promise<LendingLoanRow> {
      const last = sql`(SELECT p.position FROM lending_loans p WHERE p.title_id = ${l.titleId} AND p.user_id = ${l.userId} AND p.position IS NOT NULL ORDER BY p.borrowed_at DESC LIMIT 1)`;
      const [row] = await tx
        .insert(lendingLoans)
        .values({ ...l, position: sql`${last}` })
        .returning();
      return row!;
    },
    /** Ends an active loan (returned or expired); undefined when it was not active. */
    async endLoan(q: { id: string; status: 'returned' | 'expired'; at: Date }, tx: Db): Promise<LendingLoanRow | undefined> {
      const [row] = await tx
        .update(lendingLoans)
        .set({ status: q.status, returnedAt: q.at })
        .where(and(eq(lendingLoans.id, q.id), eq(lendingLoans.status, 'active')))
        .returning();
      return row;
    },
    async expireDueLoans(titleId: string, now: Date, tx: Db): Promise<number> {
      const rows = await tx
        .update(lendingLoans)
        .set({ status: 'expired', returnedAt: sql`${lendingLoans.dueAt}` })
        .where(and(eq(lendingLoans.titleId, titleId), eq(lendingLoans.status, 'active'), lte(lendingLoans.dueAt, now)))
        .returning({ id: lendingLoans.id });
      return rows.length;
    },
    /** Due dates of the title's active loans, earliest first. */
    async dueDates(titleId: string, tx: Db = db): Promise<Date[]> {
      const rows = await tx
        .select({ dueAt: lendingLoans.dueAt })
        .from(lendingLoans)
        .where(and(eq(lendingLoans.titleId, titleId), eq(lendingLoans.status, 'active')))
        .orderBy(asc(lendingLoans.dueAt));
      return rows.map((r) => r.dueAt);
    },
    async loansOf(userId: string, endedLimit: number, tx: Db = db): Promise<LoanWithTitle[]> {
      const pick = (where: SQL | undefined, limit: number) =>
        tx
          .select({ loan: lendingLoans, title: lendingTitles })
          .from(lendingLoans)
          .innerJoin(lendingTitles, eq(lendingTitles.id, lendingLoans.titleId))
          .where(and(eq(lendingLoans.userId, userId), where))
          .orderBy(desc(lendingLoans.borrowedAt))
          .limit(limit);
      const [active, ended] = [await pick(eq(lendingLoans.status, 'active'), 1000), await pick(sql`${lendingLoans.status} <> 'active'`, endedLimit)];
      return [...active, ...ended].map((r) => ({ ...r.loan, title: r.title }));
    },
    /** Saves a position unless the stored one is newer; undefined when the loan is not this reader's active one or the position is older. */
    async setPosition(q: { loanId: string; userId: string; position: ReadingPosition }, tx: Db = db): Promise<LendingLoanRow | undefined> {
      const [row] = await tx
        .update(lendingLoans)
        .set({ position: q.position })
        .where(
          and(
            eq(lendingLoans.id, q.loanId),
            eq(lendingLoans.userId, q.userId),
            eq(lendingLoans.status, 'active'),
            or(isNull(lendingLoans.position), sql`(${lendingLoans.position}->>'updatedAt')::timestamptz <= ${q.position.updatedAt}::timestamptz`),
          ),
        )
        .returning();
      return row;
    },
    /** Titles with a loan past due or an offer past its time: the sweep's work. */
    async titlesToSettle(now: Date, tx: Db = db): Promise<string[]> {
      const loans = await tx
        .selectDistinct({ titleId: lendingLoans.titleId })
        .from(lendingLoans)
        .where(and(eq(lendingLoans.status, 'active'), lte(lendingLoans.dueAt, now)));
      const offers = await tx
        .selectDistinct({ titleId: lendingHolds.titleId })
        .from(lendingHolds)
        .where(and(eq(lendingHolds.status, 'offered'), lte(lendingHolds.offerExpiresAt, now)));
      return [...new Set([...loans, ...offers].map((r) => r.titleId))];
    },

    // ---- holds ----
    async getHold(id: string, tx: Db = db): Promise<HoldWithTitle | undefined> {
      const [r] = await tx
        .select({ hold: lendingHolds, title: lendingTitles })
        .from(lendingHolds)
        .innerJoin(lendingTitles, eq(lendingTitles.id, lendingHolds.titleId))
        .where(eq(lendingHolds.id, id));
      return r && { ...r.hold, title: r.title };
    },
    async openHoldOf(q: { userId: string; titleId: string }, tx: Db = db): Promise<LendingHoldRow | undefined> {
      const [row] = await tx
        .select()
        .from(lendingHolds)
        .where(and(eq(lendingHolds.userId, q.userId), eq(lendingHolds.titleId, q.titleId), inArray(lendingHolds.status, ['waiting', 'offered'])));
      return row;
    },
    async createHold(h: { titleId: string; userId: string; createdAt: Date }, tx: Db): Promise<LendingHoldRow> {
      const [row] = await tx.insert(lendingHolds).values(h).returning();
      return row!;
    },
    /** 1 for the first waiting hold of its title. */
    async queuePosition(hold: Pick<LendingHoldRow, 'titleId' | 'seq'>, tx: Db = db): Promise<number> {
      const [r] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(lendingHolds)
        .where(and(eq(lendingHolds.titleId, hold.titleId), eq(lendingHolds.status, 'waiting'), lte(lendingHolds.seq, hold.seq)));
      return r?.n ?? 1;
    },
    /** Offers the first `n` waiting holds of a title; the offered rows, in queue order. */
    async offerNext(q: { titleId: string; n: number; at: Date; expiresAt: Date }, tx: Db): Promise<LendingHoldRow[]> {
      if (q.n <= 0) return [];
      const next = await tx
        .select({ id: lendingHolds.id })
        .from(lendingHolds)
        .where(and(eq(lendingHolds.titleId, q.titleId), eq(lendingHolds.status, 'waiting')))
        .orderBy(asc(lendingHolds.seq))
        .limit(q.n);
      if (next.length === 0) return [];
      const rows = await tx
        .update(lendingHolds)
        .set({ status: 'offered', offeredAt: q.at, offerExpiresAt: q.expiresAt })
        .where(
          and(
            inArray(
              lendingHolds.id,
              next.map((r) => r.id),
            ),
            eq(lendingHolds.status, 'waiting'),
          ),
        )
        .returning();
      return rows.sort((a, b) => a.seq - b.seq);
    },
    /** Moves a hold from one of `from` to `to`; undefined when it was in none of them. */
    async setHoldStatus(q: { id: string; from: HoldStatus[]; to: HoldStatus; at: Date; loanId?: string }, tx: Db): Promise<LendingHoldRow | undefined> {
      const [row] = await tx
        .update(lendingHolds)
        .set({ status: q.to, endedAt: q.at, ...(q.loanId ? { loanId: q.loanId } : {}) })
        .where(and(eq(lendingHolds.id, q.id), inArray(lendingHolds.status, q.from)))
        .returning();
      return row;
    },
    async lapseDueOffers(titleId: string, now: Date, tx: Db): Promise<number> {
      const rows = await tx
        .update(lendingHolds)
        .set({ status: 'lapsed', endedAt: sql`${lendingHolds.offerExpiresAt}` })
        .where(and(eq(lendingHolds.titleId, titleId), eq(lendingHolds.status, 'offered'), lte(lendingHolds.offerExpiresAt, now)))
        .returning({ id: lendingHolds.id });
      return rows.length;
    },
    async cancelOpenHolds(titleId: string, at: Date, tx: Db): Promise<number> {
      const rows = await tx
        .update(lendingHolds)
        .set({ status: 'cancelled', endedAt: at })
        .where(and(eq(lendingHolds.titleId, titleId), inArray(lendingHolds.status, ['waiting', 'offered'])))
        .returning({ id: lendingHolds.id });
      return rows.length;
    },
    async openHoldsOf(userId: string, tx: Db = db): Promise<HoldWithTitle[]> {
      const rows = await tx
        .select({ hold: lendingHolds, title: lendingTitles })
        .from(lendingHolds)
        .innerJoin(lendingTitles, eq(lendingTitles.id, lendingHolds.titleId))
        .where(and(eq(lendingHolds.userId, userId), inArray(lendingHolds.status, ['waiting', 'offered'])))
        .orderBy(asc(lendingHolds.seq));
      return rows.map((r) => ({ ...r.hold, title: r.title }));
    },
  };
}
export type LendingRepository = ReturnType<typeof createLendingRepository>;
