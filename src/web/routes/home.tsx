import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useCampaigns, useDailyPicks, useMe } from '../api/queries.js';
import { FeedSection, useViewReport } from '../features/site/siteUi.js';
import { VideoPlayer } from '../ui/VideoPlayer.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatDate, loc } from '../ui/format.js';

export function HomePage() {
  const { t, i18n } = useTranslation();
  const q = useCampaigns();
  const me = useMe();
  const picks = useDailyPicks(1);
  const pick = picks.data?.[0];
  const onPickPlaying = useViewReport(pick?.submissionId);
  useTitle(t('home.title'));
  const lang = i18n.language;
  return (
    <div className="contributor">
      <h1>{t('home.title')}</h1>
      <p className="lead">{t('home.intro')}</p>
      {me.data ? (
        <div className="cta-row">
          <Link to="/submit" className="btn btn-primary btn-lg">
            {t('home.submit')}
          </Link>
          <Link to="/submissions" className="btn btn-secondary btn-lg">
            {t('nav.submissions')}
          </Link>
        </div>
      ) : null}
      {pick?.playbackUrl ? (
        <section className="card daily-pick" aria-labelledby="daily-pick-title">
          <p className="eyebrow">{t('home.dailyPick')}</p>
          <h2 id="daily-pick-title">
            <Link to="/v/$id" params={{ id: pick.submissionId }}>
              {pick.headline}
            </Link>
          </h2>
          <VideoPlayer src={pick.playbackUrl} poster={pick.coverUrl} title={pick.headline} onPlaying={onPickPlaying} width={pick.width} height={pick.height} />
          {pick.summary ? <p>{pick.summary}</p> : null}
          <p className="muted">{t('home.dailyPickBy', { name: pick.contributorName })}</p>
        </section>
      ) : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && q.data.length === 0 ? <p>{t('home.empty')}</p> : null}
      {q.data && q.data.length > 0 ? (
        <ul className="card-list">
          {q.data.map((c) => (
            <li key={c.id} className="card campaign-card">
              <h2>
                <Link to="/c/$slug" params={{ slug: c.slug }} className="card-link">
                  {loc(c.title, lang)}
                </Link>
              </h2>
              <p className="muted">
                <span className={`badge badge-${c.status}`}>{t(`status.${c.status}`)}</span> {formatDate(c.startsAt, lang)} – {formatDate(c.endsAt, lang)}
              </p>
              <p className="clamp">{loc(c.description, lang)}</p>
              <p className="muted">{t('home.members', { count: c.memberCount, quota: c.quota })}</p>
              {c.status !== 'upcoming' ? (
                <p>
                  <Link to="/charts/$campaignId" params={{ campaignId: c.id }} search={{}}>
                    {t('site.chart.title')}
                  </Link>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <FeedSection />
    </div>
  );
}
