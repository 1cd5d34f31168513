import { useState } from 'react';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import {
  ACCOUNT_KINDS,
  exportLedgerCsv,
  saveBlob,
  shanghaiDayStart,
  shanghaiToday,
  TRANSFER_KINDS,
  useLedgerAccounts,
  useLedgerTransfers,
  type ExplorerAccount,
  type ExplorerCause,
  type ExplorerLeg,
  type LedgerAccountKind,
  type LedgerTransferKind,
} from '../api/ledgerExplorer.js';
import { DeskNav, EDITORS, FINANCE, hasRole } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan, loc } from '../ui/format.js';

export interface LedgerSearch {
  accountId?: string;
  kind?: LedgerTransferKind;
  /** Beijing-time days, `YYYY-MM-DD`, both inclusive on screen. */
  from?: string;
  to?: string;
}

const PAGE = 50;

function useLabel() {
  const { t, i18n } = useTranslation();
  return (a: Pick<ExplorerAccount, 'kind' | 'name' | 'campaignTitle'>) => {
    if (a.kind === 'contributor') return a.name ?? t('ledgerExplorer.accountKind.contributor');
    const kind = t(`ledgerExplorer.accountKind.${a.kind}`);
    return a.campaignTitle ? `${kind} · ${loc(a.campaignTitle, i18n.language)}` : kind;
  };
}

