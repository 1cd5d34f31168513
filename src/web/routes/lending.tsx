import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { ApiError, errorMessage } from '../api/client.js';
import {
  acceptOffer,
  borrow,
  cancelHold,
  fileToken,
  getPosition,
  putPosition,
  returnLoan,
  useLendingTitle,
  useShelf,
  type Hold,
  type Loan,
  type ReadingPosition,
} from '../api/lending.js';
import { useMe } from '../api/queries.js';
import { EpubReader, PdfReader, type Place } from '../features/lending/readers.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDate, formatDateTime } from '../ui/format.js';

const READERS: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];

/**
 * `/lend/:titleId`: what a kiosk's QR opens on the phone (docs/lending.md): the title, whether a
 * copy is free, and one button that borrows it (or joins the queue, with the place and the wait).
 */
export function LendTitlePage() {
  const { titleId } = getRouteApi('/lend/$titleId').useParams();
  const { t, i18n } = useTranslation();
  const q = useLendingTitle(titleId);
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState<{ position: number; days: number } | null>(null);
  useTitle(q.data?.title.title ?? t('lending.title'));
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const { title, mine } = q.data;
  const a = title.availability;
  const onBorrow = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await borrow(title.id);
      await qc.invalidateQueries({ queryKey: ['lending'] });
      if (r.outcome === 'loan') await navigate({ to: '/read/$loanId', params: { loanId: r.loan.id } });
      else setQueued({ position: r.position, days: r.estimatedWaitDays });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel lend-title" aria-labelledby="lend-h">
      {title.coverUrl ? <img className="lend-cover" src={title.coverUrl} alt="" /> : null}
      <h1 id="lend-h">{title.title}</h1>
      {title.author ? <p className="lend-author">{title.author}</p> : null}
      {title.description ? <p>{title.description}</p> : null}
      <p data-testid="lend-availability">
        {a.state === 'available'
          ? t('lending.available', { available: a.available, copies: a.copies, days: a.loanDays })
          : a.state === 'ended'
            ? t('lending.ended')
            : t('lending.allOut', { copies: a.copies, holds: a.holds })}
      </p>
      {error ? <Alert>{error}</Alert> : null}
      {queued ? <p role="status">{t('lending.queued', { position: queued.position, days: queued.days })}</p> : null}
      {mine?.loan ? (
        <p>
          <Link className="button primary" to="/read/$loanId" params={{ loanId: mine.loan.id }}>
            {t('lending.continueReading')}
          </Link>{' '}
          {t('lending.due', { date: formatDate(mine.loan.dueAt, i18n.language) })}
        </p>
      ) : mine?.hold && !queued ? (
        <HoldLine hold={mine.hold} />
      ) : me.data === null ? (
        <p>
          <Link className="button primary" to="/sign-in" search={{ next: `/lend/${title.id}` }}>
            {t('lending.signInToBorrow')}
          </Link>
        </p>
      ) : a.state !== 'ended' && !queued ? (
        <p>
          <button type="button" className="primary" disabled={busy} onClick={() => void onBorrow()}>
            {a.state === 'available' ? t('lending.borrow', { days: a.loanDays }) : t('lending.hold')}
          </button>
        </p>
      ) : null}
      <p>
        <Link to="/shelf">{t('lending.shelf')}</Link>
      </p>
    </section>
  );
}

function HoldLine({ hold }: { hold: Hold }) {
  const { t, i18n } = useTranslation();
  if (hold.status === 'offered' && hold.offerExpiresAt)
    return <p role="status">{t('lending.offered', { until: formatDateTime(hold.offerExpiresAt, i18n.language) })}</p>;
  return <p role="status">{t('lending.queued', { position: hold.position ?? 0, days: hold.estimatedWaitDays ?? 0 })}</p>;
}

/** `/shelf`: my loans (read, return) and holds (take an offered copy, leave the queue). */
export function ShelfPage() {
  const { t } = useTranslation();
  useTitle(t('lending.shelf'));
  return <RequireRole roles={READERS}>{() => <Shelf />}</RequireRole>;
}

