import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import type { Campaign } from '../../contracts/campaigns.js';
import type { Submission } from '../../contracts/submissions.js';
import { errorMessage, ApiError } from '../api/client.js';
import {
  isMissing,
  moneyKeys,
  PAYOUT_METHODS,
  requestPayout,
  useLedger,
  useMyPayouts,
  useRewardProgress,
  type LedgerEntry,
  type PayoutMethod,
  type RewardProgress,
} from '../api/money.js';
import { useCampaigns } from '../api/queries.js';
import { useMyRainWins } from '../api/rain.js';
import { useMySubmissions } from '../api/submissions.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime, formatYuan, loc, yuanToFen } from '../ui/format.js';
import { MyReachLink } from './dashboards.js';
import { useWechatPayee, WechatPayee } from '../features/wechat/WechatAccount.js';

const ANYONE: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];
type T = (k: string, o?: Record<string, unknown>) => string;

/** crypto.randomUUID needs a secure context; a plain-http LAN address falls back to getRandomValues. */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function refStr(refs: Record<string, unknown>, k: string): string | null {
  const v = refs[k];
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null;
}

/** The human reason for one ledger line, with the video and grade where the entry's refs name them. */
function describeEntry(
  e: LedgerEntry,
  subs: Submission[] | undefined,
  campaigns: Campaign[] | undefined,
  lang: string,
  t: T,
): { title: string; detail: string | null } {
  const sid = refStr(e.refs, 'submissionId');
  const sub = sid ? subs?.find((s) => s.id === sid) : undefined;
  const cid = refStr(e.refs, 'campaignId') ?? sub?.campaignId;
  const camp = cid ? campaigns?.find((c) => c.id === cid) : undefined;
  const video = sub ? t('earnings.videoTitle', { title: sub.title }) : null;
  const details: (string | null)[] = [];
  switch (e.kind) {
    case 'adoption_reward': {
      const g = refStr(e.refs, 'grade');
      details.push(video, g ? t('earnings.gradeIs', { grade: g }) : null);
      break;
    }
    case 'grade_correction': {
      const from = refStr(e.refs, 'from');
      const to = refStr(e.refs, 'to');
      details.push(video, from && to ? t('earnings.gradeChange', { from, to }) : e.memo);
      break;
    }
    case 'cumulative_bonus': {
      const n = refStr(e.refs, 'adoptedCount') ?? refStr(e.refs, 'tier');
      details.push(n ? t('earnings.bonusTier', { count: Number(n) }) : null, camp ? loc(camp.title, lang) : null);
      break;
    }
    case 'weekly_prize': {
      const rank = refStr(e.refs, 'rank');
      details.push(video, rank ? t('earnings.rank', { rank }) : null);
      break;
    }
    case 'grand_prize':
      details.push(video, camp ? loc(camp.title, lang) : null);
      break;
    default:
      details.push(video, e.memo);
  }
  const detail = details.filter(Boolean).join(' · ');
  return { title: t(`ledgerKind.${e.kind}`), detail: detail || null };
}

