import { useState, type FormEvent } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.js';
import {
  distributionKeys,
  inFlight,
  publishHere,
  retryPublication,
  schedulePublication,
  unpublishPublication,
  usePublications,
  type ChannelState,
  type Publication,
  type PublicationEvent,
} from '../../api/distribution.js';
import { useMe } from '../../api/queries.js';
import { Alert } from '../../ui/Field.js';
import { ConfirmBox, ErrorState, Loading } from '../../ui/common.js';
import { formatCount, formatDateTime, isoToShanghaiLocal, shanghaiLocalToIso } from '../../ui/format.js';
import { hasRole } from '../desk/deskUi.js';

type T = (k: string, o?: Record<string, unknown>) => string;
type Busy = 'now' | 'schedule' | 'retry' | 'unpublish' | 'add' | null;

/** The badge a channel row wears: the publication's status, or why there is none. */
function badgeOf(s: ChannelState): string {
  if (s.publication) return s.publication.status;
  return s.connected ? 'not_queued' : 'not_connected';
}

const EVENT_KEYS = new Set([
  'queued',
  'publishing',
  'pending',
  'live',
  'failed',
  'retrying',
  'scheduled',
  'unpublishing',
  'unpublished',
  'unpublish_failed',
  'recovered',
  'metrics_failed',
]);

