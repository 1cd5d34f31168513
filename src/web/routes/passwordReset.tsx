import { useEffect, useState, type FormEvent } from 'react';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.js';
import { DEFAULT_PHONE_COUNTRY, looksLikePhone, phoneBody, PhoneNumberField } from '../features/account/PhoneNumberField.js';
import { Alert, Field } from '../ui/Field.js';
import { Tabs, useTitle } from '../ui/common.js';
import { useCountdown } from '../ui/useCountdown.js';

const PASSWORD_MIN = 12;
const PASSWORD_MAX = 128;

/** New password twice; the server applies the policy (length, common passwords). */
function NewPasswordFields({
  password,
  confirm,
  onPassword,
  onConfirm,
  error,
}: {
  password: string;
  confirm: string;
  onPassword: (v: string) => void;
  onConfirm: (v: string) => void;
  error?: { password?: string; confirm?: string };
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field
        label={t('security.newPassword')}
        type="password"
        autoComplete="new-password"
        hint={t('auth.passwordHint')}
        maxLength={PASSWORD_MAX}
        value={password}
        onChange={(e) => onPassword(e.target.value)}
        error={error?.password}
        required
      />
      <Field
        label={t('security.confirmPassword')}
        type="password"
        autoComplete="new-password"
        maxLength={PASSWORD_MAX}
        value={confirm}
        onChange={(e) => onConfirm(e.target.value)}
        error={error?.confirm}
        required
      />
    </>
  );
}

function checkNew(t: (k: string, o?: Record<string, unknown>) => string, password: string, confirm: string) {
  const errs: { password?: string; confirm?: string } = {};
  if ([...password].length < PASSWORD_MIN) errs.password = t('auth.passwordShort', { min: PASSWORD_MIN });
  else if (password !== confirm) errs.confirm = t('security.mismatch');
  return errs;
}

function Done() {
  const { t } = useTranslation();
  return (
    <>
      <Alert tone="success">{t('security.resetDone')}</Alert>
      <p>
        <Link to="/sign-in" search={{}} className="btn btn-primary btn-block">
          {t('security.goSignIn')}
        </Link>
      </p>
    </>
  );
}

function EmailRequest() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sentMinutes, setSentMinutes] = useState<number | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setError(t('auth.emailInvalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ expiresInSeconds: number }>('/api/auth/password-reset/request', { method: 'POST', body: { email: email.trim() } });
      setSentMinutes(Math.round(r.expiresInSeconds / 60));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="stack">
      {error ? <Alert>{error}</Alert> : null}
      <Field label={t('auth.email')} type="email" autoComplete="email" inputMode="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('auth.submitting') : t('security.sendLink')}
      </button>
      {sentMinutes !== null ? <Alert tone="info">{t('security.linkSent', { minutes: sentMinutes })}</Alert> : null}
    </form>
  );
}

function SmsReset() {
  const { t } = useTranslation();
  const [country, setCountry] = useState(DEFAULT_PHONE_COUNTRY);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [sentMinutes, setSentMinutes] = useState<number | null>(null);
  const [countdown, setCountdown] = useCountdown();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<{ phone?: string; code?: string; password?: string; confirm?: string }>({});

  const send = async () => {
    if (!looksLikePhone(phone)) {
      setFieldErr({ phone: t('security.phoneInvalid') });
      return;
    }
    setFieldErr({});
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ expiresInSeconds: number }>('/api/auth/password-reset/request', { method: 'POST', body: phoneBody(country, phone) });
      setSentMinutes(Math.round(r.expiresInSeconds / 60));
      setCountdown(60);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof fieldErr = checkNew(t, password, confirm);
    if (!looksLikePhone(phone)) errs.phone = t('security.phoneInvalid');
    if (!/^\d{6}$/.test(code.trim())) errs.code = t('auth.codeInvalid');
    setFieldErr(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/password-reset/sms', { method: 'POST', body: { ...phoneBody(country, phone), code: code.trim(), password } });
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) return <Done />;
  return (
    <form onSubmit={submit} noValidate className="stack">
      {error ? <Alert>{error}</Alert> : null}
      <PhoneNumberField country={country} onCountryChange={setCountry} value={phone} onChange={setPhone} error={fieldErr.phone} />
      <button type="button" className="btn btn-secondary btn-block" onClick={() => void send()} disabled={busy || countdown > 0}>
        {countdown > 0 ? t('auth.resendIn', { count: countdown }) : t('auth.sendCode')}
      </button>
      {sentMinutes !== null ? <Alert tone="info">{t('security.codeSent', { minutes: sentMinutes })}</Alert> : null}
      <Field
        label={t('auth.code')}
        hint={t('auth.codeHint')}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="\d{6}"
        maxLength={6}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        error={fieldErr.code}
        required
      />
      <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} error={fieldErr} />
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('auth.submitting') : t('security.submitReset')}
      </button>
    </form>
  );
}

/** "Forgot password?": a link by email, or a code by SMS entered right here. */
export function ForgotPasswordPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('security.forgotTitle'));
  const phoneFirst = i18n.language === 'zh-CN';
  const [chosen, setTab] = useState<string | null>(null);
  const tab = chosen ?? (phoneFirst ? 'phone' : 'email');
  const email = { id: 'email', label: t('security.tabEmail') };
  const phone = { id: 'phone', label: t('security.tabPhone') };
  return (
    <section className="contributor auth-page panel">
      <h1>{t('security.forgotTitle')}</h1>
      <p className="muted">{t('security.forgotIntro')}</p>
      <Tabs label={t('security.method')} idPrefix="reset" tabs={phoneFirst ? [phone, email] : [email, phone]} active={tab} onChange={setTab} />
      <div role="tabpanel" id={`reset-panel-${tab}`} aria-labelledby={`reset-tab-${tab}`} className="tabpanel">
        {tab === 'email' ? <EmailRequest /> : <SmsReset />}
      </div>
      <p className="switch-auth">
        <Link to="/sign-in" search={{}}>
          {t('security.goSignIn')}
        </Link>
      </p>
    </section>
  );
}

/** Where the emailed link lands: `/reset-password#token=…` (a fragment, so the token never reaches a server log). */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  useTitle(t('security.resetTitle'));
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('token'));
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<{ password?: string; confirm?: string }>({});

  useEffect(() => {
    // Out of the address bar (and so out of history and any screenshot) once read.
    if (token) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, [token]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = checkNew(t, password, confirm);
    setFieldErr(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/password-reset/email', { method: 'POST', body: { token, password } });
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="contributor auth-page panel">
      <h1>{t('security.resetTitle')}</h1>
      {done ? (
        <Done />
      ) : !token ? (
        <>
          <Alert>{t('security.noToken')}</Alert>
          <p>
            <Link to="/forgot-password">{t('security.requestAgain')}</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate className="stack">
          {error ? (
            <Alert>
              {error} <Link to="/forgot-password">{t('security.requestAgain')}</Link>
            </Alert>
          ) : null}
          <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} error={fieldErr} />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('auth.submitting') : t('security.submitReset')}
          </button>
        </form>
      )}
    </section>
  );
}
