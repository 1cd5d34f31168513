import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { sendViewerHeartbeat, usePublicBroadcast } from '../api/commandJanus.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { useHls } from '../ui/useHls.js';

const HEARTBEAT_MS = 10_000;

/** A random id for this page's life: the server counts distinct ids heard from in the last 30 s. */
function viewerId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The public watch page of a broadcast call (/live/$callId, docs/command-janus.md): phone first,
 * live HLS muted on open (browsers only autoplay muted), the audience count. 404 while the
 * broadcast is off or over.
 */
export function LiveWatchPage() {
  const { callId } = getRouteApi('/live/$callId').useParams();
  const { t } = useTranslation();
  const q = usePublicBroadcast(callId);
  const [audience, setAudience] = useState<number | null>(null);
  const me = useRef(viewerId());
  const video = useRef<HTMLVideoElement>(null);
  // Over (404) is final; any other failed refetch keeps the picture that is playing.
  const gone = q.error instanceof ApiError && q.error.status === 404;
  const error = useHls(video, gone ? null : (q.data?.playlist ?? null), { live: true });
  useTitle(q.data?.title ?? t('commandJanus.watch.title'));
  const on = !!q.data && !gone;
  const { refetch } = q;

  useEffect(() => {
    if (!on) return;
    let stopped = false;
    // The heartbeat is also how the page learns the broadcast is over: a 404 asks for the
    // broadcast again, whose 404 then shows "not on air".
    const beat = () =>
      void sendViewerHeartbeat(callId, me.current)
        .then((r) => !stopped && setAudience(r.audience))
        .catch((err: unknown) => {
          if (!stopped && err instanceof ApiError && err.status === 404) void refetch();
        });
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [callId, on, refetch]);

  if (q.isPending) return <Loading />;
  if (gone || !q.data) {
    return (
      <main className="janus-watch">
        <h1>{t('commandJanus.watch.title')}</h1>
        {gone ? <p>{t('commandJanus.watch.notOn')}</p> : <ErrorState error={q.error} onRetry={() => void refetch()} />}
      </main>
    );
  }
  const b = q.data;
  return (
    <main className="janus-watch">
      <h1>{b.title}</h1>
      <p className="janus-watch-meta">
        <span className="janus-live-badge">{t('commandJanus.watch.live')}</span>{' '}
        <span data-testid="audience">{t('commandJanus.broadcast.audience', { count: audience ?? b.audience })}</span>
      </p>
      <div className="janus-watch-frame">
        {b.playlist ? <video ref={video} muted autoPlay playsInline controls aria-label={b.title} /> : <p>{t('commandJanus.watch.starting')}</p>}
      </div>
      {error ? <p role="alert">{error}</p> : null}
    </main>
  );
}
