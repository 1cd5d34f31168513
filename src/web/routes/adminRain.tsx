import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { useAdminCampaigns } from '../api/queries.js';
import { createRainSchedule, fetchRainGrabs, liveState, rainKeys, refuseRainGrab, releaseRainGrab, useRainSessions, type RainSession } from '../api/rain.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan, loc, yuanToFen } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

/** Average grabs per second over the part of the session that has run (the API gives counts, not a rate). */
function grabRate(s: RainSession, now: number): string | null {
  const start = Date.parse(s.startsAt);
  const elapsed = (Math.min(now, Date.parse(s.endsAt)) - start) / 1000;
  if (elapsed <= 0) return null;
  return (s.grabbedCount / elapsed).toFixed(1);
}

function SessionTable({ campaignId }: { campaignId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useRainSessions(campaignId, 5_000);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) return <p className="muted">{t('adminRain.noSessions')}</p>;
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="sr-only">{t('adminRain.sessions')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('adminRain.col.starts')}</th>
            <th scope="col">{t('adminRain.col.state')}</th>
            <th scope="col" className="num">
              {t('adminRain.col.budget')}
            </th>
            <th scope="col" className="num">
              {t('adminRain.col.granted')}
            </th>
            <th scope="col" className="num">
              {t('adminRain.col.remaining')}
            </th>
            <th scope="col" className="num">
              {t('adminRain.col.grabbed')}
            </th>
            <th scope="col" className="num">
              {t('adminRain.col.rate')}
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((s) => {
            const state = liveState(s, now);
            return (
              <tr key={s.id}>
                <th scope="row" className="nowrap">
                  {formatDateTime(s.startsAt, lang)}
                  {s.eligibility.requireSubmission ? <span className="small muted"> · {t('adminRain.needsSubmission')}</span> : null}
                </th>
                <td>
                  <span className={`badge badge-rain-${state}`}>{t(`rain.state.${state}`)}</span>
                </td>
                <td className="num">{formatYuan(s.budgetFen, lang)}</td>
                <td className="num">{formatYuan(s.grantedFen, lang)}</td>
                <td className="num">{formatYuan(s.budgetFen - s.grantedFen, lang)}</td>
                <td className="num">
                  {s.grabbedCount} / {s.packetCount}
                </td>
                <td className="num">{grabRate(s, now) ?? t('common.none')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ScheduleForm({ campaignId }: { campaignId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [firstDay, setFirstDay] = useState('');
  const [days, setDays] = useState('30');
  const [times, setTimes] = useState('12:00, 20:00');
  const [duration, setDuration] = useState('60');
  const [budget, setBudget] = useState('');
  const [count, setCount] = useState('');
  const [requireSubmission, setRequireSubmission] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const timeList = times
      .split(/[,，\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    const nDays = Number(days);
    const nDuration = Number(duration);
    const fen = yuanToFen(budget);
    const nCount = Number(count);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(firstDay)) errs.firstDay = t('common.required');
    if (!Number.isInteger(nDays) || nDays < 1 || nDays > 62) errs.days = t('adminRain.v.days');
    if (!timeList.length || timeList.length > 24 || !timeList.every((x) => /^([01]\d|2[0-3]):[0-5]\d$/.test(x))) errs.times = t('adminRain.v.times');
    if (!Number.isInteger(nDuration) || nDuration < 10 || nDuration > 3600) errs.duration = t('adminRain.v.duration');
    if (!Number.isInteger(nCount) || nCount < 1 || nCount > 10_000) errs.count = t('adminRain.v.count');
    if (fen === null || fen <= 0) errs.budget = t('adminRain.v.budget');
    else if (Number.isInteger(nCount) && fen < nCount) errs.budget = t('adminRain.v.budgetCovers');
    setErrors(errs);
    setServerError(null);
    setDone(null);
    if (Object.keys(errs).length || fen === null) return;
    setBusy(true);
    try {
      const made = await createRainSchedule(campaignId, {
        firstDay,
        days: nDays,
        times: timeList,
        durationSeconds: nDuration,
        budgetFen: fen,
        packetCount: nCount,
        eligibility: { requireSubmission, maxGrabsPerContributor: 1 },
      });
      setDone(t('adminRain.created', { count: made.length }));
      void qc.invalidateQueries({ queryKey: rainKeys.sessions(campaignId) });
    } catch (x) {
      setServerError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="panel" aria-labelledby="rain-sched-h">
      <h2 id="rain-sched-h">{t('adminRain.schedule')}</h2>
      <p className="hint">{t('adminRain.scheduleHint')}</p>
      {serverError ? <Alert>{serverError}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <Field label={t('adminRain.firstDay')} type="date" value={firstDay} onChange={(e) => setFirstDay(e.target.value)} error={errors.firstDay} required />
      <Field label={t('adminRain.days')} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} error={errors.days} required />
      <Field
        label={t('adminRain.times')}
        value={times}
        onChange={(e) => setTimes(e.target.value)}
        error={errors.times}
        hint={t('adminRain.timesHint')}
        required
      />
      <Field
        label={t('adminRain.duration')}
        inputMode="numeric"
        value={duration}
        onChange={(e) => setDuration(e.target.value)}
        error={errors.duration}
        required
      />
      <Field
        label={t('adminRain.budget')}
        inputMode="decimal"
        value={budget}
        onChange={(e) => setBudget(e.target.value)}
        error={errors.budget}
        hint={t('adminRain.budgetHint')}
        required
      />
      <Field label={t('adminRain.count')} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} error={errors.count} required />
      {yuanToFen(budget) && Number(count) > 0 && Number(days) > 0 ? (
        <p className="small muted">
          {t('adminRain.totalCost', {
            amount: formatYuan((yuanToFen(budget) ?? 0) * Number(days) * times.split(/[,，\s]+/).filter(Boolean).length, lang),
          })}
        </p>
      ) : null}
      <div className="check">
        <input id="rain-require-sub" type="checkbox" checked={requireSubmission} onChange={(e) => setRequireSubmission(e.target.checked)} />
        <label htmlFor="rain-require-sub">{t('adminRain.requireSubmission')}</label>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t('common.saving') : t('adminRain.create')}
      </button>
    </form>
  );
}

/** A session's wins, held ones first, each held one with Release and Refuse buttons. */
function HeldWins({ campaignId }: { campaignId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const sessions = useRainSessions(campaignId);
  const [sessionId, setSessionId] = useState('');
  const grabs = useQuery({ queryKey: ['rain-grabs', sessionId], queryFn: () => fetchRainGrabs(sessionId), enabled: !!sessionId });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const release = async (id: string) => {
    setError(null);
    setDone(null);
    try {
      const g = await releaseRainGrab(id);
      setDone(t('adminRain.released', { amount: formatYuan(g.amountFen, lang) }));
      await qc.invalidateQueries({ queryKey: ['rain-grabs', sessionId] });
      await qc.invalidateQueries({ queryKey: rainKeys.sessions(campaignId) });
    } catch (x) {
      setError(errorMessage(x));
    }
  };
  const refuse = async (id: string, amountFen: number) => {
    // Refusing is final (the win is never paid), so it asks first; releasing pays what was won.
    if (!window.confirm(t('adminRain.refuseConfirm', { amount: formatYuan(amountFen, lang) }))) return;
    setError(null);
    setDone(null);
    try {
      const g = await refuseRainGrab(id);
      setDone(t('adminRain.refused', { amount: formatYuan(g.amountFen, lang) }));
      await qc.invalidateQueries({ queryKey: ['rain-grabs', sessionId] });
    } catch (x) {
      setError(errorMessage(x));
    }
  };
  const withWins = (sessions.data ?? []).filter((s) => s.grabbedCount > 0);
  return (
    <section className="panel" aria-labelledby="rain-held-h">
      <h2 id="rain-held-h">{t('adminRain.held')}</h2>
      <p className="hint">{t('adminRain.heldHint')}</p>
      {done ? <Alert tone="success">{done}</Alert> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="field">
        <label htmlFor="rain-held-session">{t('adminRain.sessions')}</label>
        <select id="rain-held-session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
          <option value="">{t('adminRain.pick')}</option>
          {withWins.map((s) => (
            <option key={s.id} value={s.id}>
              {formatDateTime(s.startsAt, lang)} · {s.grabbedCount}
            </option>
          ))}
        </select>
      </div>
      {grabs.isError ? <ErrorState error={grabs.error} onRetry={() => void grabs.refetch()} /> : null}
      {grabs.data ? (
        <ul className="plain-list">
          {grabs.data.map((g) => {
            const reason = g.holdReason ? t(`adminRain.reason.${g.holdReason}`, { defaultValue: g.holdReason }) : t('adminRain.held');
            return (
              <li key={g.id}>
                {formatYuan(g.amountFen, lang)} · {formatDateTime(g.wonAt, lang)}
                {g.deviceId ? <span className="small muted"> · {t('adminRain.device', { id: g.deviceId.slice(0, 8) })}</span> : null}
                {g.held && !g.releasedAt && !g.refusedAt ? (
                  <>
                    {' '}
                    <span className="badge">{reason}</span>{' '}
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      aria-label={t('adminRain.releaseLabel', { amount: formatYuan(g.amountFen, lang), reason })}
                      onClick={() => void release(g.id)}
                    >
                      {t('adminRain.release')}
                    </button>{' '}
                    <button
                      type="button"
                      className="btn btn-danger btn-sm"
                      aria-label={t('adminRain.refuseLabel', { amount: formatYuan(g.amountFen, lang), reason })}
                      onClick={() => void refuse(g.id, g.amountFen)}
                    >
                      {t('adminRain.refuse')}
                    </button>
                  </>
                ) : null}
                {g.held && g.refusedAt ? (
                  <>
                    {' '}
                    <span className="badge">{t('adminRain.refusedBadge')}</span> <span className="small muted">{reason}</span>
                  </>
                ) : null}
                {g.held && g.releasedAt ? (
                  <>
                    {' '}
                    <span className="badge">{t('adminRain.releasedBadge')}</span> <span className="small muted">{reason}</span>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

function AdminRainBody() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const campaigns = useAdminCampaigns();
  const [campaignId, setCampaignId] = useState('');
  if (campaigns.isPending) return <Loading />;
  if (campaigns.isError) return <ErrorState error={campaigns.error} onRetry={() => void campaigns.refetch()} />;
  return (
    <>
      <div className="field">
        <label htmlFor="rain-campaign">{t('adminRain.campaign')}</label>
        <select id="rain-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
          <option value="">{t('adminRain.pick')}</option>
          {campaigns.data.map((c) => (
            <option key={c.id} value={c.id}>
              {loc(c.title, lang)}
            </option>
          ))}
        </select>
      </div>
      {campaignId ? (
        <>
          <section aria-labelledby="rain-sessions-h">
            <h2 id="rain-sessions-h">{t('adminRain.sessions')}</h2>
            <SessionTable campaignId={campaignId} />
          </section>
          <HeldWins key={`held-${campaignId}`} campaignId={campaignId} />
          <ScheduleForm key={campaignId} campaignId={campaignId} />
        </>
      ) : null}
    </>
  );
}

export function AdminRainPage() {
  const { t } = useTranslation();
  useTitle(t('adminRain.title'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('adminRain.title')}</h1>
          <AdminRainBody />
        </div>
      )}
    </RequireRole>
  );
}
