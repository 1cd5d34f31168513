import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { ApiError, errorMessage } from '../api/client.js';
import { moneyKeys } from '../api/money.js';
import { useMyCampaigns } from '../api/queries.js';
import {
  fetchRainToken,
  grabPacket,
  liveState,
  rainKeys,
  useMyRainWins,
  useRainSession,
  useRainSessionsFor,
  type RainGrabResult,
  type RainSession,
} from '../api/rain.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, formatYuan, loc } from '../ui/format.js';

const ANYONE: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];
/** A fixed pool of packet nodes, recycled from the bottom to the top: no DOM churn while it rains. */
const PACKETS = 7;
const PACKET_W = 56;
const PACKET_H = 72;
/** Extra reach around a moving packet, in CSS px: a thumb lands a little behind what it aimed at. */
const SLOP = 28;

function useNow(intervalMs: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(t);
  }, [intervalMs, active]);
  return now;
}

export function useReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)';
  const [reduced, setReduced] = useState(() => typeof window.matchMedia === 'function' && window.matchMedia(query).matches);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(query);
    const on = () => setReduced(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return reduced;
}

function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

interface Drop {
  x: number;
  y: number;
  v: number;
  r: number;
  vr: number;
}

/**
 * Falling packets moved by requestAnimationFrame with transforms only (no layout, no React
 * renders per frame). A tap anywhere hit-tests the packets' current positions.
 */
function RainField({ onTap, label }: { onTap: () => void; label: string }) {
  const field = useRef<HTMLDivElement>(null);
  const nodes = useRef<(HTMLSpanElement | null)[]>([]);
  const drops = useRef<Drop[]>([]);
  const size = useRef({ w: 360, h: 520 });

  useEffect(() => {
    const el = field.current;
    if (!el) return;
    const measure = () => {
      size.current = { w: el.clientWidth, h: el.clientHeight };
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    const spawn = (d: Drop | undefined, initial: boolean): Drop => {
      const { w, h } = size.current;
      const next = d ?? { x: 0, y: 0, v: 0, r: 0, vr: 0 };
      next.x = Math.random() * Math.max(0, w - PACKET_W);
      next.y = initial ? Math.random() * h * 0.9 - PACKET_H : -PACKET_H - Math.random() * h * 0.4;
      next.v = h * (0.22 + Math.random() * 0.16); // px/s: the field in about 3–4.5 s
      next.r = Math.random() * 30 - 15;
      next.vr = Math.random() * 40 - 20;
      return next;
    };
    drops.current = Array.from({ length: PACKETS }, () => spawn(undefined, true));
    let last = performance.now();
    let raf = 0;
    const frame = (t: number) => {
      const dt = Math.min(0.05, (t - last) / 1000);
      last = t;
      const { h } = size.current;
      drops.current.forEach((d, i) => {
        d.y += d.v * dt;
        d.r += d.vr * dt;
        if (d.y > h) spawn(d, false);
        const n = nodes.current[i];
        if (n) n.style.transform = `translate3d(${d.x.toFixed(1)}px, ${d.y.toFixed(1)}px, 0) rotate(${d.r.toFixed(1)}deg)`;
      });
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
    return () => {
      cancelAnimationFrame(raf);
      ro.disconnect();
    };
  }, []);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const el = field.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    const px = e.clientX - box.left;
    const py = e.clientY - box.top;
    const hit = drops.current.findIndex((d) => px >= d.x - SLOP && px <= d.x + PACKET_W + SLOP && py >= d.y - SLOP && py <= d.y + PACKET_H + SLOP);
    if (hit < 0) return;
    const n = nodes.current[hit];
    if (n) {
      n.classList.remove('rain-packet-pop');
      void n.offsetWidth;
      n.classList.add('rain-packet-pop');
    }
    onTap();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onTap();
    }
  };

  return (
    <div ref={field} className="rain-field" role="button" tabIndex={0} aria-label={label} onPointerDown={onPointerDown} onKeyDown={onKey}>
      {Array.from({ length: PACKETS }, (_, i) => (
        <span
          key={i}
          ref={(el) => {
            nodes.current[i] = el;
          }}
          className="rain-packet"
          aria-hidden="true"
        >
          <span className="rain-packet-seal">福</span>
        </span>
      ))}
    </div>
  );
}

