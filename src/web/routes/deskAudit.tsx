import { useState, type FormEvent, type ReactNode } from 'react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useAuditPage, type AuditEntry, type AuditFilter } from '../api/backOffice.js';
import { isMissing } from '../api/money.js';
import { CHIEFS, DeskNav } from '../features/desk/deskUi.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan } from '../ui/format.js';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ROLE_KEYS = new Set(['roles', 'added', 'removed']);
const OBJECT_TYPES = [
  'user',
  'submission',
  'studio',
  'campaign',
  'payout',
  'payout_batch',
  'publication',
  'daily_pick',
  'channel',
  'kiosk_screen',
  'rain_grab',
];
/** Ids that only repeat what the row already says, or mean nothing to a reader; still in the JSON. */
const HIDDEN = new Set(['userId', 'editId', 'holdId', 'ledgerKey', 'before', 'patch']);

type T = (key: string, opts?: Record<string, unknown>) => string;

/** Where an object lives in the app, if it has a page. */
function ObjectLink({ type, id, children }: { type: string; id: string; children: ReactNode }) {
  switch (type) {
    case 'submission':
      return (
        <Link to="/desk/review/$id" params={{ id }}>
          {children}
        </Link>
      );
    case 'user':
      return (
        <Link to="/admin/users" search={{ user: id }}>
          {children}
        </Link>
      );
    case 'campaign':
      return (
        <Link to="/admin/campaigns/$id" params={{ id }}>
          {children}
        </Link>
      );
    case 'payout':
    case 'payout_batch':
      return <Link to="/finance">{children}</Link>;
    case 'studio':
      return <Link to="/desk/studios">{children}</Link>;
    case 'daily_pick':
      return <Link to="/desk/daily-picks">{children}</Link>;
    case 'kiosk_screen':
      return <Link to="/admin/kiosks">{children}</Link>;
    case 'channel':
      return (
        <Link to="/admin/channels" search={{}}>
          {children}
        </Link>
      );
    case 'rain_grab':
      return <Link to="/admin/rain">{children}</Link>;
    default:
      return <>{children}</>;
  }
}

/** One detail value as a reader wants it: money in yuan, roles and reasons in words, times in Shanghai time. */
function formatValue(key: string, v: unknown, t: T, exists: (k: string) => boolean, lang: string): ReactNode {
  if (typeof v === 'boolean') return v ? t('backOffice.audit.yes') : t('backOffice.audit.no');
  if (typeof v === 'number' && key.endsWith('Fen')) return formatYuan(v, lang);
  if (Array.isArray(v)) {
    if (ROLE_KEYS.has(key) || v.every((x) => typeof x === 'string' && exists(`roles.${x}`)))
      return v.map((r) => (exists(`roles.${String(r)}`) ? t(`roles.${String(r)}`) : String(r))).join(', ') || '—';
    if (v.every((x) => typeof x === 'string' && UUID.test(x))) return String(v.length);
    return v.map(String).join(', ');
  }
  if (typeof v === 'string') {
    if (key === 'reason' && exists(`reject.${v}`)) return t(`reject.${v}`);
    if (key === 'channel' && exists(`channel.${v}`)) return t(`channel.${v}`);
    if (key === 'method' && exists(`payoutMethod.${v}`)) return t(`payoutMethod.${v}`);
    if (key === 'submissionId' && UUID.test(v))
      return (
        <ObjectLink type="submission" id={v}>
          {v.slice(0, 8)}
        </ObjectLink>
      );
    if (key === 'campaignId' && UUID.test(v))
      return (
        <ObjectLink type="campaign" id={v}>
          {v.slice(0, 8)}
        </ObjectLink>
      );
    if (UUID.test(v)) return <code>{v.slice(0, 8)}</code>;
    if (ISO.test(v)) return formatDateTime(v, lang);
    return v;
  }
  if (v && typeof v === 'object') return <code>{JSON.stringify(v)}</code>;
  return String(v);
}

