import { useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import {
  ASSIGNMENT_STATUSES,
  COMMAND_LIMITS,
  useAssignment,
  useAssignmentAction,
  useAssignments,
  useCreateAssignment,
  type Assignment,
  type AssignmentDetail,
  type AssignmentFilters,
  type AssignmentStatus,
  type DeskAction,
  type Dispatch,
} from '../api/commandAssign.js';
import { useStudios } from '../api/desk.js';
import { useCampaigns } from '../api/queries.js';
import { FieldContact } from '../features/command/FieldContact.js';
import { DeskNav, EDITORS } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan, loc, shanghaiLocalToIso, yuanToFen } from '../ui/format.js';

const ACTIVE: readonly AssignmentStatus[] = ['assigned', 'in_progress'];

export function StatusBadge({ status, overdue }: { status: AssignmentStatus; overdue?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <span className={`badge badge-cmd-${status}`}>{t(`commandAssign.status.${status}`)}</span>
      {overdue ? <span className="badge badge-cmd-overdue">{t('commandAssign.overdue')}</span> : null}
    </>
  );
}

function CommandHead({ me, title }: { me: Me; title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <DeskNav me={me} />
      <div className="page-head">
        <h1>{title}</h1>
        <nav className="row-actions" aria-label={t('commandAssign.navLabel')}>
          <Link to="/command" search={{}} activeOptions={{ exact: true }}>
            {t('commandAssign.listTitle')}
          </Link>
          <Link to="/command/assignments/new" className="btn btn-primary btn-sm">
            {t('commandAssign.new')}
          </Link>
        </nav>
      </div>
    </>
  );
}

const km = (m: number | null) => (m === null ? '—' : m < 1000 ? `${m} m` : `${(m / 1000).toFixed(1)} km`);

