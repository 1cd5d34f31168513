import { useEffect, useMemo, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client.js';
import { i18next } from '../i18n/index.js';

// What the big-screen walls share (the 传播力 wall, docs/wall.md; the command wall,
// docs/command-wall.md): a live feed over server-sent events, a fixed language, a ticking clock.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

export interface LiveFeed<T> {
  snapshot: T | null;
  /** When the server last confirmed the figures (a snapshot or a heartbeat), by this screen's clock. */
  confirmedAt: number | null;
  connected: boolean;
  /** The session cannot open the wall: 401 (signed out) or 403 (not a wall account). */
  refused: 401 | 403 | null;
}

/**
 * A wall's live data: a GET first (it also tells a missing or wrong session apart from a network
 * failure, which an EventSource cannot), then the stream's `snapshot` and `heartbeat` events.
 * Any failure closes the stream and starts over after a growing pause, so the wall comes back on
 * its own after a network cut, a server restart or a deploy, without a reload.
 */
export function useLiveFeed<T>(load: () => Promise<T>, streamUrl: string, key: string): LiveFeed<T> {
  const [feed, setFeed] = useState<LiveFeed<T>>({ snapshot: null, confirmedAt: null, connected: false, refused: null });
  const attempt = useRef(0);
  const loader = useRef(load);
  loader.current = load;

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
        const snapshot = await loader.current();
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
      source = new EventSource(streamUrl, { withCredentials: true });
      source.addEventListener('open', () => {
        attempt.current = 0;
        setFeed((f) => ({ ...f, connected: true }));
      });
      source.addEventListener('snapshot', (e) => {
        const snapshot = JSON.parse((e as MessageEvent<string>).data) as T;
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
  }, [streamUrl, key]);

  return feed;
}

/** A wall speaks its own language whatever the browser says (`?lang=en` for a visitors' screen). */
export function useCatalogue(lang: 'zh-CN' | 'en'): TFunction | null {
  const [ready, setReady] = useState(() => i18next.hasResourceBundle(lang, 'translation'));
  useEffect(() => {
    if (i18next.hasResourceBundle(lang, 'translation')) return setReady(true);
    let live = true;
    const load = lang === 'zh-CN' ? import('../i18n/zh-CN.js').then((m) => m.zhCN) : import('../i18n/en.js').then((m) => m.en);
    void load.then((messages) => {
      i18next.addResourceBundle(lang, 'translation', messages);
      if (live) setReady(true);
    });
    return () => {
      live = false;
    };
  }, [lang]);
  return useMemo(() => (ready ? i18next.getFixedT(lang) : null), [ready, lang]);
}

/** This screen's time, moving on every second. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** Shows the wall over the whole window, hiding the app's header and footer, while mounted. */
export function useWallMode(): void {
  useEffect(() => {
    const html = document.documentElement;
    html.classList.add('k-wall-mode');
    return () => html.classList.remove('k-wall-mode');
  }, []);
}
