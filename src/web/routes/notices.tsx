import { useEffect, useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { markNoticeRead, siteKeys, useNoticePages, type Notice } from '../api/site.js';
import { currentSubscription, disablePush, enablePush, pushPublicKey, pushSupported } from '../features/notices/push.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const ANYONE: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];
/** Kinds labelled in the first notices block; the decision kinds are labelled under `noticesMore`. */
const FIRST_KINDS = new Set(['reach', 'chart', 'grand_prize', 'publication']);
/** Decisions on a video lead to the contributor's own submission page, not the public player. */
const OWN_VIDEO_KINDS = new Set(['adopted', 'rejected', 'regraded']);

/**
 * "Turn on notifications": only where the browser can push and the server has VAPID keys; the
 * permission prompt comes from the tap, never on page load.
 */
function PushControl() {
  const { t } = useTranslation();
  const [key, setKey] = useState<string | null>(null);
  const [state, setState] = useState<'off' | 'on' | 'denied' | 'busy'>('off');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!pushSupported()) return;
    let live = true;
    void (async () => {
      const k = await pushPublicKey().catch(() => null);
      if (!live || !k) return;
      setKey(k);
      if (Notification.permission === 'denied') setState('denied');
      else if (await currentSubscription().catch(() => null)) setState('on');
    })();
    return () => {
      live = false;
    };
  }, []);
  if (!key) return null;
  const turnOn = async () => {
    setState('busy');
    setError(null);
    try {
      const r = await enablePush(key);
      setState(r === 'on' ? 'on' : r === 'denied' ? 'denied' : 'off');
      if (r === 'unavailable') setError(t('noticesMore.push.unavailable'));
    } catch (e) {
      setState('off');
      setError(errorMessage(e));
    }
  };
  const turnOff = async () => {
    setState('busy');
    await disablePush().catch(() => undefined);
    setState('off');
  };
  return (
    <section className="card push-control" aria-label={t('noticesMore.push.label')}>
      {state === 'on' ? (
        <p>
          {t('noticesMore.push.on')}{' '}
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void turnOff()}>
            {t('noticesMore.push.turnOff')}
          </button>
        </p>
      ) : state === 'denied' ? (
        <p className="muted">{t('noticesMore.push.denied')}</p>
      ) : (
        <p>
          {t('noticesMore.push.offer')}{' '}
          <button type="button" className="btn btn-primary btn-sm" disabled={state === 'busy'} onClick={() => void turnOn()}>
            {t('noticesMore.push.turnOn')}
          </button>
        </p>
      )}
      {error ? <Alert>{error}</Alert> : null}
    </section>
  );
}

function NoticeItem({ n, onRead, busy }: { n: Notice; onRead: (n: Notice) => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const unread = !n.readAt;
  return (
    <li className={`card notice${unread ? ' is-unread' : ''}`}>
      <p className="notice-kind">
        <span className={`badge badge-notice-${n.kind}`}>{t(FIRST_KINDS.has(n.kind) ? `site.notices.kind.${n.kind}` : `noticesMore.kind.${n.kind}`)}</span>
        {unread ? <span className="badge badge-unread">{t('site.notices.unread')}</span> : null}
      </p>
      <p className="notice-text">{n.text}</p>
      <p className="muted small">
        <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, i18n.language)}</time>
      </p>
      <div className="row-actions">
        {n.submissionId && OWN_VIDEO_KINDS.has(n.kind) ? (
          <Link to="/submissions/$id" params={{ id: n.submissionId }} className="btn btn-primary btn-sm" onClick={() => unread && onRead(n)}>
            {t('noticesMore.open')}
          </Link>
        ) : null}
        {n.kind.startsWith('assignment_') && typeof n.params.assignmentId === 'string' ? (
          <Link to="/tasks/$id" params={{ id: n.params.assignmentId }} className="btn btn-primary btn-sm" onClick={() => unread && onRead(n)}>
            {t('commandAssign.task.open')}
          </Link>
        ) : null}
        {n.kind === 'lending_offered' && typeof n.params.titleId === 'string' ? (
          <Link to="/lend/$titleId" params={{ titleId: n.params.titleId }} className="btn btn-primary btn-sm" onClick={() => unread && onRead(n)}>
            {t('noticesMore.borrow')}
          </Link>
        ) : null}
        {n.kind.startsWith('payout_') || n.kind.startsWith('rain_') ? (
          <Link to="/earnings" className="btn btn-primary btn-sm" onClick={() => unread && onRead(n)}>
            {t('noticesMore.earnings')}
          </Link>
        ) : null}
        {n.submissionId && !OWN_VIDEO_KINDS.has(n.kind) ? (
          <Link to="/v/$id" params={{ id: n.submissionId }} className="btn btn-primary btn-sm" onClick={() => unread && onRead(n)}>
            {t('site.notices.watch')}
          </Link>
        ) : null}
        {unread ? (
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={busy}
            onClick={() => onRead(n)}
            aria-label={t('site.notices.markReadLabel', { text: n.text })}
          >
            {t('site.notices.markRead')}
          </button>
        ) : null}
      </div>
    </li>
  );
}

function NoticesList() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useNoticePages(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notices = q.data?.pages.flatMap((p) => p.notices) ?? [];
  const unread = q.data?.pages[0]?.unread ?? 0;

  const read = async (list: Notice[]) => {
    setBusy(true);
    setError(null);
    try {
      for (const n of list) await markNoticeRead(n.id);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
      await qc.invalidateQueries({ queryKey: siteKeys.allNotices });
    }
  };

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <>
      <div className="notices-head">
        <p role="status">{unread ? t('site.notices.unreadCount', { count: unread }) : t('site.notices.allRead')}</p>
        {notices.some((n) => !n.readAt) ? (
          <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void read(notices.filter((n) => !n.readAt))}>
            {t('site.notices.markAll')}
          </button>
        ) : null}
      </div>
      {error ? <Alert>{error}</Alert> : null}
      {notices.length === 0 ? (
        <p className="empty-state">{t('site.notices.empty')}</p>
      ) : (
        <ul className="card-list notice-list">
          {notices.map((n) => (
            <NoticeItem key={n.id} n={n} busy={busy} onRead={(x) => void read([x])} />
          ))}
        </ul>
      )}
      {q.hasNextPage ? (
        <button type="button" className="btn btn-secondary btn-block" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {q.isFetchingNextPage ? t('site.loadingMore') : t('site.notices.older')}
        </button>
      ) : null}
    </>
  );
}

/** “你火了” and every decision: reach, charts, prizes, publications, adoption, rejection, grades, payouts, red-packet reviews. */
export function NoticesPage() {
  const { t } = useTranslation();
  useTitle(t('site.notices.title'));
  return (
    <div className="contributor notices-page">
      <h1>{t('site.notices.title')}</h1>
      <RequireRole roles={ANYONE}>
        {() => (
          <>
            <PushControl />
            <NoticesList />
          </>
        )}
      </RequireRole>
    </div>
  );
}