type Outcome = { kind: 'won'; result: RainGrabResult } | { kind: 'refused'; code: string; message: string; final: boolean; amountFen: number | null };

const FINAL_CODES = new Set(['rain.no_packets_left', 'rain.already_grabbed', 'rain.account_too_new', 'rain.not_eligible', 'rain.submission_required']);

function RainPlay({ session }: { session: RainSession }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const reduced = useReducedMotion();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const token = useRef<string | null>(null);
  const inFlight = useRef(false);
  const state = liveState(session, useNow(250, true));
  const finished = outcome?.kind === 'won' || (outcome?.kind === 'refused' && outcome.final);

  // Refresh the recorded counts when the session opens or ends.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: rainKeys.session(session.id) });
  }, [state, qc, session.id]);

  const grab = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      // One token per session and page: it is valid until a minute after the session ends.
      token.current ??= (await fetchRainToken(session.id)).token;
      const result = await grabPacket(session.id, token.current);
      setOutcome({ kind: 'won', result });
      void qc.invalidateQueries({ queryKey: moneyKeys.ledger });
      void qc.invalidateQueries({ queryKey: rainKeys.session(session.id) });
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.code === 'rain.bad_token') token.current = null;
        const d = e.details as { amountFen?: unknown } | undefined;
        setOutcome({
          kind: 'refused',
          code: e.code,
          message: e.message,
          final: FINAL_CODES.has(e.code),
          amountFen: typeof d?.amountFen === 'number' ? d.amountFen : null,
        });
      } else {
        setOutcome({ kind: 'refused', code: 'error', message: errorMessage(e), final: false, amountFen: null });
      }
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, [qc, session.id]);

  const onTap = () => {
    if (!finished) void grab();
  };

  return (
    <div className="rain-play">
      {state === 'scheduled' ? (
        <section className="rain-countdown" aria-labelledby="rain-cd-h">
          <h2 id="rain-cd-h">{t('rain.startsIn')}</h2>
          <p className="rain-clock" role="timer" aria-live="off">
            {formatCountdown(Date.parse(session.startsAt) - Date.now())}
          </p>
          <p className="small">{t('rain.startsAt', { at: formatDateTime(session.startsAt, lang) })}</p>
        </section>
      ) : null}

      {state === 'open' && !finished ? (
        <>
          <p className="rain-hint" role="status">
            {busy ? t('rain.grabbing') : reduced ? t('rain.hintButton') : t('rain.hintTap')}
          </p>
          {reduced ? (
            <div className="rain-still">
              <button type="button" className="rain-big-button" onClick={onTap} disabled={busy} aria-label={t('rain.grabLabel')}>
                {t('rain.grab')}
              </button>
            </div>
          ) : (
            <RainField onTap={onTap} label={t('rain.grabLabel')} />
          )}
        </>
      ) : null}

      {(state === 'ended' || state === 'settled') && !finished ? <Alert tone="info">{t('rain.ended')}</Alert> : null}

      {outcome?.kind === 'won' ? (
        <section className="rain-result" aria-labelledby="rain-won-h" role="status">
          <h2 id="rain-won-h">{t('rain.won')}</h2>
          <p className="rain-amount">{formatYuan(outcome.result.amountFen, lang)}</p>
          <p>{t('rain.total', { amount: formatYuan(outcome.result.totalWonFen, lang) })}</p>
          {outcome.result.held ? <p className="small">{t('rain.held')}</p> : <p className="small">{t('rain.paid')}</p>}
          <Link to="/earnings" className="btn btn-secondary">
            {t('rain.toEarnings')}
          </Link>
        </section>
      ) : null}
      {outcome?.kind === 'refused' ? (
        outcome.final ? (
          <section className="rain-result rain-result-miss" role="status">
            <p className="rain-miss">{outcome.message}</p>
            {outcome.code === 'rain.already_grabbed' && outcome.amountFen !== null ? (
              <p>{t('rain.alreadyAmount', { amount: formatYuan(outcome.amountFen, lang) })}</p>
            ) : null}
            <Link to="/rain">{t('rain.otherSessions')}</Link>
          </section>
        ) : (
          <Alert>{outcome.message}</Alert>
        )
      ) : null}
    </div>
  );
}

