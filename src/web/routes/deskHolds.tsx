import { useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { errorMessage } from '../api/client.js';
import { HOLD_STATUSES, holdsKeys, rejectHold, releaseHold, useHolds, type HoldStatus, type PropagationHold } from '../api/holds.js';
import { STAFF } from '../api/queries.js';
import { DeskNav, EDITORS, hasRole } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ConfirmBox, ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime, formatYuan } from '../ui/format.js';

/** Who may decide holds (`grand_prize.confirm` on the server). */
export const HOLD_DECIDERS = ['editor', 'chief_editor', 'finance', 'admin'] as const;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** One flagged figure (view-guard.ts's ViewAnomaly) as a sentence. */
function anomalyText(a: Record<string, unknown>, t: TFunction, lang: string): string | null {
  const views = num(a.views);
  const top = num(a.topNetworkViews);
  if (views === null || top === null) return null;
  const parts = [
    t('holds.reason.anomaly', {
      top: formatCount(top, lang),
      views: formatCount(views, lang),
      share: num(a.sharePercent) ?? 0,
      count: num(a.topNetworks) ?? 0,
    }),
  ];
  const networks = num(a.networks);
  const appViews = num(a.appViews);
  if (networks !== null && appViews !== null) parts.push(t('holds.reason.spread', { appViews: formatCount(appViews, lang), count: networks }));
  const from = str(a.from);
  const to = str(a.to);
  if (from && to) parts.push(t('holds.reason.window', { from: formatDateTime(from, lang), to: formatDateTime(to, lang) }));
  return parts.join(' ');
}

/** Why it was held, in words: the reach multiplier's reason wraps the flagged videos' anomalies. */
export function reasonLines(h: PropagationHold, t: TFunction, lang: string): string[] {
  const r = h.reason;
  if (h.kind === 'reach_multiplier') {
    const lines: string[] = [];
    const reach = num(r.reach);
    const suspect = num(r.suspectReach);
    if (reach !== null && suspect !== null) lines.push(t('holds.reason.reach', { suspect: formatCount(suspect, lang), reach: formatCount(reach, lang) }));
    const list = Array.isArray(r.anomalies) ? (r.anomalies as Record<string, unknown>[]) : [];
    for (const a of list) {
      const line = anomalyText(a, t, lang);
      if (line) lines.push(line);
    }
    return lines.length ? lines : [t('holds.reason.unknown')];
  }
  const line = anomalyText(r, t, lang);
  return [line ?? t('holds.reason.unknown')];
}

/** What the money is for: the chart week and rank, or the grade and multipliers. */
function detailText(h: PropagationHold, t: TFunction): string | null {
  if (h.kind === 'weekly_prize') {
    const rank = num(h.refs.rank);
    const week = str(h.refs.week);
    return rank !== null && week ? t('holds.detail.weekly', { week, rank }) : null;
  }
  if (h.kind === 'reach_multiplier') {
    const full = num(h.refs.multiplierPercent);
    const paid = num(h.refs.paidMultiplierPercent);
    return full !== null && paid !== null ? t('holds.detail.multiplier', { grade: str(h.refs.grade) ?? '—', full, paid }) : null;
  }
  return t('holds.detail.grand');
}

function HoldRow({ h }: { h: PropagationHold }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const [asking, setAsking] = useState<'release' | 'reject' | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amount = h.amountFen === null ? t('holds.amountLater') : formatYuan(h.amountFen, lang);
  const detail = detailText(h, t);
  const noteId = `hold-note-${h.id}`;

  const decide = async () => {
    if (!asking) return;
    setBusy(true);
    setError(null);
    try {
      if (asking === 'release') await releaseHold(h.id);
      else await rejectHold(h.id, note.trim());
      setAsking(null);
      await qc.invalidateQueries({ queryKey: holdsKeys.all });
    } catch (x) {
      setError(errorMessage(x));
      // Someone else may have decided it meanwhile: show the list as it is now.
      void qc.invalidateQueries({ queryKey: holdsKeys.all });
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">
        <Link to="/desk/review/$id" params={{ id: h.submissionId }}>
          {h.title || h.submissionId.slice(0, 8)}
        </Link>
        <div className="small muted">{h.contributorName}</div>
      </th>
      <td>
        {t(`holds.kind.${h.kind}`)}
        {detail ? <div className="small muted">{detail}</div> : null}
      </td>
      <td className="num nowrap">{amount}</td>
      <td>
        {reasonLines(h, t, lang).map((line, i) => (
          <p key={i} className="small">
            {line}
          </p>
        ))}
      </td>
      <td className="nowrap">{formatDateTime(h.createdAt, lang)}</td>
      <td>
        <span className={`badge badge-hold-${h.status}`}>{t(`holds.status.${h.status}`)}</span>
        {h.status !== 'held' && h.decidedAt ? (
          <p className="small muted">
            {t('holds.decidedBy', { name: h.decidedByName ?? t('holds.someone'), at: formatDateTime(h.decidedAt, lang) })}
            {h.note ? <span className="hold-note"> · {t('holds.noteShown', { note: h.note })}</span> : null}
          </p>
        ) : null}
      </td>
      <td>
        {h.status !== 'held' ? (
          <span className="muted small">{t('common.none')}</span>
        ) : asking ? (
          <div>
            {asking === 'reject' ? (
              <div className="field">
                <label htmlFor={noteId}>{t('holds.note')}</label>
                <textarea id={noteId} rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} disabled={busy} />
              </div>
            ) : null}
            <ConfirmBox
              small
              label={t(`holds.${asking}Label`, { title: h.title })}
              text={t(`holds.${asking}Text`, { amount, name: h.contributorName, kind: t(`holds.kind.${h.kind}`) })}
              confirm={busy ? t('holds.working') : t(`holds.${asking}Yes`)}
              cancel={t('common.cancel')}
              busy={busy}
              onConfirm={() => void decide()}
              onCancel={() => {
                setAsking(null);
                setError(null);
              }}
            />
          </div>
        ) : (
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-primary btn-sm"
              onClick={() => setAsking('release')}
              aria-label={t('holds.releaseLabel', { title: h.title })}
            >
              {t('holds.release')}
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => setAsking('reject')}
              aria-label={t('holds.rejectLabel', { title: h.title })}
            >
              {t('holds.reject')}
            </button>
          </div>
        )}
        {error ? <Alert>{error}</Alert> : null}
      </td>
    </tr>
  );
}