function Details({ e }: { e: AuditEntry }) {
  const { t, i18n } = useTranslation();
  const exists = (k: string) => i18n.exists(k);
  const fields = Object.entries(e.data ?? {}).filter(([k, v]) => v !== null && v !== undefined && v !== '' && !HIDDEN.has(k));
  return (
    <>
      {fields.length ? (
        <dl className="facts small audit-fields">
          {fields.map(([k, v]) => (
            <div key={k}>
              <dt>{exists(`backOffice.audit.fields.${k}`) ? t(`backOffice.audit.fields.${k}`) : k}</dt>
              <dd>{formatValue(k, v, t, exists, i18n.language)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {e.data && Object.keys(e.data).length ? (
        <details className="audit-json">
          <summary>{t('backOffice.audit.showJson')}</summary>
          <pre>{JSON.stringify(e.data, null, 2)}</pre>
        </details>
      ) : null}
    </>
  );
}

/** The action in words; an action written after this catalogue was made still shows, as its code. */
function sentence(e: AuditEntry, t: T, exists: (k: string) => boolean): string {
  const key = `backOffice.audit.actions.${e.action}`;
  if (!exists(key)) return t('backOffice.audit.unknown', { code: e.action });
  const vars = Object.fromEntries(Object.entries(e.data ?? {}).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? v : '']));
  return t(key, { ...vars, interpolation: { escapeValue: false } });
}

function Filters({ value, onApply }: { value: AuditFilter; onApply: (f: AuditFilter) => void }) {
  const { t } = useTranslation();
  const [f, setF] = useState<AuditFilter>(value);
  const actions = t('backOffice.audit.actions', { returnObjects: true }) as unknown as Record<string, Record<string, string>>;
  const set = (patch: Partial<AuditFilter>) => setF((x) => ({ ...x, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? v.trim() || undefined : v])));
  };
  return (
    <form className="filter-bar" aria-label={t('backOffice.audit.filters')} onSubmit={submit}>
      <Field
        label={t('backOffice.audit.actor')}
        type="search"
        value={f.actor ?? ''}
        maxLength={100}
        onChange={(e) => set({ actor: e.target.value, actorId: undefined })}
      />
      <label>
        <span>{t('backOffice.audit.action')}</span>
        <select value={f.action ?? ''} onChange={(e) => set({ action: e.target.value || undefined })}>
          <option value="">{t('backOffice.audit.anyAction')}</option>
          {Object.entries(actions).map(([domain, verbs]) => (
            <optgroup key={domain} label={t(`backOffice.audit.domains.${domain}`)}>
              <option value={domain}>{t(`backOffice.audit.domains.${domain}`)} · *</option>
              {Object.entries(verbs).map(([verb]) => (
                <option key={verb} value={`${domain}.${verb}`}>
                  {t(`backOffice.audit.actions.${domain}.${verb}`, { grade: '…', from: '…', to: '…', userName: '…' })}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label>
        <span>{t('backOffice.audit.objectType')}</span>
        <select value={f.objectType ?? ''} onChange={(e) => set({ objectType: e.target.value || undefined })}>
          <option value="">{t('backOffice.audit.anyObject')}</option>
          {OBJECT_TYPES.map((o) => (
            <option key={o} value={o}>
              {t(`backOffice.audit.objects.${o}`)}
            </option>
          ))}
        </select>
      </label>
      <Field label={t('backOffice.audit.objectId')} value={f.objectId ?? ''} maxLength={100} onChange={(e) => set({ objectId: e.target.value })} />
      <Field label={t('backOffice.audit.from')} type="date" value={f.from ?? ''} onChange={(e) => set({ from: e.target.value })} />
      <Field label={t('backOffice.audit.to')} type="date" value={f.to ?? ''} onChange={(e) => set({ to: e.target.value })} />
      <button type="submit" className="btn btn-primary">
        {t('backOffice.audit.apply')}
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={() => {
          setF({});
          onApply({});
        }}
      >
        {t('backOffice.audit.clear')}
      </button>
    </form>
  );
}

function AuditTable() {
  const { t, i18n } = useTranslation();
  const exists = (k: string) => i18n.exists(k);
  const initial = getRouteApi('/desk/audit').useSearch();
  const [filter, setFilter] = useState<AuditFilter>(initial);
  const [page, setPage] = useState(1);
  const apply = (f: AuditFilter) => {
    setFilter(f);
    setPage(1);
  };
  const q = useAuditPage(filter, page, PAGE);
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / PAGE)) : 1;
  return (
    <>
      <Filters key={JSON.stringify(filter)} value={filter} onApply={apply} />
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        isMissing(q.error) ? (
          <Alert tone="info">{t('common.notYet')}</Alert>
        ) : (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        )
      ) : (
        <>
          <p className="muted small" aria-live="polite">
            {t('backOffice.audit.total', { count: q.data.total })}
          </p>
          {q.data.entries.length === 0 ? (
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
                  {q.data.entries.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">{formatDateTime(e.at, i18n.language)}</td>
                      <td>
                        {e.actorId ? (
                          <button
                            type="button"
                            className="btn-link"
                            title={t('backOffice.audit.byActor', { name: e.actorName ?? e.actorId })}
                            onClick={() => apply({ ...filter, actorId: e.actorId ?? undefined, actor: undefined })}
                          >
                            {e.actorName ?? e.actorId.slice(0, 8)}
                          </button>
                        ) : (
                          t('backOffice.audit.system')
                        )}
                      </td>
                      <td className="audit-sentence">{sentence(e, t, exists)}</td>
                      <td>
                        {exists(`backOffice.audit.objects.${e.objectType}`) ? t(`backOffice.audit.objects.${e.objectType}`) : e.objectType}{' '}
                        {e.objectId ? (
                          <ObjectLink type={e.objectType} id={e.objectId}>
                            {e.objectName ?? e.objectId.slice(0, 8)}
                          </ObjectLink>
                        ) : null}
                      </td>
                      <td>
                        <Details e={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label={t('audit.pages')}>
            <button type="button" className="btn btn-secondary btn-sm" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              {t('audit.newer')}
            </button>
            <span className="muted small">{t('backOffice.users.page', { page, pages })}</span>
            <button type="button" className="btn btn-secondary btn-sm" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
              {t('audit.older')}
            </button>
          </nav>
        </>
      )}
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
