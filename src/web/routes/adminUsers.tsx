import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AdminUser, Role } from '../../contracts/accounts.js';
import { api, errorMessage } from '../api/client.js';
import { keys, useAdminUsers } from '../api/queries.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDate } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

const ROLES: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];

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

function UserRow({ u }: { u: AdminUser }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [roles, setRoles] = useState<Role[]>(u.roles);
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const patch = async (body: { roles?: Role[]; disabled?: boolean }) => {
    setBusy(true);
    setMsg(null);
    try {
      await api(`/api/admin/users/${u.id}`, { method: 'PATCH', body });
      setMsg({ tone: 'success', text: t('admin.usersPage.saved') });
      await qc.invalidateQueries({ queryKey: keys.adminUsers });
    } catch (x) {
      setMsg({ tone: 'error', text: errorMessage(x) });
    } finally {
      setBusy(false);
    }
  };
  const changed = roles.length !== u.roles.length || roles.some((r) => !u.roles.includes(r));
  return (
    <tr className={u.disabled ? 'row-disabled' : undefined}>
      <th scope="row">{u.name}</th>
      <td>{u.email ?? u.phone ?? t('common.none')}</td>
      <td>
        <div className="checks compact">
          {ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                aria-label={t('admin.usersPage.roleFor', { role: t(`roles.${r}`), name: u.name })}
                checked={roles.includes(r)}
                onChange={(e) => setRoles((rs) => (e.target.checked ? [...rs, r] : rs.filter((x) => x !== r)))}
              />
              <span aria-hidden="true">{t(`roles.${r}`)}</span>
            </label>
          ))}
        </div>
      </td>
      <td>{u.disabled ? t('admin.usersPage.disabled') : t('admin.usersPage.active')}</td>
      <td className="nowrap">{formatDate(u.createdAt, i18n.language)}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={busy || !changed || roles.length === 0}
            aria-label={t('admin.usersPage.saveRolesLabel', { name: u.name })}
            onClick={() => void patch({ roles })}
          >
            {t('admin.usersPage.saveRoles')}
          </button>
          <button
            type="button"
            className={`btn btn-sm ${u.disabled ? 'btn-secondary' : 'btn-danger'}`}
            disabled={busy}
            aria-label={u.disabled ? t('admin.usersPage.enableLabel', { name: u.name }) : t('admin.usersPage.disableLabel', { name: u.name })}
            onClick={() => void patch({ disabled: !u.disabled })}
          >
            {u.disabled ? t('admin.usersPage.enable') : t('admin.usersPage.disable')}
          </button>
        </div>
        {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      </td>
    </tr>
  );
}

function UserTable() {
  const { t } = useTranslation();
  const q = useAdminUsers();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
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
            <th scope="col">{t('admin.usersPage.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((u) => (
            <UserRow key={`${u.id}:${u.roles.join(',')}`} u={u} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AdminUsersPage() {
  const { t } = useTranslation();
  useTitle(t('admin.usersPage.title'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('admin.usersPage.title')}</h1>
          <CreateUser />
          <UserTable />
        </div>
      )}
    </RequireRole>
  );
}