function Filters({ f }: { f: AssignmentFilters }) {
  const { t } = useTranslation();
  const navigate = useNavigate({ from: '/command' });
  const studios = useStudios();
  const set = (patch: Partial<AssignmentFilters>) => void navigate({ search: { ...f, ...patch }, replace: true });
  return (
    <form className="filters cmd-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('commandAssign.filters')}>
      <label>
        <span>{t('commandAssign.f.status')}</span>
        <select value={f.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as AssignmentStatus | undefined })}>
          <option value="">{t('commandAssign.f.any')}</option>
          {ASSIGNMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`commandAssign.status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('commandAssign.f.studio')}</span>
        <select value={f.studioId ?? ''} onChange={(e) => set({ studioId: e.target.value || undefined })}>
          <option value="">{t('commandAssign.f.any')}</option>
          {studios.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={f.overdue === 'true'} onChange={(e) => set({ overdue: e.target.checked ? 'true' : undefined })} />
        <span>{t('commandAssign.f.overdue')}</span>
      </label>
      <label>
        <span>{t('commandAssign.f.q')}</span>
        <input type="search" defaultValue={f.q ?? ''} onChange={(e) => set({ q: e.target.value.trim() || undefined })} maxLength={100} />
      </label>
    </form>
  );
}

function AssignmentRow({ a }: { a: Assignment }) {
  const { t, i18n } = useTranslation();
  const accepted = a.offers.filter((o) => o.status === 'accepted').length;
  const open = a.offers.filter((o) => o.status === 'offered').length;
  return (
    <tr className={a.overdue ? 'is-overdue' : undefined}>
      <td>
        <Link to="/command/assignments/$id" params={{ id: a.id }} className="row-title">
          {a.title}
        </Link>
        <div className="muted small">{a.placeName}</div>
      </td>
      <td>
        <StatusBadge status={a.status} overdue={a.overdue} />
      </td>
      <td className="nowrap">{formatDateTime(a.deadlineAt, i18n.language)}</td>
      <td className="num">{t('commandAssign.people', { accepted, wanted: a.wanted })}</td>
      <td className="num">{open}</td>
      <td className="num">{a.submissionCount}</td>
    </tr>
  );
}

function AssignmentsTable({ f }: { f: AssignmentFilters }) {
  const { t } = useTranslation();
  const q = useAssignments(f);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data.length) return <p className="empty">{t('commandAssign.empty')}</p>;
  // Grouped by state in the order work moves, overdue ones first inside each group.
  const groups = ASSIGNMENT_STATUSES.map((s) => ({
    s,
    rows: q.data.filter((a) => a.status === s).sort((x, y) => Number(y.overdue) - Number(x.overdue)),
  })).filter((g) => g.rows.length);
  return (
    <table className="table cmd-table">
      <thead>
        <tr>
          <th scope="col">{t('commandAssign.col.title')}</th>
          <th scope="col">{t('commandAssign.col.status')}</th>
          <th scope="col">{t('commandAssign.col.deadline')}</th>
          <th scope="col">{t('commandAssign.col.people')}</th>
          <th scope="col">{t('commandAssign.col.open')}</th>
          <th scope="col">{t('commandAssign.col.footage')}</th>
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g.s}>
          <tr className="group-row">
            <th colSpan={6} scope="colgroup">
              {t(`commandAssign.status.${g.s}`)} ({g.rows.length})
            </th>
          </tr>
          {g.rows.map((a) => (
            <AssignmentRow key={a.id} a={a} />
          ))}
        </tbody>
      ))}
    </table>
  );
}

/** `/command`: the desk's assignments, by state, overdue flagged. */
export function CommandAssignmentsPage() {
  const { t } = useTranslation();
  const f = getRouteApi('/command').useSearch();
  useTitle(t('commandAssign.listTitle'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <div className="staff desk-page cmd-page">
          <CommandHead me={me} title={t('commandAssign.listTitle')} />
          <Filters f={f} />
          <AssignmentsTable f={f} />
        </div>
      )}
    </RequireRole>
  );
}

interface FormState {
  title: string;
  brief: string;
  campaignId: string;
  theme: string;
  studioId: string;
  placeName: string;
  lat: string;
  lng: string;
  radiusM: string;
  startsAt: string;
  deadlineAt: string;
  acceptMinutes: string;
  reward: string;
  wanted: string;
  mode: Dispatch['mode'];
  n: string;
  named: string;
}

const EMPTY: FormState = {
  title: '',
  brief: '',
  campaignId: '',
  theme: '',
  studioId: '',
  placeName: '',
  lat: '',
  lng: '',
  radiusM: '5000',
  startsAt: '',
  deadlineAt: '',
  acceptMinutes: '30',
  reward: '',
  wanted: '1',
  mode: 'nearest',
  n: '5',
  named: '',
};

function NewAssignmentForm() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const campaigns = useCampaigns();
  const studios = useStudios();
  const create = useCreateAssignment();
  const [s, setS] = useState<FormState>(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<FormState>) => setS((x) => ({ ...x, ...patch }));
  const campaign = campaigns.data?.find((c) => c.id === s.campaignId);

  const submit = (send: boolean) => (e?: FormEvent) => {
    e?.preventDefault();
    const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
    const deadline = shanghaiLocalToIso(s.deadlineAt);
    const starts = s.startsAt ? shanghaiLocalToIso(s.startsAt) : undefined;
    const reward = s.reward.trim() ? yuanToFen(s.reward) : null;
    const lat = num(s.lat);
    const lng = num(s.lng);
    const named = s.named
      .split(/[\s,，]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    const missing = !s.title.trim() || !s.brief.trim() || !s.campaignId || !s.placeName.trim() || !deadline;
    if (missing) return setProblem(t('commandAssign.form.missing'));
    if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) return setProblem(t('commandAssign.form.badPoint'));
    if (s.reward.trim() && reward === null) return setProblem(t('commandAssign.form.badReward'));
    if (s.mode === 'named' && !named.length) return setProblem(t('commandAssign.form.noNamed'));
    setProblem(null);
    const dispatch: Dispatch =
      s.mode === 'nearest' ? { mode: 'nearest', n: num(s.n) } : s.mode === 'radius' ? { mode: 'radius' } : { mode: 'named', userIds: named };
    create.mutate(
      {
        title: s.title.trim(),
        brief: s.brief.trim(),
        campaignId: s.campaignId,
        theme: s.theme || null,
        studioId: s.studioId || null,
        place: { name: s.placeName.trim(), lat, lng, radiusM: num(s.radiusM) },
        ...(starts ? { startsAt: starts } : {}),
        deadlineAt: deadline!,
        acceptMinutes: num(s.acceptMinutes),
        rewardHintFen: reward,
        wanted: num(s.wanted),
        dispatch,
        send,
      },
      { onSuccess: (a) => void navigate({ to: '/command/assignments/$id', params: { id: a.id } }) },
    );
  };

  return (
    <form className="cmd-form" onSubmit={submit(false)} noValidate>
      {problem ? <Alert>{problem}</Alert> : null}
      {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
      <fieldset disabled={create.isPending}>
        <legend>{t('commandAssign.form.what')}</legend>
        <label>
          <span>{t('commandAssign.form.title')}</span>
          <input name="title" value={s.title} maxLength={COMMAND_LIMITS.title} required onChange={(e) => set({ title: e.target.value })} />
        </label>
        <label>
          <span>{t('commandAssign.form.brief')}</span>
          <textarea name="brief" value={s.brief} maxLength={COMMAND_LIMITS.brief} rows={5} required onChange={(e) => set({ brief: e.target.value })} />
        </label>
        <label>
          <span>{t('commandAssign.form.campaign')}</span>
          <select name="campaignId" value={s.campaignId} required onChange={(e) => set({ campaignId: e.target.value, theme: '' })}>
            <option value="">{t('commandAssign.form.choose')}</option>
            {campaigns.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {loc(c.title, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('commandAssign.form.theme')}</span>
          <select name="theme" value={s.theme} onChange={(e) => set({ theme: e.target.value })}>
            <option value="">{t('commandAssign.form.anyTheme')}</option>
            {campaign?.themes.map((th) => (
              <option key={th.key} value={th.key}>
                {loc(th.title, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('commandAssign.form.studio')}</span>
          <select name="studioId" value={s.studioId} onChange={(e) => set({ studioId: e.target.value })}>
            <option value="">{t('commandAssign.form.central')}</option>
            {studios.data?.map((st) => (
              <option key={st.id} value={st.id}>
                {st.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset disabled={create.isPending}>
        <legend>{t('commandAssign.form.where')}</legend>
        <label>
          <span>{t('commandAssign.form.placeName')}</span>
          <input name="placeName" value={s.placeName} maxLength={COMMAND_LIMITS.placeName} onChange={(e) => set({ placeName: e.target.value })} />
        </label>
        <div className="cmd-row">
          <label>
            <span>{t('commandAssign.form.lat')}</span>
            <input name="lat" inputMode="decimal" value={s.lat} onChange={(e) => set({ lat: e.target.value })} />
          </label>
          <label>
            <span>{t('commandAssign.form.lng')}</span>
            <input name="lng" inputMode="decimal" value={s.lng} onChange={(e) => set({ lng: e.target.value })} />
          </label>
          <label>
            <span>{t('commandAssign.form.radius')}</span>
            <input
              name="radiusM"
              type="number"
              min={COMMAND_LIMITS.radiusMin}
              max={COMMAND_LIMITS.radiusMax}
              value={s.radiusM}
              onChange={(e) => set({ radiusM: e.target.value })}
            />
          </label>
        </div>
      </fieldset>
      <fieldset disabled={create.isPending}>
        <legend>{t('commandAssign.form.when')}</legend>
        <div className="cmd-row">
          <label>
            <span>{t('commandAssign.form.startsAt')}</span>
            <input name="startsAt" type="datetime-local" value={s.startsAt} onChange={(e) => set({ startsAt: e.target.value })} />
          </label>
          <label>
            <span>{t('commandAssign.form.deadlineAt')}</span>
            <input name="deadlineAt" type="datetime-local" value={s.deadlineAt} required onChange={(e) => set({ deadlineAt: e.target.value })} />
          </label>
          <label>
            <span>{t('commandAssign.form.acceptMinutes')}</span>
            <input
              name="acceptMinutes"
              type="number"
              min={1}
              max={COMMAND_LIMITS.acceptMinutesMax}
              value={s.acceptMinutes}
              onChange={(e) => set({ acceptMinutes: e.target.value })}
            />
          </label>
          <label>
            <span>{t('commandAssign.form.reward')}</span>
            <input name="reward" inputMode="decimal" value={s.reward} onChange={(e) => set({ reward: e.target.value })} />
          </label>
        </div>
      </fieldset>
      <fieldset disabled={create.isPending}>
        <legend>{t('commandAssign.form.who')}</legend>
        <label>
          <span>{t('commandAssign.form.wanted')}</span>
          <input name="wanted" type="number" min={1} max={COMMAND_LIMITS.wantedMax} value={s.wanted} onChange={(e) => set({ wanted: e.target.value })} />
        </label>
        {(['nearest', 'radius', 'named'] as const).map((m) => (
          <label key={m} className="check">
            <input type="radio" name="mode" value={m} checked={s.mode === m} onChange={() => set({ mode: m })} />
            <span>{t(`commandAssign.form.mode.${m}`)}</span>
          </label>
        ))}
        {s.mode === 'nearest' ? (
          <label>
            <span>{t('commandAssign.form.n')}</span>
            <input name="n" type="number" min={1} max={COMMAND_LIMITS.nearestMax} value={s.n} onChange={(e) => set({ n: e.target.value })} />
          </label>
        ) : null}
        {s.mode === 'named' ? (
          <label>
            <span>{t('commandAssign.form.named')}</span>
            <textarea name="named" rows={3} value={s.named} onChange={(e) => set({ named: e.target.value })} />
          </label>
        ) : null}
      </fieldset>
      <div className="row-actions">
        <button type="submit" className="btn btn-secondary" disabled={create.isPending}>
          {t('commandAssign.form.saveDraft')}
        </button>
        <button type="button" className="btn btn-primary" disabled={create.isPending} onClick={() => submit(true)()}>
          {t('commandAssign.form.saveSend')}
        </button>
      </div>
    </form>
  );
}

/** `/command/assignments/new`: a place is a name, a point and a radius (the map is part map's). */
export function NewAssignmentPage() {
  const { t } = useTranslation();
  useTitle(t('commandAssign.new'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <div className="staff desk-page cmd-page">
          <CommandHead me={me} title={t('commandAssign.new')} />
          <NewAssignmentForm />
        </div>
      )}
    </RequireRole>
  );
}

function Actions({ a }: { a: Assignment }) {
  const { t } = useTranslation();
  const act = useAssignmentAction(a.id);
  const [reason, setReason] = useState('');
  const can: Record<DeskAction, boolean> = {
    dispatch: a.status === 'draft',
    submit: a.status === 'in_progress',
    complete: ['assigned', 'in_progress', 'submitted'].includes(a.status),
    cancel: !['completed', 'cancelled'].includes(a.status),
  };
  if (!Object.values(can).some(Boolean)) return null;
  return (
    <section className="card cmd-actions" aria-label={t('commandAssign.actions')}>
      {act.isError ? <Alert>{errorMessage(act.error)}</Alert> : null}
      <div className="row-actions">
        {(['dispatch', 'submit', 'complete'] as const).map((k) =>
          can[k] ? (
            <button
              key={k}
              type="button"
              className={k === 'dispatch' ? 'btn btn-primary' : 'btn btn-secondary'}
              disabled={act.isPending}
              onClick={() => act.mutate({ action: k })}
            >
              {t(`commandAssign.action.${k}`)}
            </button>
          ) : null,
        )}
      </div>
      {can.cancel ? (
        <form
          className="row-actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) act.mutate({ action: 'cancel', reason: reason.trim() });
          }}
        >
          <label>
            <span>{t('commandAssign.cancelReason')}</span>
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-danger" disabled={act.isPending || !reason.trim()}>
            {t('commandAssign.action.cancel')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

function Detail({ d }: { d: AssignmentDetail }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const a = d.assignment;
  return (
    <div className="cmd-detail">
      <p>
        <StatusBadge status={a.status} overdue={a.overdue} />
      </p>
      <dl className="facts">
        <dt>{t('commandAssign.form.placeName')}</dt>
        <dd>
          {a.placeName} ({a.lat.toFixed(4)}, {a.lng.toFixed(4)}) · {km(a.radiusM)}
        </dd>
        <dt>{t('commandAssign.form.deadlineAt')}</dt>
        <dd>{formatDateTime(a.deadlineAt, lang)}</dd>
        <dt>{t('commandAssign.form.reward')}</dt>
        <dd>{a.rewardHintFen === null ? '—' : formatYuan(a.rewardHintFen, lang)}</dd>
        <dt>{t('commandAssign.col.people')}</dt>
        <dd>{t('commandAssign.people', { accepted: a.offers.filter((o) => o.status === 'accepted').length, wanted: a.wanted })}</dd>
        <dt>{t('commandAssign.dispatchLabel')}</dt>
        <dd>{t(`commandAssign.form.mode.${a.dispatch.mode}`)}</dd>
      </dl>
      <section className="card">
        <h2>{t('commandAssign.form.brief')}</h2>
        <p className="pre-line">{a.brief}</p>
      </section>
      <Actions a={a} />
      <FieldContact assignmentId={a.id} side="desk" active={ACTIVE.includes(a.status)} />
      <section className="card">
        <h2>{t('commandAssign.offers')}</h2>
        {a.offers.length ? (
          <table className="table" data-testid="offers">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('commandAssign.col.person')}</th>
                <th scope="col">{t('commandAssign.col.distance')}</th>
                <th scope="col">{t('commandAssign.col.status')}</th>
                <th scope="col">{t('commandAssign.col.respondBy')}</th>
              </tr>
            </thead>
            <tbody>
              {a.offers.map((o) => (
                <tr key={o.id}>
                  <td className="num">{o.rank}</td>
                  <td>{o.name}</td>
                  <td className="num">{km(o.distanceM)}</td>
                  <td>
                    <span className={`badge badge-offer-${o.status}`}>{t(`commandAssign.offer.${o.status}`)}</span>
                    {o.declineReason ? <div className="muted small">{o.declineReason}</div> : null}
                  </td>
                  <td className="nowrap">{o.respondBy ? formatDateTime(o.respondBy, lang) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">{t('commandAssign.noOffers')}</p>
        )}
      </section>
      <section className="card">
        <h2>{t('commandAssign.footage')}</h2>
        {d.footage.length ? (
          <ul>
            {d.footage.map((f) => (
              <li key={f.submissionId}>
                <Link to="/desk/review/$id" params={{ id: f.submissionId }}>
                  {f.title}
                </Link>{' '}
                · {f.name} · {formatDateTime(f.createdAt, lang)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('commandAssign.noFootage')}</p>
        )}
      </section>
      <section className="card">
        <h2>{t('commandAssign.history')}</h2>
        <ol className="cmd-events">
          {d.events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time> · {t(`commandAssign.event.${e.kind}`, { defaultValue: e.kind, ...e.params })}
              {e.actorName ? <span className="muted"> · {e.actorName}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

/** `/command/assignments/$id`: brief, offers, history, footage, actions, and contact with the field. */
export function AssignmentPage() {
  const { t } = useTranslation();
  const { id } = getRouteApi('/command/assignments/$id').useParams();
  const q = useAssignment(id);
  useTitle(q.data?.assignment.title ?? t('commandAssign.listTitle'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <div className="staff desk-page cmd-page">
          <CommandHead me={me} title={q.data?.assignment.title ?? t('commandAssign.listTitle')} />
          {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : <Detail d={q.data} />}
        </div>
      )}
    </RequireRole>
  );
}
