import { useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import type { Campaign } from '../../contracts/campaigns.js';
import { api, errorMessage } from '../api/client.js';
import { WechatSignIn } from '../features/wechat/WechatSignIn.js';
import { isStaff, keys, useCampaign } from '../api/queries.js';
import { currentLocale } from '../i18n/index.js';
import { Alert, Field } from '../ui/Field.js';
import { Tabs, useTitle } from '../ui/common.js';
import { loc } from '../ui/format.js';
import { DEFAULT_PHONE_COUNTRY, looksLikePhone, phoneBody, PhoneNumberField } from '../features/account/PhoneNumberField.js';
import { useCountdown } from '../ui/useCountdown.js';

const PASSWORD_MIN = 12;
const PASSWORD_MAX = 128;

type Mode = 'sign-up' | 'sign-in';

function useAfterAuth() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return async (user: Me, opts: { next?: string; joined?: string }) => {
    qc.setQueryData(keys.me, user);
    await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' || q.queryKey.length > 1 });
    // Only same-origin paths: an open redirect through ?next= would make a phishing link look like ours.
    if (opts.next && opts.next.startsWith('/') && !opts.next.startsWith('//')) {
      await navigate({ href: opts.next, replace: true });
      return;
    }
    if (opts.joined) {
      await navigate({ to: '/account', search: { joined: opts.joined }, replace: true });
      return;
    }
    await navigate(isStaff(user) ? { to: '/desk', replace: true } : { to: '/account', search: {}, replace: true });
  };
}

function PhoneForm({ mode, campaign, next }: { mode: Mode; campaign?: Campaign; next?: string }) {
  const { t } = useTranslation();
  const after = useAfterAuth();
  const [country, setCountry] = useState(DEFAULT_PHONE_COUNTRY);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  // Sign-in only: an account that set a password may use it instead of a texted code.
  const [withPassword, setWithPassword] = useState(false);
  const [name, setName] = useState('');
  const [sent, setSent] = useState(false);
  const [countdown, setCountdown] = useCountdown();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<{ phone?: string; code?: string; name?: string }>({});

  const sendCode = async () => {
    if (!looksLikePhone(phone)) {
      setFieldErr({ phone: t('security.phoneInvalid') });
      return;
    }
    setFieldErr({});
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ expiresInSeconds: number }>('/api/auth/phone/send-code', { method: 'POST', body: phoneBody(country, phone) });
      setSent(true);
      setCountdown(Math.min(60, r?.expiresInSeconds ?? 60));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof fieldErr = {};
    if (!looksLikePhone(phone)) errs.phone = t('security.phoneInvalid');
    if (withPassword && !password) errs.code = t('common.required');
    else if (!withPassword && !/^\d{6}$/.test(code.trim())) errs.code = t('auth.codeInvalid');
    if (mode === 'sign-up' && !name.trim()) errs.name = t('common.required');
    setFieldErr(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      if (withPassword) {
        const r = await api<{ user: Me }>('/api/auth/sign-in/phone-password', { method: 'POST', body: { ...phoneBody(country, phone), password } });
        await after(r.user, { next });
        return;
      }
      const body: Record<string, unknown> = { ...phoneBody(country, phone), code: code.trim(), locale: currentLocale() };
      if (name.trim()) body.name = name.trim();
      if (campaign) body.campaignId = campaign.id;
      const r = await api<{ user: Me }>('/api/auth/sign-in/phone', { method: 'POST', body });
      await after(r.user, { next, joined: campaign?.slug });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      {error ? <Alert>{error}</Alert> : null}
      <PhoneNumberField country={country} onCountryChange={setCountry} value={phone} onChange={setPhone} error={fieldErr.phone} />
      {withPassword ? (
        <Field
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldErr.code}
          required
        />
      ) : (
        <>
          <button type="button" className="btn btn-secondary btn-block" onClick={() => void sendCode()} disabled={busy || countdown > 0}>
            {countdown > 0 ? t('auth.resendIn', { count: countdown }) : busy && !sent ? t('auth.sendingCode') : t('auth.sendCode')}
          </button>
          {sent ? <Alert tone="info">{t('auth.codeSent')}</Alert> : null}
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
          <Field
            label={mode === 'sign-up' ? t('auth.name') : t('auth.nameOptional')}
            hint={mode === 'sign-up' ? t('auth.nameHint') : undefined}
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldErr.name}
            required={mode === 'sign-up'}
          />
        </>
      )}
      {mode === 'sign-in' ? (
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => {
            setWithPassword((w) => !w);
            setFieldErr({});
          }}
        >
          {withPassword ? t('security.useCode') : t('security.usePassword')}
        </button>
      ) : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('auth.submitting') : mode === 'sign-up' ? t('auth.submitSignUp') : t('auth.submitSignIn')}
      </button>
    </form>
  );
}

