import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { browserAllowsAutoplay } from './autoplay.js';
import { useHls } from './useHls.js';
import './player.css';

/** Phones shoot portrait: the frame's shape when the caller does not know the video's. */
const DEFAULT_ASPECT = 9 / 16;

/**
 * An HLS player that loads nothing but its poster until it is asked to play: the poster and a
 * large play button first, then, on play, the <video>, the playlists and (where the browser has
 * no HLS of its own) hls.js. A weak phone network thus spends its bytes on the page and the
 * poster, and the first frame needs only the master playlist, the lowest rung's playlist and
 * one small segment (useHls starts on the lowest rung). Once playing, the native controls give
 * keyboard access (Space, arrows); the play button hands focus to the video.
 */
export function VideoPlayer({
  src,
  poster,
  title,
  subtitles,
  onPlaying,
  width,
  height,
  priority = true,
  autoplay = 'off',
}: {
  src: string;
  poster?: string | null;
  title: string;
  /** A WebVTT file shown as the default subtitle track. */
  subtitles?: { url: string; label: string; lang: string };
  /** Playback has actually started (or resumed after buffering): frames are moving. */
  onPlaying?: () => void;
  /** The video's display size, when known: the frame takes its shape before anything loads. */
  width?: number | null;
  height?: number | null;
  /** The poster is the page's main picture: fetched first and at once. Off for a player further down a page. */
  priority?: boolean;
  /** "visible": start muted once half the player is on screen, on a fast connection only (see autoplayAllowed). */
  autoplay?: 'off' | 'visible';
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const pausedByViewer = useRef(false);
  // Tied to its source: a page that swaps the video (one video page to the next) shows the new
  // poster and loads nothing until play is pressed again.
  const [startedFor, setStartedFor] = useState<string | null>(null);
  const started = startedFor === src;
  const error = useHls(ref, started ? src : null);
  const aspect = width && height ? width / height : DEFAULT_ASPECT;

  function start(muted: boolean) {
    // Render the <video> now, inside the click, so play() below still counts as the user's
    // gesture (iPhone Safari only plays with sound from within one).
    pausedByViewer.current = false;
    flushSync(() => setStartedFor(src));
    const video = ref.current;
    if (!video) return;
    video.muted = muted;
    // With no source yet the promise waits; useHls attaches the source and it plays.
    void video.play().catch(() => undefined);
    if (!muted) video.focus();
  }

  // hls.js attaching its MediaSource can abort a play() made before it, so ask again once
  // there is a frame, unless the viewer has paused meanwhile.
  function onLoadedData() {
    const video = ref.current;
    if (video && video.paused && !pausedByViewer.current) void video.play().catch(() => undefined);
  }

  useEffect(() => {
    const el = frame.current;
    if (autoplay !== 'visible' || started || !el || typeof IntersectionObserver === 'undefined' || !browserAllowsAutoplay()) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          start(true);
        }
      },
      { threshold: 0.5 },
    );
    io.observe(el);
    return () => io.disconnect();
    // start() reads refs, src (a dependency) and a state setter, so it need not be one itself.
  }, [autoplay, started, src]);

  const style = { '--player-aspect': String(aspect) } as CSSProperties;
  return (
    <div className="player">
      <div ref={frame} className="player-frame" style={style}>
        {started ? (
          <video
            ref={ref}
            controls
            playsInline
            poster={poster ?? undefined}
            aria-label={t('player.label', { title })}
            className="player-video"
            onPlaying={onPlaying}
            onLoadedData={onLoadedData}
            onPause={(e) => {
              if (!e.currentTarget.ended && e.currentTarget.readyState >= 2) pausedByViewer.current = true;
            }}
          >
            {subtitles ? <track kind="subtitles" src={subtitles.url} srcLang={subtitles.lang} label={subtitles.label} default /> : null}
          </video>
        ) : (
          <>
            {poster ? (
              <img
                className="player-poster"
                src={poster}
                alt=""
                width={Math.round(aspect * 1000)}
                height={1000}
                decoding="async"
                loading={priority ? 'eager' : 'lazy'}
                fetchPriority={priority ? 'high' : 'auto'}
              />
            ) : null}
            <button type="button" className="player-play" aria-label={t('videoStart.play', { title })} onClick={() => start(false)}>
              <svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
                <path d="M8 5.5v13l11-6.5z" fill="currentColor" />
              </svg>
            </button>
          </>
        )}
      </div>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
