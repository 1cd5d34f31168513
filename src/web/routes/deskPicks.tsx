import { useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { addDays, clearDailyPick, shanghaiToday, useDeskPicks } from '../api/packaging.js';
import { DeskNav, EDITORS } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDate } from '../ui/format.js';

const AHEAD = 14;

function Schedule() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const today = shanghaiToday();
  const to = addDays(today, AHEAD);
  const q = useDeskPicks(today, to);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const days = Array.from({ length: AHEAD + 1 }, (_, i) => addDays(today, i));
  const label = (day: string) => formatDate(`${day}T12:00:00+08:00`, lang);
  const weekday = (day: string) => new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(`${day}T12:00:00+08:00`));
  const clear = async (day: string) => {
    setPending(day);
    setError(null);
    setDone(null);
    try {
      await clearDailyPick(day);
      setDone(t('picks.clearedMsg', { date: label(day) }));
      await qc.invalidateQueries({ queryKey: ['desk', 'daily-picks'] });
      void qc.invalidateQueries({ queryKey: ['daily-picks'] });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setPending(null);
    }
  };
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const byDay = new Map(q.data.map((p) => [p.day, p]));
  return (
    <>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <div className="table-wrap">
        <table className="data-table picks-table">
          <caption className="sr-only">{t('picks.caption', { from: label(today), to: label(to) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('picks.day')}</th>
              <th scope="col">{t('picks.pick')}</th>
              <th scope="col">{t('picks.contributor')}</th>
              <th scope="col">
                <span className="sr-only">{t('picks.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => {
              const p = byDay.get(day);
              return (
                <tr key={day} className={day === today ? 'is-today' : undefined}>
                  <th scope="row">
                    <time dateTime={day}>{label(day)}</time> <span className="muted small">{weekday(day)}</span>
                    {day === today ? <span className="badge badge-open">{t('picks.today')}</span> : null}
                  </th>
                  <td>
                    {p ? (
                      <Link to="/desk/review/$id" params={{ id: p.submissionId }}>
                        {p.headline}
                      </Link>
                    ) : (
                      <span className="muted">{t('picks.none')}</span>
                    )}
                  </td>
                  <td>{p ? p.contributorName : ''}</td>
                  <td>
                    {p ? (
                      <button type="button" className="btn btn-ghost btn-sm" disabled={pending === day} onClick={() => void clear(day)}>
                        {pending === day ? t('picks.clearing') : t('picks.clear')}
                        <span className="sr-only"> {label(day)}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">{t('picks.howTo')}</p>
    </>
  );
}

export function PicksPage() {
  const { t } = useTranslation();
  useTitle(t('picks.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me: Me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <div className="page-head">
            <h1>{t('picks.title')}</h1>
            <p className="muted">{t('picks.intro', { count: AHEAD })}</p>
          </div>
          <Schedule />
        </div>
      )}
    </RequireRole>
  );
}
