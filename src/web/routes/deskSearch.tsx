import { useEffect, useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { useStudios } from '../api/desk.js';
import {
  PAGE_SIZE,
  SEARCH_SORTS,
  SEARCH_STATUSES,
  useDeskSearch,
  useTimeline,
  type SearchFilters,
  type SearchItem,
  type TimelineEvent,
} from '../api/deskSearch.js';
import { useCampaigns } from '../api/queries.js';
import { campaignTheme, DeskNav, EDITORS } from '../features/desk/deskUi.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime, formatYuan, loc } from '../ui/format.js';

const route = getRouteApi('/desk/search');

function Filters({ f }: { f: SearchFilters }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate({ from: '/desk/search' });
  const campaigns = useCampaigns();
  const studios = useStudios();
  const campaign = campaigns.data?.find((c) => c.id === f.campaignId);
  // Typed fields change the URL on submit (Enter or the button), selects at once; any change goes back to page 1.
  const [q, setQ] = useState(f.q ?? '');
  const [contributor, setContributor] = useState(f.contributor ?? '');
  useEffect(() => setQ(f.q ?? ''), [f.q]);
  useEffect(() => setContributor(f.contributor ?? ''), [f.contributor]);
  const set = (patch: Partial<SearchFilters>) => void navigate({ search: (s) => ({ ...s, ...patch, page: undefined, item: undefined }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ q: q.trim() || undefined, contributor: contributor.trim() || undefined });
  };
  return (
    <form className="filter-bar search-filters" role="search" aria-label={t('deskSearch.filters')} onSubmit={submit}>
      <label className="search-text">
        <span>{t('deskSearch.text')}</span>
        <input type="search" name="q" value={q} maxLength={100} placeholder={t('deskSearch.textHint')} onChange={(e) => setQ(e.target.value)} />
      </label>
      <label>
        <span>{t('deskSearch.status')}</span>
        <select value={f.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as SearchFilters['status'] })}>
          <option value="">{t('deskSearch.all')}</option>
          {SEARCH_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`deskSearch.stage.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('deskSearch.campaign')}</span>
        <select value={f.campaignId ?? ''} onChange={(e) => set({ campaignId: e.target.value || undefined, theme: undefined })}>
          <option value="">{t('deskSearch.all')}</option>
          {campaigns.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {loc(c.title, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('deskSearch.theme')}</span>
        <select value={f.theme ?? ''} onChange={(e) => set({ theme: e.target.value || undefined })} disabled={!campaign}>
          <option value="">{t('deskSearch.all')}</option>
          {campaign?.themes.map((th) => (
            <option key={th.key} value={th.key}>
              {loc(th.title, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('deskSearch.studio')}</span>
        <select value={f.studioId ?? ''} onChange={(e) => set({ studioId: e.target.value || undefined })}>
          <option value="">{t('deskSearch.all')}</option>
          {studios.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('deskSearch.contributor')}</span>
        <input
          type="text"
          name="contributor"
          value={contributor}
          maxLength={100}
          placeholder={t('deskSearch.contributorHint')}
          onChange={(e) => setContributor(e.target.value)}
        />
      </label>
      <label>
        <span>{t('deskSearch.from')}</span>
        <input type="date" value={f.from ?? ''} onChange={(e) => set({ from: e.target.value || undefined })} />
      </label>
      <label>
        <span>{t('deskSearch.to')}</span>
        <input type="date" value={f.to ?? ''} onChange={(e) => set({ to: e.target.value || undefined })} />
      </label>
      <label>
        <span>{t('deskSearch.sort')}</span>
        <select value={f.sort ?? 'newest'} onChange={(e) => set({ sort: e.target.value === 'newest' ? undefined : (e.target.value as SearchFilters['sort']) })}>
          {SEARCH_SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`deskSearch.sortBy.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-primary btn-sm">
        {t('deskSearch.submit')}
      </button>
      {Object.entries(f).some(([k, v]) => k !== 'item' && v) ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void navigate({ search: {} })}>
          {t('deskSearch.clear')}
        </button>
      ) : null}
    </form>
  );
}

