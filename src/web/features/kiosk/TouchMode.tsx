import { useEffect, useMemo, useState } from 'react';
import type { LendingTitle } from '../../../contracts/lending.js';
import type { TFunction } from 'i18next';
import { EpaperTab } from './EpaperTab.js';
import { StudyTab } from './StudyTab.js';
import { PhoneQr, useKioskVideo } from './kioskMedia.js';
import { readyOffline, type Manifest, type ManifestCard, type ManifestVideo } from './offline.js';

export const TOUCH_TABS = ['news', 'epaper', 'study', 'videos', 'chart', 'lending'] as const;
export type TouchTab = (typeof TOUCH_TABS)[number];

type Open = { kind: 'story'; card: ManifestCard } | { kind: 'video'; video: ManifestVideo } | null;

/**
 * The kiosk's touch mode (docs/kiosk.md): a passer-by taps the screen and browses the news by
 * section, watches a video, reads the weekly chart; everything has a QR code to go on reading or
 * watching on the phone. Large targets, no keyboard. Offline, a video whose files are not all
 * cached is shown but cannot be opened. The player returns to the loop after a quiet spell.
 */
export function TouchMode({ t, lang, manifest, offline, onExit }: { t: TFunction; lang: string; manifest: Manifest; offline: boolean; onExit: () => void }) {
  const [tab, setTab] = useState<TouchTab>('news');
  const [open, setOpen] = useState<Open>(null);
  const playable = (v: ManifestVideo) => !offline || readyOffline(v.offline?.assets);
  return (
    <section className="kiosk-touch" aria-label={t('kiosk.touch.title')} data-testid="kiosk-touch">
      <nav className="kiosk-touch-nav">
        <div role="tablist" aria-label={t('kiosk.touch.title')}>
          {TOUCH_TABS.map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              onClick={() => {
                setTab(k);
                setOpen(null);
              }}
            >
              {t(`kiosk.touch.${k}`)}
            </button>
          ))}
        </div>
        <button type="button" className="kiosk-touch-exit" onClick={onExit}>
          {t('kiosk.touch.exit')}
        </button>
      </nav>
      <div className="kiosk-touch-body" role="tabpanel" aria-label={t(`kiosk.touch.${tab}`)}>
        {open?.kind === 'story' ? (
          <StoryView t={t} card={open.card} onBack={() => setOpen(null)} />
        ) : open?.kind === 'video' ? (
          <VideoView t={t} v={open.video} onBack={() => setOpen(null)} />
        ) : tab === 'news' ? (
          <NewsList t={t} cards={manifest.cards} offline={offline} onOpen={(card) => setOpen({ kind: 'story', card })} />
        ) : tab === 'videos' ? (
          <VideoList t={t} videos={manifest.items} playable={playable} onOpen={(video) => setOpen({ kind: 'video', video })} />
        ) : tab === 'epaper' ? (
          <EpaperTab t={t} />
        ) : tab === 'study' ? (
          <StudyTab t={t} lang={lang} />
        ) : tab === 'chart' ? (
          <ChartView t={t} chart={manifest.chart} />
        ) : (
          <LendingShelf t={t} />
        )}
      </div>
    </section>
  );
}

