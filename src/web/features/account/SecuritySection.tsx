import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../contracts/accounts.js';
import { api, errorMessage } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import { Alert, Field } from '../../ui/Field.js';
import { ErrorState, Loading } from '../../ui/common.js';

const PASSWORD_MIN = 12;
const PASSWORD_MAX = 128;
const securityKey = ['me', 'security'] as const;

type Msg = { tone: 'error' | 'success'; text: string } | null;

/** Change the password (or set a first one on a phone-only account); every other session ends. */
function PasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const [fieldErr, setFieldErr] = useState<{ current?: string; next?: string; confirm?: string }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof fieldErr = {};
    if (hasPassword && !current) errs.current = t('common.required');
    if ([...next].length < PASSWORD_MIN) errs.next = t('auth.passwordShort', { min: PASSWORD_MIN });
    else if (next !== confirm) errs.confirm = t('security.mismatch');
    setFieldErr(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<{ revokedSessions: number }>('/api/me/password', {
        method: 'POST',
        body: hasPassword ? { currentPassword: current, newPassword: next } : { newPassword: next },
      });
      setCurrent('');
      setNext('');
      setConfirm('');
      setMsg({ tone: 'success', text: t('security.changed', { n: r.revokedSessions }) });
      await qc.invalidateQueries({ queryKey: keys.sessions });
      await qc.invalidateQueries({ queryKey: securityKey });
    } catch (err) {
      setMsg({ tone: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="stack" aria-labelledby="password-h">
      <h3 id="password-h">{hasPassword ? t('security.changeTitle') : t('security.setTitle')}</h3>
      {hasPassword ? null : <p className="muted">{t('security.setIntro')}</p>}
      {hasPassword ? (
        <Field
          label={t('security.currentPassword')}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={fieldErr.current}
          required
        />
      ) : null}
      <Field
        label={t('security.newPassword')}
        type="password"
        autoComplete="new-password"
        hint={t('auth.passwordHint')}
        maxLength={PASSWORD_MAX}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        error={fieldErr.next}
        required
      />
      <Field
        label={t('security.confirmPassword')}
        type="password"
        autoComplete="new-password"
        maxLength={PASSWORD_MAX}
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={fieldErr.confirm}
        required
      />
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      <button type="submit" className="btn btn-secondary" disabled={busy}>
        {busy ? t('common.saving') : hasPassword ? t('security.submitChange') : t('security.submitSet')}
      </button>
    </form>
  );
}

/** "Sign out everywhere else": the sessions list above refreshes to show only this device. */
function SignOutOthers() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const run = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<{ revokedSessions: number }>('/api/me/sessions/sign-out-others', { method: 'POST', body: {} });
      setMsg({ tone: 'success', text: t('security.signedOutOthers', { n: r.revokedSessions }) });
      await qc.invalidateQueries({ queryKey: keys.sessions });
    } catch (err) {
      setMsg({ tone: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <p className="muted">{t('security.signOutOthersIntro')}</p>
      <button type="button" className="btn btn-secondary" onClick={() => void run()} disabled={busy}>
        {t('security.signOutOthers')}
      </button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </div>
  );
}

/** The account page's password and sign-out-elsewhere card (the sessions list is its neighbour). */
export function SecuritySection({ me }: { me: Me }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: [...securityKey, me.id],
    queryFn: () => api<{ hasPassword: boolean }>('/api/me/security'),
  });
  return (
    <section aria-labelledby="security-h" className="card">
      <h2 id="security-h">{t('security.sectionTitle')}</h2>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? <PasswordForm hasPassword={q.data.hasPassword} /> : null}
      <SignOutOthers />
    </section>
  );
}
