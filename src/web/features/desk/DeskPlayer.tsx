import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatClock } from '../uploads/media.js';
import { useHls } from '../../ui/useHls.js';
import { cueAt, parseSpriteVtt, type SpriteCue } from './spriteVtt.js';

/**
 * The review player: hls.js (or native HLS on Safari) plus a scrub bar that previews frames from
 * the thumbnail sprite on hover, so an editor can skim a three-minute video in seconds.
 */
export function DeskPlayer({
  src,
  poster,
  title,
  spriteVttUrl,
  onTime,
}: {
  src: string;
  poster: string | null;
  title: string;
  spriteVttUrl: string | null;
  /** Told the playhead position as it moves (the trim panel's "set from player"). */
  onTime?: (seconds: number) => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const error = useHls(ref, src);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [cues, setCues] = useState<SpriteCue[]>([]);
  const [hover, setHover] = useState<{ x: number; t: number } | null>(null);

  useEffect(() => {
    if (!spriteVttUrl) return;
    const ctl = new AbortController();
    fetch(spriteVttUrl, { credentials: 'same-origin', signal: ctl.signal })
      .then((r) => (r.ok ? r.text() : ''))
      .then((text) => setCues(text ? parseSpriteVtt(text, spriteVttUrl) : []))
      .catch(() => undefined);
    return () => ctl.abort();
  }, [spriteVttUrl]);

  const timeAt = (clientX: number) => {
    const r = bar.current!.getBoundingClientRect();
    const f = Math.max(0, Math.min(1, (clientX - r.left) / r.width));
    return { x: f * r.width, t: f * duration };
  };
  const seek = (s: number) => {
    const v = ref.current;
    if (v && duration) v.currentTime = Math.max(0, Math.min(duration, s));
  };
  const onKey = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 10 : 5;
    if (e.key === 'ArrowRight') seek(time + step);
    else if (e.key === 'ArrowLeft') seek(time - step);
    else if (e.key === 'Home') seek(0);
    else if (e.key === 'End') seek(duration);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const cue = hover ? cueAt(cues, hover.t) : null;
  return (
    <div className="player desk-player">
      <video
        ref={ref}
        controls
        playsInline
        preload="metadata"
        poster={poster ?? undefined}
        aria-label={t('player.label', { title })}
        className="player-video"
        onTimeUpdate={(e) => {
          setTime(e.currentTarget.currentTime);
          onTime?.(e.currentTarget.currentTime);
        }}
        onDurationChange={(e) => setDuration(Number.isFinite(e.currentTarget.duration) ? e.currentTarget.duration : 0)}
      />
      <div
        ref={bar}
        className="scrub"
        role="slider"
        tabIndex={0}
        aria-label={t('review.scrub')}
        aria-valuemin={0}
        aria-valuemax={Math.round(duration)}
        aria-valuenow={Math.round(time)}
        aria-valuetext={`${formatClock(time)} / ${formatClock(duration)}`}
        onKeyDown={onKey}
        onPointerMove={(e: PointerEvent) => duration && setHover(timeAt(e.clientX))}
        onPointerLeave={() => setHover(null)}
        onPointerDown={(e: PointerEvent) => duration && seek(timeAt(e.clientX).t)}
      >
        <div className="scrub-fill" style={{ width: duration ? `${(time / duration) * 100}%` : 0 }} />
        {hover ? (
          <div className="scrub-preview" style={{ left: hover.x }} aria-hidden="true">
            {cue ? (
              <div
                className="scrub-thumb"
                style={{ width: cue.w, height: cue.h, backgroundImage: `url("${cue.url}")`, backgroundPosition: `-${cue.x}px -${cue.y}px` }}
              />
            ) : null}
            <span>{formatClock(hover.t)}</span>
          </div>
        ) : null}
      </div>
      <p className="muted small scrub-time" aria-hidden="true">
        {formatClock(time)} / {formatClock(duration)}
      </p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