function Accounts({ onPick }: { onPick: (a: ExplorerAccount) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const label = useLabel();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<LedgerAccountKind | ''>('');
  const [offset, setOffset] = useState(0);
  const res = useLedgerAccounts({ q, kind: kind || undefined, offset, limit: PAGE });
  return (
    <section className="desk-panel" aria-labelledby="ledger-accounts-h">
      <h2 id="ledger-accounts-h">{t('ledgerExplorer.accounts')}</h2>
      {res.data ? (
        <dl className="stat-row">
          {res.data.totals.map((x) => (
            <div key={x.kind}>
              <dt>{t(`ledgerExplorer.accountKind.${x.kind}`)}</dt>
              <dd>{formatYuan(x.balanceFen, lang)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <div className="filters">
        <label>
          {t('ledgerExplorer.search')}
          <input
            type="search"
            value={q}
            maxLength={100}
            placeholder={t('ledgerExplorer.searchHint')}
            onChange={(e) => {
              setQ(e.target.value);
              setOffset(0);
            }}
          />
        </label>
        <label>
          {t('ledgerExplorer.accountKindLabel')}
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as LedgerAccountKind | '');
              setOffset(0);
            }}
          >
            <option value="">{t('ledgerExplorer.all')}</option>
            {ACCOUNT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`ledgerExplorer.accountKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {res.isPending ? <Loading /> : null}
      {res.isError ? <ErrorState error={res.error} onRetry={() => void res.refetch()} /> : null}
      {res.data ? (
        <>
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('ledgerExplorer.accounts')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ledgerExplorer.account')}</th>
                  <th scope="col">{t('ledgerExplorer.accountKindLabel')}</th>
                  <th scope="col" className="num">
                    {t('ledgerExplorer.balance')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerExplorer.entries')}
                  </th>
                  <th scope="col">{t('ledgerExplorer.lastMovement')}</th>
                  <th scope="col">{t('finance.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {res.data.accounts.map((a) => (
                  <tr key={a.id}>
                    <td>
                      {label(a)}
                      {a.email || a.phone ? <div className="muted small">{[a.email, a.phone].filter(Boolean).join(' · ')}</div> : null}
                    </td>
                    <td>{t(`ledgerExplorer.accountKind.${a.kind}`)}</td>
                    <td className="num">{formatYuan(a.balanceFen, lang)}</td>
                    <td className="num">{a.entries}</td>
                    <td className="nowrap">{a.lastMovementAt ? formatDateTime(a.lastMovementAt, lang) : '—'}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => onPick(a)}
                        aria-label={t('ledgerExplorer.showTransfersOf', { name: label(a) })}
                      >
                        {t('ledgerExplorer.showTransfers')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {res.data.total === 0 ? <p className="muted">{t('ledgerExplorer.noAccounts')}</p> : null}
          <div className="row-actions">
            <button type="button" className="btn btn-secondary btn-sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t('ledgerExplorer.prev')}
            </button>
            <span className="muted small">
              {t('ledgerExplorer.range', { from: res.data.total ? offset + 1 : 0, to: offset + res.data.accounts.length, total: res.data.total })}
            </span>
            <button type="button" className="btn btn-secondary btn-sm" disabled={offset + PAGE >= res.data.total} onClick={() => setOffset(offset + PAGE)}>
              {t('ledgerExplorer.next')}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}

function Cause({ cause, me }: { cause: ExplorerCause | null; me: Me }) {
  const { t } = useTranslation();
  if (!cause) return null;
  const text = `${t(`ledgerExplorer.cause.${cause.type}`)}${cause.week ? ` ${cause.week}` : cause.title ? ` 《${cause.title}》` : ''}`;
  switch (cause.type) {
    case 'submission':
      return hasRole(me, EDITORS) ? (
        <Link to="/desk/review/$id" params={{ id: cause.id }}>
          {text}
        </Link>
      ) : (
        <span>{text}</span>
      );
    case 'grand_prize':
      return (
        <Link to="/desk/grand-prize" search={{ campaignId: cause.campaignId ?? undefined }}>
          {text}
        </Link>
      );
    case 'payout':
      return (
        <Link to="/finance" hash={`payout-${cause.id}`}>
          {text} {cause.id.slice(0, 8)}
        </Link>
      );
    case 'weekly_chart':
      return (
        <Link to="/charts/$campaignId" params={{ campaignId: cause.id }} search={{ week: cause.week ?? undefined }}>
          {text}
        </Link>
      );
    case 'rain_session':
      return hasRole(me, ['admin']) ? <Link to="/admin/rain">{text}</Link> : <span>{text}</span>;
    case 'campaign':
      return hasRole(me, ['admin']) ? (
        <Link to="/admin/campaigns/$id" params={{ id: cause.id }}>
          {text}
        </Link>
      ) : (
        <span>{text}</span>
      );
  }
}

function Legs({ legs }: { legs: ExplorerLeg[] }) {
  const { i18n } = useTranslation();
  const label = useLabel();
  return (
    <ul className="ledger-legs">
      {legs.map((l, i) => (
        <li key={`${l.accountId}-${i}`}>
          <span>{label(l)}</span> <span className={l.amountFen < 0 ? 'leg-debit' : 'leg-credit'}>{formatYuan(l.amountFen, i18n.language)}</span>
        </li>
      ))}
    </ul>
  );
}

function Transfers({ me, search, account }: { me: Me; search: LedgerSearch; account: ExplorerAccount | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate({ from: '/finance/ledger' });
  const label = useLabel();
  const { today, monthStart } = shanghaiToday();
  const from = search.from ?? monthStart;
  const to = search.to ?? today;
  const filters = { accountId: search.accountId, kind: search.kind, from: shanghaiDayStart(from), to: shanghaiDayStart(to, true) };
  const q = useLedgerTransfers(filters);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<LedgerSearch>) => void navigate({ search: (s: LedgerSearch) => ({ ...s, ...patch }), replace: true });
  const download = async () => {
    if (!filters.from || !filters.to) return;
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await exportLedgerCsv({ from: filters.from, to: filters.to, accountId: search.accountId });
      saveBlob(blob, filename ?? `paike-ledger-${from}-${to}.csv`);
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const summary = q.data?.pages[0]?.summary;
  const transfers = q.data?.pages.flatMap((p) => p.transfers) ?? [];
  return (
    <section className="desk-panel" aria-labelledby="ledger-transfers-h">
      <h2 id="ledger-transfers-h">{t('ledgerExplorer.transfers')}</h2>
      <div className="filters">
        {search.accountId ? (
          <p>
            {t('ledgerExplorer.forAccount', { name: summary ? label(summary.account) : account ? label(account) : search.accountId.slice(0, 8) })}{' '}
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => set({ accountId: undefined })}>
              {t('ledgerExplorer.clearAccount')}
            </button>
          </p>
        ) : null}
        <label>
          {t('ledgerExplorer.transferKindLabel')}
          <select value={search.kind ?? ''} onChange={(e) => set({ kind: (e.target.value || undefined) as LedgerTransferKind | undefined })}>
            <option value="">{t('ledgerExplorer.all')}</option>
            {TRANSFER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`ledgerExplorer.transferKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ledgerExplorer.from')}
          <input type="date" value={from} onChange={(e) => set({ from: e.target.value || undefined })} />
        </label>
        <label>
          {t('ledgerExplorer.to')}
          <input type="date" value={to} onChange={(e) => set({ to: e.target.value || undefined })} />
        </label>
        <button type="button" className="btn btn-primary btn-sm" disabled={busy || !filters.from || !filters.to} onClick={() => void download()}>
          {t('ledgerExplorer.exportCsv')}
        </button>
      </div>
      <p className="muted small">{t('ledgerExplorer.exportHint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      {summary ? (
        <dl className="stat-row" aria-label={t('ledgerExplorer.periodSummary')}>
          <div>
            <dt>{t('ledgerExplorer.opening')}</dt>
            <dd>{formatYuan(summary.openingFen, lang)}</dd>
          </div>
          <div>
            <dt>{t('ledgerExplorer.debits')}</dt>
            <dd>{formatYuan(summary.debitsFen, lang)}</dd>
          </div>
          <div>
            <dt>{t('ledgerExplorer.credits')}</dt>
            <dd>{formatYuan(summary.creditsFen, lang)}</dd>
          </div>
          <div>
            <dt>{t('ledgerExplorer.closing')}</dt>
            <dd>{formatYuan(summary.closingFen, lang)}</dd>
          </div>
        </dl>
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        transfers.length ? (
          <div className="table-wrap">
            <table className="data-table ledger-transfers">
              <caption className="sr-only">{t('ledgerExplorer.transfers')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ledgerExplorer.time')}</th>
                  <th scope="col">{t('ledgerExplorer.transferKindLabel')}</th>
                  <th scope="col" className="num">
                    {t('finance.amount')}
                  </th>
                  <th scope="col">{t('ledgerExplorer.legs')}</th>
                  <th scope="col">{t('ledgerExplorer.causeLabel')}</th>
                </tr>
              </thead>
              <tbody>
                {transfers.map((x) => (
                  <tr key={x.id}>
                    <td className="nowrap">{formatDateTime(x.createdAt, lang)}</td>
                    <td>
                      {t(`ledgerExplorer.transferKind.${x.kind}`)}
                      {x.reversedByTransferId ? <div className="muted small">{t('ledgerExplorer.reversed')}</div> : null}
                      {x.memo ? <div className="muted small">{x.memo}</div> : null}
                    </td>
                    <td className="num">{formatYuan(x.amountFen, lang)}</td>
                    <td>
                      <Legs legs={x.legs} />
                    </td>
                    <td>
                      <Cause cause={x.cause} me={me} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t('ledgerExplorer.noTransfers')}</p>
        )
      ) : null}
      {q.hasNextPage ? (
        <button type="button" className="btn btn-secondary btn-sm" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {t('ledgerExplorer.more')}
        </button>
      ) : null}
    </section>
  );
}

export function FinanceLedgerPage() {
  const { t } = useTranslation();
  useTitle(t('ledgerExplorer.title'));
  const search = useSearch({ from: '/finance/ledger' });
  const navigate = useNavigate({ from: '/finance/ledger' });
  const [picked, setPicked] = useState<ExplorerAccount | null>(null);
  return (
    <RequireRole roles={FINANCE}>
      {(me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <h1>{t('ledgerExplorer.title')}</h1>
          <p className="muted">{t('ledgerExplorer.intro')}</p>
          <div className="finance-grid">
            <Accounts
              onPick={(a) => {
                setPicked(a);
                void navigate({ search: (s: LedgerSearch) => ({ ...s, accountId: a.id }) });
              }}
            />
            <Transfers me={me} search={search} account={picked} />
          </div>
        </div>
      )}
    </RequireRole>
  );
}