function HoldsTable({ status }: { status: HoldStatus | undefined }) {
  const { t } = useTranslation();
  const q = useHolds(status);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) return <p>{status ? t(`holds.empty.${status}`) : t('holds.empty.all')}</p>;
  const held = q.data.filter((h) => h.status === 'held').length;
  return (
    <>
      {status !== 'released' && status !== 'rejected' ? <p className="muted small">{t('holds.waiting', { count: held })}</p> : null}
      <div className="table-wrap">
        <table className="data-table holds-table">
          <caption className="sr-only">{t('holds.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('holds.col.video')}</th>
              <th scope="col">{t('holds.col.kind')}</th>
              <th scope="col" className="num">
                {t('holds.col.amount')}
              </th>
              <th scope="col">{t('holds.col.reason')}</th>
              <th scope="col">{t('holds.col.when')}</th>
              <th scope="col">{t('holds.col.status')}</th>
              <th scope="col">{t('holds.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((h) => (
              <HoldRow key={`${h.id}-${h.status}`} h={h} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function HoldsPage() {
  const { t } = useTranslation();
  const { status } = getRouteApi('/desk/holds').useSearch();
  const navigate = useNavigate();
  useTitle(t('holds.title'));
  return (
    <RequireRole roles={STAFF}>
      {(me) => (
        <div className="staff desk-page">
          {hasRole(me, EDITORS) || hasRole(me, ['finance']) ? <DeskNav me={me} /> : null}
          <h1>{t('holds.title')}</h1>
          <p className="muted">{t('holds.intro')}</p>
          {hasRole(me, HOLD_DECIDERS) ? (
            <>
              <div className="field filter-field">
                <label htmlFor="holds-status">{t('holds.filter')}</label>
                <select
                  id="holds-status"
                  value={status ?? ''}
                  onChange={(e) => void navigate({ to: '/desk/holds', search: e.target.value ? { status: e.target.value as HoldStatus } : {}, replace: true })}
                >
                  <option value="">{t('holds.all')}</option>
                  {HOLD_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {t(`holds.status.${s}`)}
                    </option>
                  ))}
                </select>
              </div>
              <HoldsTable status={status} />
            </>
          ) : (
            <Alert>{t('holds.notAllowed')}</Alert>
          )}
        </div>
      )}
    </RequireRole>
  );
}
