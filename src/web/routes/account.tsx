import { forgetUploadsOnThisDevice } from '../features/uploads/forgetUploads.js';
import { MyDataSection } from '../features/account/MyDataSection.js';
import { WechatAccountSection } from '../features/wechat/WechatAccount.js';
import { SecuritySection } from '../features/account/SecuritySection.js';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import type { Locale } from '../../contracts/common.js';
import { api, errorMessage } from '../api/client.js';
import { keys, useMe, useMyCampaigns, useSessions, type Session } from '../api/queries.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, useSetLocale, useTitle } from '../ui/common.js';
import { describeUserAgent, formatDateTime, loc } from '../ui/format.js';

function Profile({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const setLocale = useSetLocale();
  const [name, setName] = useState(me.name);
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const langId = useId();
  const sep = i18n.language === 'zh-CN' ? '、' : ', ';
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<{ user: Me }>('/api/me', { method: 'PATCH', body: { name: name.trim() } });
      qc.setQueryData(keys.me, r.user);
      setMsg({ tone: 'success', text: t('account.nameSaved') });
    } catch (err) {
      setMsg({ tone: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="profile-h" className="card">
      <h2 id="profile-h">{t('account.profile')}</h2>
      <dl className="facts">
        <dt>{t('account.name')}</dt>
        <dd>{me.name}</dd>
        {me.email ? (
          <>
            <dt>{t('account.email')}</dt>
            <dd>{me.email}</dd>
          </>
        ) : null}
        {me.phone ? (
          <>
            <dt>{t('account.phone')}</dt>
            <dd>{me.phone}</dd>
          </>
        ) : null}
        <dt>{t('account.roles')}</dt>
        <dd>{me.roles.map((r) => t(`roles.${r}`)).join(sep)}</dd>
      </dl>
      <form onSubmit={save} className="inline-form">
        <Field label={t('account.editName')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} autoComplete="name" />
        <button type="submit" className="btn btn-secondary" disabled={busy || !name.trim() || name.trim() === me.name}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
      </form>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      <div className="field">
        <label htmlFor={langId}>{t('account.language')}</label>
        <select id={langId} value={i18n.language} onChange={(e) => void setLocale(e.target.value as Locale)}>
          <option value="zh-CN" lang="zh-CN">
            中文（简体）
          </option>
          <option value="en" lang="en">
            English
          </option>
        </select>
      </div>
    </section>
  );
}

function MyCampaigns() {
  const { t, i18n } = useTranslation();
  const q = useMyCampaigns(true);
  return (
    <section aria-labelledby="mine-h" className="card">
      <h2 id="mine-h">{t('account.campaigns')}</h2>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && q.data.length === 0 ? (
        <p>
          {t('account.noCampaigns')} <Link to="/">{t('account.browse')}</Link>
        </p>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <ul className="link-list">
          {q.data.map((c) => (
            <li key={c.id}>
              <Link to="/c/$slug" params={{ slug: c.slug }}>
                {loc(c.title, i18n.language)}
              </Link>{' '}
              <span className={`badge badge-${c.status}`}>{t(`status.${c.status}`)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Sessions({ onSignedOut }: { onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useSessions(true);
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const revoke = async (s: Session) => {
    setError(null);
    try {
      await api(`/api/me/sessions/${s.id}`, { method: 'DELETE' });
      if (s.current) {
        onSignedOut();
        return;
      }
      await qc.invalidateQueries({ queryKey: keys.sessions });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section aria-labelledby="sessions-h" className="card">
      <h2 id="sessions-h">{t('account.sessions')}</h2>
      <p className="muted">{t('account.sessionsIntro')}</p>
      {error ? <Alert>{error}</Alert> : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <ul className="session-list">
          {q.data.map((s) => {
            const device = describeUserAgent(s.userAgent) ?? t('account.unknownDevice');
            return (
              <li key={s.id} className="session">
                <div>
                  <p className="session-device">
                    <strong>{device}</strong>
                    {s.current ? <span className="badge badge-open">{t('account.thisDevice')}</span> : null}
                  </p>
                  <dl className="facts small">
                    {s.ip ? (
                      <>
                        <dt>{t('account.ip')}</dt>
                        <dd>{s.ip}</dd>
                      </>
                    ) : null}
                    <dt>{t('account.created')}</dt>
                    <dd>{formatDateTime(s.createdAt, lang)}</dd>
                    <dt>{t('account.lastSeen')}</dt>
                    <dd>{formatDateTime(s.lastSeenAt, lang)}</dd>
                    <dt>{t('account.expires')}</dt>
                    <dd>{formatDateTime(s.expiresAt, lang)}</dd>
                  </dl>
                </div>
                <button
                  type="button"
                  className="btn btn-secondary"
                  aria-label={`${t('account.revokeLabel', { device })}${s.current ? ` (${t('account.thisDevice')})` : ''}`}
                  onClick={() => void revoke(s)}
                >
                  {t('account.revoke')}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

export function AccountPage() {
  const { joined } = getRouteApi('/account').useSearch();
  const { t, i18n } = useTranslation();
  const me = useMe();
  const mine = useMyCampaigns(!!me.data);
  const navigate = useNavigate();
  const qc = useQueryClient();
  useTitle(t('account.title'));
  const signedOut = me.isSuccess && me.data === null;
  useEffect(() => {
    if (signedOut) void navigate({ to: '/sign-in', search: { next: '/account' }, replace: true });
  }, [signedOut, navigate]);

  const afterSignOut = () => {
    forgetUploadsOnThisDevice();
    qc.setQueryData(keys.me, null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] === 'me' && q.queryKey.length > 1 });
    void navigate({ to: '/sign-in', search: {} });
  };
  const signOut = async () => {
    try {
      await api('/api/auth/sign-out', { method: 'POST', body: {} });
    } finally {
      afterSignOut();
    }
  };

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <p role="status">{t('guard.redirecting')}</p>;
  const joinedCampaign = joined ? mine.data?.find((c) => c.slug === joined) : undefined;
  return (
    <div className="contributor account">
      <h1>{t('account.title')}</h1>
      {joinedCampaign ? <Alert tone="success">{t('account.joinedNote', { title: loc(joinedCampaign.title, i18n.language) })}</Alert> : null}
      <Profile me={me.data} />
      <WechatAccountSection />
      <nav aria-label={t('account.work')} className="card cta-row">
        <Link to="/submit" className="btn btn-primary btn-lg">
          {t('home.submit')}
        </Link>
        <Link to="/submissions" className="btn btn-secondary btn-lg">
          {t('nav.submissions')}
        </Link>
        {/* Issue 15, part assign: the tab bar is full, so field tasks are reached from here (and from their notices). */}
        {me.data.roles.some((r) => r === 'contributor' || r === 'reporter') ? (
          <Link to="/tasks" className="btn btn-secondary btn-lg" data-testid="account-tasks">
            {t('commandAssign.task.title')}
          </Link>
        ) : null}
      </nav>
      <MyCampaigns />
      <Sessions onSignedOut={afterSignOut} />
      <SecuritySection me={me.data} />
      <MyDataSection />
      <p>
        <button type="button" className="btn btn-danger btn-block" onClick={() => void signOut()}>
          {t('account.signOut')}
        </button>
      </p>
    </div>
  );
}
