import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import {
  LENDING_CONTENT_TYPES,
  LENDING_LIMITS,
  type AdminTitle,
  type BorrowReply,
  type Hold,
  type LendingFormat,
  type LendingKind,
  type LendingTitle,
  type LicenceBody,
  type Loan,
  type OpdsFeed,
  type ReadingPosition,
  type UploadQuery,
} from '../../../contracts/lending.js';
import type { Db } from '../../db/client.js';
import type { LendingLicenceRow, LendingTitleRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { MessageCode } from '../../lib/messages.js';
import type { Storage } from '../../lib/storage.js';
import { shanghaiMinuteText } from '../../lib/time.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { NewNotice } from '../propagation/propagation.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import { checkEpub, EpubRefused, type EpubNeutralised } from './epub-check.js';
import { checkPdf } from './pdf-check.js';
import type { CatalogueRow, HoldWithTitle, LendingRepository, LoanWithTitle, TitleCounts } from './lending.repository.js';
import type { FileTokens } from './lending.token.js';

export interface LendingDeps {
  db: Db;
  repo: LendingRepository;
  audit: AuditRepository;
  storage: Storage;
  clock: Clock;
  tokens: FileTokens;
  publicUrl: () => string;
  /** Tells a reader a copy is theirs for 48 h (the notices service: app, push, email); none in some tests. */
  notify?: (n: NewNotice, tx: Db) => Promise<unknown>;
}

const DAY = 86_400_000;
const OFFER_MS = LENDING_LIMITS.offerHours * 3_600_000;
const NO_NEUTRALISED: EpubNeutralised = { scripts: 0, eventHandlers: 0, javascriptUrls: 0, remoteReferences: 0 };
// A cover is a picture of a book: anything larger is not one (and a decompression bomb is refused unread).
const COVER_MAX_PIXELS = 6000 * 6000;
const COVER_LONG_SIDE = 1200;

// ---- the rules, as pure functions ----

/** No more loans under this licence: past its end date, or every checkout it allows used. */
export function licenceEnded(lic: Pick<LendingLicenceRow, 'expiresAt' | 'maxLoans' | 'loansUsed'>, now: Date): boolean {
  return (!!lic.expiresAt && lic.expiresAt <= now) || (lic.maxLoans !== null && lic.loansUsed >= lic.maxLoans);
}

/** Copies neither lent nor kept for an offer (and, under a checkout limit, that many checkouts left). */
export function freeCopies(lic: Pick<LendingLicenceRow, 'copies' | 'maxLoans' | 'loansUsed'>, c: Pick<TitleCounts, 'active' | 'offered'>): number {
  let free = lic.copies - c.active - c.offered;
  if (lic.maxLoans !== null) free = Math.min(free, lic.maxLoans - lic.loansUsed - c.offered);
  return Math.max(0, free);
}

/**
 * Days until the reader at `position` is likely offered a copy: each copy comes free at its
 * loan's due date (a copy held by an offer, a full loan from now; an idle one, now), and each
 * reader ahead takes the first copy free for a whole loan. Early returns only make it sooner.
 */
export function estimateWaitDays(q: { dueDates: Date[]; offers: number; copies: number; loanDays: number; position: number; now: Date }): number {
  const now = q.now.getTime();
  const loanMs = q.loanDays * DAY;
  const busy = [...q.dueDates.map((d) => d.getTime()), ...Array.from({ length: q.offers }, () => now + loanMs)].sort((a, b) => a - b);
  // With more copies out than the licence has now (copies were lowered), only the last `copies` returns free one.
  const slots = busy.slice(Math.max(0, busy.length - q.copies));
  while (slots.length < q.copies) slots.unshift(now);
  slots.sort((a, b) => a - b);
  let at = now;
  for (let i = 0; i < q.position; i++) {
    at = Math.max(now, slots.shift()!);
    const back = at + loanMs;
    const k = slots.findIndex((s) => s > back);
    slots.splice(k < 0 ? slots.length : k, 0, back);
  }
  return Math.max(0, Math.ceil((at - now) / DAY));
}

function availabilityOf(lic: LendingLicenceRow, counts: TitleCounts, now: Date) {
  const ended = licenceEnded(lic, now);
  // Free copies owed to the queue are not for a newcomer.
  const available = ended ? 0 : Math.max(0, freeCopies(lic, counts) - counts.waiting);
  return {
    state: ended ? ('ended' as const) : available > 0 ? ('available' as const) : ('unavailable' as const),
    copies: lic.copies,
    available,
    holds: counts.waiting + counts.offered,
    loanDays: lic.loanDays,
  };
}

const coverUrl = (t: Pick<LendingTitleRow, 'id' | 'coverKey'>) => (t.coverKey ? `/api/lending/titles/${t.id}/cover` : null);

function presentTitle(t: CatalogueRow, now: Date): LendingTitle {
  return {
    id: t.id,
    kind: t.kind,
    format: t.format,
    contentType: LENDING_CONTENT_TYPES[t.format],
    title: t.title,
    author: t.author,
    language: t.language,
    description: t.description,
    coverUrl: coverUrl(t),
    bytes: t.bytes,
    createdAt: t.createdAt.toISOString(),
    availability: availabilityOf(t.licence, t.counts, now),
  };
}

function presentAdminTitle(t: CatalogueRow, now: Date): AdminTitle {
  return {
    ...presentTitle(t, now),
    sha256: t.sha256,
    neutralised: t.neutralised,
    createdBy: t.createdBy,
    withdrawnAt: t.withdrawnAt?.toISOString() ?? null,
    licence: {
      copies: t.licence.copies,
      loanDays: t.licence.loanDays,
      maxLoans: t.licence.maxLoans,
      expiresAt: t.licence.expiresAt?.toISOString() ?? null,
      loansUsed: t.licence.loansUsed,
    },
    activeLoans: t.counts.active,
  };
}

const summary = (t: LendingTitleRow) => ({ id: t.id, kind: t.kind, format: t.format, title: t.title, author: t.author, coverUrl: coverUrl(t) });

function presentLoan(l: LoanWithTitle): Loan {
  return {
    id: l.id,
    titleId: l.titleId,
    title: summary(l.title),
    status: l.status,
    borrowedAt: l.borrowedAt.toISOString(),
    dueAt: l.dueAt.toISOString(),
    returnedAt: l.returnedAt?.toISOString() ?? null,
    position: l.position ?? null,
  };
}

/**
 * Lending (docs/lending.md). Every change to who holds a copy of a title runs in one
 * transaction that first locks the title's licence row, and first settles what is due (loans
 * past their date, offers past their 48 hours), so two readers racing for the last copy get one
 * loan and one hold, and nothing depends on the minute sweep having run yet.
 */
export function createLendingService(deps: LendingDeps) {
  const { repo, clock } = deps;

  async function presentHold(h: HoldWithTitle, tx: Db = deps.db): Promise<Hold> {
    let position: number | null = null;
    let estimatedWaitDays: number | null = null;
    if (h.status === 'waiting') {
      const now = clock.now();
      position = await repo.queuePosition(h, tx);
      const [row] = await repo.listCatalogue({ now, withdrawn: 'include', limit: 1, offset: 0, ids: [h.titleId] }, tx);
      if (row)
        estimatedWaitDays = estimateWaitDays({
          dueDates: await repo.dueDates(h.titleId, tx),
          offers: row.counts.offered,
          copies: row.licence.copies,
          loanDays: row.licence.loanDays,
          position,
          now,
        });
    }
    return {
      id: h.id,
      titleId: h.titleId,
      title: summary(h.title),
      status: h.status,
      createdAt: h.createdAt.toISOString(),
      offeredAt: h.offeredAt?.toISOString() ?? null,
      offerExpiresAt: h.offerExpiresAt?.toISOString() ?? null,
      position,
      estimatedWaitDays,
    };
  }

  /** With the licence locked: offers every copy that is free to the queue, in order. */
  async function offerFree(lic: LendingLicenceRow, now: Date, tx: Db) {
    if (licenceEnded(lic, now)) return [];
    const n = freeCopies(lic, await repo.counts(lic.titleId, now, tx));
    const expiresAt = new Date(now.getTime() + OFFER_MS);
    const offered = await repo.offerNext({ titleId: lic.titleId, n, at: now, expiresAt }, tx);
    // Told in the same transaction as the offer: no offer without its notice, and a hold is
    // offered once (a lapsed offer ends the hold), so its id is the notice's dedupe key.
    if (offered.length && deps.notify) {
      const title = await repo.getTitle(lic.titleId, tx);
      for (const h of offered)
        await deps.notify(
          {
            userId: h.userId,
            kind: 'lending_offered',
            submissionId: null,
            params: { titleId: lic.titleId, title: title?.title ?? '', expiresText: shanghaiMinuteText(expiresAt) },
            dedupeKey: `lending_offered:${h.id}`,
          },
          tx,
        );
    }
    return offered;
  }

  /** Locks the licence, ends what is due and offers what that freed; the licence as locked. */
  async function lockAndSettle(titleId: string, now: Date, tx: Db): Promise<LendingLicenceRow> {
    const lic = await repo.lockLicence(titleId, tx);
    if (!lic) throw new AppError('lending.title_not_found');
    const expired = await repo.expireDueLoans(titleId, now, tx);
    const lapsed = await repo.lapseDueOffers(titleId, now, tx);
    if (expired + lapsed > 0) await offerFree(lic, now, tx);
    return lic;
  }

  async function newLoan(q: { title: LendingTitleRow; lic: LendingLicenceRow; userId: string; now: Date }, tx: Db): Promise<LoanWithTitle> {
    const loan = await repo.createLoan(
      { titleId: q.title.id, userId: q.userId, borrowedAt: q.now, dueAt: new Date(q.now.getTime() + q.lic.loanDays * DAY) },
      tx,
    );
    await repo.useLoan(q.title.id, tx);
    return { ...loan, title: q.title };
  }

  async function listedTitle(id: string, tx: Db = deps.db): Promise<LendingTitleRow> {
    const t = await repo.getTitle(id, tx);
    if (!t || t.withdrawnAt) throw new AppError('lending.title_not_found');
    return t;
  }
  async function ownLoan(actor: Actor, id: string): Promise<LoanWithTitle> {
    const l = await repo.getLoan(id);
    if (!l || l.userId !== actor.id) throw new AppError('lending.loan_not_found');
    return l;
  }
  async function ownHold(actor: Actor, id: string): Promise<HoldWithTitle> {
    const h = await repo.getHold(id);
    if (!h || h.userId !== actor.id) throw new AppError('lending.hold_not_found');
    return h;
  }
  async function catalogueRow(id: string, withdrawn: 'include' | 'exclude'): Promise<CatalogueRow> {
    const [row] = await repo.listCatalogue({ now: clock.now(), withdrawn, limit: 1, offset: 0, ids: [id] });
    if (!row) throw new AppError('lending.title_not_found');
    return row;
  }

  /** Runs the checker for the format: the stored bytes and what they say about themselves. */
  async function check(format: LendingFormat, bytes: Uint8Array) {
    if (format === 'pdf') {
      const r = checkPdf(bytes);
      if (!r.ok) throw new AppError(r.reason!, { found: (r.found ?? []).join(' ') }, { details: r.found ? { found: r.found } : undefined });
      return { bytes, title: null, author: null, language: null, cover: null, neutralised: NO_NEUTRALISED };
    }
    try {
      const r = checkEpub(bytes);
      let cover: Buffer | null = null;
      if (r.cover) {
        // Re-encoded here whatever the book carried, so what a browser opens is an image Paike made.
        cover = await sharp(r.cover.bytes, { failOn: 'error', limitInputPixels: COVER_MAX_PIXELS })
          .rotate()
          .resize({ width: COVER_LONG_SIDE, height: COVER_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: 82 })
          .toBuffer()
          .catch(() => null);
      }
      return { bytes: r.bytes, title: r.title, author: r.author, language: r.language, cover, neutralised: r.neutralised };
    } catch (err) {
      if (err instanceof EpubRefused)
        throw new AppError(err.reason as MessageCode, {}, { details: err.detail ? { detail: err.detail.slice(0, 200) } : undefined });
      throw err;
    }
  }

  return {
    // ---- staff ----
    async upload(actor: Actor, input: { contentType: string | undefined; body: unknown; meta: UploadQuery }): Promise<AdminTitle> {
      assertCan(actor, 'lending.manage');
      const type = (input.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      const format: LendingFormat | null = type === LENDING_CONTENT_TYPES.epub ? 'epub' : type === LENDING_CONTENT_TYPES.pdf ? 'pdf' : null;
      if (!format || !Buffer.isBuffer(input.body) || input.body.length === 0) throw new AppError('lending.file_type');
      const checked = await check(format, new Uint8Array(input.body.buffer, input.body.byteOffset, input.body.byteLength));
      const meta = input.meta;
      const title = meta.title ?? checked.title;
      if (!title) throw new AppError('lending.title_required');
      const sha256 = createHash('sha256').update(checked.bytes).digest('hex');
      if (await repo.getListedBySha(sha256)) throw new AppError('lending.title_exists');

      const id = randomUUID();
      const fileKey = `lending/${id}/file.${format}`;
      const coverKey = checked.cover ? `lending/${id}/cover.jpg` : null;
      const dir = await mkdtemp(path.join(tmpdir(), 'paike-lending-'));
      try {
        await writeFile(path.join(dir, 'file'), checked.bytes);
        await deps.storage.putFile(fileKey, path.join(dir, 'file'));
        if (checked.cover && coverKey) {
          await writeFile(path.join(dir, 'cover.jpg'), checked.cover);
          await deps.storage.putFile(coverKey, path.join(dir, 'cover.jpg'));
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      try {
        await deps.db.transaction(async (tx) => {
          await repo.createTitle(
            {
              id,
              kind: meta.kind as LendingKind,
              format,
              title: title.slice(0, 500),
              author: meta.author ?? checked.author?.slice(0, 500) ?? null,
              language:
                meta.language ?? (checked.language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(checked.language) ? checked.language.slice(0, 35) : null),
              description: meta.description ?? null,
              fileKey,
              coverKey,
              bytes: checked.bytes.byteLength,
              sha256,
              neutralised: checked.neutralised,
              createdBy: actor.id,
            },
            {
              copies: meta.copies,
              loanDays: meta.loanDays,
              maxLoans: meta.maxLoans ?? null,
              expiresAt: meta.expiresAt ? new Date(meta.expiresAt) : null,
            },
            tx,
          );
          await deps.audit.create(
            {
              actorId: actor.id,
              action: 'lending.title_upload',
              objectType: 'lending_title',
              objectId: id,
              data: { title, format, kind: meta.kind, bytes: checked.bytes.byteLength, copies: meta.copies, neutralised: checked.neutralised },
            },
            tx,
          );
        });
      } catch (err) {
        await deps.storage.deletePrefix(`lending/${id}`).catch(() => {});
        if (isUniqueViolation(err)) throw new AppError('lending.title_exists');
        throw err;
      }
      return presentAdminTitle(await catalogueRow(id, 'include'), clock.now());
    },

    async adminList(actor: Actor, q: { withdrawn: 'include' | 'exclude' | 'only' }): Promise<AdminTitle[]> {
      assertCan(actor, 'lending.manage');
      const now = clock.now();
      return (await repo.listCatalogue({ now, withdrawn: q.withdrawn, limit: 10_000, offset: 0 })).map((t) => presentAdminTitle(t, now));
    },

    /** New terms apply to new loans; copies freed by a larger licence go to the queue at once. */
    async updateLicence(actor: Actor, titleId: string, patch: LicenceBody): Promise<AdminTitle> {
      assertCan(actor, 'lending.manage');
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        await lockAndSettle(titleId, now, tx);
        const lic = await repo.updateLicence(
          titleId,
          {
            ...(patch.copies !== undefined ? { copies: patch.copies } : {}),
            ...(patch.loanDays !== undefined ? { loanDays: patch.loanDays } : {}),
            ...(patch.maxLoans !== undefined ? { maxLoans: patch.maxLoans } : {}),
            ...(patch.expiresAt !== undefined ? { expiresAt: patch.expiresAt === null ? null : new Date(patch.expiresAt) } : {}),
            updatedAt: now,
          },
          tx,
        );
        const title = await repo.getTitle(titleId, tx);
        if (lic && !title?.withdrawnAt) await offerFree(lic, now, tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'lending.licence_update', objectType: 'lending_title', objectId: titleId, data: { ...patch } },
          tx,
        );
      });
      return presentAdminTitle(await catalogueRow(titleId, 'include'), clock.now());
    },

    /** Out of the catalogue: no new loans or holds, open holds cancelled; loans run to their due date. */
    async withdraw(actor: Actor, titleId: string): Promise<void> {
      assertCan(actor, 'lending.manage');
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        await lockAndSettle(titleId, now, tx);
        const before = await repo.getTitle(titleId, tx);
        if (!before) throw new AppError('lending.title_not_found');
        if (before.withdrawnAt) return;
        await repo.withdraw(titleId, now, tx);
        const holdsCancelled = await repo.cancelOpenHolds(titleId, now, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'lending.title_withdraw',
            objectType: 'lending_title',
            objectId: titleId,
            data: { title: before.title, holdsCancelled },
          },
          tx,
        );
      });
    },

    // ---- the catalogue (public) ----
    async catalogue(q: { kind?: LendingKind; limit: number; offset: number }): Promise<LendingTitle[]> {
      const now = clock.now();
      return (await repo.listCatalogue({ ...q, now, withdrawn: 'exclude' })).map((t) => presentTitle(t, now));
    },

    async title(actor: Actor | null, id: string) {
      const row = await catalogueRow(id, 'exclude');
      let mine: { loan: Loan | null; hold: Hold | null } | null = null;
      if (actor) {
        const loan = await repo.activeLoanOf({ userId: actor.id, titleId: id });
        const hold = await repo.openHoldOf({ userId: actor.id, titleId: id });
        mine = {
          loan: loan ? presentLoan({ ...loan, title: row }) : null,
          hold: hold ? await presentHold({ ...hold, title: row }) : null,
        };
      }
      return { title: presentTitle(row, clock.now()), mine };
    },

    async cover(id: string): Promise<{ stream: Readable; size: number }> {
      const t = await listedTitle(id);
      const info = t.coverKey ? await deps.storage.stat(t.coverKey) : null;
      const stream = info && t.coverKey ? await deps.storage.get(t.coverKey) : null;
      if (!info || !stream) throw new AppError('lending.cover_none');
      return { stream, size: info.size };
    },

    // ---- readers ----
    /** A loan when a copy is free for a newcomer; else a place in the queue (a hold) with an estimate. */
    async borrow(actor: Actor, titleId: string): Promise<BorrowReply> {
      const now = clock.now();
      type Outcome = { loan: LoanWithTitle } | { hold: HoldWithTitle };
      const result = await deps.db.transaction(async (tx): Promise<Outcome> => {
        // The lock first: a withdrawal that got there before is seen.
        const lic = await lockAndSettle(titleId, now, tx);
        const title = await listedTitle(titleId, tx);
        const existing = await repo.activeLoanOf({ userId: actor.id, titleId }, tx);
        if (existing) return { loan: { ...existing, title } };
        const hold = await repo.openHoldOf({ userId: actor.id, titleId }, tx);
        // A reader whose turn has come borrows by borrowing again, as by accepting the offer.
        if (hold?.status === 'offered') {
          if (lic.expiresAt && lic.expiresAt <= now) throw new AppError('lending.licence_ended');
          const loan = await newLoan({ title, lic, userId: actor.id, now }, tx);
          await repo.setHoldStatus({ id: hold.id, from: ['offered'], to: 'fulfilled', at: now, loanId: loan.id }, tx);
          return { loan };
        }
        if (hold) return { hold: { ...hold, title } };
        if (licenceEnded(lic, now)) throw new AppError('lending.licence_ended');
        const counts = await repo.counts(titleId, now, tx);
        if (freeCopies(lic, counts) > counts.waiting) return { loan: await newLoan({ title, lic, userId: actor.id, now }, tx) };
        return { hold: { ...(await repo.createHold({ titleId, userId: actor.id, createdAt: now }, tx)), title } };
      });
      if ('loan' in result) return { outcome: 'loan', loan: presentLoan(result.loan) };
      const hold = await presentHold(result.hold);
      return { outcome: 'hold', hold, position: hold.position ?? 0, estimatedWaitDays: hold.estimatedWaitDays ?? 0 };
    },

    /** The reader's shelf: active loans, the last 50 ended ones, and open holds. */
    async shelf(actor: Actor): Promise<{ loans: Loan[]; holds: Hold[] }> {
      const loans = (await repo.loansOf(actor.id, 50)).map(presentLoan);
      const holds: Hold[] = [];
      for (const h of await repo.openHoldsOf(actor.id)) holds.push(await presentHold(h));
      return { loans, holds };
    },

    /** Early return: the copy goes to the first waiting hold as a 48-hour offer. */
    async returnLoan(actor: Actor, loanId: string): Promise<Loan> {
      const l = await ownLoan(actor, loanId);
      const now = clock.now();
      const ended = await deps.db.transaction(async (tx) => {
        const lic = await lockAndSettle(l.titleId, now, tx);
        const row = await repo.endLoan({ id: loanId, status: 'returned', at: now }, tx);
        if (!row) throw new AppError('lending.loan_ended');
        await offerFree(lic, now, tx);
        return row;
      });
      return presentLoan({ ...ended, title: l.title });
    },

    async accept(actor: Actor, holdId: string): Promise<Loan> {
      const h = await ownHold(actor, holdId);
      const now = clock.now();
      const loan = await deps.db.transaction(async (tx) => {
        const lic = await lockAndSettle(h.titleId, now, tx);
        const title = await listedTitle(h.titleId, tx);
        const current = await repo.getHold(holdId, tx);
        if (current?.status === 'waiting') throw new AppError('lending.hold_not_offered');
        if (current?.status !== 'offered') throw new AppError('lending.hold_ended');
        // An offer was made within the licence; only its end date can have passed since.
        if (lic.expiresAt && lic.expiresAt <= now) throw new AppError('lending.licence_ended');
        const made = await newLoan({ title, lic, userId: actor.id, now }, tx);
        await repo.setHoldStatus({ id: holdId, from: ['offered'], to: 'fulfilled', at: now, loanId: made.id }, tx);
        return made;
      });
      return presentLoan(loan);
    },

    /** Gives up a hold; an offered copy goes to the next in line. */
    async cancelHold(actor: Actor, holdId: string): Promise<void> {
      const h = await ownHold(actor, holdId);
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        const lic = await lockAndSettle(h.titleId, now, tx);
        const row = await repo.setHoldStatus({ id: holdId, from: ['waiting', 'offered'], to: 'cancelled', at: now }, tx);
        if (!row) throw new AppError('lending.hold_ended');
        const title = await repo.getTitle(h.titleId, tx);
        if (!title?.withdrawnAt) await offerFree(lic, now, tx);
      });
    },

    async position(actor: Actor, loanId: string): Promise<{ position: ReadingPosition | null }> {
      const l = await ownLoan(actor, loanId);
      return { position: l.position ?? null };
    },

    /** The newest `updatedAt` wins: an older position is refused with the stored one, for the device to jump to. */
    async setPosition(actor: Actor, loanId: string, position: ReadingPosition): Promise<{ position: ReadingPosition }> {
      const l = await ownLoan(actor, loanId);
      const now = clock.now();
      if (l.status !== 'active' || l.dueAt <= now) throw new AppError('lending.loan_ended');
      if (Date.parse(position.updatedAt) > now.getTime() + LENDING_LIMITS.positionFutureSkewMinutes * 60_000) throw new AppError('lending.position_in_future');
      const row = await repo.setPosition({ loanId, userId: actor.id, position });
      if (row) return { position: row.position! };
      const current = await repo.getLoan(loanId);
      if (current?.status !== 'active') throw new AppError('lending.loan_ended');
      throw new AppError('lending.position_stale', {}, { details: { position: current.position } });
    },

    // ---- files ----
    async issueToken(actor: Actor, loanId: string) {
      const l = await ownLoan(actor, loanId);
      const now = clock.now();
      if (l.status !== 'active' || l.dueAt <= now) throw new AppError('lending.loan_ended');
      const expiresAt = new Date(now.getTime() + LENDING_LIMITS.tokenMinutes * 60_000);
      const token = deps.tokens.issue(l.id, expiresAt);
      return { token, url: `/api/lending/files/${token}`, expiresAt: expiresAt.toISOString(), contentType: LENDING_CONTENT_TYPES[l.title.format] };
    },

    /** The loan's file, if the token is ours, unexpired, and its loan is active now (asked on every request). */
    async openFile(token: string): Promise<{ key: string; size: number; contentType: string; filename: string }> {
      const now = clock.now();
      const t = deps.tokens.read(token);
      if (!t || t.expiresAt <= now) throw new AppError('lending.token_invalid');
      const l = await repo.getLoan(t.loanId);
      if (!l) throw new AppError('lending.token_invalid');
      if (l.status !== 'active' || l.dueAt <= now) throw new AppError('lending.loan_ended', {}, { status: 403 });
      const info = await deps.storage.stat(l.title.fileKey);
      if (!info) throw new AppError('lending.title_not_found');
      return { key: l.title.fileKey, size: info.size, contentType: LENDING_CONTENT_TYPES[l.title.format], filename: `${l.titleId}.${l.title.format}` };
    },
    async readFile(key: string, range?: { start: number; end: number }): Promise<Readable> {
      const stream = await deps.storage.get(key, range);
      if (!stream) throw new AppError('lending.title_not_found');
      return stream;
    },

    // ---- the sweep ----
    /** The `lending.expire` job: loans past due expire, offers past 48 h lapse, freed copies are offered. */
    async settleDue(): Promise<{ titles: number }> {
      const now = clock.now();
      const titles = await repo.titlesToSettle(now);
      for (const titleId of titles) await deps.db.transaction((tx) => lockAndSettle(titleId, now, tx));
      return { titles: titles.length };
    },

    // ---- OPDS 2.0 ----
    async opds(): Promise<OpdsFeed> {
      const now = clock.now();
      const base = deps.publicUrl().replace(/\/$/, '');
      const rows = await repo.listCatalogue({ now, withdrawn: 'exclude', limit: LENDING_LIMITS.opdsMax, offset: 0 });
      return {
        metadata: { title: '拍客借阅 Paike lending', numberOfItems: rows.length, modified: now.toISOString() },
        links: [{ rel: 'self', href: `${base}/opds/lending.json`, type: 'application/opds+json' }],
        publications: rows.map((t) => {
          const a = availabilityOf(t.licence, t.counts, now);
          return {
            metadata: {
              '@type': t.kind === 'periodical' ? 'http://schema.org/Periodical' : 'http://schema.org/Book',
              identifier: `urn:uuid:${t.id}`,
              title: t.title,
              ...(t.author ? { author: t.author } : {}),
              ...(t.language ? { language: t.language } : {}),
              ...(t.description ? { description: t.description } : {}),
              published: t.createdAt.toISOString(),
            },
            links: [
              {
                rel: 'http://opds-spec.org/acquisition/borrow',
                href: `${base}/api/lending/titles/${t.id}/borrow`,
                type: LENDING_CONTENT_TYPES[t.format],
                properties: {
                  availability: { state: a.state === 'available' ? ('available' as const) : ('unavailable' as const) },
                  holds: { total: a.holds },
                  copies: { total: a.copies, available: a.available },
                },
              },
            ],
            images: t.coverKey ? [{ href: `${base}${coverUrl(t)!}`, type: 'image/jpeg' }] : [],
          };
        }),
      };
    },
  };
}
export type LendingService = ReturnType<typeof createLendingService>;
