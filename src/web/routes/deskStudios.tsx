import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import type { Campaign } from '../../contracts/campaigns.js';
import { errorMessage } from '../api/client.js';
import { deskKeys, saveStudio, useStudios, type Studio, type StudioInput } from '../api/desk.js';
import { useAdminCampaigns, useAdminUsers, useCampaigns } from '../api/queries.js';
import { campaignTheme, CHIEFS, DeskNav } from '../features/desk/deskUi.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { loc } from '../ui/format.js';

let seq = 0;
interface RouteRow {
  rid: number;
  campaignId: string;
  theme: string;
}

function StudioForm({ studio, isAdmin, campaigns, onDone }: { studio: Studio | null; isAdmin: boolean; campaigns: Campaign[]; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  // Only administrators may list accounts, so only they pick members; chief editors edit name, lead and routes.
  const users = useAdminUsers();
  const staffUsers = isAdmin
    ? (users.data ?? []).filter((u) => !u.disabled && u.roles.some((r) => r === 'editor' || r === 'chief_editor' || r === 'admin'))
    : [];
  const [name, setName] = useState(studio?.name ?? '');
  const [lead, setLead] = useState(studio?.leadUserId ?? '');
  const [members, setMembers] = useState<string[]>(studio?.members.map((m) => m.id) ?? []);
  const [routes, setRoutes] = useState<RouteRow[]>(studio?.routes.map((r) => ({ rid: ++seq, campaignId: r.campaignId, theme: r.theme ?? '' })) ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const leadChoices = isAdmin ? staffUsers.filter((u) => members.includes(u.id)).map((u) => ({ id: u.id, name: u.name })) : (studio?.members ?? []);

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
      ...(lead ? { leadUserId: lead } : {}),
      ...(isAdmin ? { memberIds: members } : {}),
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
      <div className="grid-2">
        <Field label={t('studios.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
        <div className="field">
          <label htmlFor="studio-lead">{t('studios.lead')}</label>
          <select id="studio-lead" value={lead} onChange={(e) => setLead(e.target.value)}>
            <option value="">{t('common.none')}</option>
            {leadChoices.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="sub">
        <legend>{t('studios.members')}</legend>
        {isAdmin ? (
          users.isPending ? (
            <Loading />
          ) : (
            <div className="checks compact member-checks">
              {staffUsers.map((u) => (
                <div className="check" key={u.id}>
                  <input
                    id={`m-${u.id}`}
                    type="checkbox"
                    checked={members.includes(u.id)}
                    onChange={(e) => setMembers((ms) => (e.target.checked ? [...ms, u.id] : ms.filter((x) => x !== u.id)))}
                  />
                  <label htmlFor={`m-${u.id}`}>
                    {u.name} <span className="muted small">{u.email ?? u.phone}</span>
                  </label>
                </div>
              ))}
            </div>
          )
        ) : (
          <>
            <p>{studio?.members.length ? studio.members.map((m) => m.name).join(', ') : t('studios.noMembers')}</p>
            <p className="hint">{t('studios.membersAdminOnly')}</p>
          </>
        )}
      </fieldset>
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
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <>
      {editing ? (
        <StudioForm
          key={editing === 'new' ? 'new' : editing.id}
          studio={editing === 'new' ? null : editing}
          isAdmin={isAdmin}
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
          <p className="muted small">{me.roles.includes('admin') ? t('studios.introAdmin') : t('studios.introChief')}</p>
          <StudiosBody me={me} />
        </div>
      )}
    </RequireRole>
  );
}
