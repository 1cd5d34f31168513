import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useVideo } from '../api/site.js';
import { ShareBox, useViewReport, ViewCount } from '../features/site/siteUi.js';
import { VideoPlayer } from '../ui/VideoPlayer.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

export function VideoPage() {
  const { id } = getRouteApi('/v/$id').useParams();
  const { t, i18n } = useTranslation();
  const q = useVideo(id);
  const v = q.data;
  useTitle(v?.headline ?? t('site.video.title'));
  const onPlaying = useViewReport(id);

  if (q.isPending) return <Loading />;
  if (q.isError) {
    return (
      <div className="contributor">
        <h1>{t('site.video.title')}</h1>
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        <p>
          <Link to="/">{t('site.backToFeed')}</Link>
        </p>
      </div>
    );
  }
  const video = q.data;
  const credit = video.credit && video.credit !== video.contributor.name ? video.credit : null;
  return (
    <article className="contributor video-page" aria-labelledby="video-h">
      {video.hlsUrl ? (
        <VideoPlayer src={video.hlsUrl} poster={video.posterUrl} title={video.headline} onPlaying={onPlaying} width={video.width} height={video.height} />
      ) : (
        <p className="alert alert-info">{t('player.notReady')}</p>
      )}
      <h1 id="video-h">{video.headline}</h1>
      <p className="video-meta">
        <span>
          {t('site.by')}
          <Link to="/u/$id" params={{ id: video.contributor.id }}>
            {video.contributor.name}
          </Link>
        </span>
        {' · '}
        <ViewCount views={video.views} />
        {' · '}
        <time dateTime={video.publishedAt}>{formatDateTime(video.publishedAt, i18n.language)}</time>
      </p>
      {credit ? <p className="muted small">{t('site.video.credit', { credit })}</p> : null}
      {video.summary ? <p className="description">{video.summary}</p> : null}
      {video.tags.length ? (
        <ul className="chips tag-list" aria-label={t('site.video.tags')}>
          {video.tags.map((tag) => (
            <li key={tag} className="chip">
              #{tag}
            </li>
          ))}
        </ul>
      ) : null}
      <ShareBox url={video.url} title={video.headline} />
      <nav className="video-links" aria-label={t('site.video.more')}>
        <Link to="/u/$id" params={{ id: video.contributor.id }}>
          {t('site.video.moreBy', { name: video.contributor.name })}
        </Link>
        <Link to="/charts/$campaignId" params={{ campaignId: video.campaignId }} search={{}}>
          {t('site.chart.title')}
        </Link>
        <Link to="/">{t('site.backToFeed')}</Link>
      </nav>
    </article>
  );
}
