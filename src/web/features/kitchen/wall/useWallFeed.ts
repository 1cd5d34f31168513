import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../api/client.js';
import { getWall, WALL_STREAM_URL, type WallSnapshot } from '../../../api/kitchenWall.js';

/** After this long without a snapshot or a heartbeat, the wall says its figures may be old. */
export const STALE_AFTER_MS = 60_000;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

export interface WallFeed {
  snapshot: WallSnapshot | null;
  /** When the server last confirmed the figures (a snapshot or a heartbeat), by this screen's clock. */
  confirmedAt: number | null;
  connected: boolean;
  /** The session cannot open the wall: 401 (signed out) or 403 (not a wall account). */
  refused: 401 | 403 | null;
}

/**
 * The wall's live data: a GET first (it also tells a missing or wrong session apart from a
 * network failure, which an EventSource cannot), then the server-sent events. Any failure closes
 * the stream and starts over after a growing pause, so the wall comes back on its own after a
 * network cut, a server restart or a deploy, without a reload.
 */
export function useWallFeed(lang: string): WallFeed {
  const [feed, setFeed] = useState<WallFeed>({ snapshot: null, confirmedAt: null, connected: false, refused: null });
  const attempt = useRef(0);

  useEffect(() => {
    let stopped = false;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const schedule = () => {
      if (stopped) return;
      const wait = BACKOFF_MS[Math.min(attempt.current, BACKOFF_MS.length - 1)]!;
      attempt.current += 1;
      retry = setTimeout(() => void connect(), wait);
    };

    const connect = async () => {
      try {
        const snapshot = await getWall(lang);
        if (stopped) return;
        setFeed((f) => ({ ...f, snapshot, confirmedAt: Date.now(), refused: null }));
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          setFeed((f) => ({ ...f, connected: false, refused: err.status as 401 | 403 }));
        } else setFeed((f) => ({ ...f, connected: false }));
        schedule();
        return;
      }
      source = new EventSource(WALL_STREAM_URL, { withCredentials: true });
      source.addEventListener('open', () => {
        attempt.current = 0;
        setFeed((f) => ({ ...f, connected: true }));
      });
      source.addEventListener('snapshot', (e) => {
        const snapshot = JSON.parse((e as MessageEvent<string>).data) as WallSnapshot;
        setFeed((f) => ({ ...f, snapshot, confirmedAt: Date.now(), connected: true }));
      });
      source.addEventListener('heartbeat', () => setFeed((f) => ({ ...f, confirmedAt: Date.now(), connected: true })));
      source.addEventListener('error', () => {
        source?.close();
        source = null;
        setFeed((f) => ({ ...f, connected: false }));
        schedule();
      });
    };

    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [lang]);

  return feed;
}
