import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import type { AdminUser, Me, Role } from '../../contracts/accounts.js';
import { backOfficeKeys, resetSignIn, saveUser, useUserDetail, useUserSearch, type UserSearch } from '../api/backOffice.js';
import { api, errorMessage } from '../api/client.js';
import { keys } from '../api/queries.js';
import { Alert, Field, TextArea } from '../ui/Field.js';
import { ConfirmBox, ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDate, formatDateTime } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

const ROLES: readonly Role[] = ['contributor', 'reporter', 'editor', 'chief_editor', 'finance', 'admin'];

function CreateUser() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(['editor']);
  const [fieldErr, setFieldErr] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs.email = t('auth.emailInvalid');
    if (!name.trim()) errs.name = t('common.required');
    if (password.length < 12) errs.password = t('auth.passwordShort', { min: 12 });
    if (password.length > 128) errs.password = t('auth.passwordLong', { max: 128 });
    if (roles.length === 0) errs.roles = t('admin.usersPage.rolesMin');
    setFieldErr(errs);
    setMsg(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api('/api/admin/users', { method: 'POST', body: { email: email.trim(), name: name.trim(), password, roles } });
      setMsg({ tone: 'success', text: t('admin.usersPage.created', { email: email.trim() }) });
      setEmail('');
      setName('');
      setPassword('');
      await qc.invalidateQueries({ queryKey: keys.adminUsers });
    } catch (x) {
      setMsg({ tone: 'error', text: errorMessage(x) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-user-h" className="card">
      <h2 id="create-user-h">{t('admin.usersPage.create')}</h2>
      <form onSubmit={submit} noValidate className="stack">
        {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
        <div className="grid-3">
          <Field
            label={t('admin.usersPage.email')}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldErr.email}
            required
          />
          <Field label={t('admin.usersPage.name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldErr.name} required />
          <Field
            label={t('admin.usersPage.password')}
            type="password"
            autoComplete="new-password"
            hint={t('auth.passwordHint')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldErr.password}
            required
          />
        </div>
        <fieldset aria-describedby={fieldErr.roles ? 'create-roles-err' : undefined}>
          <legend>{t('admin.usersPage.roles')}</legend>
          <div className="checks">
            {ROLES.map((r) => (
              <label key={r} className="check">
                <input
                  type="checkbox"
                  checked={roles.includes(r)}
                  onChange={(e) => setRoles((rs) => (e.target.checked ? [...rs, r] : rs.filter((x) => x !== r)))}
                />
                {t(`roles.${r}`)}
              </label>
            ))}
          </div>
          {fieldErr.roles ? (
            <p id="create-roles-err" className="field-error">
              {fieldErr.roles}
            </p>
          ) : null}
        </fieldset>
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('admin.usersPage.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}

const PAGE_SIZE = 25;
const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && a.every((r) => b.includes(r));

/** One account: its facts, the role editor, disable/enable and "reset sign-in", all in one place. */
function UserEditor({ id, me, onClose }: { id: string; me: Me; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const q = useUserDetail(id);
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [confirming, setConfirming] = useState<'grant' | 'dropOwn' | null>(null);
  const [reason, setReason] = useState('');
  const [reasonErr, setReasonErr] = useState<string | null>(null);
  const [resetAsk, setResetAsk] = useState(false);
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const u = q.data;
  const chosen = roles ?? u.roles;
  const self = u.id === me.id;

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setMsg(null);
    try {
      const text = await work();
      setMsg({ tone: 'success', text });
      await qc.invalidateQueries({ queryKey: backOfficeKeys.users });
    } catch (x) {
      setMsg({ tone: 'error', text: errorMessage(x) });
    } finally {
      setBusy(false);
    }
  };
  const save = (confirm: boolean) =>
    run(async () => {
      await saveUser(u.id, { roles: chosen, ...(confirm ? { confirm: true } : {}) });
      setConfirming(null);
      setRoles(null);
      return t('backOffice.user.rolesSaved');
    });
  const askSave = () => {
    if (chosen.length === 0) return setMsg({ tone: 'error', text: t('backOffice.user.rolesMin') });
    // The server asks for the same confirmation (409 user.confirm_admin); asking first saves a round trip.
    if (!u.roles.includes('admin') && chosen.includes('admin')) return setConfirming('grant');
    if (self && u.roles.includes('admin') && !chosen.includes('admin')) return setConfirming('dropOwn');
    void save(false);
  };
  const reset = () =>
    run(async () => {
      const out = await resetSignIn(u.id, reason.trim());
      setResetAsk(false);
      setReason('');
      return t('backOffice.user.resetDone', { count: out.sessionsRevoked });
    });

  return (
    <section className="desk-panel user-editor" aria-labelledby="user-editor-h">
      <div className="page-head">
        <h2 id="user-editor-h">{t('backOffice.user.title', { name: u.name })}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
          {t('backOffice.user.close')}
        </button>
      </div>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      {u.disabled ? <Alert tone="info">{t('backOffice.user.disabledNote')}</Alert> : null}
      <dl className="facts small">
        <dt>{t('backOffice.user.email')}</dt>
        <dd>{u.email ?? t('common.none')}</dd>
        <dt>{t('backOffice.user.phone')}</dt>
        <dd>{u.phone ?? t('common.none')}</dd>
        <dt>{t('backOffice.user.language')}</dt>
        <dd>{u.locale === 'en' ? t('lang.en') : t('lang.zh')}</dd>
        <dt>{t('backOffice.user.created')}</dt>
        <dd>{formatDateTime(u.createdAt, lang)}</dd>
        <dt>{t('backOffice.user.password')}</dt>
        <dd>{u.hasPassword ? t('backOffice.user.passwordSet') : t('backOffice.user.passwordNone')}</dd>
        <dt>{t('backOffice.user.sessions')}</dt>
        <dd>{t('backOffice.user.sessions', { count: u.activeSessions })}</dd>
        <dt>{t('backOffice.user.lastSeen')}</dt>
        <dd>{u.lastSeenAt ? formatDateTime(u.lastSeenAt, lang) : t('backOffice.user.never')}</dd>
      </dl>
      <fieldset>
        <legend>{t('backOffice.user.roles')}</legend>
        <div className="checks">
          {ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(r)}
                disabled={busy}
                onChange={(e) => {
                  setConfirming(null);
                  setRoles(e.target.checked ? [...chosen, r] : chosen.filter((x) => x !== r));
                }}
              />
              {t(`roles.${r}`)}
            </label>
          ))}
        </div>
        {confirming ? (
          <ConfirmBox
            label={t('backOffice.user.confirmLabel')}
            text={confirming === 'grant' ? t('backOffice.user.confirmGrant', { name: u.name }) : t('backOffice.user.confirmDropOwn')}
            confirm={t('backOffice.user.confirmYes')}
            cancel={t('backOffice.user.cancel')}
            busy={busy}
            onConfirm={() => void save(true)}
            onCancel={() => setConfirming(null)}
          />
        ) : (
          <button type="button" className="btn btn-primary btn-sm" disabled={busy || sameRoles(chosen, u.roles)} onClick={askSave}>
            {t('backOffice.user.saveRoles')}
          </button>
        )}
      </fieldset>
      <div className="row-actions">
        {self ? null : (
          <button
            type="button"
            className={`btn btn-sm ${u.disabled ? 'btn-secondary' : 'btn-danger'}`}
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await saveUser(u.id, { disabled: !u.disabled });
                return t('admin.usersPage.saved');
              })
            }
          >
            {u.disabled ? t('backOffice.user.enable') : t('backOffice.user.disable')}
          </button>
        )}
        <Link to="/desk/audit" search={{ objectType: 'user', objectId: u.id }} className="btn btn-ghost btn-sm">
          {t('backOffice.user.audit')}
        </Link>
      </div>
      <fieldset>
        <legend>{t('backOffice.user.reset')}</legend>
        {self ? (
          <p className="hint">{t('backOffice.user.resetSelf')}</p>
        ) : (
          <>
            <p className="hint">{t('backOffice.user.resetHint')}</p>
            <TextArea
              label={t('backOffice.user.resetReason')}
              value={reason}
              maxLength={500}
              rows={2}
              error={reasonErr}
              onChange={(e) => setReason(e.target.value)}
            />
            {resetAsk ? (
              <ConfirmBox
                label={t('backOffice.user.reset')}
                text={t('backOffice.user.resetConfirm', { name: u.name })}
                confirm={t('backOffice.user.resetYes')}
                cancel={t('backOffice.user.cancel')}
                busy={busy}
                onConfirm={() => void reset()}
                onCancel={() => setResetAsk(false)}
              />
            ) : (
              <button
                type="button"
                className="btn btn-danger btn-sm"
                disabled={busy}
                onClick={() => {
                  const missing = !reason.trim();
                  setReasonErr(missing ? t('backOffice.user.reasonRequired') : null);
                  if (!missing) setResetAsk(true);
                }}
              >
                {t('backOffice.user.resetSubmit')}
              </button>
            )}
          </>
        )}
      </fieldset>
    </section>
  );
}

