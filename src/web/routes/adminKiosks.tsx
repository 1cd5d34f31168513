import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { createKioskScreen, distributionKeys, removeKioskScreen, useKioskScreens, type KioskScreen } from '../api/distribution.js';
import { useAdminCampaigns } from '../api/queries.js';
import { Alert, Field } from '../ui/Field.js';
import { ConfirmBox, ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, loc } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';
import { KioskFleet } from '../features/kiosk/admin/KioskFleet.js';

/** The new screen's key, shown once: the server keeps only its hash. */
function NewKey({ screen, keyText, onDone }: { screen: KioskScreen; keyText: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'ok' | 'fail' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(keyText);
      setCopied('ok');
    } catch {
      // Clipboard access can be refused (http, permissions): the key is selectable text too.
      setCopied('fail');
    }
  };
  return (
    <div className="alert alert-warn new-key" role="alert" aria-labelledby="kiosk-key-h">
      <h2 id="kiosk-key-h">{t('distribution.kiosks.keyTitle', { name: screen.name })}</h2>
      <p>
        <strong>{t('distribution.kiosks.keyOnce')}</strong>
      </p>
      <div className="input-with-btn">
        <label htmlFor="kiosk-key" className="sr-only">
          {t('distribution.kiosks.key')}
        </label>
        <input id="kiosk-key" readOnly value={keyText} onFocus={(e) => e.target.select()} spellCheck={false} className="mono" />
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          {t('distribution.kiosks.copy')}
        </button>
      </div>
      {copied === 'ok' ? <p role="status">{t('distribution.kiosks.copied')}</p> : null}
      {copied === 'fail' ? <p role="status">{t('distribution.kiosks.copyFailed')}</p> : null}
      <p className="small">{t('distribution.kiosks.keyUse')}</p>
      <button type="button" className="btn btn-primary btn-sm" onClick={onDone}>
        {t('distribution.kiosks.keySaved')}
      </button>
    </div>
  );
}

function ScreenRow({ s, campaignName }: { s: KioskScreen; campaignName: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await removeKioskScreen(s.id);
      qc.setQueryData<KioskScreen[]>(distributionKeys.kiosks, (list) => list?.filter((x) => x.id !== s.id));
    } catch (x) {
      setError(errorMessage(x));
      setBusy(false);
    }
  };
  return (
    <tr>
      <th scope="row">{s.name}</th>
      <td>{campaignName ?? t('distribution.kiosks.allCampaigns')}</td>
      <td className="nowrap">{formatDateTime(s.createdAt, lang)}</td>
      <td className="nowrap">{s.lastSeenAt ? formatDateTime(s.lastSeenAt, lang) : t('distribution.kiosks.never')}</td>
      <td>
        {confirming ? (
          <ConfirmBox
            small
            label={t('distribution.kiosks.removeLabel', { name: s.name })}
            text={t('distribution.kiosks.confirmRemove', { name: s.name })}
            confirm={busy ? t('distribution.working') : t('distribution.kiosks.confirmRemoveYes')}
            cancel={t('common.cancel')}
            busy={busy}
            onConfirm={() => void remove()}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => setConfirming(true)}
            aria-label={t('distribution.kiosks.removeLabel', { name: s.name })}
          >
            {t('common.remove')}
          </button>
        )}
        {error ? <Alert>{error}</Alert> : null}
      </td>
    </tr>
  );
}

function KiosksBody() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const q = useKioskScreens();
  const campaigns = useAdminCampaigns();
  const [name, setName] = useState('');
  const [campaignId, setCampaignId] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ screen: KioskScreen; key: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    setError(null);
    if (!n) return setNameError(t('common.required'));
    if (n.length > 80) return setNameError(t('distribution.accounts.tooLong', { max: 80 }));
    setNameError(null);
    setBusy(true);
    try {
      const r = await createKioskScreen({ name: n, campaignId: campaignId || null });
      setCreated(r);
      setName('');
      qc.setQueryData<KioskScreen[]>(distributionKeys.kiosks, (list) => (list ? [...list, r.screen] : [r.screen]));
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };

  const campaignName = (id: string | null) => {
    if (!id) return null;
    const c = campaigns.data?.find((x) => x.id === id);
    return c ? loc(c.title, lang) : id.slice(0, 8);
  };

  return (
    <>
      <KioskFleet />
      <p className="muted">{t('distribution.kiosks.intro')}</p>
      {created ? <NewKey screen={created.screen} keyText={created.key} onDone={() => setCreated(null)} /> : null}
      <form onSubmit={submit} noValidate className="panel inline-form kiosk-form" aria-labelledby="kiosk-new-h">
        <h2 id="kiosk-new-h">{t('distribution.kiosks.add')}</h2>
        {error ? <Alert>{error}</Alert> : null}
        <div className="grid-2">
          <Field
            label={t('distribution.kiosks.name')}
            hint={t('distribution.kiosks.nameHint')}
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            error={nameError}
            required
          />
          <div className="field">
            <label htmlFor="kiosk-campaign">{t('distribution.kiosks.campaign')}</label>
            <select id="kiosk-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
              <option value="">{t('distribution.kiosks.allCampaigns')}</option>
              {(campaigns.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {loc(c.title, lang)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('distribution.kiosks.create')}
        </button>
      </form>
      <section aria-labelledby="kiosk-list-h">
        <h2 id="kiosk-list-h">{t('distribution.kiosks.screens')}</h2>
        {q.isPending ? <Loading /> : null}
        {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
        {q.data && q.data.length === 0 ? <p className="muted">{t('distribution.kiosks.none')}</p> : null}
        {q.data?.length ? (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('distribution.kiosks.screens')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('distribution.kiosks.name')}</th>
                  <th scope="col">{t('distribution.kiosks.campaign')}</th>
                  <th scope="col">{t('distribution.kiosks.created')}</th>
                  <th scope="col">{t('distribution.kiosks.lastSeen')}</th>
                  <th scope="col">{t('distribution.col.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.map((s) => (
                  <ScreenRow key={s.id} s={s} campaignName={campaignName(s.campaignId)} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}

export function AdminKiosksPage() {
  const { t } = useTranslation();
  useTitle(t('distribution.kiosks.title'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('distribution.kiosks.title')}</h1>
          <KiosksBody />
        </div>
      )}
    </RequireRole>
  );
}
