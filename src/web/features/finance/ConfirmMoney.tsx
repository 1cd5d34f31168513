import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatYuan } from '../../ui/format.js';

export interface MoneyQuestion {
  /** The question's title, e.g. "Mark paid?" */
  title: string;
  /** What will happen, in a sentence. */
  text: string;
  count: number;
  totalFen: number;
  /** The button that does it, e.g. "Mark 3 paid". */
  confirm: string;
}

/**
 * Asks before money moves (batching, sending the bank file, marking paid): a modal dialog that
 * says how many payouts and how much in total, with Cancel focused first so Enter on a stray
 * double-click does nothing. The server's actions are idempotent (a repeated mark answers the
 * payout unchanged, a payout joins one batch at most), so a dialog, not an undo window, is the
 * safeguard against a wrong click (docs/ledger.md, "Payouts").
 *
 * `const [dialog, ask] = useMoneyConfirm();` then `if (!(await ask({...}))) return;` and render `dialog`.
 */
export function useMoneyConfirm(): [ReactNode, (q: MoneyQuestion) => Promise<boolean>] {
  const [question, setQuestion] = useState<MoneyQuestion | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const ask = useCallback(
    (q: MoneyQuestion) =>
      new Promise<boolean>((resolve) => {
        resolver.current?.(false);
        resolver.current = resolve;
        setQuestion(q);
      }),
    [],
  );
  const answer = useCallback((ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setQuestion(null);
  }, []);
  // A page left with the dialog open answers "no".
  useEffect(() => () => resolver.current?.(false), []);
  return [question ? <MoneyDialog question={question} onAnswer={answer} /> : null, ask];
}

function MoneyDialog({ question, onAnswer }: { question: MoneyQuestion; onAnswer: (ok: boolean) => void }) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    cancelRef.current?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      className="money-confirm"
      aria-labelledby="money-confirm-h"
      aria-describedby="money-confirm-text"
      onCancel={(e) => {
        e.preventDefault();
        onAnswer(false);
      }}
    >
      <h2 id="money-confirm-h">{question.title}</h2>
      <p id="money-confirm-text">{question.text}</p>
      <dl className="stat-row">
        <div>
          <dt>{t('ledgerExplorer.confirm.count')}</dt>
          <dd>{question.count}</dd>
        </div>
        <div>
          <dt>{t('ledgerExplorer.confirm.total')}</dt>
          <dd>{formatYuan(question.totalFen, i18n.language)}</dd>
        </div>
      </dl>
      <div className="row-actions">
        <button type="button" ref={cancelRef} className="btn btn-secondary" onClick={() => onAnswer(false)}>
          {t('common.cancel')}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => onAnswer(true)}>
          {question.confirm}
        </button>
      </div>
    </dialog>
  );
}
