import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useHls } from './useHls.js';

/** An HLS player (see useHls). The native controls give keyboard access (Space, arrows) once the video has focus. */
export function VideoPlayer({
  src,
  poster,
  title,
  subtitles,
  onPlaying,
}: {
  src: string;
  poster?: string | null;
  title: string;
  /** A WebVTT file shown as the default subtitle track. */
  subtitles?: { url: string; label: string; lang: string };
  /** Playback has actually started (or resumed after buffering): frames are moving. */
  onPlaying?: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const error = useHls(ref, src);
  return (
    <div className="player">
      <video
        ref={ref}
        controls
        playsInline
        preload="metadata"
        poster={poster ?? undefined}
        aria-label={t('player.label', { title })}
        className="player-video"
        onPlaying={onPlaying}
      >
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