function NewsList({ t, cards, offline, onOpen }: { t: TFunction; cards: ManifestCard[]; offline: boolean; onOpen: (c: ManifestCard) => void }) {
  const other = t('kiosk.touch.otherSection');
  const sections = useMemo(() => [...new Set(cards.map((c) => c.section ?? other))], [cards, other]);
  const [section, setSection] = useState<string | null>(null);
  const shown = section ? cards.filter((c) => (c.section ?? other) === section) : cards;
  if (cards.length === 0) return <p className="kiosk-touch-empty">{t('kiosk.touch.noNews')}</p>;
  return (
    <>
      {sections.length > 0 ? (
        <div className="kiosk-chips" role="group" aria-label={t('kiosk.touch.sections')}>
          <button type="button" aria-pressed={section === null} onClick={() => setSection(null)}>
            {t('kiosk.touch.allSections')}
          </button>
          {sections.map((s) => (
            <button key={s} type="button" aria-pressed={section === s} onClick={() => setSection(s)}>
              {s}
            </button>
          ))}
        </div>
      ) : null}
      <ul className="kiosk-tiles">
        {shown.map((c) => {
          const img = c.imageUrl ?? c.posterUrl;
          // Offline, an image that is not cached would be a broken box: the headline alone then.
          const showImg = img && (!offline || readyOffline(c.offline.assets));
          return (
            <li key={c.storyId}>
              <button type="button" className="kiosk-tile" onClick={() => onOpen(c)}>
                {showImg ? <img src={img} alt="" crossOrigin="anonymous" /> : null}
                <span className="kiosk-tile-section">{c.section ?? other}</span>
                <strong>{c.headline}</strong>
                {c.subline ? <span>{c.subline}</span> : null}
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function StoryView({ t, card, onBack }: { t: TFunction; card: ManifestCard; onBack: () => void }) {
  const img = card.imageUrl ?? card.posterUrl;
  return (
    <article className="kiosk-read" data-testid="kiosk-story">
      <button type="button" className="kiosk-back" onClick={onBack}>
        {t('kiosk.touch.back')}
      </button>
      {img ? <img src={img} alt="" crossOrigin="anonymous" /> : null}
      <p className="kiosk-tile-section">{card.section ?? t('kiosk.touch.otherSection')}</p>
      <h2>{card.headline}</h2>
      {card.subline ? <p className="kiosk-read-sub">{card.subline}</p> : null}
      {card.standfirst ? <p className="kiosk-read-body">{card.standfirst}</p> : null}
      <div className="kiosk-read-qr">
        <PhoneQr svg={card.qrSvg} label={t('kiosk.touch.readOnPhone')} className="kiosk-qr-inline" />
        <p>{t('kiosk.touch.readOnPhone')}</p>
      </div>
    </article>
  );
}

function VideoList({
  t,
  videos,
  playable,
  onOpen,
}: {
  t: TFunction;
  videos: ManifestVideo[];
  playable: (v: ManifestVideo) => boolean;
  onOpen: (v: ManifestVideo) => void;
}) {
  if (videos.length === 0) return <p className="kiosk-touch-empty">{t('kiosk.touch.noVideos')}</p>;
  return (
    <ul className="kiosk-tiles">
      {videos.map((v) => {
        const ok = playable(v);
        return (
          <li key={v.submissionId}>
            <button type="button" className="kiosk-tile" disabled={!ok} onClick={() => onOpen(v)}>
              {v.posterUrl && ok ? <img src={v.posterUrl} alt="" crossOrigin="anonymous" /> : null}
              <strong>{v.headline}</strong>
              <span>{ok ? t('kiosk.by', { name: v.credit }) : t('kiosk.touch.offlineUnavailable')}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function VideoView({ t, v, onBack }: { t: TFunction; v: ManifestVideo; onBack: () => void }) {
  const { ref, onPlaying, error } = useKioskVideo(v);
  return (
    <article className="kiosk-read kiosk-watch" data-testid="kiosk-watch">
      <button type="button" className="kiosk-back" onClick={onBack}>
        {t('kiosk.touch.back')}
      </button>
      {/* Sound on: a person chose to watch it (a tap is the gesture browsers ask for). */}
      <video ref={ref} autoPlay playsInline controls poster={v.posterUrl ?? undefined} onPlaying={onPlaying} crossOrigin="anonymous" />
      {error ? <p role="alert">{error}</p> : null}
      <h2>{v.headline}</h2>
      <p className="kiosk-read-sub">{t('kiosk.by', { name: v.credit })}</p>
      {v.summary ? <p className="kiosk-read-body">{v.summary}</p> : null}
      <div className="kiosk-read-qr">
        <PhoneQr url={`/v/${v.submissionId}`} label={t('kiosk.qr')} className="kiosk-qr-inline" />
        <p>{t('kiosk.qr')}</p>
      </div>
    </article>
  );
}

function ChartView({ t, chart }: { t: TFunction; chart: Manifest['chart'] }) {
  const [picked, setPicked] = useState<string | null>(null);
  if (!chart || chart.entries.length === 0) return <p className="kiosk-touch-empty">{t('kiosk.touch.noChart')}</p>;
  const entry = chart.entries.find((e) => e.submissionId === picked) ?? null;
  return (
    <div className="kiosk-touch-chart">
      <h2>{t('kiosk.chart', { week: chart.week })}</h2>
      <ol>
        {chart.entries.map((e) => (
          <li key={e.submissionId}>
            <button type="button" aria-pressed={picked === e.submissionId} onClick={() => setPicked(e.submissionId)}>
              <span className="kiosk-rank">{e.rank}</span> <span className="kiosk-chart-title">{e.headline}</span>{' '}
              <span className="kiosk-chart-by">{e.contributor.name}</span>
            </button>
          </li>
        ))}
      </ol>
      {entry ? (
        <div className="kiosk-read-qr">
          <PhoneQr url={`/v/${entry.submissionId}`} label={t('kiosk.qr')} className="kiosk-qr-inline" />
          <p>
            {entry.headline} · {t('kiosk.qr')}
          </p>
        </div>
      ) : (
        <p className="kiosk-touch-hint">{t('kiosk.touch.chartHint')}</p>
      )}
    </div>
  );
}

/**
 * The lending catalogue (docs/lending.md): covers and availability, and for each title a QR code
 * that borrows it on the phone (`/lend/:id`). Read live from the public catalogue: a kiosk lends
 * nothing itself, so offline this tab only says so.
 */
function LendingShelf({ t }: { t: TFunction }) {
  const [titles, setTitles] = useState<LendingTitle[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [picked, setPicked] = useState<LendingTitle | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/api/lending/titles?limit=60', { credentials: 'omit', cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<{ titles: LendingTitle[] }>) : Promise.reject(new Error(String(r.status)))))
      .then((r) => live && setTitles(r.titles))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  if (failed) return <p className="kiosk-touch-empty">{t('kiosk.touch.lendingOffline')}</p>;
  if (!titles) return <p className="kiosk-touch-empty">{t('kiosk.loading')}</p>;
  if (titles.length === 0) return <p className="kiosk-touch-empty">{t('kiosk.touch.noTitles')}</p>;
  if (picked) {
    const a = picked.availability;
    return (
      <article className="kiosk-read" data-testid="kiosk-title">
        <button type="button" className="kiosk-back" onClick={() => setPicked(null)}>
          {t('kiosk.touch.back')}
        </button>
        <h2>{picked.title}</h2>
        {picked.author ? <p className="kiosk-read-sub">{picked.author}</p> : null}
        <p className="kiosk-read-body">
          {a.state === 'available'
            ? t('kiosk.touch.titleAvailable', { available: a.available, copies: a.copies, days: a.loanDays })
            : t('kiosk.touch.titleOut', { holds: a.holds })}
        </p>
        <div className="kiosk-read-qr">
          <PhoneQr url={`/lend/${picked.id}`} label={t('kiosk.touch.borrowOnPhone')} className="kiosk-qr-inline" dataUrl />
          <p>{t('kiosk.touch.borrowOnPhone')}</p>
        </div>
      </article>
    );
  }
  return (
    <ul className="kiosk-tiles">
      {titles.map((b) => (
        <li key={b.id}>
          <button type="button" className="kiosk-tile" onClick={() => setPicked(b)}>
            {b.coverUrl ? <img src={b.coverUrl} alt="" /> : null}
            <strong>{b.title}</strong>
            <span>{b.availability.state === 'available' ? t('kiosk.touch.canBorrow') : t('kiosk.touch.allOut')}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