function EventList({ events, t, lang }: { events: PublicationEvent[]; t: T; lang: string }) {
  const sorted = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return (
    <details className="pub-history">
      <summary>{t('distribution.history', { count: events.length })}</summary>
      <ol>
        {sorted.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time> ·{' '}
            <strong>{EVENT_KEYS.has(e.status) ? t(`distribution.event.${e.status}`) : e.status}</strong>
            {e.errorClass ? ` · ${t(`distribution.errorClass.${e.errorClass}`)}` : ''}
            {e.message ? <span className="muted"> · {e.message}</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** What happened, in plain words, by status and error class. */
function Explanation({ p, channelName, admin, t, lang }: { p: Publication; channelName: string; admin: boolean; t: T; lang: string }) {
  const at = p.notBefore ? formatDateTime(p.notBefore, lang) : null;
  const reconnect = admin ? (
    <Link to="/admin/channels" search={{}}>
      {t('distribution.reconnectLink', { channel: channelName })}
    </Link>
  ) : (
    <span>{t('distribution.askAdmin')}</span>
  );
  switch (p.status) {
    case 'queued':
      if (p.errorClass === 'rate_limited') return <p className="pub-warn">{t('distribution.rateLimited', { at: at ?? t('distribution.soon') })}</p>;
      if (p.errorClass === 'transient')
        return (
          <>
            <p className="pub-warn">{t('distribution.transient', { at: at ?? t('distribution.soon'), n: p.attempts })}</p>
            {p.error ? <p className="small muted">{p.error}</p> : null}
          </>
        );
      if (p.errorClass === 'auth_expired')
        return (
          <p className="pub-warn">
            {t('distribution.authExpired', { channel: channelName })} {reconnect}
          </p>
        );
      return <p>{p.notBefore && Date.parse(p.notBefore) > Date.now() ? t('distribution.queuedAt', { at }) : t('distribution.queuedNow')}</p>;
    case 'publishing':
      return <p>{t('distribution.publishingAttempt', { n: Math.max(1, p.attempts) })}</p>;
    case 'pending':
      return <p>{t('distribution.pendingReview', { channel: channelName })}</p>;
    case 'live':
      return (
        <>
          <p>
            {p.publishedAt ? t('distribution.liveSince', { at: formatDateTime(p.publishedAt, lang) }) : t('distribution.status.live')}{' '}
            {p.url ? (
              <a href={p.url} target="_blank" rel="noopener noreferrer" className="pub-link">
                {t('distribution.openOn', { channel: channelName })}
              </a>
            ) : (
              <span className="muted">{t('distribution.noLink')}</span>
            )}
          </p>
          {p.figures.at ? (
            <p className="small muted">
              {t('distribution.figures', {
                views: formatCount(p.figures.views, lang),
                likes: formatCount(p.figures.likes, lang),
                shares: formatCount(p.figures.shares, lang),
                comments: formatCount(p.figures.comments, lang),
                at: formatDateTime(p.figures.at, lang),
              })}
            </p>
          ) : null}
          {p.error ? <p className="pub-warn small">{t('distribution.unpublishFailed', { reason: p.error })}</p> : null}
        </>
      );
    case 'failed':
      if (p.errorClass === 'auth_expired')
        return (
          <>
            <p className="pub-error">
              {t('distribution.authExpired', { channel: channelName })} {reconnect}
            </p>
            <p className="small muted">{t('distribution.authExpiredHint')}</p>
          </>
        );
      if (p.errorClass === 'content_rejected')
        return (
          <>
            <p className="pub-error">{t('distribution.contentRejected', { channel: channelName, reason: p.error ?? t('common.none') })}</p>
            <p className="small">{t('distribution.contentRejectedHint', { channel: channelName })}</p>
          </>
        );
      if (p.errorClass === 'rate_limited') return <p className="pub-error">{t('distribution.rateLimitedGaveUp', { n: p.attempts, reason: p.error ?? '' })}</p>;
      return <p className="pub-error">{t('distribution.transientGaveUp', { n: p.attempts, reason: p.error ?? t('common.none') })}</p>;
    case 'unpublishing':
      return <p>{t('distribution.unpublishing')}</p>;
    case 'unpublished':
      return (
        <p className="muted">
          {p.unpublishedAt ? t('distribution.unpublishedAt', { at: formatDateTime(p.unpublishedAt, lang) }) : t('distribution.status.unpublished')}
        </p>
      );
  }
}

function ScheduleForm({ p, busy, onSave, onCancel, t }: { p: Publication; busy: boolean; onSave: (iso: string) => void; onCancel: () => void; t: T }) {
  const initial = p.notBefore && Date.parse(p.notBefore) > Date.now() ? p.notBefore : new Date(Date.now() + 3_600_000).toISOString();
  const [value, setValue] = useState(isoToShanghaiLocal(initial));
  const [error, setError] = useState<string | null>(null);
  const id = `sched-${p.id}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const iso = shanghaiLocalToIso(value);
    if (!iso) return setError(t('distribution.scheduleInvalid'));
    if (Date.parse(iso) < Date.now() - 60_000) return setError(t('distribution.scheduleInPast'));
    setError(null);
    onSave(iso);
  };
  return (
    <form className="pub-schedule" onSubmit={submit} noValidate>
      <label htmlFor={id}>{t('distribution.scheduleAt')}</label>
      <input id={id} type="datetime-local" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={error ? true : undefined} required />
      <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
        {busy ? t('common.saving') : t('distribution.scheduleSave')}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function ChannelRow({ s, submissionId, admin }: { s: ChannelState; submissionId: string; admin: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [scheduling, setScheduling] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const p = s.publication;
  const channelName = t(`channel.${s.channel}`);
  const badge = badgeOf(s);

  const run = async (kind: Exclude<Busy, null>, fn: () => Promise<ChannelState[]>) => {
    if (busy) return;
    setBusy(kind);
    setError(null);
    try {
      const channels = await fn();
      qc.setQueryData(distributionKeys.publications(submissionId), channels);
      setScheduling(false);
      setConfirming(false);
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(null);
    }
  };

  const canSchedule = p && (p.status === 'queued' || p.status === 'failed');
  const canRetry = p?.status === 'failed';
  const canUnpublish = p && (p.status === 'queued' || p.status === 'failed' || p.status === 'live' || p.status === 'pending');
  const goesOut = p && (p.status === 'queued' || p.status === 'failed');
  const greyed = !p && !s.connected;

  return (
    <tr className={greyed ? 'row-disabled pub-row' : 'pub-row'} aria-busy={inFlight(p) === 'fast' ? true : undefined}>
      <th scope="row" className="nowrap">
        {channelName}
      </th>
      <td className="nowrap">
        <span className={`badge badge-pub-${badge}`}>{t(`distribution.status.${badge}`)}</span>
      </td>
      <td className="pub-detail">
        {p ? (
          <Explanation p={p} channelName={channelName} admin={admin} t={t} lang={lang} />
        ) : s.connected ? (
          <p>{t('distribution.notQueuedText')}</p>
        ) : (
          <p>
            {t('distribution.notConnectedText')}{' '}
            {admin ? (
              <Link to="/admin/channels" search={{}}>
                {t('distribution.connectLink')}
              </Link>
            ) : null}
          </p>
        )}
        {scheduling && p ? (
          <ScheduleForm
            p={p}
            busy={busy === 'schedule'}
            t={t}
            onCancel={() => setScheduling(false)}
            onSave={(iso) => void run('schedule', () => schedulePublication(p.id, iso))}
          />
        ) : null}
        {confirming && p ? (
          <ConfirmBox
            small
            label={t('distribution.confirmLabel', { channel: channelName })}
            text={goesOut ? t('distribution.confirmCancel', { channel: channelName }) : t('distribution.confirmUnpublish', { channel: channelName })}
            confirm={
              busy === 'unpublish' ? t('distribution.unpublishingBtn') : goesOut ? t('distribution.confirmCancelYes') : t('distribution.confirmUnpublishYes')
            }
            cancel={t('distribution.keep')}
            busy={!!busy}
            onConfirm={() => void run('unpublish', () => unpublishPublication(p.id))}
            onCancel={() => setConfirming(false)}
          />
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
        {p && p.events.length ? <EventList events={p.events} t={t} lang={lang} /> : null}
      </td>
      <td>
        <div className="row-actions">
          {!p && s.connected ? (
            <button
              type="button"
              className="btn btn-primary btn-sm"
              disabled={!!busy}
              onClick={() => void run('add', () => publishHere(submissionId, s.channel))}
              aria-label={t('distribution.publishHereLabel', { channel: channelName })}
            >
              {busy === 'add' ? t('distribution.working') : t('distribution.publishHere')}
            </button>
          ) : null}
          {canRetry ? (
            <button
              type="button"
              className="btn btn-primary btn-sm"
              disabled={!!busy}
              onClick={() => void run('retry', () => retryPublication(p.id))}
              aria-label={t('distribution.retryLabel', { channel: channelName })}
            >
              {busy === 'retry' ? t('distribution.working') : t('distribution.retry')}
            </button>
          ) : null}
          {p?.status === 'queued' ? (
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              disabled={!!busy}
              onClick={() => void run('now', () => schedulePublication(p.id, null))}
              aria-label={t('distribution.publishNowLabel', { channel: channelName })}
            >
              {busy === 'now' ? t('distribution.working') : t('distribution.publishNow')}
            </button>
          ) : null}
          {canSchedule && !scheduling ? (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              disabled={!!busy}
              onClick={() => setScheduling(true)}
              aria-label={t('distribution.scheduleLabel', { channel: channelName })}
            >
              {t('distribution.schedule')}
            </button>
          ) : null}
          {canUnpublish && !confirming ? (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              disabled={!!busy}
              onClick={() => setConfirming(true)}
              aria-label={goesOut ? t('distribution.cancelLabel', { channel: channelName }) : t('distribution.unpublishLabel', { channel: channelName })}
            >
              {goesOut ? t('distribution.cancel') : t('distribution.unpublish')}
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

/** The desk's view of where one adopted video has gone: a row per channel, polled while anything is on its way. */
export function PublicationsPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const q = usePublications(id);
  const me = useMe();
  const admin = hasRole(me.data, ['admin']);
  const moving = q.data?.some((s) => inFlight(s.publication) === 'fast');
  const preparing = !!q.data?.length && q.data.every((s) => !s.publication);
  return (
    <section className="desk-panel publications" aria-labelledby="pubs-h">
      <div className="panel-head">
        <h2 id="pubs-h">{t('distribution.title')}</h2>
        <Link to="/dashboards/videos/$id" params={{ id }} className="small">
          {t('dashboards.openVideo')}
        </Link>
      </div>
      {moving || preparing ? (
        <p className="small muted" role="status">
          {preparing ? t('distribution.preparing') : t('distribution.polling')}
        </p>
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <div className="table-wrap">
          <table className="data-table pub-table">
            <caption className="sr-only">{t('distribution.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('distribution.col.channel')}</th>
                <th scope="col">{t('distribution.col.status')}</th>
                <th scope="col">{t('distribution.col.detail')}</th>
                <th scope="col">{t('distribution.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((s) => (
                <ChannelRow key={s.channel} s={s} submissionId={id} admin={admin} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="small muted">{t('distribution.tzNote')}</p>
    </section>
  );
}
