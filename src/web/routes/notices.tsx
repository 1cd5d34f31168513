import { useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { markNoticeRead, siteKeys, useNoticePages, type Notice } from '../api/site.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const ANYONE: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];

function NoticeItem({ n, onRead, busy }: { n: Notice; onRead: (n: Notice) => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const unread = !n.readAt;
  return (
    <li className={`card notice${unread ? ' is-unread' : ''}`}>
      <p className="notice-kind">
        <span className={`badge badge-notice-${n.kind}`}>{t(`site.notices.kind.${n.kind}`)}</span>
        {unread ? <span className="badge badge-unread">{t('site.notices.unread')}</span> : null}
      </p>
      <p className="notice-text">{n.text}</p>
      <p className="muted small">
        <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, i18n.language)}</time>
      </p>
      <div className="row-actions">
        {n.submissionId ? (
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

/** “你火了”: what happened to my videos (reach milestones, the weekly chart, the grand prize, publications). */
export function NoticesPage() {
  const { t } = useTranslation();
  useTitle(t('site.notices.title'));
  return (
    <div className="contributor notices-page">
      <h1>{t('site.notices.title')}</h1>
      <RequireRole roles={ANYONE}>{() => <NoticesList />}</RequireRole>
    </div>
  );
}
