import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../../api/client.js';
import { getAssignmentLocation, sendPositions, startLocationShare, stopLocationShare, type PositionReport } from '../../api/commandMap.js';
import { distanceMetres, type LocationPrecision } from '../../../contracts/command.limits.js';
import { LOCATION_LIMITS } from '../../../contracts/command.map.limits.js';

type Status = 'loading' | 'idle' | 'starting' | 'sharing' | 'stopped' | 'ended';
interface BatteryLike {
  level: number;
  charging: boolean;
}
type NavigatorExtras = Navigator & {
  getBattery?: () => Promise<BatteryLike>;
  connection?: { effectiveType?: string; type?: string };
};

/** Codes after which the phone stops on its own: the server will take no more positions from it. */
const TERMINAL = new Set([
  'command.location.no_consent',
  'command.location.assignment_not_active',
  'command.assignment_not_found',
  'command.location.not_working',
]);

/**
 * The phone's location share on an assignment it is working (docs/command-map.md): explicit
 * consent first (approximate by default, precise only if the person picks it), then
 * watchPosition; reports go at most every 30 s unless the person moved 100 m, queue while the
 * phone is offline and go as one batch when it is back. It stops when the person says so, when
 * the assignment is no longer active, or when the server refuses.
 */
export function LocationShare({ assignmentId, active }: { assignmentId: string; active: boolean }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<Status>('loading');
  const [precision, setPrecision] = useState<LocationPrecision>('coarse');
  const [message, setMessage] = useState<string | null>(null);
  const [lastSentAt, setLastSentAt] = useState<number | null>(null);
  const [queued, setQueued] = useState(0);

  const watchId = useRef<number | null>(null);
  const queue = useRef<PositionReport[]>([]);
  const sending = useRef(false);
  const lastQueued = useRef<{ at: number; lat: number; lng: number } | null>(null);
  const lastFix = useRef<GeolocationPosition | null>(null);
  const battery = useRef<BatteryLike | null>(null);
  const timer = useRef<number | null>(null);

  const halt = useCallback(() => {
    if (watchId.current !== null) navigator.geolocation.clearWatch(watchId.current);
    watchId.current = null;
    if (timer.current !== null) window.clearInterval(timer.current);
    timer.current = null;
    queue.current = [];
    setQueued(0);
  }, []);

  const refuse = useCallback(
    (err: ApiError) => {
      halt();
      setStatus(err.code === 'command.location.assignment_not_active' ? 'ended' : 'stopped');
      setMessage(t('commandMap.share.refused', { error: err.message }));
    },
    [halt, t],
  );

  const flush = useCallback(async () => {
    if (sending.current || !queue.current.length || !navigator.onLine) return;
    sending.current = true;
    try {
      while (queue.current.length && watchId.current !== null) {
        const batch = queue.current.slice(0, LOCATION_LIMITS.batchMax);
        try {
          await sendPositions(assignmentId, batch);
        } catch (err) {
          if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) return; // kept for later
          if (TERMINAL.has(err.code) || err.status === 401 || err.status === 403 || err.status === 404) return refuse(err);
          // 422 (stale or future clock) or 400: this report can never go; drop it and carry on.
        }
        // A batch's refused reports are dropped with the rest: the server never takes them later.
        queue.current = queue.current.slice(batch.length);
        setQueued(queue.current.length);
        setLastSentAt(Date.now());
      }
    } finally {
      sending.current = false;
    }
  }, [assignmentId, refuse]);

  const enqueue = useCallback(
    (fix: GeolocationPosition, at: number) => {
      const c = navigator as NavigatorExtras;
      const report: PositionReport = {
        lat: fix.coords.latitude,
        lng: fix.coords.longitude,
        accuracyM: Number.isFinite(fix.coords.accuracy) ? Math.min(fix.coords.accuracy, 1_000_000) : undefined,
        recordedAt: new Date(at).toISOString(),
      };
      if (battery.current) {
        report.battery = Math.min(1, Math.max(0, battery.current.level));
        report.charging = battery.current.charging;
      }
      const net = c.connection?.effectiveType ?? c.connection?.type;
      if (net) report.network = net.slice(0, 20);
      // A long dead spot keeps only the newest reports: older ones would be refused as too old anyway.
      queue.current = [...queue.current, report].slice(-LOCATION_LIMITS.batchMax * 5);
      lastQueued.current = { at, lat: report.lat, lng: report.lng };
      setQueued(queue.current.length);
      void flush();
    },
    [flush],
  );

  const onFix = useCallback(
    (fix: GeolocationPosition) => {
      lastFix.current = fix;
      const prev = lastQueued.current;
      const now = Date.now();
      const moved = prev ? distanceMetres(prev, { lat: fix.coords.latitude, lng: fix.coords.longitude }) : Infinity;
      if (!prev || now - prev.at >= LOCATION_LIMITS.sendEveryMs || moved >= LOCATION_LIMITS.sendOnMoveMetres) enqueue(fix, now);
    },
    [enqueue],
  );

  const watch = useCallback(
    (p: LocationPrecision) => {
      if (!('geolocation' in navigator)) {
        setStatus('idle');
        setMessage(t('commandMap.share.unsupported'));
        return;
      }
      const c = navigator as NavigatorExtras;
      c.getBattery?.().then(
        (b) => (battery.current = b),
        () => undefined,
      );
      watchId.current = navigator.geolocation.watchPosition(
        onFix,
        (err) => {
          if (err.code !== err.PERMISSION_DENIED) return; // a timeout or no fix yet: the watch keeps trying
          halt();
          setStatus('stopped');
          setMessage(t('commandMap.share.denied'));
          void stopLocationShare(assignmentId).catch(() => undefined);
        },
        { enableHighAccuracy: p === 'precise', maximumAge: 15_000, timeout: 60_000 },
      );
      // Standing still gives no new fixes: the last one goes again every 30 s so the desk's "last seen" stays true.
      timer.current = window.setInterval(() => {
        const fix = lastFix.current;
        if (fix && (!lastQueued.current || Date.now() - lastQueued.current.at >= LOCATION_LIMITS.sendEveryMs)) enqueue(fix, Date.now());
        else void flush();
      }, LOCATION_LIMITS.sendEveryMs);
      setStatus('sharing');
    },
    [assignmentId, enqueue, flush, halt, onFix, t],
  );

  // A share already running (the page was reloaded) carries on without asking again.
  useEffect(() => {
    let gone = false;
    getAssignmentLocation(assignmentId).then(
      (r) => {
        if (gone) return;
        if (r.as === 'field' && r.share && !r.share.stoppedAt && r.active && active) {
          setPrecision(r.share.precision);
          watch(r.share.precision);
        } else setStatus('idle');
      },
      (err) => {
        if (gone) return;
        setStatus('idle');
        setMessage(errorMessage(err));
      },
    );
    return () => {
      gone = true;
      halt();
    };
    // Deliberately once per assignment: `active` changes are handled by the effect below.
  }, [assignmentId]);

  useEffect(() => {
    if (active || status === 'loading') return;
    halt();
    if (status === 'sharing' || status === 'starting') setStatus('ended');
  }, [active, status, halt]);

  useEffect(() => {
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [flush]);

  async function start() {
    setStatus('starting');
    setMessage(null);
    try {
      const share = await startLocationShare(assignmentId, precision);
      watch(share.precision);
    } catch (err) {
      setStatus('idle');
      setMessage(errorMessage(err));
    }
  }

  async function stop() {
    halt();
    setStatus('stopped');
    try {
      await stopLocationShare(assignmentId);
      setMessage(null);
    } catch (err) {
      setMessage(errorMessage(err));
    }
  }

  if (status === 'loading') return null;
  const time = (ms: number) => new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' }).format(ms);

  if (status === 'sharing') {
    return (
      <section className="ls-card ls-on" aria-labelledby={`ls-${assignmentId}`}>
        <h2 id={`ls-${assignmentId}`}>
          <span className="ls-pulse" aria-hidden="true" /> {t('commandMap.share.sharing')}
        </h2>
        <p>{precision === 'coarse' ? t('commandMap.share.sharingCoarse') : t('commandMap.share.sharingPrecise')}</p>
        <p className="muted" role="status">
          {lastSentAt ? t('commandMap.share.lastSent', { time: time(lastSentAt) }) : null}
          {queued && !lastSentAt ? t('commandMap.share.queued', { n: queued }) : null}
          {queued && lastSentAt ? ` · ${t('commandMap.share.queued', { n: queued })}` : null}
        </p>
        <button type="button" className="button ls-stop" onClick={() => void stop()}>
          {t('commandMap.share.stop')}
        </button>
      </section>
    );
  }

  const canStart = active && status !== 'starting';
  return (
    <section className="ls-card" aria-labelledby={`ls-${assignmentId}`}>
      <h2 id={`ls-${assignmentId}`}>{t('commandMap.share.title')}</h2>
      {message ? (
        <p className="ls-message" role="alert">
          {message}
        </p>
      ) : null}
      {!active || status === 'ended' ? (
        <p className="muted">{t('commandMap.share.ended')}</p>
      ) : (
        <>
          {status === 'stopped' && !message ? <p className="muted">{t('commandMap.share.stopped')}</p> : null}
          <p>{t('commandMap.share.explain')}</p>
          <fieldset className="ls-precision">
            <label>
              <input type="radio" name={`ls-p-${assignmentId}`} checked={precision === 'coarse'} onChange={() => setPrecision('coarse')} />{' '}
              {t('commandMap.share.coarse')}
            </label>
            <label>
              <input type="radio" name={`ls-p-${assignmentId}`} checked={precision === 'precise'} onChange={() => setPrecision('precise')} />{' '}
              {t('commandMap.share.precise')}
            </label>
          </fieldset>
          <button type="button" className="button primary ls-start" disabled={!canStart} onClick={() => void start()}>
            {status === 'starting' ? t('commandMap.share.starting') : t('commandMap.share.start')}
          </button>
        </>
      )}
    </section>
  );
}
