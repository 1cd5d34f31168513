import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import type { TFunction } from 'i18next';
import type { KioskContent, KioskLayer } from '../../../contracts/kiosk.js';
import { resolveAt } from '../../../contracts/kiosk.schedule.js';
import { useCatalogue } from '../../ui/liveWall.js';
import {
  KioskAuthError,
  commandDone,
  forgetKey,
  heartbeat,
  listen,
  pollPairing,
  rotateKey,
  sendScreenshot,
  serverNow,
  startPairing,
  storedKey,
  storeKey,
  type Pairing,
} from './kioskClient.js';
import {
  cacheAhead,
  cachedUrls,
  fetchManifest,
  forgetManifest,
  onCacheChange,
  readyOffline,
  startKioskWorker,
  storedManifest,
  type Manifest,
  type ManifestCard,
  type ManifestVideo,
} from './offline.js';
import { drawScreenshot } from './screenshot.js';
import { flushPlays } from './plays.js';
import { PhoneQr, useKioskVideo } from './kioskMedia.js';
import { TouchMode } from './TouchMode.js';

/** Touch mode goes back to the loop after this long with no touch. */
export const TOUCH_IDLE_SECONDS = 90;
/** With a reader signed in to study, touch mode waits this long with no touch (the session itself lapses after 30 minutes). */
export const STUDY_IDLE_SECONDS = 600;

export const KIOSK_APP_VERSION = '16.2.0';

type Lang = 'zh-CN' | 'en';

/** `/kiosk`: the e-newspaper kiosk's own app (docs/kiosk.md). Pairs, then plays its schedule. */
export function KioskApp({ lang: initial }: { lang: Lang }) {
  const [lang, setLang] = useState<Lang>(initial);
  const t = useCatalogue(lang);
  const [key, setKey] = useState(storedKey);
  useEffect(() => {
    if (t) document.title = t('kiosk.title');
  }, [t]);
  if (!t) return null;
  useEffect(() => {
    void startKioskWorker().catch(() => undefined);
  }, []);
  const unpair = () => {
    forgetKey();
    forgetManifest();
    setKey(null);
  };
  return createPortal(
    <div className="kiosk" lang={lang}>
      {key ? (
        <Player t={t} lang={lang} onUnpaired={unpair} />
      ) : (
        <PairingScreen
          t={t}
          onPaired={(k) => {
            storeKey(k);
            setKey(k);
          }}
        />
      )}
      <button type="button" className="kiosk-lang" onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
        {lang === 'zh-CN' ? 'English' : '中文'}
      </button>
    </div>,
    document.body,
  );
}

function PairingScreen({ t, onPaired }: { t: TFunction; onPaired: (key: string) => void }) {
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const begin = async () => {
      try {
        const p = await startPairing();
        if (!live) return;
        setOffline(false);
        setPairing(p);
        const poll = async () => {
          try {
            const s = await pollPairing(p);
            if (!live) return;
            if (s.status === 'paired') return onPaired(s.key);
            if (s.status === 'expired') return void begin();
          } catch {
            if (live) setOffline(true);
          }
          timer = setTimeout(() => void poll(), p.pollSeconds * 1000);
        };
        timer = setTimeout(() => void poll(), p.pollSeconds * 1000);
      } catch {
        if (!live) return;
        setOffline(true);
        timer = setTimeout(() => void begin(), 5000);
      }
    };
    void begin();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [onPaired]);
  return (
    <section className="kiosk-pairing" aria-labelledby="kiosk-pair-h">
      <h1 id="kiosk-pair-h">{t('kiosk.pairTitle')}</h1>
      {pairing ? (
        <p className="kiosk-code" data-testid="pairing-code" aria-label={pairing.code.split('').join(' ')}>
          {pairing.code.slice(0, 3)} {pairing.code.slice(3)}
        </p>
      ) : (
        <p className="kiosk-code kiosk-code-wait">······</p>
      )}
      <p className="kiosk-pair-how">{t('kiosk.pairHow')}</p>
      {offline ? (
        <p className="kiosk-pair-offline" role="status">
          {t('kiosk.offline')}
        </p>
      ) : null}
    </section>
  );
}

