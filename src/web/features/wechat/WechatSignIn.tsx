import { useState, type FormEvent } from 'react';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../contracts/accounts.js';
import type { Campaign } from '../../../contracts/campaigns.js';
import { api, errorMessage } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import { currentLocale } from '../../i18n/index.js';
import { Alert, Field } from '../../ui/Field.js';
import { inWechatBrowser, startWechat, useWechatAvailable, wechatKeys } from './wechat.api.js';

/** The WeChat way in on the sign-in and sign-up pages: a button, or (after WeChat) the last step of signing up. */
export function WechatSignIn({ campaign, next }: { mode: 'sign-up' | 'sign-in'; campaign?: Campaign; next?: string }) {
  const finishing = typeof window !== 'undefined' && new URLSearchParams(window.location.search).get('wechat') === 'signup';
  if (finishing) return <FinishSignUp />;
  return <WechatButton campaign={campaign} next={next} />;
}

function WechatButton({ campaign, next }: { campaign?: Campaign; next?: string }) {
  const { t } = useTranslation();
  const available = useWechatAvailable();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Inside WeChat the 公众号 authorises in place; on any other browser the website app shows a QR code.
  const flow = inWechatBrowser() ? (available.data?.mp ? 'mp' : null) : available.data?.qr ? 'qr' : null;
  if (!flow) return null;
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await startWechat({ flow, intent: 'sign_in', ...(campaign ? { campaignId: campaign.id } : {}), ...(next ? { next } : {}) });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <div className="wechat-sign-in">
      {error ? <Alert>{error}</Alert> : null}
      <button type="button" className="btn btn-wechat btn-block" onClick={() => void go()} disabled={busy}>
        {flow === 'mp' ? t('wechat.signInInWechat') : t('wechat.signInQr')}
      </button>
      <p className="hint">{flow === 'mp' ? t('wechat.hintInWechat') : t('wechat.hintQr')}</p>
      <p className="divider-text">{t('wechat.or')}</p>
    </div>
  );
}

function FinishSignUp() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const pending = useQuery({
    queryKey: wechatKeys.pending,
    queryFn: () => api<{ nickname: string | null; campaignId: string | null }>('/api/auth/wechat/pending'),
    retry: false,
  });
  const [name, setName] = useState<string | null>(null);
  const [terms, setTerms] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (pending.isPending) return <p role="status">{t('wechat.loading')}</p>;
  if (pending.isError) return <Alert>{errorMessage(pending.error)}</Alert>;
  const shown = name ?? pending.data.nickname ?? '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!terms) {
      setError(t('wechat.termsRequired'));
      return;
    }
    setBusy(true);
    try {
      const r = await api<{ user: Me; next: string | null }>('/api/auth/wechat/sign-up', {
        method: 'POST',
        body: { name: shown.trim(), acceptTerms: true, locale: currentLocale() },
      });
      qc.setQueryData(keys.me, r.user);
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' || q.queryKey.length > 1 });
      const target = r.next && r.next.startsWith('/') && !r.next.startsWith('//') ? r.next : '/account';
      await navigate({ href: target, replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="wechat-finish card" aria-labelledby="wechat-finish-h">
      <h2 id="wechat-finish-h">{t('wechat.finishTitle')}</h2>
      <p className="hint">{t('wechat.finishHint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      <Field label={t('wechat.name')} value={shown} onChange={(e) => setName(e.target.value)} required maxLength={80} autoComplete="name" />
      <div className="check">
        <input id="wechat-terms" type="checkbox" checked={terms} onChange={(e) => setTerms(e.target.checked)} />
        <label htmlFor="wechat-terms">{t('wechat.acceptTerms')}</label>
      </div>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy || !shown.trim()}>
        {busy ? t('wechat.submitting') : t('wechat.finish')}
      </button>
    </form>
  );
}
