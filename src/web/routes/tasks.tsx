import { useEffect, useState, type FormEvent } from 'react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { useFieldProfile, useRespond, useSaveFieldProfile, useTask, useTasks, type FieldAssignment, type FieldProfile } from '../api/commandAssign.js';
import { FieldContact } from '../features/command/FieldContact.js';
import { LocationShare } from '../features/command/LocationShare.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan } from '../ui/format.js';

const FIELD: readonly Role[] = ['contributor', 'reporter'];

const isActive = (t: FieldAssignment) => t.status === 'assigned' || t.status === 'in_progress';
const working = (t: FieldAssignment) => t.offer.status === 'accepted' && isActive(t);

/** Seconds left until `iso`, ticking once a second while the page is open. */
function useSecondsLeft(iso: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [iso]);
  return iso ? Math.max(0, Math.floor((new Date(iso).getTime() - now) / 1000)) : null;
}

function Countdown({ until }: { until: string }) {
  const { t } = useTranslation();
  const left = useSecondsLeft(until);
  if (left === null) return null;
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, '0');
  return (
    <p className={`task-countdown${left < 300 ? ' is-urgent' : ''}`} role="timer" aria-live="off">
      {left > 0 ? t('commandAssign.task.replyWithin', { time: `${mm}:${ss}` }) : t('commandAssign.task.replyLapsed')}
    </p>
  );
}

function TaskCard({ task }: { task: FieldAssignment }) {
  const { t, i18n } = useTranslation();
  return (
    <li className="card task-card">
      <Link to="/tasks/$id" params={{ id: task.id }} className="task-link">
        <strong>{task.title}</strong>
      </Link>
      <p className="muted small">
        {task.placeName} · {t('commandAssign.task.deadline', { at: formatDateTime(task.deadlineAt, i18n.language) })}
      </p>
      <p>
        <span className={`badge badge-offer-${task.offer.status}`}>{t(`commandAssign.task.offer.${task.offer.status}`)}</span>{' '}
        {task.status !== 'assigned' && task.status !== 'in_progress' ? <span className="badge">{t(`commandAssign.status.${task.status}`)}</span> : null}
        {task.overdue ? <span className="badge badge-cmd-overdue">{t('commandAssign.overdue')}</span> : null}
      </p>
    </li>
  );
}

function TaskList() {
  const { t } = useTranslation();
  const q = useTasks();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data.length) return <p className="empty">{t('commandAssign.task.none')}</p>;
  return (
    <ul className="task-list">
      {q.data.map((task) => (
        <TaskCard key={task.id} task={task} />
      ))}
    </ul>
  );
}

/** `/tasks`: my offers and the work I accepted, phone first. */
export function TasksPage() {
  const { t } = useTranslation();
  useTitle(t('commandAssign.task.title'));
  return (
    <RequireRole roles={FIELD}>
      {() => (
        <div className="contributor tasks-page">
          <h1>{t('commandAssign.task.title')}</h1>
          <p>
            <Link to="/tasks/settings">{t('commandAssign.profile.link')}</Link>
          </p>
          <TaskList />
        </div>
      )}
    </RequireRole>
  );
}

function Respond({ task }: { task: FieldAssignment }) {
  const { t } = useTranslation();
  const respond = useRespond(task.id);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  if (task.offer.status !== 'offered' || !isActive(task)) return null;
  return (
    <section className="card task-respond" aria-label={t('commandAssign.task.respond')}>
      {task.offer.respondBy ? <Countdown until={task.offer.respondBy} /> : null}
      {respond.isError ? <Alert>{errorMessage(respond.error)}</Alert> : null}
      {declining ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            respond.mutate({ accept: false, reason: reason.trim() || undefined });
          }}
        >
          <label>
            <span>{t('commandAssign.task.declineReason')}</span>
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="row-actions">
            <button type="submit" className="btn btn-secondary btn-block" disabled={respond.isPending}>
              {t('commandAssign.task.declineConfirm')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setDeclining(false)}>
              {t('commandAssign.task.back')}
            </button>
          </div>
        </form>
      ) : (
        <div className="row-actions task-buttons">
          <button type="button" className="btn btn-primary btn-block" disabled={respond.isPending} onClick={() => respond.mutate({ accept: true })}>
            {t('commandAssign.task.accept')}
          </button>
          <button type="button" className="btn btn-secondary btn-block" disabled={respond.isPending} onClick={() => setDeclining(true)}>
            {t('commandAssign.task.decline')}
          </button>
        </div>
      )}
    </section>
  );
}

