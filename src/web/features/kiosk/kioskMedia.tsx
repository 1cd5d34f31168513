import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useHls } from '../../ui/useHls.js';
import { cachedUrls, onCacheChange, readyOffline, type ManifestVideo } from './offline.js';
import { flushPlays, recordPlay } from './plays.js';

/** A v4 UUID; crypto.randomUUID exists only on https or localhost, and a kiosk may be on plain http in a LAN. */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A kiosk video in a <video>: its cached rendition when all of it is there (online too: the same
 * bytes, no download), chosen once, since a file arriving in the cache mid-play must not restart
 * it; the network's copy otherwise, until that fails and the cached one is there. Each play, from
 * the first frame to the end or to whatever replaced it, is recorded once for proof of play
 * (docs/kiosk.md). Returns the ref for the <video>, its `onPlaying` and the error.
 */
export function useKioskVideo(v: ManifestVideo) {
  const ref = useRef<HTMLVideoElement>(null);
  useSyncExternalStore(onCacheChange, cachedUrls);
  const kept = v.offline?.hlsUrl && readyOffline(v.offline.assets) ? v.offline.hlsUrl : null;
  const [src, setSrc] = useState(() => kept ?? v.hlsUrl);
  const failed = useHls(ref, src);
  // The network copy failed (an outage began, or the screen restarted in one before the worker
  // said what it keeps): the kept copy plays instead, rather than the poster until the next item.
  const fallBack = !!failed && src !== kept && !!kept;
  useEffect(() => {
    if (fallBack && kept) setSrc(kept);
  }, [fallBack, kept]);
  const error = fallBack ? null : failed;
  const play = useRef<{ id: string; startedAt: number; wall: number } | null>(null);
  useEffect(() => {
    return () => {
      const p = play.current;
      play.current = null;
      if (!p) return;
      recordPlay({ id: p.id, submissionId: v.submissionId, playedAt: new Date(p.startedAt).toISOString(), durationMs: Math.round(performance.now() - p.wall) });
      setTimeout(() => void flushPlays().catch(() => {}), 2000);
    };
  }, [v.submissionId]);
  const onPlaying = () => {
    // On the screen's own clock: the report says what that clock showed when sending, and the
    // server corrects it. The duration on a monotonic timer, which a clock change cannot move.
    play.current ??= { id: uuid(), startedAt: Date.now(), wall: performance.now() };
  };
  return { ref, onPlaying, error };
}

/** A QR code to continue on the phone: `svg` when the server made it, else drawn here for `url` (a path on this site). */
export function PhoneQr({
  url,
  svg,
  label,
  className = 'kiosk-qr',
  dataUrl,
}: {
  url?: string;
  svg?: string;
  label: string;
  className?: string;
  dataUrl?: boolean;
}) {
  const [drawn, setDrawn] = useState<string | null>(null);
  useEffect(() => {
    if (svg || !url) return;
    let live = true;
    void import('qrcode').then((q) =>
      q.toString(new URL(url, location.origin).toString(), { type: 'svg', margin: 1 }).then((s) => {
        if (live) setDrawn(s);
      }),
    );
    return () => {
      live = false;
    };
  }, [url, svg]);
  const markup = svg ?? drawn;
  // The SVG is the qrcode library's output (or the server's, made by the same library): no user markup.
  // `data-url` (when asked): the address the code holds, for the browser tests to follow as a phone would.
  return markup ? (
    <figure
      className={className}
      role="img"
      aria-label={label}
      data-url={dataUrl && url ? new URL(url, location.origin).toString() : undefined}
      dangerouslySetInnerHTML={{ __html: markup }}
    />
  ) : null;
}
