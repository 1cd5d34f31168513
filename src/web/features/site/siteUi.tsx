import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { FeedItem } from '../../api/site.js';
import { sendViewBeacon, useFeed } from '../../api/site.js';
import { formatClock } from '../uploads/media.js';
import { ErrorState, Loading } from '../../ui/common.js';
import { formatCount, formatDate } from '../../ui/format.js';

/**
 * The player's `onPlaying` for a video on Paike's own site: reports one view per page view,
 * when frames first move (loading a page is not a view; a play is). The server also counts a
 * viewer once per video per hour, so a reload does not count twice.
 */
export function useViewReport(submissionId: string | undefined): () => void {
  const reported = useRef<string | null>(null);
  return useCallback(() => {
    if (!submissionId || reported.current === submissionId) return;
    reported.current = submissionId;
    sendViewBeacon(submissionId);
  }, [submissionId]);
}

export function ViewCount({ views }: { views: number }) {
  const { t, i18n } = useTranslation();
  return <span className="view-count">{t('site.views', { count: views, n: formatCount(views, i18n.language) })}</span>;
}

/** One published video in a list: poster, headline (the link), who filmed it, when, how often watched. */
export function VideoCard({ item, showContributor = true }: { item: FeedItem; showContributor?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <li className="card feed-card" aria-labelledby={`feed-${item.id}-h`}>
      <Link to="/v/$id" params={{ id: item.id }} className="feed-media" tabIndex={-1} aria-hidden="true">
        {item.posterUrl ? <img src={item.posterUrl} alt="" loading="lazy" className="poster" /> : <div className="poster poster-empty" />}
        {item.durationSeconds ? <span className="duration-tag">{formatClock(item.durationSeconds)}</span> : null}
      </Link>
      <div className="feed-body">
        <h3 id={`feed-${item.id}-h`} className="feed-title">
          <Link to="/v/$id" params={{ id: item.id }} className="card-link">
            {item.headline}
          </Link>
        </h3>
        {showContributor ? (
          <p className="feed-by">
            {t('site.by')}
            <Link to="/u/$id" params={{ id: item.contributor.id }}>
              {item.contributor.name}
            </Link>
          </p>
        ) : null}
        <p className="muted small">
          <time dateTime={item.publishedAt}>{formatDate(item.publishedAt, lang)}</time> · <ViewCount views={item.views} />
        </p>
      </div>
    </li>
  );
}

/**
 * The feed of published videos, newest first. The next page loads when the end of the list
 * scrolls into view; the "more" button does the same for keyboards and for browsers that
 * cannot observe scrolling.
 */
export function FeedSection({ headingId = 'feed-h' }: { headingId?: string }) {
  const { t } = useTranslation();
  const feed = useFeed();
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = feed;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '400px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="feed" aria-labelledby={headingId}>
      <div className="feed-head">
        <h2 id={headingId}>{t('site.feedTitle')}</h2>
        <SyndicationLinks />
      </div>
      {feed.isPending ? <Loading /> : null}
      {feed.isError && !feed.data ? <ErrorState error={feed.error} onRetry={() => void feed.refetch()} /> : null}
      {feed.data && items.length === 0 ? <p className="empty-state">{t('site.feedEmpty')}</p> : null}
      {items.length ? (
        <ul className="card-list feed-list">
          {items.map((item) => (
            <VideoCard key={item.id} item={item} />
          ))}
        </ul>
      ) : null}
      <div ref={sentinel} />
      {feed.isFetchNextPageError ? <ErrorState error={feed.error} /> : null}
      {hasNextPage ? (
        <button type="button" className="btn btn-secondary btn-block" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? t('site.loadingMore') : t('site.more')}
        </button>
      ) : feed.data && items.length > 0 ? (
        <p className="muted small feed-end">{t('site.feedEnd')}</p>
      ) : null}
    </section>
  );
}

/** The same feed for apps and readers (also announced in the page head). */
export function SyndicationLinks() {
  const { t } = useTranslation();
  return (
    <p className="syndication small">
      {t('site.subscribe')}{' '}
      <a href="/rss.xml" type="application/rss+xml">
        RSS
      </a>{' '}
      ·{' '}
      <a href="/feed.json" type="application/feed+json">
        JSON Feed
      </a>
    </p>
  );
}

/** Share a page: the phone's share sheet where there is one, else copy the link. The link is also shown to copy by hand. */
export function ShareBox({ url, title }: { url: string; title: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  const share = async () => {
    setStatus(null);
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ url, title });
        return;
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') return;
      }
    }
    try {
      await navigator.clipboard.writeText(url);
      setStatus(t('site.share.copied'));
    } catch {
      setStatus(t('site.share.copyByHand'));
    }
  };
  return (
    <div className="share-box">
      <button type="button" className="btn btn-secondary" onClick={() => void share()}>
        {t('site.share.button')}
      </button>
      <label className="share-link">
        <span className="sr-only">{t('site.share.link')}</span>
        <input type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <p role="status" className="small share-status">
        {status}
      </p>
    </div>
  );
}
