import { useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.js';
import { markPayout, type Payout, type PayoutBatch } from '../../api/money.js';
import { useMoneyConfirm } from './ConfirmMoney.js';

/** The finance page's way to the ledger explorer. */
export function LedgerLink() {
  const { t } = useTranslation();
  return (
    <p>
      <Link to="/finance/ledger" search={{}} className="btn btn-secondary btn-sm">
        {t('ledgerExplorer.open')}
      </Link>
    </p>
  );
}

/**
 * Marks every open payout of a batch paid, after one confirmation naming the count and total.
 * One mark per payout through the same route as the row buttons: each is idempotent on the
 * server (the same mark again answers unchanged), so a run cut short by an error is finished
 * by pressing again.
 */
export function MarkBatchPaid({ batch, payouts }: { batch: PayoutBatch; payouts: Payout[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [dialog, ask] = useMoneyConfirm();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = payouts.filter((p) => p.status === 'batched' || p.status === 'exported');
  if (!open.length || batch.status === 'closed') return null;
  const run = async () => {
    const totalFen = open.reduce((s, p) => s + p.amountFen, 0);
    const ok = await ask({
      title: t('ledgerExplorer.confirm.paidTitle'),
      text: t('ledgerExplorer.confirm.batchPaidText', { channel: t(`payoutMethod.${batch.channel}`) }),
      count: open.length,
      totalFen,
      confirm: t('ledgerExplorer.confirm.paidYes', { count: open.length }),
    });
    if (!ok) return;
    setError(null);
    setProgress(0);
    try {
      for (const [i, p] of open.entries()) {
        await markPayout(p.id, 'paid');
        setProgress(i + 1);
      }
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setProgress(null);
      await qc.invalidateQueries({ queryKey: ['finance'] });
    }
  };
  return (
    <span>
      <button type="button" className="btn btn-primary btn-sm" disabled={progress !== null} onClick={() => void run()}>
        {progress !== null
          ? t('ledgerExplorer.confirm.marking', { done: progress, count: open.length })
          : t('ledgerExplorer.confirm.markAll', { count: open.length })}
      </button>
      {dialog}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
