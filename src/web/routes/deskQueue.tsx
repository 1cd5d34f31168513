import { useEffect, useRef, useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { TRUST, useQueue, useStudios, type QueueFilters, type TrustLevel } from '../api/desk.js';
import { useCampaigns } from '../api/queries.js';
import { AssignmentBadge } from '../features/command/assign/AssignmentBadge.js';
import { campaignTheme, DeskNav, EDITORS, formatWaiting, Kbd, TrustBadge, useHotkeys } from '../features/desk/deskUi.js';
import { formatClock } from '../features/uploads/media.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { loc } from '../ui/format.js';

function Filters({ f }: { f: QueueFilters }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate({ from: '/desk/queue' });
  const campaigns = useCampaigns();
  const studios = useStudios();
  const campaign = campaigns.data?.find((c) => c.id === f.campaignId);
  const set = (patch: Partial<QueueFilters>) => void navigate({ search: (s) => ({ ...s, ...patch }), replace: true });
  return (
    <form className="filter-bar" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
      <label>
        <span>{t('queue.campaign')}</span>
        <select value={f.campaignId ?? ''} onChange={(e) => set({ campaignId: e.target.value || undefined, theme: undefined })}>
          <option value="">{t('queue.all')}</option>
          {campaigns.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {loc(c.title, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('queue.theme')}</span>
        <select value={f.theme ?? ''} onChange={(e) => set({ theme: e.target.value || undefined })} disabled={!campaign}>
          <option value="">{t('queue.all')}</option>
          {campaign?.themes.map((th) => (
            <option key={th.key} value={th.key}>
              {loc(th.title, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('queue.duplicate')}</span>
        <select value={f.duplicate ?? ''} onChange={(e) => set({ duplicate: (e.target.value || undefined) as QueueFilters['duplicate'] })}>
          <option value="">{t('queue.all')}</option>
          <option value="true">{t('queue.dupOnly')}</option>
          <option value="false">{t('queue.dupNone')}</option>
        </select>
      </label>
      <label>
        <span>{t('queue.trust')}</span>
        <select value={f.trust ?? ''} onChange={(e) => set({ trust: (e.target.value || undefined) as TrustLevel | undefined })}>
          <option value="">{t('queue.all')}</option>
          {TRUST.map((x) => (
            <option key={x} value={x}>
              {t(`trust.${x}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('queue.studio')}</span>
        <select value={f.studioId ?? ''} onChange={(e) => set({ studioId: e.target.value || undefined })}>
          <option value="">{t('queue.allStudios')}</option>
          {studios.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {Object.values(f).some(Boolean) ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void navigate({ search: {}, replace: true })}>
          {t('queue.clear')}
        </button>
      ) : null}
    </form>
  );
}

function QueueTable({ f }: { f: QueueFilters }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useQueue(f);
  const campaigns = useCampaigns();
  const navigate = useNavigate();
  const [sel, setSel] = useState(0);
  const links = useRef<(HTMLAnchorElement | null)[]>([]);
  const items = q.data ?? [];
  const count = items.length;
  useEffect(() => {
    if (sel >= count && count > 0) setSel(count - 1);
  }, [sel, count]);
  const move = (d: number) => {
    if (!count) return;
    const n = Math.max(0, Math.min(count - 1, sel + d));
    setSel(n);
    links.current[n]?.focus();
  };
  useHotkeys({
    j: () => move(1),
    k: () => move(-1),
    ArrowDown: (e) => {
      e.preventDefault();
      move(1);
    },
    ArrowUp: (e) => {
      e.preventDefault();
      move(-1);
    },
    Enter: (e) => {
      // A focused link or button handles Enter itself.
      if (e.target instanceof HTMLElement && e.target.closest('a,button')) return;
      const it = items[sel];
      if (it) void navigate({ to: '/desk/review/$id', params: { id: it.submission.id } });
    },
    r: () => void q.refetch(),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (count === 0) return <p className="empty-state">{t('queue.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table queue-table">
        <caption className="sr-only">{t('queue.caption', { count })}</caption>
        <thead>
          <tr>
            <th scope="col" className="thumb-col">
              <span className="sr-only">{t('queue.poster')}</span>
            </th>
            <th scope="col">{t('queue.colTitle')}</th>
            <th scope="col">{t('queue.colCampaign')}</th>
            <th scope="col">{t('queue.colContributor')}</th>
            <th scope="col" className="num">
              {t('queue.colWaiting')}
            </th>
            <th scope="col">{t('queue.colFlags')}</th>
            <th scope="col">{t('queue.colClaim')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((it, i) => {
            const s = it.submission;
            const ct = campaignTheme(campaigns.data, s.campaignId, s.theme, lang);
            return (
              <tr key={s.id} className={i === sel ? 'is-selected' : undefined} aria-current={i === sel ? 'true' : undefined} onClick={() => setSel(i)}>
                <td className="thumb-col">
                  {s.posterUrl ? <img src={s.posterUrl} alt="" className="thumb" loading="lazy" /> : <span className="thumb thumb-empty" aria-hidden="true" />}
                </td>
                <td>
                  <Link
                    to="/desk/review/$id"
                    params={{ id: s.id }}
                    ref={(el) => {
                      links.current[i] = el;
                    }}
                    onFocus={() => setSel(i)}
                    className="row-title"
                  >
                    {s.title}
                  </Link>
                  <div className="muted small">{s.durationSeconds ? formatClock(s.durationSeconds) : ''}</div>
                  <AssignmentBadge assignment={it.assignment} />
                </td>
                <td>
                  {ct.campaign}
                  {ct.theme ? <div className="muted small">{ct.theme}</div> : null}
                </td>
                <td>
                  {it.contributor.name} <TrustBadge trust={it.contributor.trust} />
                  <div className="muted small">{t('queue.history', { adopted: it.contributor.adopted, rejected: it.contributor.rejected })}</div>
                </td>
                <td className="num nowrap">{formatWaiting(it.waitingSeconds, t)}</td>
                <td>{s.duplicate ? <span className="badge badge-dup">{t('queue.dupBadge', { score: Math.round(s.duplicate.score * 100) })}</span> : null}</td>
                <td>
                  {it.claim ? (
                    <span className={it.claim.mine ? 'badge badge-claim-mine' : 'badge badge-claim'}>
                      {it.claim.mine ? t('queue.claimMine') : t('queue.claimedBy', { name: it.claim.editorName })}
                    </span>
                  ) : (
                    <span className="muted">{t('queue.unclaimed')}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function QueuePage() {
  const { t } = useTranslation();
  const f = getRouteApi('/desk/queue').useSearch();
  useTitle(t('queue.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me: Me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <div className="page-head">
            <h1>{t('queue.title')}</h1>
            <p className="muted small shortcuts">
              <Kbd>j</Kbd>/<Kbd>k</Kbd> {t('queue.keyMove')} · <Kbd>Enter</Kbd> {t('queue.keyOpen')} · <Kbd>r</Kbd> {t('queue.keyRefresh')} ·{' '}
              {t('queue.autoRefresh')}
            </p>
          </div>
          <Filters f={f} />
          <QueueTable f={f} />
        </div>
      )}
    </RequireRole>
  );
}