function TaskDetail({ task }: { task: FieldAssignment }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <>
      <h1>{task.title}</h1>
      <p>
        <span className={`badge badge-offer-${task.offer.status}`}>{t(`commandAssign.task.offer.${task.offer.status}`)}</span>{' '}
        <span className="badge">{t(`commandAssign.status.${task.status}`)}</span>
        {task.overdue ? <span className="badge badge-cmd-overdue">{t('commandAssign.overdue')}</span> : null}
      </p>
      <dl className="facts">
        <dt>{t('commandAssign.form.placeName')}</dt>
        <dd>
          {task.placeName}
          {task.offer.distanceM !== null ? (
            <span className="muted"> · {t('commandAssign.task.fromHome', { km: (task.offer.distanceM / 1000).toFixed(1) })}</span>
          ) : null}
        </dd>
        <dt>{t('commandAssign.form.deadlineAt')}</dt>
        <dd>{formatDateTime(task.deadlineAt, lang)}</dd>
        {task.rewardHintFen !== null ? (
          <>
            <dt>{t('commandAssign.form.reward')}</dt>
            <dd>{formatYuan(task.rewardHintFen, lang)}</dd>
          </>
        ) : null}
      </dl>
      <section className="card">
        <h2>{t('commandAssign.form.brief')}</h2>
        <p className="pre-line">{task.brief}</p>
      </section>
      <Respond task={task} />
      {working(task) ? (
        <>
          <Link to="/submit" search={{ assignment: task.id }} className="btn btn-primary btn-block" data-testid="task-upload">
            {t('commandAssign.task.upload')}
          </Link>
          {task.mySubmissionCount ? <p className="muted small">{t('commandAssign.task.sent', { count: task.mySubmissionCount })}</p> : null}
          <LocationShare assignmentId={task.id} active />
          <FieldContact assignmentId={task.id} side="field" active />
        </>
      ) : null}
      <p>
        <Link to="/tasks">{t('commandAssign.task.all')}</Link>
      </p>
    </>
  );
}

/** `/tasks/$id`: one task on the phone: brief, place, deadline, reply, upload. */
export function TaskPage() {
  const { t } = useTranslation();
  const { id } = getRouteApi('/tasks/$id').useParams();
  const q = useTask(id);
  useTitle(q.data?.title ?? t('commandAssign.task.title'));
  return (
    <RequireRole roles={FIELD}>
      {() => (
        <div className="contributor task-page">
          {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : <TaskDetail task={q.data} />}
        </div>
      )}
    </RequireRole>
  );
}

function ProfileForm({ profile }: { profile: FieldProfile }) {
  const { t } = useTranslation();
  const save = useSaveFieldProfile();
  const [optedIn, setOptedIn] = useState(profile.optedIn);
  const [lat, setLat] = useState(profile.lat?.toString() ?? '');
  const [lng, setLng] = useState(profile.lng?.toString() ?? '');
  const [placeName, setPlaceName] = useState(profile.placeName ?? '');
  const [travelKm, setTravelKm] = useState(String(profile.travelKm));
  const [problem, setProblem] = useState<string | null>(null);
  const locate = () => {
    if (!('geolocation' in navigator)) return setProblem(t('commandAssign.profile.noGeo'));
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLat(p.coords.latitude.toFixed(4));
        setLng(p.coords.longitude.toFixed(4));
      },
      () => setProblem(t('commandAssign.profile.noGeo')),
      { maximumAge: 600_000, timeout: 15_000 },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const la = Number(lat);
    const ln = Number(lng);
    const km = Number(travelKm);
    if (optedIn && (lat.trim() === '' || lng.trim() === '' || !(la >= -90 && la <= 90) || !(ln >= -180 && ln <= 180)))
      return setProblem(t('commandAssign.form.badPoint'));
    setProblem(null);
    save.mutate(
      optedIn
        ? { optedIn, lat: la, lng: ln, placeName: placeName.trim() || undefined, travelKm: km || undefined }
        : { optedIn: false, travelKm: km || undefined },
      {
        onSuccess: (p) => {
          setLat(p.lat?.toString() ?? '');
          setLng(p.lng?.toString() ?? '');
          setPlaceName(p.placeName ?? '');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="task-profile">
      {problem ? <Alert>{problem}</Alert> : null}
      {save.isError ? <Alert>{errorMessage(save.error)}</Alert> : null}
      {save.isSuccess ? <Alert tone="success">{t('commandAssign.profile.saved')}</Alert> : null}
      <label className="check">
        <input type="checkbox" name="optedIn" checked={optedIn} onChange={(e) => setOptedIn(e.target.checked)} />
        <span>{t('commandAssign.profile.optIn')}</span>
      </label>
      <p className="hint">{t('commandAssign.profile.privacy')}</p>
      {optedIn ? (
        <fieldset>
          <legend>{t('commandAssign.profile.home')}</legend>
          <button type="button" className="btn btn-secondary btn-block" onClick={locate}>
            {t('commandAssign.profile.useLocation')}
          </button>
          <label>
            <span>{t('commandAssign.form.lat')}</span>
            <input name="lat" inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} />
          </label>
          <label>
            <span>{t('commandAssign.form.lng')}</span>
            <input name="lng" inputMode="decimal" value={lng} onChange={(e) => setLng(e.target.value)} />
          </label>
          <label>
            <span>{t('commandAssign.profile.placeName')}</span>
            <input name="placeName" value={placeName} maxLength={120} onChange={(e) => setPlaceName(e.target.value)} />
          </label>
        </fieldset>
      ) : null}
      <label>
        <span>{t('commandAssign.profile.travelKm')}</span>
        <input name="travelKm" type="number" min={1} max={2000} value={travelKm} onChange={(e) => setTravelKm(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary btn-block" disabled={save.isPending}>
        {t('commandAssign.profile.save')}
      </button>
    </form>
  );
}

/** `/tasks/settings`: opt in to assignments near home (kept to about 1 km), or out. */
export function TaskSettingsPage() {
  const { t } = useTranslation();
  useTitle(t('commandAssign.profile.title'));
  const q = useFieldProfile();
  return (
    <RequireRole roles={FIELD}>
      {() => (
        <div className="contributor tasks-page">
          <h1>{t('commandAssign.profile.title')}</h1>
          {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : <ProfileForm profile={q.data} />}
          <p>
            <Link to="/tasks">{t('commandAssign.task.all')}</Link>
          </p>
        </div>
      )}
    </RequireRole>
  );
}