function Progress({ p, campaigns }: { p: RewardProgress; campaigns: Campaign[] | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const c = campaigns?.find((x) => x.id === p.campaignId);
  const pct = p.nextTier ? Math.min(100, Math.round((p.adoptedCount / p.nextTier.adoptedCount) * 100)) : 100;
  return (
    <li className="card progress-card">
      <h3>{c ? loc(c.title, lang) : t('earnings.campaign')}</h3>
      <p>{t('earnings.adoptedSoFar', { count: p.adoptedCount })}</p>
      {p.nextTier ? (
        <>
          <progress
            className="tier-bar"
            max={p.nextTier.adoptedCount}
            value={Math.min(p.adoptedCount, p.nextTier.adoptedCount)}
            aria-label={t('earnings.nextTierLabel')}
            aria-valuetext={`${p.adoptedCount} / ${p.nextTier.adoptedCount}`}
          />
          <p className="small">
            {t('earnings.nextTier', { left: Math.max(0, p.nextTier.adoptedCount - p.adoptedCount), amount: formatYuan(p.nextTier.bonusFen, lang) })}{' '}
            <span className="muted">({pct}%)</span>
          </p>
        </>
      ) : (
        <p className="small muted">{t('earnings.allTiers')}</p>
      )}
      <p className="small">
        {t('earnings.bonusesEarned', { amount: formatYuan(p.bonusesEarnedFen, lang) })} · {t('earnings.reach', { reach: formatCount(p.reach, lang) })}
      </p>
      {p.multiplierPercent > 100 ? <p className="small">{t('earnings.multiplierNow', { percent: p.multiplierPercent })}</p> : null}
      {p.nextMultiplier ? (
        <p className="small muted">
          {t('earnings.nextMultiplier', { reach: formatCount(p.nextMultiplier.reachAtLeast, lang), percent: p.nextMultiplier.multiplierPercent })}
        </p>
      ) : null}
    </li>
  );
}

function PayoutForm({ balanceFen, minimumFen }: { balanceFen: number; minimumFen: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [method, setMethod] = useState<PayoutMethod>('wechat');
  // WeChat Pay pays the linked 公众号 openid, never a typed WeChat ID (docs/wechat.md).
  const wechatPayee = useWechatPayee();
  const [amount, setAmount] = useState('');
  const [realName, setRealName] = useState('');
  const [account, setAccount] = useState('');
  const [bankName, setBankName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One id per request: a retry after a dropped connection sends the same id, so it cannot pay twice.
  const requestId = useRef<string | null>(null);
  const groupId = useId();
  const edited = () => {
    requestId.current = null;
    setDone(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const fen = yuanToFen(amount);
    if (fen === null || fen <= 0) errs.amount = t('earnings.v.amount');
    else if (fen < minimumFen) errs.amount = t('earnings.v.min', { min: formatYuan(minimumFen, lang) });
    else if (fen > balanceFen) errs.amount = t('earnings.v.balance', { balance: formatYuan(balanceFen, lang) });
    if (realName.trim().length < 2) errs.realName = t('earnings.v.realName');
    if (method === 'wechat' && !wechatPayee.payee) errs.account = t('wechat.payeeMissing');
    if (method !== 'wechat' && account.trim().length < 3) errs.account = t('earnings.v.account');
    if (method === 'bank' && !bankName.trim()) errs.bankName = t('common.required');
    setErrors(errs);
    setServerError(null);
    if (Object.keys(errs).length || fen === null) return;
    requestId.current ??= newRequestId();
    setBusy(true);
    try {
      const p = await requestPayout({
        requestId: requestId.current,
        amountFen: fen,
        method,
        realName: realName.trim(),
        ...(method === 'wechat' ? {} : { account: account.trim() }),
        ...(method === 'bank' ? { bankName: bankName.trim() } : {}),
      });
      requestId.current = null;
      setDone(t('earnings.requested', { amount: formatYuan(p.amountFen, lang) }));
      setAmount('');
      void qc.invalidateQueries({ queryKey: moneyKeys.myPayouts });
      void qc.invalidateQueries({ queryKey: moneyKeys.ledger });
    } catch (x) {
      // A refused request (4xx) needs changed input, hence a new id; keep the id for network or server errors.
      if (x instanceof ApiError && x.status >= 400 && x.status < 500) requestId.current = null;
      setServerError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="payout-form" aria-labelledby="payout-h">
      <h2 id="payout-h">{t('earnings.withdraw')}</h2>
      <p className="hint">{t('earnings.minimum', { min: formatYuan(minimumFen, lang) })}</p>
      {serverError ? <Alert>{serverError}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <fieldset className="method-pick">
        <legend>{t('earnings.method')}</legend>
        {PAYOUT_METHODS.map((m) => (
          <div className="check" key={m}>
            <input
              id={`${groupId}-${m}`}
              type="radio"
              name={`${groupId}-method`}
              checked={method === m}
              onChange={() => {
                setMethod(m);
                edited();
              }}
            />
            <label htmlFor={`${groupId}-${m}`}>{t(`payoutMethod.${m}`)}</label>
          </div>
        ))}
      </fieldset>
      <Field
        label={t('earnings.amount')}
        inputMode="decimal"
        value={amount}
        onChange={(e) => {
          setAmount(e.target.value);
          edited();
        }}
        error={errors.amount}
        hint={t('earnings.amountHint', { balance: formatYuan(balanceFen, lang) })}
        required
      />
      <Field
        label={t('earnings.realName')}
        value={realName}
        autoComplete="name"
        onChange={(e) => {
          setRealName(e.target.value);
          edited();
        }}
        error={errors.realName}
        hint={t('earnings.realNameHint')}
        required
      />
      {method === 'wechat' ? <WechatPayee /> : null}
      {method === 'wechat' ? null : (
        <Field
          label={t(`earnings.account_${method}`)}
          value={account}
          onChange={(e) => {
            setAccount(e.target.value);
            edited();
          }}
          error={errors.account}
          inputMode={method === 'bank' ? 'numeric' : undefined}
          autoCapitalize="none"
          spellCheck={false}
          required
        />
      )}
      {method === 'bank' ? (
        <Field
          label={t('earnings.bankName')}
          value={bankName}
          onChange={(e) => {
            setBankName(e.target.value);
            edited();
          }}
          error={errors.bankName}
          required
        />
      ) : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy || balanceFen < minimumFen}>
        {busy ? t('earnings.requesting') : t('earnings.submitPayout')}
      </button>
      {balanceFen < minimumFen ? <p className="hint">{t('earnings.belowMinimum', { min: formatYuan(minimumFen, lang) })}</p> : null}
    </form>
  );
}

function EarningsBody() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ledger = useLedger(true);
  const progress = useRewardProgress(true);
  const payouts = useMyPayouts(true);
  const subs = useMySubmissions(true);
  const campaigns = useCampaigns();
  const rainWins = useMyRainWins(true);
  if (ledger.isPending) return <Loading />;
  if (ledger.isError) return <ErrorState error={ledger.error} onRetry={() => void ledger.refetch()} />;
  const { balanceFen, owedFen, entries } = ledger.data;
  return (
    <>
      <section className="balance-card" aria-labelledby="balance-h">
        <h2 id="balance-h">{t('earnings.balance')}</h2>
        <p className="balance">{formatYuan(balanceFen, lang)}</p>
        {owedFen > 0 ? <Alert>{t('earnings.owed', { amount: formatYuan(owedFen, lang) })}</Alert> : null}
        {rainWins.data && rainWins.data.heldFen > 0 ? (
          // Held red-packet wins are not in the balance until an admin releases them: shown apart, as pending.
          <p className="pending-rain" data-testid="rain-held-pending">
            {t('noticesMore.rainHeld')}: <strong>{formatYuan(rainWins.data.heldFen, lang)}</strong>{' '}
            <span className="badge">{t('noticesMore.rainStatus.held')}</span> <span className="muted small">{t('noticesMore.rainHeldHint')}</span>
          </p>
        ) : null}
        <p className="small">
          <Link to="/rain">{t('rain.openList')}</Link>
        </p>
        <p className="small">
          <MyReachLink />
        </p>
      </section>

      <section aria-labelledby="progress-h">
        <h2 id="progress-h">{t('earnings.progress')}</h2>
        {progress.isPending ? <Loading /> : null}
        {progress.isError ? isMissing(progress.error) ? <p className="muted">{t('common.notYet')}</p> : <ErrorState error={progress.error} /> : null}
        {progress.data && progress.data.length === 0 ? <p className="muted">{t('earnings.noProgress')}</p> : null}
        {progress.data?.length ? (
          <ul className="card-list">
            {progress.data.map((p) => (
              <Progress key={p.campaignId} p={p} campaigns={campaigns.data} />
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-labelledby="entries-h">
        <h2 id="entries-h">{t('earnings.entries')}</h2>
        {entries.length === 0 ? (
          <p className="muted">
            {t('earnings.noEntries')} <Link to="/submit">{t('home.submit')}</Link>
          </p>
        ) : (
          <ul className="ledger-list">
            {entries.map((e) => {
              const d = describeEntry(e, subs.data, campaigns.data, lang, t);
              return (
                <li key={e.id} className="ledger-entry">
                  <div>
                    <p className="entry-title">{d.title}</p>
                    {d.detail ? <p className="small">{d.detail}</p> : null}
                    <p className="small muted">
                      <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
                    </p>
                  </div>
                  <p className={`amount ${e.amountFen < 0 ? 'amount-neg' : 'amount-pos'}`}>
                    {e.amountFen > 0 ? '+' : e.amountFen < 0 ? '−' : ''}
                    {formatYuan(Math.abs(e.amountFen), lang)}
                  </p>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="payouts-h">
        {payouts.isPending ? <Loading /> : null}
        {payouts.isError ? (
          <>
            <h2 id="payouts-h">{t('earnings.withdraw')}</h2>
            {isMissing(payouts.error) ? (
              <p className="muted">{t('common.notYet')}</p>
            ) : (
              <ErrorState error={payouts.error} onRetry={() => void payouts.refetch()} />
            )}
          </>
        ) : null}
        {payouts.data ? (
          <>
            <PayoutForm balanceFen={balanceFen} minimumFen={payouts.data.minimumFen} />
            <h2 id="payouts-h">{t('earnings.history')}</h2>
            {payouts.data.payouts.length === 0 ? (
              <p className="muted">{t('earnings.noPayouts')}</p>
            ) : (
              <ul className="ledger-list">
                {payouts.data.payouts.map((p) => (
                  <li key={p.id} className="ledger-entry payout-entry">
                    <div>
                      <p className="entry-title">
                        {t(`payoutMethod.${p.method}`)} · {p.account}
                      </p>
                      {p.needsRelink ? <p className="small field-error">{t('wechat.needsRelink')}</p> : null}
                      <p className="small muted">
                        <time dateTime={p.requestedAt}>{formatDateTime(p.requestedAt, lang)}</time>
                        {p.paidAt ? ` · ${t('earnings.paidAt', { at: formatDateTime(p.paidAt, lang) })}` : ''}
                      </p>
                      {p.failureReason ? <p className="small field-error">{p.failureReason}</p> : null}
                    </div>
                    <div className="payout-side">
                      <p className="amount">{formatYuan(p.amountFen, lang)}</p>
                      <span className={`badge badge-payout-${p.status}`}>{t(`payoutStatus.${p.status}`)}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : null}
      </section>
    </>
  );
}

export function EarningsPage() {
  const { t } = useTranslation();
  useTitle(t('earnings.title'));
  return (
    <RequireRole roles={ANYONE}>
      {() => (
        <div className="contributor earnings">
          <h1>{t('earnings.title')}</h1>
          <EarningsBody />
        </div>
      )}
    </RequireRole>
  );
}
