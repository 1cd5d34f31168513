import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { TFunction } from 'i18next';
import type { LiveFeed } from './liveWall.js';

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/**
 * A big-screen wall's frame (ui/liveWall.ts): title, date line, "last update" with the stale
 * marker, the clock, and in place of the panels the refusal (401 with a sign-in link, 403) or
 * "connecting". `keys` is the wall's i18n block, which must hold title, lastUpdate, stale,
 * waiting, signedOut, forbidden and signIn. Drawn in a portal over the whole window.
 */
export function WallFrame(props: {
  t: TFunction;
  keys: string;
  lang: string;
  className?: string;
  feed: LiveFeed<unknown>;
  stale: boolean;
  now: number;
  dateLine: string;
  /** Where sign-in leads back to. */
  path: string;
  children: ReactNode;
}) {
  const { t, keys: k, feed, stale, now } = props;
  const screen = (
    <div className={`k-wall-screen ${props.className ?? ''}`.trim()} lang={props.lang} data-stale={stale ? 'true' : 'false'}>
      <header className="k-wall-head">
        <h1>{t(`${k}.title`)}</h1>
        <p className="k-wall-date">{props.dateLine}</p>
        <p className={stale ? 'k-wall-updated k-wall-stale' : 'k-wall-updated'} role="status">
          {feed.confirmedAt !== null ? t(`${k}.lastUpdate`, { time: TIME.format(feed.confirmedAt) }) : t(`${k}.waiting`)}
          {stale && feed.confirmedAt !== null ? <strong className="k-wall-stale-marker"> · {t(`${k}.stale`)}</strong> : null}
        </p>
        <time className="k-wall-clock" dateTime={new Date(now).toISOString()}>
          {TIME.format(now)}
        </time>
      </header>
      {feed.refused ? (
        <div className="k-wall-refused">
          <p>{t(feed.refused === 401 ? `${k}.signedOut` : `${k}.forbidden`)}</p>
          {feed.refused === 401 ? <a href={`/sign-in?next=${encodeURIComponent(props.path)}`}>{t(`${k}.signIn`)}</a> : null}
        </div>
      ) : feed.snapshot ? (
        props.children
      ) : (
        <div className="k-wall-refused">
          <p>{t(`${k}.waiting`)}</p>
        </div>
      )}
    </div>
  );
  return createPortal(screen, document.body);
}
