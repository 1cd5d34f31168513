import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/**
 * An HLS player: the browser's own where it has HLS but no classic MediaSource (iPhone Safari),
 * hls.js elsewhere. Chromium now also answers "maybe" to canPlayType(HLS), so that answer alone
 * does not pick native playback. hls.js loads on demand: it is most of a megabyte.
 * The native controls give keyboard access (Space, arrows) once the video has focus.
 */
export function VideoPlayer({
  src,
  poster,
  title,
  subtitles,
}: {
  src: string;
  poster?: string | null;
  title: string;
  /** A WebVTT file shown as the default subtitle track. */
  subtitles?: { url: string; label: string; lang: string };
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    setError(null);
    const nativeHls = !!video.canPlayType(HLS_TYPE) && typeof window.MediaSource === 'undefined';
    if (nativeHls) {
      video.src = src;
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    let destroyed = false;
    let destroy: (() => void) | null = null;
    void import('hls.js')
      .then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) {
          if (video.canPlayType(HLS_TYPE)) video.src = src;
          else setError(t('player.unsupported'));
          return;
        }
        const hls = new Hls({
          xhrSetup: (xhr) => {
            xhr.withCredentials = true;
          },
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else setError(t('player.failed'));
        });
        hls.loadSource(src);
        hls.attachMedia(video);
        destroy = () => hls.destroy();
      })
      .catch(() => setError(t('player.failed')));
    return () => {
      destroyed = true;
      destroy?.();
    };
  }, [src, t]);
  return (
    <div className="player">
      <video ref={ref} controls playsInline preload="metadata" poster={poster ?? undefined} aria-label={t('player.label', { title })} className="player-video">
        {subtitles ? <track kind="subtitles" src={subtitles.url} srcLang={subtitles.lang} label={subtitles.label} default /> : null}
      </video>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