type Slide =
  | { kind: 'video'; id: string; video: ManifestVideo }
  | { kind: 'card'; id: string; card: ManifestCard }
  | { kind: 'chart'; id: string; chart: NonNullable<Manifest['chart']> };

type Content = Pick<Manifest, 'items' | 'cards' | 'chart'>;

/**
 * The loop a layer's content makes of the screen's content; with no layer at all, everything
 * there is. `offline`: only what can play from the cache (every file of it cached), so an outage
 * never puts up an item that would stay blank.
 */
export function slidesFor(content: KioskContent | null, p: Content, offline?: (assets: string[] | null | undefined) => boolean): Slide[] {
  const sources = content?.sources ?? ['adopted', 'stories', 'chart'];
  const videos = offline ? p.items.filter((v) => offline(v.offline?.assets)) : p.items;
  const cards = offline ? p.cards.filter((c) => offline(c.offline.assets)) : p.cards;
  const out: Slide[] = [];
  for (const s of sources) {
    // The playlist is already the screen's campaign's (its settings); the newest video is the pick of the day.
    if (s === 'adopted') for (const v of videos) out.push({ kind: 'video', id: `v:${v.submissionId}`, video: v });
    if (s === 'daily_pick' && videos[0] && !sources.includes('adopted')) out.push({ kind: 'video', id: `v:${videos[0].submissionId}`, video: videos[0] });
    if (s === 'stories') for (const c of cards) out.push({ kind: 'card', id: `s:${c.storyId}`, card: c });
    if (s === 'chart' && p.chart && p.chart.entries.length > 0) out.push({ kind: 'chart', id: `c:${p.chart.week}`, chart: p.chart });
  }
  return out;
}