function Shelf() {
  const { t, i18n } = useTranslation();
  const q = useShelf();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const act = async (fn: () => Promise<unknown>, then?: (r: unknown) => Promise<void>) => {
    setError(null);
    try {
      const r = await fn();
      await qc.invalidateQueries({ queryKey: ['lending'] });
      await then?.(r);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const active = q.data.loans.filter((l) => l.status === 'active');
  return (
    <section className="panel shelf" aria-labelledby="shelf-h">
      <h1 id="shelf-h">{t('lending.shelf')}</h1>
      {error ? <Alert>{error}</Alert> : null}
      <h2>{t('lending.loans')}</h2>
      {active.length === 0 ? <p>{t('lending.noLoans')}</p> : null}
      <ul className="shelf-list">
        {active.map((l: Loan) => (
          <li key={l.id}>
            <strong>{l.title.title}</strong> · {t('lending.due', { date: formatDate(l.dueAt, i18n.language) })}
            {l.position ? ` · ${Math.round(l.position.progress * 100)}%` : ''}{' '}
            <Link className="button primary" to="/read/$loanId" params={{ loanId: l.id }}>
              {t('lending.read')}
            </Link>{' '}
            <button type="button" onClick={() => void act(() => returnLoan(l.id))}>
              {t('lending.return')}
            </button>
          </li>
        ))}
      </ul>
      <h2>{t('lending.holds')}</h2>
      {q.data.holds.length === 0 ? <p>{t('lending.noHolds')}</p> : null}
      <ul className="shelf-list">
        {q.data.holds.map((h) => (
          <li key={h.id}>
            <strong>{h.title.title}</strong> <HoldLine hold={h} />
            {h.status === 'offered' ? (
              <button
                type="button"
                className="primary"
                onClick={() =>
                  void act(
                    () => acceptOffer(h.id),
                    async (r) => navigate({ to: '/read/$loanId', params: { loanId: (r as { loan: Loan }).loan.id } }),
                  )
                }
              >
                {t('lending.accept')}
              </button>
            ) : null}{' '}
            <button type="button" onClick={() => void act(() => cancelHold(h.id))}>
              {t('lending.leaveQueue')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * `/read/:loanId`: the book itself. The file comes once through a 10-minute token bound to the
 * loan; where the reader is goes to the server a moment after each page turn, and a reader who
 * opens the loan on another device (a phone, a kiosk) starts where they left off.
 */
export function ReaderPage() {
  const { t } = useTranslation();
  useTitle(t('lending.reading'));
  // The reader's Content-Security-Policy (frames from blob:, the books' styles) comes with the
  // document: reached by a link inside the app, this page still has the policy of the page the
  // app was opened on, so it loads itself again as a document of its own.
  const [ownDocument] = useState(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return !!nav && new URL(nav.name).pathname === location.pathname;
  });
  useEffect(() => {
    if (!ownDocument) location.replace(location.href);
  }, [ownDocument]);
  if (!ownDocument) return <Loading />;
  return <RequireRole roles={READERS}>{() => <Reader />}</RequireRole>;
}

/** A short label for this device in the position record. */
const deviceLabel = () => (/Mobi|Android|iPhone/i.test(navigator.userAgent) ? 'phone' : 'browser');

function Reader() {
  const { loanId } = getRouteApi('/read/$loanId').useParams();
  const { t } = useTranslation();
  const shelf = useShelf();
  const [book, setBook] = useState<{ file: Blob; start: ReadingPosition | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const loan = shelf.data?.loans.find((l) => l.id === loanId) ?? null;
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const [{ url }, { position }] = await Promise.all([fileToken(loanId), getPosition(loanId)]);
        // No cookie: the token is the whole authority, and it opens nothing after the loan ends.
        const res = await fetch(url, { credentials: 'omit' });
        if (!res.ok) throw new ApiError({ status: res.status, code: 'lending.file', message: t('lending.fileRefused') });
        const file = await res.blob();
        if (live) setBook({ file, start: position });
      } catch (e) {
        if (live) setError(errorMessage(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [loanId, t]);
  // Saved two seconds after the reader stops turning, never more than once a second.
  const pending = useRef<Place | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onPlace = useCallback(
    (p: Place) => {
      pending.current = p;
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        const next = pending.current;
        if (!next) return;
        void putPosition(loanId, { ...next, updatedAt: new Date().toISOString(), device: deviceLabel() })
          .then((r) => setSaved(r.position.progress))
          .catch(() => undefined);
      }, 2000);
    },
    [loanId],
  );
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  if (error) return <Alert>{error}</Alert>;
  if (!book || shelf.isPending) return <Loading />;
  const format = loan?.title.format ?? 'epub';
  return (
    <section className="reader" aria-label={loan?.title.title ?? t('lending.reading')}>
      <header className="reader-bar">
        <Link to="/shelf">{t('lending.shelf')}</Link>
        <h1>{loan?.title.title}</h1>
        <span data-testid="reader-saved">{saved === null ? '' : t('lending.saved', { percent: Math.round(saved * 100) })}</span>
      </header>
      {format === 'pdf' ? (
        <PdfReader file={book.file} start={book.start?.locator ?? null} onPlace={onPlace} />
      ) : (
        <EpubReader file={book.file} start={book.start?.locator ?? null} onPlace={onPlace} />
      )}
    </section>
  );
}
