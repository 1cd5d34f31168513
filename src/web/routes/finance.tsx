import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import {
  createBatch,
  exportBatchCsv,
  isMissing,
  markPayout,
  PAYOUT_METHODS,
  useBatches,
  useFinancePayouts,
  useReconciliation,
  type Payout,
  type PayoutBatch,
  type PayoutMethod,
} from '../api/money.js';
import { useCampaigns } from '../api/queries.js';
import { DeskNav, FINANCE } from '../features/desk/deskUi.js';
import { useMoneyConfirm } from '../features/finance/ConfirmMoney.js';
import { LedgerLink, MarkBatchPaid } from '../features/finance/financeExtras.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan, loc } from '../ui/format.js';

function Reconciliation() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useReconciliation();
  const campaigns = useCampaigns();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const r = q.data;
  return (
    <section className="desk-panel" aria-labelledby="recon-h">
      <div className="panel-head">
        <h2 id="recon-h">{t('finance.reconciliation')}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void q.refetch()} disabled={q.isFetching}>
          {t('finance.recheck')}
        </button>
      </div>
      {r.ok ? <Alert tone="success">{t('finance.ok')}</Alert> : <Alert>{t('finance.notOk', { count: r.mismatches.length })}</Alert>}
      {r.mismatches.length ? (
        <ul className="mismatches">
          {r.mismatches.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <dl className="stat-row">
        <div>
          <dt>{t('finance.total')}</dt>
          <dd>{formatYuan(r.totalFen, lang)}</dd>
        </div>
        <div>
          <dt>{t('finance.accounts')}</dt>
          <dd>{r.accounts}</dd>
        </div>
        <div>
          <dt>{t('finance.transfers')}</dt>
          <dd>{r.transfers}</dd>
        </div>
        {r.owedTotalFen > 0 ? (
          <div>
            <dt>{t('finance.owed')}</dt>
            <dd>
              {formatYuan(r.owedTotalFen, lang)} <span className="muted small">{t('finance.owedHint', { count: r.owedByContributors.length })}</span>
            </dd>
          </div>
        ) : null}
      </dl>
      {r.campaigns.length ? (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('finance.budgets')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('finance.campaign')}</th>
                <th scope="col" className="num">
                  {t('finance.budget')}
                </th>
                <th scope="col" className="num">
                  {t('finance.spent')}
                </th>
                <th scope="col" className="num">
                  {t('finance.remaining')}
                </th>
              </tr>
            </thead>
            <tbody>
              {r.campaigns.map((c) => {
                const camp = campaigns.data?.find((x) => x.id === c.campaignId);
                return (
                  <tr key={c.campaignId} className={c.overspent ? 'row-warn' : undefined}>
                    <td>
                      {camp ? loc(camp.title, lang) : c.campaignId.slice(0, 8)}
                      {c.overspent ? <span className="badge badge-dup"> {t('finance.overspent')}</span> : null}
                    </td>
                    <td className="num">{formatYuan(c.budgetFen, lang)}</td>
                    <td className="num">{formatYuan(c.spentFen, lang)}</td>
                    <td className="num">{formatYuan(c.remainingFen, lang)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function PendingPayouts({ payouts }: { payouts: Payout[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const pending = payouts.filter((p) => p.status === 'requested');
  const [sel, setSel] = useState<string[]>([]);
  const [busy, setBusy] = useState<PayoutMethod | null>(null);
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const selected = pending.filter((p) => sel.includes(p.id));
  const [confirmDialog, ask] = useMoneyConfirm();
  const batch = async (channel: PayoutMethod) => {
    const ids = selected.filter((p) => p.method === channel).map((p) => p.id);
    if (!ids.length) return;
    const totalFen = selected.filter((p) => p.method === channel).reduce((s, p) => s + p.amountFen, 0);
    const ch = t(`payoutMethod.${channel}`);
    if (
      !(await ask({
        title: t('ledgerExplorer.confirm.batchTitle', { channel: ch }),
        text: t('ledgerExplorer.confirm.batchText'),
        count: ids.length,
        totalFen,
        confirm: t('ledgerExplorer.confirm.batchYes', { count: ids.length }),
      }))
    )
      return;
    setBusy(channel);
    setMsg(null);
    try {
      const b = await createBatch(channel, ids);
      setSel((s) => s.filter((x) => !ids.includes(x)));
      setMsg({
        tone: 'success',
        text: t('finance.batchCreated', { channel: t(`payoutMethod.${channel}`), count: ids.length, amount: formatYuan(b.totalFen, lang) }),
      });
      await Promise.all([qc.invalidateQueries({ queryKey: ['finance'] })]);
    } catch (x) {
      setMsg({ tone: 'error', text: errorMessage(x) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="desk-panel" aria-labelledby="pending-h">
      <h2 id="pending-h">{t('finance.pending', { count: pending.length })}</h2>
      {confirmDialog}
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      {pending.length === 0 ? (
        <p className="muted">{t('finance.noPending')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('finance.pendingCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('finance.selectAll')}
                      checked={selected.length === pending.length}
                      onChange={(e) => setSel(e.target.checked ? pending.map((p) => p.id) : [])}
                    />
                  </th>
                  <th scope="col">{t('finance.requestedAt')}</th>
                  <th scope="col">{t('finance.payee')}</th>
                  <th scope="col">{t('finance.method')}</th>
                  <th scope="col">{t('finance.account')}</th>
                  <th scope="col" className="num">
                    {t('finance.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {pending.map((p) => (
                  <tr key={p.id} id={`payout-${p.id}`}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('finance.selectOne', { name: p.realName, amount: formatYuan(p.amountFen, lang) })}
                        checked={sel.includes(p.id)}
                        onChange={(e) => setSel((s) => (e.target.checked ? [...s, p.id] : s.filter((x) => x !== p.id)))}
                      />
                    </td>
                    <td className="nowrap">{formatDateTime(p.requestedAt, lang)}</td>
                    <td>{p.realName}</td>
                    <td>{t(`payoutMethod.${p.method}`)}</td>
                    <td>
                      {p.account}
                      {p.bankName ? <div className="muted small">{p.bankName}</div> : null}
                      {p.needsRelink ? <div className="field-error small">{t('wechat.needsRelink')}</div> : null}
                    </td>
                    <td className="num">{formatYuan(p.amountFen, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row-actions batch-actions">
            {PAYOUT_METHODS.map((m) => {
              const n = selected.filter((p) => p.method === m).length;
              return (
                <button key={m} type="button" className="btn btn-primary btn-sm" disabled={!n || !!busy} onClick={() => void batch(m)}>
                  {busy === m ? t('common.saving') : t('finance.createBatch', { channel: t(`payoutMethod.${m}`), count: n })}
                </button>
              );
            })}
          </div>
        </>
      )}
    </section>
  );
}

function PayoutRow({ p }: { p: Payout }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [failing, setFailing] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmDialog, ask] = useMoneyConfirm();
  const mark = async (status: 'paid' | 'failed') => {
    if (status === 'failed' && !reason.trim()) {
      setError(t('finance.reasonRequired'));
      return;
    }
    if (
      status === 'paid' &&
      !(await ask({
        title: t('ledgerExplorer.confirm.paidTitle'),
        text: t('ledgerExplorer.confirm.paidText', { name: p.realName }),
        count: 1,
        totalFen: p.amountFen,
        confirm: t('ledgerExplorer.confirm.paidYes', { count: 1 }),
      }))
    )
      return;
    setBusy(true);
    setError(null);
    try {
      await markPayout(p.id, status, status === 'failed' ? reason.trim() : undefined);
      setFailing(false);
      await qc.invalidateQueries({ queryKey: ['finance'] });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const open = p.status === 'batched' || p.status === 'exported';
  return (
    <tr id={`payout-${p.id}`}>
      <td>{p.realName}</td>
      <td>{p.account}</td>
      <td className="num">{formatYuan(p.amountFen, lang)}</td>
      <td>
        <span className={`badge badge-payout-${p.status}`}>{t(`payoutStatus.${p.status}`)}</span>
        {p.failureReason ? <div className="muted small">{p.failureReason}</div> : null}
      </td>
      <td>
        {open ? (
          failing ? (
            <div className="fail-box">
              <label htmlFor={`fail-${p.id}`} className="sr-only">
                {t('finance.failReasonFor', { name: p.realName })}
              </label>
              <input
                id={`fail-${p.id}`}
                value={reason}
                maxLength={500}
                placeholder={t('finance.failReason')}
                onChange={(e) => setReason(e.target.value)}
                autoFocus
              />
              <button type="button" className="btn btn-danger btn-sm" disabled={busy} onClick={() => void mark('failed')}>
                {t('finance.confirmFailed')}
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFailing(false)}>
                {t('common.cancel')}
              </button>
            </div>
          ) : (
            <div className="row-actions">
              <button
                type="button"
                className="btn btn-primary btn-sm"
                disabled={busy}
                onClick={() => void mark('paid')}
                aria-label={t('finance.markPaidLabel', { name: p.realName })}
              >
                {t('finance.markPaid')}
              </button>
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                disabled={busy}
                onClick={() => setFailing(true)}
                aria-label={t('finance.markFailedLabel', { name: p.realName })}
              >
                {t('finance.markFailed')}
              </button>
            </div>
          )
        ) : p.paidAt ? (
          <span className="muted small">{formatDateTime(p.paidAt, lang)}</span>
        ) : null}
        {error ? <p className="field-error">{error}</p> : null}
        {confirmDialog}
      </td>
    </tr>
  );
}

/** Downloads the batch's CSV through a POST (the export changes the batch's state) and saves it as a file. */
function ExportButton({ batch }: { batch: PayoutBatch }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmDialog, ask] = useMoneyConfirm();
  const run = async () => {
    // The first download sends the batch (approved → exported); later ones only fetch the file again.
    if (
      batch.status === 'approved' &&
      !(await ask({
        title: t('ledgerExplorer.confirm.exportTitle'),
        text: t('ledgerExplorer.confirm.exportText'),
        count: batch.payoutIds.length,
        totalFen: batch.totalFen,
        confirm: t('ledgerExplorer.confirm.exportYes'),
      }))
    )
      return;
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await exportBatchCsv(batch.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename ?? `payouts-${batch.channel}-${batch.id.slice(0, 8)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      await qc.invalidateQueries({ queryKey: ['finance'] });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span>
      <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void run()}>
        {t('finance.exportCsv')}
      </button>
      {confirmDialog}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

function Batches({ payouts }: { payouts: Payout[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useBatches();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const byId = new Map(payouts.map((p) => [p.id, p]));
  return (
    <section className="desk-panel" aria-labelledby="batches-h">
      <h2 id="batches-h">{t('finance.batches')}</h2>
      {q.data.length === 0 ? <p className="muted">{t('finance.noBatches')}</p> : null}
      {q.data.map((b: PayoutBatch) => (
        <article key={b.id} className="batch" aria-labelledby={`batch-${b.id}`}>
          <div className="panel-head">
            <h3 id={`batch-${b.id}`}>
              {t('finance.batchTitle', { channel: t(`payoutMethod.${b.channel}`), count: b.payoutIds.length, amount: formatYuan(b.totalFen, lang) })}{' '}
              <span className={`badge badge-batch-${b.status}`}>{t(`batchStatus.${b.status}`)}</span>
            </h3>
            <span className="row-actions">
              <ExportButton batch={b} />
              <MarkBatchPaid batch={b} payouts={b.payoutIds.flatMap((id) => byId.get(id) ?? [])} />
            </span>
          </div>
          <p className="muted small">
            {t('finance.createdAt', { at: formatDateTime(b.createdAt, lang) })}
            {b.exportedAt ? ` · ${t('finance.exportedAt', { at: formatDateTime(b.exportedAt, lang) })}` : ''}
          </p>
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('finance.batchPayouts')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('finance.payee')}</th>
                  <th scope="col">{t('finance.account')}</th>
                  <th scope="col" className="num">
                    {t('finance.amount')}
                  </th>
                  <th scope="col">{t('finance.status')}</th>
                  <th scope="col">{t('finance.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {b.payoutIds.map((id) => {
                  const p = byId.get(id);
                  return p ? (
                    <PayoutRow key={id} p={p} />
                  ) : (
                    <tr key={id}>
                      <td colSpan={5} className="muted">
                        {id}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </article>
      ))}
    </section>
  );
}

function PayoutsArea() {
  const { t } = useTranslation();
  const q = useFinancePayouts('');
  if (q.isPending) return <Loading />;
  if (q.isError)
    return isMissing(q.error) ? <Alert tone="info">{t('finance.payoutsNotYet')}</Alert> : <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <>
      <PendingPayouts payouts={q.data} />
      <Batches payouts={q.data} />
    </>
  );
}

export function FinancePage() {
  const { t } = useTranslation();
  useTitle(t('finance.title'));
  return (
    <RequireRole roles={FINANCE}>
      {(me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <h1>{t('finance.title')}</h1>
          <LedgerLink />
          <div className="finance-grid">
            <Reconciliation />
            <div>
              <PayoutsArea />
            </div>
          </div>
        </div>
      )}
    </RequireRole>
  );
}