function EmailForm({ mode, campaign, next }: { mode: Mode; campaign?: Campaign; next?: string }) {
  const { t } = useTranslation();
  const after = useAfterAuth();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<{ name?: string; email?: string; password?: string }>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof fieldErr = {};
    if (mode === 'sign-up' && !name.trim()) errs.name = t('common.required');
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs.email = t('auth.emailInvalid');
    if (mode === 'sign-up' && password.length < PASSWORD_MIN) errs.password = t('auth.passwordShort', { min: PASSWORD_MIN });
    else if (mode === 'sign-up' && password.length > PASSWORD_MAX) errs.password = t('auth.passwordLong', { max: PASSWORD_MAX });
    else if (!password) errs.password = t('common.required');
    setFieldErr(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      const r =
        mode === 'sign-up'
          ? await api<{ user: Me }>('/api/auth/sign-up/email', {
              method: 'POST',
              body: {
                name: name.trim(),
                email: email.trim(),
                password,
                locale: currentLocale(),
                ...(campaign ? { campaignId: campaign.id } : {}),
              },
            })
          : await api<{ user: Me }>('/api/auth/sign-in/email', { method: 'POST', body: { email: email.trim(), password } });
      await after(r.user, { next, joined: campaign?.slug });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      {error ? <Alert>{error}</Alert> : null}
      {mode === 'sign-up' ? (
        <Field
          label={t('auth.name')}
          hint={t('auth.nameHint')}
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fieldErr.name}
          required
        />
      ) : null}
      <Field
        label={t('auth.email')}
        type="email"
        autoComplete="email"
        inputMode="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fieldErr.email}
        required
      />
      <Field
        label={t('auth.password')}
        type="password"
        autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
        hint={mode === 'sign-up' ? t('auth.passwordHint') : undefined}
        minLength={mode === 'sign-up' ? PASSWORD_MIN : undefined}
        maxLength={mode === 'sign-up' ? PASSWORD_MAX : undefined}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErr.password}
        required
      />
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('auth.submitting') : mode === 'sign-up' ? t('auth.submitSignUp') : t('auth.submitSignIn')}
      </button>
    </form>
  );
}

function AuthTabs({ mode, campaign, next }: { mode: Mode; campaign?: Campaign; next?: string }) {
  const { t, i18n } = useTranslation();
  // Phone first in Chinese (how people in China sign in), email first in English; until the
  // visitor picks a tab, switching the language switches the default too.
  const phoneFirst = i18n.language === 'zh-CN';
  const [chosen, setTab] = useState<string | null>(null);
  const tab = chosen ?? (phoneFirst ? 'phone' : 'email');
  const prefix = mode;
  const email = { id: 'email', label: t('auth.tabEmail') };
  const phone = { id: 'phone', label: t('auth.tabPhone') };
  return (
    <>
      <WechatSignIn mode={mode} campaign={campaign} next={next} />
      <Tabs
        label={mode === 'sign-up' ? t('auth.method') : t('auth.methodIn')}
        idPrefix={prefix}
        tabs={phoneFirst ? [phone, email] : [email, phone]}
        active={tab}
        onChange={setTab}
      />
      <div role="tabpanel" id={`${prefix}-panel-${tab}`} aria-labelledby={`${prefix}-tab-${tab}`} className="tabpanel">
        {tab === 'email' ? <EmailForm mode={mode} campaign={campaign} next={next} /> : <PhoneForm mode={mode} campaign={campaign} next={next} />}
      </div>
    </>
  );
}

export function SignUpPage() {
  const { campaign: slug } = getRouteApi('/sign-up').useSearch();
  const { t, i18n } = useTranslation();
  const c = useCampaign(slug);
  useTitle(t('auth.signUpTitle'));
  return (
    <section className="contributor auth-page panel">
      <h1>{t('auth.signUpTitle')}</h1>
      {c.data ? <p className="joining-note">{t('auth.joiningCampaign', { title: loc(c.data.title, i18n.language) })}</p> : null}
      {c.isError ? <Alert>{errorMessage(c.error)}</Alert> : null}
      <AuthTabs mode="sign-up" campaign={c.data} />
      <p className="switch-auth">
        {t('auth.haveAccount')}{' '}
        <Link to="/sign-in" search={{}}>
          {t('auth.signInLink')}
        </Link>
      </p>
    </section>
  );
}

export function SignInPage() {
  const { next } = getRouteApi('/sign-in').useSearch();
  const { t } = useTranslation();
  useTitle(t('auth.signInTitle'));
  return (
    <section className="contributor auth-page panel">
      <h1>{t('auth.signInTitle')}</h1>
      <AuthTabs mode="sign-in" next={next} />
      <p className="forgot-link">
        <Link to="/forgot-password">{t('security.forgot')}</Link>
      </p>
      <p className="switch-auth">
        {t('auth.noAccount')}{' '}
        <Link to="/sign-up" search={{}}>
          {t('auth.signUpLink')}
        </Link>
      </p>
    </section>
  );
}
