import { useState, type FormEvent } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.js';
import { PICK_LIMITS, setDailyPick, shanghaiToday, useDeskPicks, usePackages } from '../../api/packaging.js';
import { Alert } from '../../ui/Field.js';
import { formatDate } from '../../ui/format.js';
import { CountedField, lengthProblem } from './CountedField.js';

/** "Make daily pick for [date]": headline and summary start from the app package when there is one. */
export function DailyPickControl({ id, title, description }: { id: string; title: string; description: string | null }) {
  const packages = usePackages(id);
  if (packages.isPending) return null;
  const app = packages.data?.find((p) => p.channel === 'app');
  // Remount once the app package changes, so a fresh save pre-fills the form.
  return (
    <PickForm
      key={app?.updatedAt ?? 'none'}
      id={id}
      headline={app?.headline ?? title}
      summary={app?.summary ?? description ?? ''}
      coverKey={app?.coverKey ?? null}
      fromApp={!!app}
    />
  );
}

function PickForm({
  id,
  headline: h0,
  summary: s0,
  coverKey,
  fromApp,
}: {
  id: string;
  headline: string;
  summary: string;
  coverKey: string | null;
  fromApp: boolean;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const today = shanghaiToday();
  const [day, setDay] = useState(today);
  const [headline, setHeadline] = useState(h0.slice(0, PICK_LIMITS.headline));
  const [summary, setSummary] = useState(s0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const validDay = /^\d{4}-\d{2}-\d{2}$/.test(day) && day >= today;
  const current = useDeskPicks(day, day, validDay);
  const existing = current.data?.find((p) => p.day === day);
  const invalid = !validDay || !!lengthProblem(headline, PICK_LIMITS.headline, 1) || !!lengthProblem(summary, PICK_LIMITS.summary);
  const dayLabel = validDay ? formatDate(`${day}T12:00:00+08:00`, i18n.language) : day;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid || busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await setDailyPick(day, { submissionId: id, headline: headline.trim(), summary: summary.trim(), coverKey });
      setDone(t('pick.doneMsg', { date: dayLabel }));
      await qc.invalidateQueries({ queryKey: ['desk', 'daily-picks'] });
      void qc.invalidateQueries({ queryKey: ['daily-picks'] });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="desk-panel daily-pick" aria-labelledby="pick-h">
      <h2 id="pick-h">{t('pick.title')}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className={`field${validDay ? '' : ' field-invalid'}`}>
          <label htmlFor="pick-day">{t('pick.day')}</label>
          <input id="pick-day" type="date" value={day} min={today} onChange={(e) => setDay(e.target.value)} aria-invalid={validDay ? undefined : true} />
          {validDay ? null : <p className="field-error">{t('pick.pastDay')}</p>}
        </div>
        {existing ? (
          <p className={`small ${existing.submissionId === id ? 'muted' : 'pick-replaces'}`}>
            {existing.submissionId === id ? t('pick.alreadyThis') : t('pick.replaces', { headline: existing.headline })}
          </p>
        ) : null}
        <CountedField label={t('pick.headline')} value={headline} onChange={setHeadline} max={PICK_LIMITS.headline} min={1} />
        <CountedField label={t('pick.summary')} value={summary} onChange={setSummary} max={PICK_LIMITS.summary} multiline />
        <p className="muted small">{fromApp ? t('pick.fromApp') : t('pick.fromSubmission')}</p>
        {error ? <Alert>{error}</Alert> : null}
        {done ? <Alert tone="success">{done}</Alert> : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={invalid || busy}>
          {busy ? t('common.saving') : t('pick.make', { date: dayLabel })}
        </button>
        <p className="small">
          <Link to="/desk/daily-picks">{t('pick.schedule')}</Link>
        </p>
      </form>
    </section>
  );
}