/** My win in a session, from the server (kept after the session ends; held wins say "under review"). */
function MyWin({ sessionId, compact }: { sessionId: string; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const wins = useMyRainWins(true);
  const win = wins.data?.wins.find((w) => w.sessionId === sessionId);
  if (!win) return null;
  const amount = formatYuan(win.amountFen, i18n.language);
  const status = t(`noticesMore.rainStatus.${win.status}`);
  if (compact)
    return (
      <p className="small" data-testid="rain-my-win">
        {amount} · {status}
      </p>
    );
  return (
    <p className="rain-my-win" role="status" data-testid="rain-my-win">
      {t('noticesMore.rainWin', { amount })} <span className={`badge badge-rain-win-${win.status}`}>{status}</span>
    </p>
  );
}

export function RainSessionPage() {
  const { sessionId } = getRouteApi('/rain/$sessionId').useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useRainSession(sessionId);
  useTitle(t('rain.title'));
  return (
    <RequireRole roles={ANYONE}>
      {() => (
        <div className="contributor rain-page">
          <h1>{t('rain.title')}</h1>
          {q.isPending ? <Loading /> : null}
          {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
          {q.data ? (
            <>
              <p className="small rain-meta">
                {t('rain.meta', {
                  at: formatDateTime(q.data.startsAt, lang),
                  budget: formatYuan(q.data.budgetFen, lang),
                  count: q.data.packetCount,
                })}
              </p>
              <RainPlay session={q.data} />
              <MyWin sessionId={q.data.id} />
            </>
          ) : null}
        </div>
      )}
    </RequireRole>
  );
}

function RainListBody() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const mine = useMyCampaigns(true);
  const campaigns = mine.data ?? [];
  const lists = useRainSessionsFor(campaigns.map((c) => c.id));
  const now = useNow(30_000, true);
  if (mine.isPending) return <Loading />;
  if (mine.isError) return <ErrorState error={mine.error} onRetry={() => void mine.refetch()} />;
  if (campaigns.length === 0) return <p className="muted">{t('rain.noCampaigns')}</p>;
  return (
    <>
      {campaigns.map((c, i) => {
        const q = lists[i];
        // Upcoming and open first, then the most recent past ones.
        const sessions = [...(q?.data ?? [])]
          .map((s) => ({ s, state: liveState(s, now) }))
          .sort((a, b) => {
            const live = (x: { state: string }) => (x.state === 'open' ? 0 : x.state === 'scheduled' ? 1 : 2);
            return live(a) - live(b) || (live(a) === 2 ? b.s.startsAt.localeCompare(a.s.startsAt) : a.s.startsAt.localeCompare(b.s.startsAt));
          })
          .slice(0, 12);
        return (
          <section key={c.id} aria-labelledby={`rain-c-${c.id}`}>
            <h2 id={`rain-c-${c.id}`}>{loc(c.title, lang)}</h2>
            {q?.isPending ? <Loading /> : null}
            {q?.isError ? <ErrorState error={q.error} /> : null}
            {q?.data && q.data.length === 0 ? <p className="muted">{t('rain.noSessions')}</p> : null}
            {sessions.length ? (
              <ul className="ledger-list">
                {sessions.map(({ s, state }) => (
                  <li key={s.id} className="ledger-entry">
                    <div>
                      <p className="entry-title">
                        {state === 'open' || state === 'scheduled' ? (
                          <Link to="/rain/$sessionId" params={{ sessionId: s.id }}>
                            {formatDateTime(s.startsAt, lang)}
                          </Link>
                        ) : (
                          formatDateTime(s.startsAt, lang)
                        )}
                      </p>
                      <p className="small muted">{t('rain.budgetLine', { budget: formatYuan(s.budgetFen, lang), count: s.packetCount })}</p>
                      <MyWin sessionId={s.id} compact />
                    </div>
                    <span className={`badge badge-rain-${state}`}>{t(`rain.state.${state}`)}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
        );
      })}
    </>
  );
}

export function RainListPage() {
  const { t } = useTranslation();
  useTitle(t('rain.listTitle'));
  return (
    <RequireRole roles={ANYONE}>
      {() => (
        <div className="contributor">
          <h1>{t('rain.listTitle')}</h1>
          <p className="muted">{t('rain.listIntro')}</p>
          <RainListBody />
        </div>
      )}
    </RequireRole>
  );
}
