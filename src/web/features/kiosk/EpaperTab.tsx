import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import type { Edition, EpaperPage, Zone } from '../../../contracts/epaper.js';
import { PhoneQr } from './kioskMedia.js';

interface Latest {
  edition: Edition;
  today: string;
  isToday: boolean;
}

/**
 * The e-paper on the kiosk (docs/epaper.md): today's newspaper, a page at a time as the press
 * printed it, with each article a tappable zone; an article opens with its headline, its text
 * where the page has it, and a QR code to read the story on the phone. Read live from the public
 * API: offline the tab says so.
 */
export function EpaperTab({ t }: { t: TFunction }) {
  const [latest, setLatest] = useState<Latest | null>(null);
  const [state, setState] = useState<'loading' | 'none' | 'offline' | 'ready'>('loading');
  const [pageIndex, setPageIndex] = useState(0);
  const [zone, setZone] = useState<Zone | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/api/epaper/latest', { credentials: 'omit', cache: 'no-store' })
      .then(async (r) => {
        if (!live) return;
        if (r.status === 404) return setState('none');
        if (!r.ok) throw new Error(String(r.status));
        setLatest((await r.json()) as Latest);
        setState('ready');
      })
      .catch(() => live && setState('offline'));
    return () => {
      live = false;
    };
  }, []);
  if (state === 'loading') return <p className="kiosk-touch-empty">{t('kiosk.loading')}</p>;
  if (state === 'offline') return <p className="kiosk-touch-empty">{t('kiosk.touch.epaperOffline')}</p>;
  if (state === 'none' || !latest || latest.edition.pages.length === 0) return <p className="kiosk-touch-empty">{t('kiosk.touch.noEpaper')}</p>;
  const { edition } = latest;
  const page: EpaperPage = edition.pages[Math.min(pageIndex, edition.pages.length - 1)]!;
  return (
    <div className="kiosk-epaper" data-testid="kiosk-epaper">
      <header className="kiosk-epaper-head">
        <h2>
          {edition.title} · {edition.date}
        </h2>
        {!latest.isToday ? <p className="kiosk-touch-hint">{t('kiosk.touch.epaperNotToday', { date: edition.date })}</p> : null}
      </header>
      <div className="kiosk-chips" role="group" aria-label={t('kiosk.touch.epaperPages')}>
        {edition.pages.map((p, i) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={i === pageIndex}
            onClick={() => {
              setPageIndex(i);
              setZone(null);
            }}
          >
            {p.label || t('kiosk.touch.epaperPage', { n: p.number })}
          </button>
        ))}
      </div>
      <div className="kiosk-epaper-body">
        <figure className="kiosk-epaper-page" style={{ aspectRatio: `${page.width} / ${page.height}` }}>
          <img src={page.imageUrl} alt={page.label || t('kiosk.touch.epaperPage', { n: page.number })} />
          {page.zones.map((z) => (
            <button
              key={z.id}
              type="button"
              className="kiosk-zone"
              aria-pressed={zone?.id === z.id}
              aria-label={z.headline}
              style={{ left: `${z.x * 100}%`, top: `${z.y * 100}%`, width: `${z.w * 100}%`, height: `${z.h * 100}%` }}
              onClick={() => setZone(z)}
            />
          ))}
        </figure>
        <aside className="kiosk-epaper-article" aria-live="polite">
          {zone ? (
            <article data-testid="kiosk-epaper-article">
              <h3>{zone.headline}</h3>
              {zone.text ? <p className="kiosk-read-body">{zone.text}</p> : null}
              {zone.url ? (
                <div className="kiosk-read-qr">
                  <PhoneQr url={zone.url} label={t('kiosk.touch.readOnPhone')} className="kiosk-qr-inline" dataUrl />
                  <p>{t('kiosk.touch.readOnPhone')}</p>
                </div>
              ) : null}
            </article>
          ) : (
            <p className="kiosk-touch-hint">{t('kiosk.touch.epaperHint')}</p>
          )}
        </aside>
      </div>
    </div>
  );
}