function Player({ t, lang, onUnpaired }: { t: TFunction; lang: string; onUnpaired: () => void }) {
  // The kept manifest first: a screen restarted during an outage plays at once.
  const [manifest, setManifest] = useState<Manifest | null>(storedManifest);
  const [now, setNow] = useState(serverNow);
  const [index, setIndex] = useState(0);
  const [offlineSince, setOfflineSince] = useState<string | null>(null);
  const [networkDown, setNetworkDown] = useState(() => !navigator.onLine);
  const cached = useSyncExternalStore(onCacheChange, cachedUrls);
  const offlineRef = useRef<string | null>(null);
  const handled = useRef(new Set<string>());
  const stage = useRef<HTMLDivElement>(null);
  const state = useRef<{ layerId: string | null; itemId: string | null; dark: boolean; mode: 'attract' | 'touch' }>({
    layerId: null,
    itemId: null,
    dark: false,
    mode: 'attract',
  });
  const [mode, setMode] = useState<'attract' | 'touch'>('attract');
  const [touchedAt, setTouchedAt] = useState(0);

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof KioskAuthError) return onUnpaired();
      offlineRef.current ??= new Date(serverNow()).toISOString();
      setOfflineSince(offlineRef.current);
    },
    [onUnpaired],
  );
  const back = useCallback(() => {
    offlineRef.current = null;
    setOfflineSince(null);
  }, []);
  const refresh = useCallback(async () => {
    const m = await fetchManifest();
    setManifest(m);
    back();
    void cacheAhead(m).catch(() => undefined);
    return m.items.length + m.cards.length;
  }, [back]);

  const run = useCallback(
    async (c: { id: string; kind: string }) => {
      if (handled.current.has(c.id)) return;
      handled.current.add(c.id);
      try {
        if (c.kind === 'reload') {
          await commandDone(c.id, 'reloading');
          location.reload();
        } else if (c.kind === 'refresh') {
          const n = await refresh();
          await commandDone(c.id, `refreshed ${n} items`);
        } else if (c.kind === 'screenshot' && stage.current) {
          await sendScreenshot(await drawScreenshot(stage.current));
        } else if (c.kind === 'rotate_key') {
          await rotateKey();
        }
      } catch (err) {
        handled.current.delete(c.id);
        fail(err);
      }
    },
    [refresh, fail],
  );

  // Content, the clock, the event stream and heartbeats.
  useEffect(() => {
    void refresh().catch(fail);
    const tick = setInterval(() => setNow(serverNow()), 1000);
    const down = () => setNetworkDown(true);
    const up = () => {
      setNetworkDown(false);
      void refresh().catch(fail);
    };
    window.addEventListener('offline', down);
    window.addEventListener('online', up);
    // The first hello follows the fetch just made (unless that failed); a later one is a
    // reconnection, maybe after an outage.
    let hellos = 0;
    const stop = listen((e) => {
      if (e.event === 'hello') {
        if (hellos++ > 0 || offlineRef.current) void refresh().catch(fail);
      } else if (e.event === 'command') void run(e.data);
      else if (e.event === 'schedule') void refresh().catch(fail);
      else if (e.event === 'revoked') onUnpaired();
    }, onUnpaired);
    let beatTimer: ReturnType<typeof setTimeout>;
    const beat = async () => {
      let every: number;
      try {
        const r = await heartbeat({
          appVersion: KIOSK_APP_VERSION,
          offlineSince: offlineRef.current,
          manifestVersion: storedManifest()?.version ?? null,
          ...state.current,
        });
        every = r.heartbeatSeconds;
        if (offlineRef.current) void refresh().catch(fail);
        back();
        for (const c of r.commands) void run(c);
        await flushPlays();
      } catch (err) {
        fail(err);
        // Out of reach: try again sooner than a whole heartbeat, to catch up soon after.
        every = 10;
      }
      beatTimer = setTimeout(() => void beat(), every * 1000);
    };
    // The first report once the content is in, so the admin page sees what plays from the start.
    beatTimer = setTimeout(() => void beat(), 3000);
    return () => {
      clearInterval(tick);
      clearTimeout(beatTimer);
      window.removeEventListener('offline', down);
      window.removeEventListener('online', up);
      stop();
    };
  }, [refresh, run, fail, back, onUnpaired]);

  const schedule = manifest?.schedule ?? null;
  const resolved = useMemo(() => (schedule ? resolveAt<KioskLayer>(schedule.layers, schedule.power, now) : null), [schedule, now]);
  const layer = resolved?.layer ?? null;
  const offline = !!offlineSince || networkDown;
  // Offline, only what is cached; with no worker at all (plain http), whatever there is.
  const filter = offline && cached.size > 0 ? readyOffline : undefined;
  const slides = useMemo(() => (manifest ? slidesFor(layer?.content ?? null, manifest, filter) : []), [manifest, layer, filter, cached]);
  const slide = slides.length > 0 ? slides[index % slides.length]! : null;
  // Urgent news (an interrupt layer) and dark hours end touch mode.
  const touching = mode === 'touch' && !resolved?.dark && layer?.kind !== 'interrupt';
  state.current = { layerId: layer?.id ?? null, itemId: touching ? null : (slide?.id ?? null), dark: !!resolved?.dark, mode: touching ? 'touch' : 'attract' };
  const next = useCallback(() => setIndex((i) => i + 1), []);

  const takenOver = !!resolved?.dark || layer?.kind === 'interrupt';
  useEffect(() => {
    if (takenOver) setMode('attract');
  }, [takenOver]);
  // Back to the loop after a quiet spell: every touch in touch mode starts the wait again. Someone
  // watching a video touches nothing, and a reader signed in to study reads for minutes: a
  // playing video holds the screen, and a study session waits up to STUDY_IDLE_SECONDS.
  useEffect(() => {
    if (!touching) return;
    const since = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      const v = stage.current?.querySelector('video');
      const studying = !!stage.current?.querySelector('[data-keep-awake="true"]');
      if (v && !v.paused && !v.ended) timer = setTimeout(check, 15_000);
      else if (studying && Date.now() - since < STUDY_IDLE_SECONDS * 1000) timer = setTimeout(check, 15_000);
      else setMode('attract');
    };
    timer = setTimeout(check, TOUCH_IDLE_SECONDS * 1000);
    return () => clearTimeout(timer);
  }, [touching, touchedAt]);

  // A still stays up for the layer's card time; a video moves on when it ends.
  const cardSeconds = layer?.content.cardSeconds ?? 12;
  useEffect(() => {
    if (!slide || slide.kind === 'video') return;
    const timer = setTimeout(next, cardSeconds * 1000);
    return () => clearTimeout(timer);
  }, [slide, cardSeconds, next]);

  if (resolved?.dark) return <div className="kiosk-dark" data-testid="kiosk-dark" />;
  if (touching && manifest) {
    return (
      <div
        className="kiosk-stage kiosk-stage-touch"
        ref={stage}
        data-orientation={schedule?.orientation ?? 'landscape'}
        data-layer={layer?.id ?? ''}
        data-offline={offline ? 'true' : 'false'}
        onPointerDown={() => setTouchedAt(Date.now())}
      >
        <TouchMode t={t} lang={lang} manifest={manifest} offline={offline} onExit={() => setMode('attract')} />
      </div>
    );
  }
  return (
    <div
      className="kiosk-stage"
      ref={stage}
      data-orientation={schedule?.orientation ?? 'landscape'}
      data-layer={layer?.id ?? ''}
      data-offline={offline ? 'true' : 'false'}
      // A tap anywhere on the loop opens touch mode (an interrupt keeps the screen for itself).
      onClick={() => {
        if (manifest && layer?.kind !== 'interrupt') {
          setMode('touch');
          setTouchedAt(Date.now());
        }
      }}
    >
      {manifest && layer?.kind !== 'interrupt' ? <p className="kiosk-touch-cta">{t('kiosk.touch.cta')}</p> : null}
      {slide ? (
        <SlideView key={`${index}:${slide.id}`} t={t} slide={slide} onEnded={next} />
      ) : (
        <p className="kiosk-empty">{manifest ? t('kiosk.nothing') : t('kiosk.loading')}</p>
      )}
      {offlineSince ? (
        <p className="kiosk-offline" role="status">
          {t('kiosk.offlinePlaying')}
        </p>
      ) : null}
    </div>
  );
}

