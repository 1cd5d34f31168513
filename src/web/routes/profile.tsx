import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { useMe } from '../api/queries.js';
import { useProfile } from '../api/site.js';
import { VideoCard } from '../features/site/siteUi.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatCount, formatDate } from '../ui/format.js';

/** 拍客故事: a contributor's public page, their published videos and what they reached. */
export function ProfilePage() {
  const { id } = getRouteApi('/u/$id').useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useProfile(id);
  const me = useMe();
  useTitle(q.data ? t('site.profile.title', { name: q.data.contributor.name }) : t('site.profile.eyebrow'));
  if (q.isPending) return <Loading />;
  // The public page exists only once something is published (a 404 otherwise, so accounts cannot
  // be enumerated); the contributor looking at their own gets an empty state instead of an error.
  if (q.isError && q.error instanceof ApiError && q.error.status === 404 && me.data?.id === id) {
    return (
      <div className="contributor profile-page">
        <h1>{me.data.name}</h1>
        <p className="empty-state" data-testid="profile-empty">
          {t('noticesMore.profileEmpty')}
        </p>
        <p>
          <Link to="/submit" className="btn btn-primary">
            {t('noticesMore.profileEmptyCta')}
          </Link>
        </p>
      </div>
    );
  }
  if (q.isError) {
    return (
      <div className="contributor">
        <h1>{t('site.profile.eyebrow')}</h1>
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        <p>
          <Link to="/">{t('site.backToFeed')}</Link>
        </p>
      </div>
    );
  }
  const { contributor: c, items } = q.data;
  return (
    <div className="contributor profile-page">
      <header className="profile-head">
        <span className="avatar" aria-hidden="true">
          {[...c.name][0] ?? '拍'}
        </span>
        <div>
          <p className="eyebrow">{t('site.profile.eyebrow')}</p>
          <h1>{c.name}</h1>
          <p className="muted small">{t('site.profile.joined', { date: formatDate(c.joinedAt, lang) })}</p>
        </div>
      </header>
      <dl className="profile-stats">
        <div>
          <dt>{t('site.profile.videos')}</dt>
          <dd>{formatCount(c.videoCount, lang)}</dd>
        </div>
        <div>
          <dt>{t('site.profile.reach')}</dt>
          <dd>{formatCount(c.reach, lang)}</dd>
        </div>
      </dl>
      <section aria-labelledby="profile-videos-h">
        <h2 id="profile-videos-h">{t('site.profile.works')}</h2>
        <ul className="card-list feed-list">
          {items.map((item) => (
            <VideoCard key={item.id} item={item} showContributor={false} />
          ))}
        </ul>
      </section>
      <p>
        <Link to="/">{t('site.backToFeed')}</Link>
      </p>
    </div>
  );
}
