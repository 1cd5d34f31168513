import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api/client.js';
import { useMe } from '../../api/queries.js';
import { Alert } from '../../ui/Field.js';
import { formatDateTime } from '../../ui/format.js';
import { inWechatBrowser, startWechat, useMyWechat, wechatKeys } from './wechat.api.js';

/** The account page's WeChat section: what is linked, link (QR on a desktop, the 公众号 inside WeChat), unlink. */
export function WechatAccountSection() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const mine = useMyWechat(!!me.data);
  const qc = useQueryClient();
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(() =>
    typeof window !== 'undefined' && new URLSearchParams(window.location.search).get('wechat') === 'linked'
      ? { tone: 'success', text: t('wechat.linked') }
      : null,
  );
  const [busy, setBusy] = useState(false);
  if (!mine.data) return null;
  const { identities, available } = mine.data;
  const flow = inWechatBrowser() ? (available.mp ? 'mp' : null) : available.qr ? 'qr' : null;
  if (!identities.length && !flow) return null;
  const linkedKinds = new Set(identities.map((i) => i.app));
  const canLink = flow && !linkedKinds.has(flow === 'qr' ? 'open' : 'mp');
  const link = async () => {
    setBusy(true);
    setMsg(null);
    try {
      await startWechat({ flow: flow!, intent: 'link', next: '/account' });
    } catch (err) {
      setMsg({ tone: 'error', text: errorMessage(err) });
      setBusy(false);
    }
  };
  const unlink = async (id: string) => {
    setBusy(true);
    setMsg(null);
    try {
      await api(`/api/me/wechat/${id}`, { method: 'DELETE' });
      await qc.invalidateQueries({ queryKey: wechatKeys.mine });
      setMsg({ tone: 'success', text: t('wechat.unlinked') });
    } catch (err) {
      setMsg({ tone: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="wechat-h" className="card wechat-account">
      <h2 id="wechat-h">{t('wechat.sectionTitle')}</h2>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      {identities.length === 0 ? <p className="muted">{t('wechat.none')}</p> : null}
      <ul className="plain-list">
        {identities.map((i) => (
          <li key={i.id} className="wechat-identity">
            <p>
              <strong>{t(i.app === 'mp' ? 'wechat.appMp' : 'wechat.appOpen')}</strong>
              {i.nickname ? ` · ${i.nickname}` : ''}
              {i.payee ? <span className="badge badge-open">{t('wechat.payee')}</span> : null}
            </p>
            <p className="small muted">{t('wechat.linkedAt', { at: formatDateTime(i.linkedAt, i18n.language) })}</p>
            <button type="button" className="btn btn-secondary" onClick={() => void unlink(i.id)} disabled={busy}>
              {t('wechat.unlink', { app: t(i.app === 'mp' ? 'wechat.appMp' : 'wechat.appOpen') })}
            </button>
          </li>
        ))}
      </ul>
      {canLink ? (
        <button type="button" className="btn btn-wechat" onClick={() => void link()} disabled={busy}>
          {flow === 'mp' ? t('wechat.linkMp') : t('wechat.linkQr')}
        </button>
      ) : null}
      {!linkedKinds.has('mp') && available.mp ? <p className="hint">{t('wechat.payeeHint')}</p> : null}
    </section>
  );
}

/** The WeChat Pay payee of the signed-in contributor: their linked 公众号 openid (shown by nickname only). */
export function useWechatPayee() {
  const me = useMe();
  const mine = useMyWechat(!!me.data);
  const payee = mine.data?.identities.find((i) => i.payee) ?? null;
  return { loading: mine.isPending, payee, canLinkHere: inWechatBrowser() && !!mine.data?.available.mp };
}

/** In the payout form, for WeChat: who will be paid (the linked 公众号 openid), never a typed ID. */
export function WechatPayee() {
  const { t } = useTranslation();
  const { loading, payee, canLinkHere } = useWechatPayee();
  if (loading) return <p role="status">{t('wechat.loading')}</p>;
  if (payee) return <p className="wechat-payee hint">{t('wechat.payTo', { nickname: payee.nickname ?? t('wechat.appMp') })}</p>;
  return (
    <div className="wechat-payee">
      <Alert>{canLinkHere ? t('wechat.payeeMissingHere') : t('wechat.payeeMissing')}</Alert>
      {canLinkHere ? (
        <button type="button" className="btn btn-wechat" onClick={() => void startWechat({ flow: 'mp', intent: 'link', next: '/earnings' })}>
          {t('wechat.linkMp')}
        </button>
      ) : null}
    </div>
  );
}