/** The search form, one page of results and the pager; opening a user puts `?user=` in the address. */
function UserSearchPanel({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const search = getRouteApi('/admin/users').useSearch();
  const navigate = useNavigate({ from: '/admin/users' });
  const [text, setText] = useState(search.q ?? '');
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<'' | 'active' | 'disabled'>('');
  const [sort, setSort] = useState<UserSearch['sort']>('newest');
  const [page, setPage] = useState(1);
  const q = useUserSearch({ q: search.q, role: role || undefined, status: status || undefined, sort, page, pageSize: PAGE_SIZE });
  const open = (user: string | undefined) => void navigate({ search: (s) => ({ ...s, user }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    void navigate({ search: (s) => ({ ...s, q: text.trim() || undefined }), replace: true });
  };
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      {search.user ? <UserEditor key={search.user} id={search.user} me={me} onClose={() => open(undefined)} /> : null}
      <section aria-labelledby="user-search-h">
        <h2 id="user-search-h" className="sr-only">
          {t('backOffice.users.search')}
        </h2>
        <form className="filter-bar" role="search" onSubmit={submit}>
          <Field label={t('backOffice.users.searchLabel')} type="search" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
          <label>
            <span>{t('backOffice.users.role')}</span>
            <select
              value={role}
              onChange={(e) => {
                setRole(e.target.value as Role | '');
                setPage(1);
              }}
            >
              <option value="">{t('backOffice.users.anyRole')}</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`roles.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('backOffice.users.status')}</span>
            <select
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as '' | 'active' | 'disabled');
                setPage(1);
              }}
            >
              <option value="">{t('backOffice.users.anyStatus')}</option>
              <option value="active">{t('admin.usersPage.active')}</option>
              <option value="disabled">{t('admin.usersPage.disabled')}</option>
            </select>
          </label>
          <label>
            <span>{t('backOffice.users.sort')}</span>
            <select value={sort} onChange={(e) => setSort(e.target.value as UserSearch['sort'])}>
              {(['newest', 'oldest', 'name'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`backOffice.users.sorts.${x}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn btn-primary">
            {t('backOffice.users.search')}
          </button>
        </form>
        <p className="hint">{t('backOffice.users.searchHint')}</p>
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <>
            <p className="muted small" aria-live="polite">
              {t('backOffice.users.total', { count: q.data.total })}
            </p>
            {q.data.users.length === 0 ? (
              <p className="empty-state">{t('backOffice.users.none')}</p>
            ) : (
              <div className="table-wrap">
                <table className="data-table">
                  <caption className="sr-only">{t('admin.usersPage.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.usersPage.col.name')}</th>
                      <th scope="col">{t('admin.usersPage.col.login')}</th>
                      <th scope="col">{t('admin.usersPage.col.roles')}</th>
                      <th scope="col">{t('admin.usersPage.col.status')}</th>
                      <th scope="col">{t('admin.usersPage.col.created')}</th>
                      <th scope="col">
                        <span className="sr-only">{t('admin.usersPage.col.actions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {q.data.users.map((u: AdminUser) => (
                      <tr key={u.id} className={u.disabled ? 'row-disabled' : u.id === search.user ? 'is-selected' : undefined}>
                        <th scope="row">{u.name}</th>
                        <td>{[u.email, u.phone].filter(Boolean).join(' · ') || t('common.none')}</td>
                        <td>{u.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
                        <td>{u.disabled ? t('admin.usersPage.disabled') : t('admin.usersPage.active')}</td>
                        <td className="nowrap">{formatDate(u.createdAt, i18n.language)}</td>
                        <td>
                          <button
                            type="button"
                            className="btn btn-secondary btn-sm"
                            aria-label={t('backOffice.users.openLabel', { name: u.name })}
                            onClick={() => open(u.id)}
                          >
                            {t('backOffice.users.open')}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <nav className="pager" aria-label={t('backOffice.users.pages')}>
              <button type="button" className="btn btn-secondary btn-sm" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                {t('backOffice.users.prev')}
              </button>
              <span className="muted small">{t('backOffice.users.page', { page, pages })}</span>
              <button type="button" className="btn btn-secondary btn-sm" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                {t('backOffice.users.next')}
              </button>
            </nav>
          </>
        )}
      </section>
    </>
  );
}

export function AdminUsersPage() {
  const { t } = useTranslation();
  useTitle(t('admin.usersPage.title'));
  return (
    <RequireRole roles={['admin']}>
      {(me) => (
        <div className="staff">
          <AdminNav />
          <h1>{t('admin.usersPage.title')}</h1>
          <UserSearchPanel me={me} />
          <CreateUser />
        </div>
      )}
    </RequireRole>
  );
}
