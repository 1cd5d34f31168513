import { useMemo } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useCampaigns } from '../api/queries.js';
import { useWeeklyChart, type WeeklyChart, type WeeklyChartEntry } from '../api/site.js';
import { weekOf, weeksBetween } from '../features/site/weeks.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatCount, formatDate, formatDateTime, formatYuan, loc } from '../ui/format.js';

function ChartEntry({ e, chart }: { e: WeeklyChartEntry; chart: WeeklyChart }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <li className={`card chart-entry${e.rank <= 3 ? ' chart-top' : ''}`} aria-labelledby={`chart-${e.submissionId}-h`}>
      <span className="chart-rank">
        <span aria-hidden="true">{e.rank}</span>
        <span className="sr-only">{t('site.chart.rank', { rank: e.rank })}</span>
      </span>
      <div className="chart-body">
        <h3 id={`chart-${e.submissionId}-h`} className="chart-title">
          <Link to="/v/$id" params={{ id: e.submissionId }}>
            {e.headline}
          </Link>
        </h3>
        <p className="feed-by">
          {t('site.by')}
          <Link to="/u/$id" params={{ id: e.contributor.id }}>
            {e.contributor.name}
          </Link>
        </p>
        <dl className="chart-figures">
          <div>
            <dt>{chart.rankBy === 'index' ? t('site.chart.score') : t('site.chart.scoreReach')}</dt>
            <dd>{chart.rankBy === 'index' ? e.score.toFixed(2) : formatCount(e.score, lang)}</dd>
          </div>
          <div>
            <dt>{t('site.chart.reach')}</dt>
            <dd>{formatCount(e.reach, lang)}</dd>
          </div>
          <div>
            <dt>{chart.frozen ? t('site.chart.prize') : t('site.chart.prizeLive')}</dt>
            <dd>{e.prizeFen ? formatYuan(e.prizeFen, lang) : t('common.none')}</dd>
          </div>
        </dl>
      </div>
    </li>
  );
}

export function ChartPage() {
  const { campaignId } = getRouteApi('/charts/$campaignId').useParams();
  const { week } = getRouteApi('/charts/$campaignId').useSearch();
  const navigate = useNavigate({ from: '/charts/$campaignId' });
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const campaigns = useCampaigns();
  const campaign = campaigns.data?.find((c) => c.id === campaignId);
  const q = useWeeklyChart(campaignId, week);
  const chart = q.data;
  useTitle(t('site.chart.title'));

  // Weeks from the campaign's first to the current one (or its last, once it has ended).
  const weeks = useMemo(() => {
    if (!campaign) return [];
    const end = Math.min(Date.now(), Date.parse(campaign.endsAt) - 1);
    return weeksBetween(new Date(campaign.startsAt), new Date(Math.max(end, Date.parse(campaign.startsAt))));
  }, [campaign]);
  const current = chart?.week ?? week ?? weekOf(new Date()).week;
  const options = weeks.some((w) => w.week === current) ? weeks : [{ week: current, start: new Date(chart?.startsAt ?? Date.now()) }, ...weeks];
  const idx = options.findIndex((w) => w.week === current);
  const thisWeek = weekOf(new Date()).week;
  // The current week is the page's plain address: it stays the live chart as weeks go by.
  const pick = (w: string | undefined) => void navigate({ search: { week: w === thisWeek ? undefined : w } });

  return (
    <div className="contributor chart-page">
      <p className="eyebrow">{campaign ? loc(campaign.title, lang) : null}</p>
      <h1>{t('site.chart.title')}</h1>
      <div className="week-picker" role="group" aria-label={t('site.chart.weekPicker')}>
        <button type="button" className="btn btn-secondary btn-sm" disabled={idx < 0 || idx >= options.length - 1} onClick={() => pick(options[idx + 1]?.week)}>
          {t('site.chart.prev')}
        </button>
        <label className="week-select">
          <span className="sr-only">{t('site.chart.week')}</span>
          <select value={current} onChange={(e) => pick(e.target.value)}>
            {options.map((w) => (
              <option key={w.week} value={w.week}>
                {w.week === thisWeek
                  ? t('site.chart.thisWeekOption', { week: w.week })
                  : t('site.chart.weekOption', { week: w.week, date: formatDate(w.start.toISOString(), lang) })}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-secondary btn-sm" disabled={idx <= 0} onClick={() => pick(options[idx - 1]?.week)}>
          {t('site.chart.next')}
        </button>
      </div>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {chart ? (
        <>
          <p className="chart-status">
            {chart.frozen ? (
              <span className="badge badge-frozen">{t('site.chart.frozen')}</span>
            ) : (
              <span className="badge badge-live">{t('site.chart.live')}</span>
            )}{' '}
            <span className="muted small">
              {t('site.chart.range', {
                start: formatDate(chart.startsAt, lang),
                end: formatDate(new Date(Date.parse(chart.endsAt) - 1).toISOString(), lang),
              })}
              {' · '}
              {chart.frozen && chart.frozenAt
                ? t('site.chart.frozenAt', { at: formatDateTime(chart.frozenAt, lang) })
                : t('site.chart.updatedAt', { at: formatDateTime(chart.computedAt, lang) })}
            </span>
          </p>
          <p className="muted small">{chart.rankBy === 'index' ? t('site.chart.byIndex') : t('site.chart.byReach')}</p>
          {chart.entries.length === 0 ? (
            <p className="empty-state">{chart.frozen ? t('site.chart.emptyFrozen') : t('site.chart.emptyLive')}</p>
          ) : (
            <ol className="card-list chart-list" aria-label={t('site.chart.listLabel', { week: chart.week })}>
              {chart.entries.map((e) => (
                <ChartEntry key={e.submissionId} e={e} chart={chart} />
              ))}
            </ol>
          )}
        </>
      ) : null}
      <p>
        <Link to="/">{t('site.backToFeed')}</Link>
      </p>
    </div>
  );
}