function SlideView({ t, slide, onEnded }: { t: TFunction; slide: Slide; onEnded: () => void }) {
  if (slide.kind === 'video') return <VideoSlide t={t} v={slide.video} onEnded={onEnded} />;
  if (slide.kind === 'card') {
    const c = slide.card;
    const img = c.imageUrl ?? c.posterUrl;
    return (
      <article className="kiosk-slide kiosk-card" data-testid="kiosk-slide" data-kind="card">
        {img ? <img className="kiosk-media" src={img} alt="" crossOrigin="anonymous" /> : null}
        <div className="kiosk-caption">
          <h2>{c.headline}</h2>
          {c.subline ? <p>{c.subline}</p> : null}
        </div>
        <PhoneQr svg={c.qrSvg} label={t('kiosk.qr')} />
      </article>
    );
  }
  return (
    <article className="kiosk-slide kiosk-chart" data-testid="kiosk-slide" data-kind="chart">
      <h2>{t('kiosk.chart', { week: slide.chart.week })}</h2>
      <ol>
        {slide.chart.entries.map((e) => (
          <li key={e.submissionId}>
            <span className="kiosk-rank">{e.rank}</span> <span className="kiosk-chart-title">{e.headline}</span>{' '}
            <span className="kiosk-chart-by">{e.contributor.name}</span>
          </li>
        ))}
      </ol>
    </article>
  );
}

function VideoSlide({ t, v, onEnded }: { t: TFunction; v: ManifestVideo; onEnded: () => void }) {
  const { ref, onPlaying, error } = useKioskVideo(v);
  useEffect(() => {
    // A video that cannot play must not hold the loop.
    if (error) {
      const timer = setTimeout(onEnded, 3000);
      return () => clearTimeout(timer);
    }
  }, [error, onEnded]);
  return (
    <article className="kiosk-slide kiosk-video" data-testid="kiosk-slide" data-kind="video">
      <video
        ref={ref}
        className="kiosk-media"
        muted
        autoPlay
        playsInline
        poster={v.posterUrl ?? undefined}
        onPlaying={onPlaying}
        onEnded={onEnded}
        crossOrigin="anonymous"
      />
      <div className="kiosk-caption">
        <h2>{v.headline}</h2>
        <p>{t('kiosk.by', { name: v.credit })}</p>
      </div>
      <PhoneQr url={`/v/${v.submissionId}`} label={t('kiosk.qr')} />
    </article>
  );
}
