import { useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { confirmGrandPrize, distributionKeys, useDeskCampaigns, useGrandPrize, type GrandPrizeList, type GrandPrizeNomination } from '../api/distribution.js';
import { STAFF } from '../api/queries.js';
import { DeskNav, EDITORS, hasRole } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ConfirmBox, ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { fenToYuan, formatCount, formatDateTime, formatYuan, loc, yuanToFen } from '../ui/format.js';

function NominationRow({ n, list, canConfirm }: { n: GrandPrizeNomination; list: GrandPrizeList; canConfirm: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [yuan, setYuan] = useState(() => (n.amountFen ? fenToYuan(n.amountFen) : list.remainingFen > 0 ? fenToYuan(list.remainingFen) : ''));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const fen = yuanToFen(yuan);
  const inputId = `gp-amount-${n.submissionId}`;
  const invalid =
    fen === null || fen <= 0
      ? t('distribution.grand.amountInvalid')
      : fen > list.remainingFen
        ? t('distribution.grand.overCap', { left: formatYuan(list.remainingFen, lang) })
        : null;

  const confirm = async () => {
    if (fen === null || invalid) return;
    setBusy(true);
    setError(null);
    try {
      const r = await confirmGrandPrize(n.campaignId, n.submissionId, fen);
      setDone(t('distribution.grand.confirmed', { amount: formatYuan(r.nomination.amountFen ?? fen, lang), name: n.contributor.name }));
      setConfirming(false);
      await qc.invalidateQueries({ queryKey: distributionKeys.grandPrize(n.campaignId) });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">
        <Link to="/desk/review/$id" params={{ id: n.submissionId }}>
          {n.headline}
        </Link>
        <div className="small">
          <Link to="/dashboards/videos/$id" params={{ id: n.submissionId }}>
            {t('dashboards.openVideo')}
          </Link>
        </div>
      </th>
      <td>{n.contributor.name}</td>
      <td className="num">{formatCount(n.reachAtNomination, lang)}</td>
      <td className="nowrap">{formatDateTime(n.recheckAfter, lang)}</td>
      <td className="num">{n.reachAtRecheck === null ? t('distribution.grand.notRechecked') : formatCount(n.reachAtRecheck, lang)}</td>
      <td>
        <span className={`badge badge-gp-${n.status}`}>{t(`distribution.grand.status.${n.status}`)}</span>
      </td>
      <td>
        {n.status === 'confirmed' ? (
          <p className="nowrap">
            {formatYuan(n.amountFen ?? 0, lang)}
            {n.confirmedAt ? <span className="small muted"> · {formatDateTime(n.confirmedAt, lang)}</span> : null}
          </p>
        ) : n.status === 'confirmable' && canConfirm ? (
          <div className="gp-confirm">
            <label htmlFor={inputId} className="sr-only">
              {t('distribution.grand.amountFor', { headline: n.headline })}
            </label>
            <span aria-hidden="true">¥</span>
            <input
              id={inputId}
              inputMode="decimal"
              value={yuan}
              onChange={(e) => {
                setYuan(e.target.value);
                setConfirming(false);
              }}
              aria-invalid={yuan && invalid ? true : undefined}
              aria-describedby={yuan && invalid ? `${inputId}-err` : undefined}
              className="amount-input"
            />
            {confirming ? (
              <ConfirmBox
                small
                label={t('distribution.grand.confirmLabel', { headline: n.headline })}
                text={t('distribution.grand.confirmText', { amount: formatYuan(fen ?? 0, lang), name: n.contributor.name })}
                confirm={busy ? t('distribution.working') : t('distribution.grand.confirmYes')}
                cancel={t('common.cancel')}
                busy={busy}
                onConfirm={() => void confirm()}
                onCancel={() => setConfirming(false)}
              />
            ) : (
              <button
                type="button"
                className="btn btn-primary btn-sm"
                disabled={!!invalid}
                onClick={() => setConfirming(true)}
                aria-label={t('distribution.grand.confirmLabel', { headline: n.headline })}
              >
                {t('distribution.grand.confirm')}
              </button>
            )}
            {yuan && invalid ? (
              <p id={`${inputId}-err`} className="field-error">
                {invalid}
              </p>
            ) : null}
          </div>
        ) : (
          <span className="muted small">{n.status === 'nominated' ? t('distribution.grand.waitRecheck') : t('common.none')}</span>
        )}
        {error ? <Alert>{error}</Alert> : null}
        {done ? <Alert tone="success">{done}</Alert> : null}
      </td>
    </tr>
  );
}

function GrandPrizeTable({ campaignId, me }: { campaignId: string; me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useGrandPrize(campaignId);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const g = q.data;
  const canConfirm = hasRole(me, ['editor', 'chief_editor', 'finance', 'admin']);
  return (
    <>
      <dl className="stat-row gp-stats">
        <div>
          <dt>{t('distribution.grand.threshold')}</dt>
          <dd>{formatCount(g.thresholdReach, lang)}</dd>
        </div>
        <div>
          <dt>{t('distribution.grand.holdBack')}</dt>
          <dd>{t('distribution.grand.days', { count: g.holdBackDays })}</dd>
        </div>
        <div>
          <dt>{t('distribution.grand.cap')}</dt>
          <dd>{formatYuan(g.amountFen, lang)}</dd>
        </div>
        <div>
          <dt>{t('distribution.grand.confirmedTotal')}</dt>
          <dd>{formatYuan(g.confirmedFen, lang)}</dd>
        </div>
        <div>
          <dt>{t('distribution.grand.remaining')}</dt>
          <dd className={g.remainingFen <= 0 ? 'total-bad' : undefined}>{formatYuan(g.remainingFen, lang)}</dd>
        </div>
      </dl>
      <p className="muted small">
        {g.nominatedAt ? t('distribution.grand.nominatedAt', { at: formatDateTime(g.nominatedAt, lang) }) : t('distribution.grand.notNominated')}
      </p>
      {g.nominations.length === 0 ? (
        <p>{g.nominatedAt ? t('distribution.grand.noneQualified', { threshold: formatCount(g.thresholdReach, lang) }) : null}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table gp-table">
            <caption className="sr-only">{t('distribution.grand.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('distribution.grand.col.video')}</th>
                <th scope="col">{t('distribution.grand.col.contributor')}</th>
                <th scope="col" className="num">
                  {t('distribution.grand.col.reachNominated')}
                </th>
                <th scope="col">{t('distribution.grand.col.recheckAfter')}</th>
                <th scope="col" className="num">
                  {t('distribution.grand.col.reachRecheck')}
                </th>
                <th scope="col">{t('distribution.grand.col.status')}</th>
                <th scope="col">{t('distribution.grand.col.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {g.nominations.map((n) => (
                <NominationRow key={`${n.submissionId}-${n.status}`} n={n} list={g} canConfirm={canConfirm} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function GrandPrizeBody({ me, campaignId }: { me: Me; campaignId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const admin = hasRole(me, ['admin']);
  const campaigns = useDeskCampaigns(admin);
  const list = campaigns.data ?? [];
  const known = list.some((c) => c.id === campaignId);
  return (
    <>
      <div className="field filter-field">
        <label htmlFor="gp-campaign">{t('distribution.grand.campaign')}</label>
        <select
          id="gp-campaign"
          value={campaignId}
          onChange={(e) => void navigate({ to: '/desk/grand-prize', search: e.target.value ? { campaignId: e.target.value } : {}, replace: true })}
        >
          <option value="">{t('distribution.grand.pick')}</option>
          {campaignId && !known ? <option value={campaignId}>{campaignId}</option> : null}
          {list.map((c) => (
            <option key={c.id} value={c.id}>
              {loc(c.title, lang)}
            </option>
          ))}
        </select>
      </div>
      {campaignId ? <GrandPrizeTable campaignId={campaignId} me={me} /> : <p className="muted">{t('distribution.grand.intro')}</p>}
    </>
  );
}

export function GrandPrizePage() {
  const { t } = useTranslation();
  const { campaignId } = getRouteApi('/desk/grand-prize').useSearch();
  useTitle(t('distribution.grand.title'));
  return (
    <RequireRole roles={STAFF}>
      {(me) => (
        <div className="staff desk-page">
          {hasRole(me, EDITORS) || hasRole(me, ['finance']) ? <DeskNav me={me} /> : null}
          <h1>{t('distribution.grand.title')}</h1>
          <GrandPrizeBody me={me} campaignId={campaignId ?? ''} />
        </div>
      )}
    </RequireRole>
  );
}
