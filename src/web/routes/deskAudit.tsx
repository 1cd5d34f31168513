import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { deskKeys, type AuditEntry } from '../api/desk.js';
import { isMissing } from '../api/money.js';
import { CHIEFS, DeskNav } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const PAGE = 50;

function AuditTable() {
  const { t, i18n } = useTranslation();
  // A stack of `before` cursors: the first page has none; "older" pushes the last id seen.
  const [cursors, setCursors] = useState<(string | number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const q = useQuery({
    queryKey: [...deskKeys.audit, before ?? null],
    retry: false,
    queryFn: async () =>
      (await api<{ entries: AuditEntry[] }>(`/api/audit?limit=${PAGE}${before !== undefined ? `&before=${encodeURIComponent(String(before))}` : ''}`)).entries,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return isMissing(q.error) ? <Alert tone="info">{t('common.notYet')}</Alert> : <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const rows = q.data;
  return (
    <>
      {rows.length === 0 ? (
        <p className="empty-state">{t('audit.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table audit-table">
            <caption className="sr-only">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.object')}</th>
                <th scope="col">{t('audit.data')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatDateTime(e.at, i18n.language)}</td>
                  <td>{e.actorName ?? e.actorId ?? t('audit.system')}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.objectType}
                    {e.objectId ? <span className="muted small"> {e.objectId.slice(0, 8)}</span> : null}
                  </td>
                  <td>
                    <code className="audit-data">{e.data && Object.keys(e.data).length ? JSON.stringify(e.data) : ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label={t('audit.pages')}>
        <button type="button" className="btn btn-secondary btn-sm" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('audit.newer')}
        </button>
        <span className="muted small">{t('audit.page', { n: cursors.length })}</span>
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          disabled={rows.length < PAGE}
          onClick={() => setCursors((c) => [...c, rows[rows.length - 1]!.id])}
        >
          {t('audit.older')}
        </button>
      </nav>
    </>
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  useTitle(t('audit.title'));
  return (
    <RequireRole roles={CHIEFS}>
      {(me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <h1>{t('audit.title')}</h1>
          <AuditTable />
        </div>
      )}
    </RequireRole>
  );
}
