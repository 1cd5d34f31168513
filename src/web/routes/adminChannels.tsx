import { useState, type FormEvent } from 'react';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import {
  authorizeChannel,
  disconnectChannel,
  distributionKeys,
  EXTERNAL_CHANNELS,
  saveChannelAccount,
  useChannelAccounts,
  type ChannelAccount,
} from '../api/distribution.js';
import { Alert, Field } from '../ui/Field.js';
import { ConfirmBox, ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

type T = (k: string, o?: Record<string, unknown>) => string;

function expiry(iso: string | null, lang: string, t: T): string {
  if (!iso) return t('common.none');
  const left = Date.parse(iso) - Date.now();
  const when = formatDateTime(iso, lang);
  if (left <= 0) return t('distribution.accounts.expired', { at: when });
  const days = Math.floor(left / 86_400_000);
  const hours = Math.floor(left / 3_600_000);
  return days >= 1
    ? t('distribution.accounts.expiresInDays', { at: when, count: days })
    : t('distribution.accounts.expiresInHours', { at: when, count: Math.max(1, hours) });
}

function AccountPanel({ a }: { a: ChannelAccount }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const name = t(`channel.${a.channel}`);
  const [appId, setAppId] = useState(a.appId ?? '');
  const [secret, setSecret] = useState('');
  const [accountId, setAccountId] = useState(a.accountId ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'toggle' | 'connect' | 'disconnect' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // The switch moves at once; it moves back if the server refuses.
  const [enabled, setEnabled] = useState(a.enabled);
  const stored = a.appId !== null;
  const hId = `acct-${a.channel}-h`;

  const put = (next: ChannelAccount) =>
    qc.setQueryData<ChannelAccount[]>(distributionKeys.accounts, (list) => list?.map((x) => (x.channel === next.channel ? next : x)));

  const describe = (next: ChannelAccount) => {
    if (next.status === 'connected') return t('distribution.accounts.savedConnected', { channel: name });
    if (next.status === 'reconnect') return null;
    return next.oauth ? t('distribution.accounts.savedConnectNext', { channel: name }) : t('distribution.accounts.saved', { channel: name });
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!appId.trim()) errs.appId = t('common.required');
    else if (appId.trim().length > 200) errs.appId = t('distribution.accounts.tooLong', { max: 200 });
    if (!stored && !secret.trim()) errs.secret = t('distribution.accounts.secretRequired');
    if (secret.trim().length > 500) errs.secret = t('distribution.accounts.tooLong', { max: 500 });
    if (accountId.trim().length > 200) errs.accountId = t('distribution.accounts.tooLong', { max: 200 });
    setErrors(errs);
    setError(null);
    setDone(null);
    if (Object.keys(errs).length) return;
    setBusy('save');
    try {
      const next = await saveChannelAccount(a.channel, {
        appId: appId.trim(),
        ...(secret.trim() ? { appSecret: secret.trim() } : {}),
        ...(accountId.trim() ? { accountId: accountId.trim() } : {}),
        enabled: a.appId === null ? true : enabled,
      });
      put(next);
      setEnabled(next.enabled);
      setSecret('');
      const msg = describe(next);
      if (msg) setDone(msg);
      else setError(t('distribution.accounts.refused', { channel: name, reason: next.lastError ?? t('common.none') }));
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(null);
    }
  };

  const toggle = async (next: boolean) => {
    if (!a.appId) return;
    setEnabled(next);
    setBusy('toggle');
    setError(null);
    setDone(null);
    try {
      const saved = await saveChannelAccount(a.channel, { appId: a.appId, ...(a.accountId ? { accountId: a.accountId } : {}), enabled: next });
      put(saved);
      setEnabled(saved.enabled);
      setDone(saved.enabled ? t('distribution.accounts.enabledMsg', { channel: name }) : t('distribution.accounts.disabledMsg', { channel: name }));
    } catch (x) {
      setEnabled(!next);
      setError(errorMessage(x));
    } finally {
      setBusy(null);
    }
  };

  const connect = async () => {
    setBusy('connect');
    setError(null);
    try {
      const url = await authorizeChannel(a.channel);
      // The platform sends the admin back to /api/admin/channels/:channel/callback, which lands here with ?connected=.
      window.location.assign(url);
    } catch (x) {
      setError(errorMessage(x));
      setBusy(null);
    }
  };

  const disconnect = async () => {
    setBusy('disconnect');
    setError(null);
    setDone(null);
    try {
      qc.setQueryData(distributionKeys.accounts, await disconnectChannel(a.channel));
      setConfirming(false);
      setSecret('');
      setDone(t('distribution.accounts.disconnectedMsg', { channel: name }));
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="desk-panel account-panel" aria-labelledby={hId}>
      <div className="panel-head">
        <h2 id={hId}>{name}</h2>
        <span className={`badge badge-acct-${a.status}`}>{t(`distribution.accounts.status.${a.status}`)}</span>
        {stored && !enabled ? <span className="badge badge-acct-paused">{t('distribution.accounts.paused')}</span> : null}
      </div>
      {a.status === 'reconnect' && a.lastError ? (
        <div className="alert alert-warn" role="note">
          <strong>{t('distribution.accounts.needsReconnect')}</strong> {a.lastError}
        </div>
      ) : null}
      <dl className="facts small">
        <dt>{t('distribution.accounts.kind')}</dt>
        <dd>{a.oauth ? t('distribution.accounts.kindOauth') : t('distribution.accounts.kindSecret')}</dd>
        <dt>{t('distribution.accounts.accessExpires')}</dt>
        <dd>{expiry(a.accessExpiresAt, lang, t)}</dd>
        {a.oauth ? (
          <>
            <dt>{t('distribution.accounts.refreshExpires')}</dt>
            <dd>{expiry(a.refreshExpiresAt, lang, t)}</dd>
          </>
        ) : null}
        {a.lastError && a.status !== 'reconnect' ? (
          <>
            <dt>{t('distribution.accounts.lastError')}</dt>
            <dd>{a.lastError}</dd>
          </>
        ) : null}
        {stored ? (
          <>
            <dt>{t('distribution.accounts.updated')}</dt>
            <dd>{formatDateTime(a.updatedAt, lang)}</dd>
          </>
        ) : null}
      </dl>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <div className="check">
        <input
          id={`acct-${a.channel}-enabled`}
          type="checkbox"
          checked={stored ? enabled : true}
          disabled={!stored || !!busy}
          onChange={(e) => void toggle(e.target.checked)}
        />
        <label htmlFor={`acct-${a.channel}-enabled`}>{t('distribution.accounts.enabled', { channel: name })}</label>
      </div>
      <form onSubmit={save} noValidate className="account-form">
        <div className="grid-3">
          <Field
            label={t('distribution.accounts.appId')}
            hint={t(`distribution.accounts.appIdHint.${a.channel}`)}
            value={appId}
            onChange={(e) => setAppId(e.target.value)}
            error={errors.appId}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <Field
            label={t('distribution.accounts.secret')}
            hint={stored ? t('distribution.accounts.secretKept') : t('distribution.accounts.secretHint')}
            type="password"
            value={secret}
            placeholder={stored ? t('distribution.accounts.unchanged') : ''}
            onChange={(e) => setSecret(e.target.value)}
            error={errors.secret}
            autoComplete="new-password"
            spellCheck={false}
            required={!stored}
          />
          <Field
            label={t('distribution.accounts.accountId')}
            hint={t('distribution.accounts.accountIdHint')}
            value={accountId}
            onChange={(e) => setAccountId(e.target.value)}
            error={errors.accountId}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="row-actions">
          <button type="submit" className="btn btn-primary" disabled={!!busy}>
            {busy === 'save' ? t('common.saving') : t('distribution.accounts.save', { channel: name })}
          </button>
          {a.oauth ? (
            <button type="button" className="btn btn-secondary" disabled={!!busy || !stored} onClick={() => void connect()}>
              {busy === 'connect'
                ? t('distribution.accounts.connecting')
                : a.status === 'disconnected'
                  ? t('distribution.accounts.connect', { channel: name })
                  : t('distribution.accounts.reconnect', { channel: name })}
            </button>
          ) : null}
          {stored && !confirming ? (
            <button type="button" className="btn btn-ghost" disabled={!!busy} onClick={() => setConfirming(true)}>
              {t('distribution.accounts.disconnect', { channel: name })}
            </button>
          ) : null}
        </div>
        {a.oauth && !stored ? <p className="hint">{t('distribution.accounts.oauthFirst')}</p> : null}
      </form>
      {confirming ? (
        <ConfirmBox
          small
          label={t('distribution.accounts.disconnect', { channel: name })}
          text={t('distribution.accounts.confirmDisconnect', { channel: name })}
          confirm={busy === 'disconnect' ? t('distribution.working') : t('distribution.accounts.confirmDisconnectYes')}
          cancel={t('common.cancel')}
          busy={!!busy}
          onConfirm={() => void disconnect()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </section>
  );
}

function ChannelsBody({ connected, failed }: { connected?: string; failed?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const q = useChannelAccounts();
  const justConnected = EXTERNAL_CHANNELS.find((c) => c === connected);
  const justFailed = EXTERNAL_CHANNELS.find((c) => c === failed);
  return (
    <>
      {justFailed ? (
        <div role="alert" className="alert alert-error banner">
          <p>{t('distribution.accounts.failedBanner', { channel: t(`channel.${justFailed}`) })}</p>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void navigate({ to: '/admin/channels', search: {}, replace: true })}>
            {t('distribution.accounts.dismiss')}
          </button>
        </div>
      ) : null}
      {justConnected ? (
        <div role="status" className="alert alert-success banner">
          <p>{t('distribution.accounts.connectedBanner', { channel: t(`channel.${justConnected}`) })}</p>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void navigate({ to: '/admin/channels', search: {}, replace: true })}>
            {t('distribution.accounts.dismiss')}
          </button>
        </div>
      ) : null}
      <p className="muted">{t('distribution.accounts.intro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <div className="account-grid">
          {q.data.map((a) => (
            <AccountPanel key={a.channel} a={a} />
          ))}
        </div>
      ) : null}
    </>
  );
}

export function AdminChannelsPage() {
  const { t } = useTranslation();
  const { connected, failed } = getRouteApi('/admin/channels').useSearch();
  useTitle(t('distribution.accounts.title'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('distribution.accounts.title')}</h1>
          <ChannelsBody connected={connected} failed={failed} />
        </div>
      )}
    </RequireRole>
  );
}
