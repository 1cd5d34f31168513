import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { usePublicStory, type SiteStory } from '../api/kitchenPublish.js';
import { ApiError } from '../api/client.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

/**
 * The public article (网/端) of a story whose web form is published: phone first, light (no
 * player library: each embedded video links to its own /v/:id page). The body is the HTML the
 * kitchen sanitised when it was saved (modules/kitchen/sanitize.ts); it is rendered from that
 * field only, and the page CSP allows no inline script whatever it holds.
 */
export function PublicStoryPage() {
  const { id } = getRouteApi('/stories/$id').useParams();
  const { t } = useTranslation();
  const q = usePublicStory(id);
  useTitle(q.data?.headline ?? t('kitchenPublish.story.title'));

  if (q.isPending) return <Loading />;
  if (q.isError) {
    const gone = q.error instanceof ApiError && q.error.status === 404;
    return (
      <div className="k-publish-story">
        <h1>{t('kitchenPublish.story.title')}</h1>
        {gone ? <p>{t('kitchenPublish.story.notFound')}</p> : <ErrorState error={q.error} onRetry={() => void q.refetch()} />}
        <p>
          <Link to="/">{t('kitchenPublish.story.home')}</Link>
        </p>
      </div>
    );
  }
  return <Article story={q.data} />;
}

function Article({ story }: { story: SiteStory }) {
  const { t, i18n } = useTranslation();
  const [lead, ...rest] = story.images;
  return (
    <article className="k-publish-story" aria-labelledby="k-publish-h">
      <h1 id="k-publish-h">{story.headline}</h1>
      {story.standfirst ? <p className="k-publish-standfirst">{story.standfirst}</p> : null}
      <p className="k-publish-meta">
        {story.byline ? <span>{story.byline}</span> : null}
        {story.byline ? ' · ' : null}
        <time dateTime={story.publishedAt}>{formatDateTime(story.publishedAt, i18n.language)}</time>
      </p>
      {lead ? <Figure image={lead} eager /> : null}
      {/* Sanitised on save by the kitchen's one sanitiser; this field and no other is rendered as HTML. */}
      <div className="k-publish-body" dangerouslySetInnerHTML={{ __html: story.bodyHtml }} />
      {rest.map((image) => (
        <Figure key={image.id} image={image} />
      ))}
      {story.videos.length ? (
        <section className="k-publish-videos" aria-labelledby="k-publish-videos-h">
          <h2 id="k-publish-videos-h">{t('kitchenPublish.story.videos')}</h2>
          <ul>
            {story.videos.map((v) => (
              <li key={v.submissionId} className="k-publish-video">
                <Link to="/v/$id" params={{ id: v.submissionId }}>
                  {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" decoding="async" width={180} height={320} /> : null}
                  <span>{t('kitchenPublish.story.watch', { title: v.title })}</span>
                </Link>
                <p className="k-publish-credit">
                  <Link to="/u/$id" params={{ id: v.contributorId }}>
                    {t('kitchenPublish.story.videoBy', { name: v.credit })}
                  </Link>
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {story.tags.length ? (
        <ul className="chips tag-list" aria-label={t('kitchenPublish.story.tags')}>
          {story.tags.map((tag) => (
            <li key={tag} className="chip">
              #{tag}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <Link to="/">{t('kitchenPublish.story.home')}</Link>
      </p>
    </article>
  );
}

function Figure({ image, eager = false }: { image: SiteStory['images'][number]; eager?: boolean }) {
  const { t } = useTranslation();
  return (
    <figure className="k-publish-figure">
      <img src={image.url} alt={image.caption} width={image.width} height={image.height} loading={eager ? 'eager' : 'lazy'} decoding="async" />
      {image.caption || image.credit ? (
        <figcaption>
          {image.caption}
          {image.credit ? <span className="k-publish-credit"> {t('kitchenPublish.story.photo', { credit: image.credit })}</span> : null}
        </figcaption>
      ) : null}
    </figure>
  );
}
