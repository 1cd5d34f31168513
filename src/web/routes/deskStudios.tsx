import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import type { Campaign } from '../../contracts/campaigns.js';
import { errorMessage } from '../api/client.js';
import { deskKeys, saveStudio, useStudios, type Studio, type StudioInput } from '../api/desk.js';
import { api } from '../api/client.js';
import { useStaffSearch } from '../api/backOffice.js';
import { useAdminCampaigns, useCampaigns } from '../api/queries.js';
import { campaignTheme, CHIEFS, DeskNav } from '../features/desk/deskUi.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { loc } from '../ui/format.js';

let seq = 0;

/**
 * Staffing one studio: its members (make lead, remove) and a picker that searches staff on the
 * server, page by page, instead of listing every account. Each click is one audited change.
 */
function StudioStaff({ studio, onDone }: { studio: Studio; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [size, setSize] = useState(10);
  const found = useStaffSearch(q, size);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (path: string, method: 'POST' | 'DELETE' | 'PUT', body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/desk/studios/${studio.id}${path}`, { method, ...(body ? { body } : {}) });
      await qc.invalidateQueries({ queryKey: deskKeys.studios });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const memberIds = new Set(studio.members.map((m) => m.id));
  return (
    <section className="desk-panel" aria-labelledby="studio-staff-h">
      <div className="page-head">
        <h2 id="studio-staff-h">{t('backOffice.studios.membersOf', { name: studio.name })}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDone}>
          {t('backOffice.studios.done')}
        </button>
      </div>
      {error ? <Alert>{error}</Alert> : null}
      {studio.members.length === 0 ? (
        <p>{t('studios.noMembers')}</p>
      ) : (
        <ul className="studio-member-list">
          {studio.members.map((m) => (
            <li key={m.id}>
              <span>
                {m.name} {m.id === studio.leadUserId ? <strong className="badge">{t('backOffice.studios.lead')}</strong> : null}
              </span>
              <span className="row-actions">
                {m.id === studio.leadUserId ? (
                  <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void change('/lead', 'PUT', { userId: null })}>
                    {t('backOffice.studios.clearLead')}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn btn-secondary btn-sm"
                    disabled={busy}
                    aria-label={t('backOffice.studios.makeLeadLabel', { name: m.name })}
                    onClick={() => void change('/lead', 'PUT', { userId: m.id })}
                  >
                    {t('backOffice.studios.makeLead')}
                  </button>
                )}
                <button
                  type="button"
                  className="btn btn-danger btn-sm"
                  disabled={busy}
                  aria-label={t('backOffice.studios.removeLabel', { name: m.name })}
                  onClick={() => void change(`/members/${m.id}`, 'DELETE')}
                >
                  {t('backOffice.studios.remove')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form
        className="staff-picker"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSize(10);
          setQ(text.trim());
        }}
      >
        <Field label={t('backOffice.studios.find')} type="search" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="btn btn-secondary btn-sm">
          {t('backOffice.users.search')}
        </button>
        {found.isPending ? (
          <Loading />
        ) : found.isError ? (
          <ErrorState error={found.error} onRetry={() => void found.refetch()} />
        ) : found.data.users.length === 0 ? (
          <p className="empty-state">{t('backOffice.studios.noStaff')}</p>
        ) : (
          <>
            <ul>
              {found.data.users.map((u) => (
                <li key={u.id}>
                  <span>
                    {u.name} <span className="muted small">{u.email}</span>
                  </span>
                  {memberIds.has(u.id) ? (
                    <span className="muted small">{t('backOffice.studios.already')}</span>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-primary btn-sm"
                      disabled={busy}
                      aria-label={t('backOffice.studios.addLabel', { name: u.name })}
                      onClick={() => void change('/members', 'POST', { userId: u.id })}
                    >
                      {t('backOffice.studios.add')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {found.data.total > found.data.users.length && size < 50 ? (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSize((n) => Math.min(50, n + 10))}>
                {t('backOffice.studios.more')}
              </button>
            ) : null}
          </>
        )}
      </form>
    </section>
  );
}
interface RouteRow {
  rid: number;
  campaignId: string;
  theme: string;
}

/** Name and routes; members and the lead are staffed one at a time in StudioStaff (each change audited). */
function StudioForm({ studio, campaigns, onDone }: { studio: Studio | null; campaigns: Campaign[]; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [name, setName] = useState(studio?.name ?? '');
  const [routes, setRoutes] = useState<RouteRow[]>(studio?.routes.map((r) => ({ rid: ++seq, campaignId: r.campaignId, theme: r.theme ?? '' })) ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError(t('studios.nameRequired'));
      return;
    }
    if (routes.some((r) => !r.campaignId)) {
      setError(t('studios.routeCampaign'));
      return;
    }
    const body: Partial<StudioInput> = {
      name: name.trim(),
      routes: routes.map((r) => ({ campaignId: r.campaignId, theme: r.theme || null })),
    };
    setBusy(true);
    setError(null);
    try {
      await saveStudio(studio?.id ?? null, body);
      await qc.invalidateQueries({ queryKey: deskKeys.studios });
      onDone();
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const setRoute = (i: number, patch: Partial<RouteRow>) => setRoutes((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form className="desk-panel studio-form" onSubmit={submit} aria-labelledby="studio-form-h" noValidate>
      <h2 id="studio-form-h">{studio ? t('studios.editTitle', { name: studio.name }) : t('studios.newTitle')}</h2>
      {error ? <Alert>{error}</Alert> : null}
      <Field label={t('studios.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
      <fieldset className="sub">
        <legend>{t('studios.routes')}</legend>
        <p className="hint">{t('studios.routesHint')}</p>
        {routes.map((r, i) => {
          const c = campaigns.find((x) => x.id === r.campaignId);
          return (
            <div key={r.rid} className="route-row">
              <label>
                <span className="sr-only">{t('studios.routeCampaignN', { n: i + 1 })}</span>
                <select value={r.campaignId} onChange={(e) => setRoute(i, { campaignId: e.target.value, theme: '' })}>
                  <option value="">{t('submit.choose')}</option>
                  {campaigns.map((x) => (
                    <option key={x.id} value={x.id}>
                      {loc(x.title, lang)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span className="sr-only">{t('studios.routeThemeN', { n: i + 1 })}</span>
                <select value={r.theme} onChange={(e) => setRoute(i, { theme: e.target.value })} disabled={!c}>
                  <option value="">{t('studios.wholeCampaign')}</option>
                  {c?.themes.map((th) => (
                    <option key={th.key} value={th.key}>
                      {loc(th.title, lang)}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setRoutes((rs) => rs.filter((_, j) => j !== i))}
                aria-label={t('studios.removeRoute', { n: i + 1 })}
              >
                {t('common.remove')}
              </button>
            </div>
          );
        })}
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setRoutes((rs) => [...rs, { rid: ++seq, campaignId: '', theme: '' }])}>
          {t('studios.addRoute')}
        </button>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function StudiosBody({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const isAdmin = me.roles.includes('admin');
  const q = useStudios();
  const adminCampaigns = useAdminCampaigns();
  const publicCampaigns = useCampaigns();
  const campaigns = (isAdmin && adminCampaigns.data ? adminCampaigns.data : publicCampaigns.data) ?? [];
  const [editing, setEditing] = useState<Studio | 'new' | null>(null);
  const [staffing, setStaffing] = useState<string | null>(null);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <>
      {editing ? (
        <StudioForm
          key={editing === 'new' ? 'new' : editing.id}
          studio={editing === 'new' ? null : editing}
          campaigns={campaigns}
          onDone={() => setEditing(null)}
        />
      ) : (
        <p>
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            {t('studios.new')}
          </button>
        </p>
      )}
      {staffing && q.data.some((s) => s.id === staffing) ? (
        <StudioStaff studio={q.data.find((s) => s.id === staffing)!} onDone={() => setStaffing(null)} />
      ) : null}
      {q.data.length === 0 ? (
        <p className="empty-state">{t('studios.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('studios.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('studios.name')}</th>
                <th scope="col">{t('studios.lead')}</th>
                <th scope="col">{t('studios.members')}</th>
                <th scope="col">{t('studios.routes')}</th>
                <th scope="col">
                  <span className="sr-only">{t('studios.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((s) => (
                <tr key={s.id}>
                  <td>{s.name}</td>
                  <td>{s.members.find((m) => m.id === s.leadUserId)?.name ?? (s.leadUserId ? s.leadUserId.slice(0, 8) : t('common.none'))}</td>
                  <td>{s.members.length ? s.members.map((m) => m.name).join(', ') : t('common.none')}</td>
                  <td>
                    {s.routes.length ? (
                      <ul className="plain-list">
                        {s.routes.map((r) => {
                          const ct = campaignTheme(campaigns, r.campaignId, r.theme, lang);
                          return (
                            <li key={`${r.campaignId}-${r.theme ?? ''}`}>
                              {ct.campaign} · {ct.theme || t('studios.wholeCampaign')}
                            </li>
                          );
                        })}
                      </ul>
                    ) : (
                      t('common.none')
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      onClick={() => setEditing(s)}
                      aria-label={t('studios.editLabel', { name: s.name })}
                    >
                      {t('admin.edit')}
                    </button>{' '}
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      onClick={() => setStaffing(s.id)}
                      aria-label={t('backOffice.studios.staffLabel', { name: s.name })}
                    >
                      {t('backOffice.studios.staff')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function StudiosPage() {
  const { t } = useTranslation();
  useTitle(t('studios.title'));
  return (
    <RequireRole roles={CHIEFS}>
      {(me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <h1>{t('studios.title')}</h1>
          <p className="muted small">{t('backOffice.studios.intro')}</p>
          <StudiosBody me={me} />
        </div>
      )}
    </RequireRole>
  );
}