function eventText(e: TimelineEvent, t: (k: string, o?: Record<string, unknown>) => string, lang: string): string {
  const channel = e.channel ? t(`channel.${e.channel}`) : '';
  switch (e.kind) {
    case 'adopted':
      return e.rewardFen !== null
        ? t('deskSearch.event.adoptedReward', { grade: e.grade ?? '?', amount: formatYuan(e.rewardFen, lang) })
        : t('deskSearch.event.adopted', { grade: e.grade ?? '?' });
    case 'regraded':
      return t('deskSearch.event.regraded', { from: e.fromGrade ?? '?', to: e.grade ?? '?' });
    case 'rejected':
      return e.reason ? t('deskSearch.event.rejectedReason', { reason: e.reason }) : t('deskSearch.event.rejected');
    case 'packaged':
    case 'published':
    case 'publish_failed':
    case 'unpublished':
      return t(`deskSearch.event.${e.kind}`, { channel });
    default:
      return t(`deskSearch.event.${e.kind}`);
  }
}

function TimelinePanel({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useTimeline(id);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside className="desk-panel timeline-panel" aria-labelledby="timeline-h">
      <div className="timeline-head">
        <h2 id="timeline-h">{q.data ? t('deskSearch.timelineOf', { title: q.data.title }) : t('deskSearch.timeline')}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
          {t('deskSearch.close')}
        </button>
      </div>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <p>
            <span className={`badge badge-stage-${q.data.stage}`}>{t(`deskSearch.stage.${q.data.stage}`)}</span>{' '}
            <Link to="/desk/review/$id" params={{ id }}>
              {t('deskSearch.openReview')}
            </Link>
          </p>
          <ol className="timeline" aria-label={t('deskSearch.timeline')}>
            {q.data.events.map((e, i) => (
              <li key={i} className={`timeline-event timeline-${e.kind}`}>
                <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
                <span className="timeline-text">
                  {eventText(e, t, lang)}
                  {e.url ? (
                    <>
                      {' '}
                      <a href={e.url} target="_blank" rel="noreferrer noopener">
                        {t('deskSearch.viewOn', { channel: e.channel ? t(`channel.${e.channel}`) : '' })}
                      </a>
                    </>
                  ) : null}
                </span>
                {e.actor ? <span className="muted small"> · {e.actor.name}</span> : null}
              </li>
            ))}
          </ol>
          {q.data.channels.length ? (
            <table className="data-table figures-table">
              <caption>{t('deskSearch.figures')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('deskSearch.channel')}</th>
                  <th scope="col">{t('deskSearch.channelStatus')}</th>
                  <th scope="col" className="num">
                    {t('deskSearch.views')}
                  </th>
                  <th scope="col" className="num">
                    {t('deskSearch.likes')}
                  </th>
                  <th scope="col" className="num">
                    {t('deskSearch.shares')}
                  </th>
                  <th scope="col" className="num">
                    {t('deskSearch.comments')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {q.data.channels.map((c) => (
                  <tr key={c.channel}>
                    <th scope="row">
                      {c.url ? (
                        <a href={c.url} target="_blank" rel="noreferrer noopener">
                          {t(`channel.${c.channel}`)}
                        </a>
                      ) : (
                        t(`channel.${c.channel}`)
                      )}
                    </th>
                    <td>{c.status}</td>
                    <td className="num">{formatCount(c.views, lang)}</td>
                    <td className="num">{formatCount(c.likes, lang)}</td>
                    <td className="num">{formatCount(c.shares, lang)}</td>
                    <td className="num">{formatCount(c.comments, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </aside>
  );
}

function Results({ f }: { f: SearchFilters }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useDeskSearch(f);
  const campaigns = useCampaigns();
  const navigate = useNavigate({ from: '/desk/search' });
  const page = f.page ?? 1;
  const go = (patch: Partial<SearchFilters>) => void navigate({ search: (s) => ({ ...s, ...patch }) });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const { items, total } = q.data;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const row = (it: SearchItem) => {
    const ct = campaignTheme(campaigns.data, it.campaignId, it.theme, lang);
    const open = f.item === it.id;
    return (
      <tr key={it.id} className={open ? 'is-selected' : undefined}>
        <th scope="row">
          <Link to="/desk/review/$id" params={{ id: it.id }}>
            {it.title}
          </Link>
        </th>
        <td>
          <span className={`badge badge-stage-${it.stage}`}>{t(`deskSearch.stage.${it.stage}`)}</span>
          {it.grade ? <span className="muted small"> {it.grade}</span> : null}
        </td>
        <td>
          {ct.campaign}
          {ct.theme ? <span className="muted"> · {ct.theme}</span> : null}
        </td>
        <td>{it.studioName ?? <span className="muted">{t('deskSearch.noStudio')}</span>}</td>
        <td>{it.contributor.name}</td>
        <td>
          <time dateTime={it.createdAt}>{formatDateTime(it.createdAt, lang)}</time>
        </td>
        <td>{it.liveChannels.map((c) => t(`channel.${c}`)).join(lang === 'zh-CN' ? '、' : ', ') || <span className="muted">—</span>}</td>
        <td className="num">{formatCount(it.views, lang)}</td>
        <td>
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            aria-pressed={open}
            aria-label={t('deskSearch.timelineFor', { title: it.title })}
            onClick={() => go({ item: open ? undefined : it.id })}
          >
            {t('deskSearch.timeline')}
          </button>
        </td>
      </tr>
    );
  };
  return (
    <>
      <p className="muted" role="status">
        {t('deskSearch.total', { count: total })}
      </p>
      {items.length === 0 ? (
        <p className="empty-state">{t('deskSearch.empty')}</p>
      ) : (
        <div className="table-wrap">
          {/* While the next page or search loads, the previous rows stay (no jump) but are marked busy. */}
          <table className="data-table search-table" aria-busy={q.isPlaceholderData}>
            <caption className="sr-only">{t('deskSearch.caption', { count: total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('deskSearch.colTitle')}</th>
                <th scope="col">{t('deskSearch.colStatus')}</th>
                <th scope="col">{t('deskSearch.colCampaign')}</th>
                <th scope="col">{t('deskSearch.colStudio')}</th>
                <th scope="col">{t('deskSearch.colContributor')}</th>
                <th scope="col">{t('deskSearch.colSubmitted')}</th>
                <th scope="col">{t('deskSearch.colChannels')}</th>
                <th scope="col" className="num">
                  {t('deskSearch.colViews')}
                </th>
                <th scope="col">
                  <span className="sr-only">{t('deskSearch.timeline')}</span>
                </th>
              </tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav className="pager" aria-label={t('deskSearch.pages')}>
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={page <= 1}
            onClick={() => go({ page: page - 1 === 1 ? undefined : page - 1, item: undefined })}
          >
            {t('deskSearch.prev')}
          </button>
          <span className="muted small">{t('deskSearch.page', { page, pages })}</span>
          <button type="button" className="btn btn-secondary btn-sm" disabled={page >= pages} onClick={() => go({ page: page + 1, item: undefined })}>
            {t('deskSearch.next')}
          </button>
        </nav>
      ) : null}
    </>
  );
}

export function SearchPage() {
  const { t } = useTranslation();
  const f = route.useSearch();
  const navigate = useNavigate({ from: '/desk/search' });
  useTitle(t('deskSearch.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me: Me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <h1>{t('deskSearch.title')}</h1>
          <Filters f={f} />
          <div className={f.item ? 'search-layout has-panel' : 'search-layout'}>
            <div>
              <Results f={f} />
            </div>
            {f.item ? <TimelinePanel key={f.item} id={f.item} onClose={() => void navigate({ search: (s) => ({ ...s, item: undefined }) })} /> : null}
          </div>
        </div>
      )}
    </RequireRole>
  );
}
