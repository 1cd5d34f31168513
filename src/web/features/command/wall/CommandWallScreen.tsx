import { useCallback, useEffect, useMemo } from 'react';
import type { TFunction } from 'i18next';
import { ASSIGNMENT_STATUSES } from '../../../../contracts/command.limits.js';
import { COMMAND_WALL_STREAM_URL, getCommandWall, type CommandWallSnapshot } from '../../../api/commandWall.js';
import { useCatalogue, useLiveFeed, useNow, useWallMode } from '../../../ui/liveWall.js';
import { WallFrame } from '../../../ui/WallFrame.js';

type Lang = 'zh-CN' | 'en';
type Fmt = (n: number) => string;
const TZ = 'Asia/Shanghai';
/** Missed heartbeats before the wall says its figures may be old (the server sends one per interval). */
const STALE_INTERVALS = 3;
const DEFAULT_INTERVAL_SECONDS = 5;

/**
 * The command wall (docs/command-wall.md): the field at a glance on a 1920×1080 screen nobody
 * touches, drawn over the whole window and fed live over server-sent events (ui/liveWall.ts).
 */
export function CommandWallScreen({ lang }: { lang: Lang }) {
  const t = useCatalogue(lang);
  const load = useCallback(() => getCommandWall(lang), [lang]);
  const feed = useLiveFeed(load, COMMAND_WALL_STREAM_URL, lang);
  const now = useNow();
  useWallMode();
  useEffect(() => {
    if (t) document.title = t('commandWall.title');
  }, [t]);

  const fmt = useMemo(() => {
    const plain = new Intl.NumberFormat(lang);
    const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });
    return (n: number) => (Math.abs(n) >= 100_000 ? compact : plain).format(n);
  }, [lang]);
  const date = useMemo(() => new Intl.DateTimeFormat(lang, { timeZone: TZ, month: 'long', day: 'numeric', weekday: 'long' }), [lang]);

  if (!t) return null;
  const s = feed.snapshot;
  const staleAfter = STALE_INTERVALS * (s?.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  const stale = feed.confirmedAt === null || now - feed.confirmedAt > staleAfter;
  const scope = s && !s.scope.all ? t('commandWall.scope', { studios: s.scope.studios.join(' · ') || '—' }) : t('commandWall.scopeAll');

  return (
    <WallFrame
      t={t}
      keys="commandWall"
      lang={lang}
      className="cw-screen"
      feed={feed}
      stale={stale}
      now={now}
      dateLine={`${date.format(now)} · ${scope}`}
      path="/command/wall"
    >
      {s ? <Panels s={s} t={t} fmt={fmt} now={now} /> : null}
    </WallFrame>
  );
}

/** "3 分钟前" / "in 2 h 05 min": whole minutes, hours past 90 minutes. */
function span(ms: number, t: TFunction): string {
  const min = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  if (min < 1) return t('commandWall.justNow');
  if (min < 90) return t('commandWall.minutes', { n: min });
  return t('commandWall.hours', { h: Math.floor(min / 60), m: String(min % 60).padStart(2, '0') });
}

function Panels({ s, t, fmt, now }: { s: CommandWallSnapshot; t: TFunction; fmt: Fmt; now: number }) {
  const a = s.assignments;
  return (
    <div className="k-wall-grid cw-grid">
      <div className="k-wall-col">
        <section className="k-wall-panel cw-states" aria-labelledby="cw-states-h">
          <h2 id="cw-states-h">{t('commandWall.assignments')}</h2>
          <ul className="cw-tiles">
            {ASSIGNMENT_STATUSES.map((st) => (
              <li key={st} data-status={st} className={a.counts[st] ? 'cw-tile' : 'cw-tile k-wall-zero'}>
                <span className="cw-tile-n">{fmt(a.counts[st])}</span>
                <span className="k-wall-big-label">{t(`commandWall.status.${st}`)}</span>
              </li>
            ))}
            <li data-status="overdue" className={a.overdue ? 'cw-tile cw-bad' : 'cw-tile k-wall-zero'}>
              <span className="cw-tile-n">{fmt(a.overdue)}</span>
              <span className="k-wall-big-label">{t('commandWall.overdue')}</span>
            </li>
          </ul>
        </section>
        <section className="k-wall-panel cw-urgent" aria-labelledby="cw-urgent-h">
          <h2 id="cw-urgent-h">{t('commandWall.urgent')}</h2>
          {a.urgent.length ? (
            <ol className="k-wall-list cw-list">
              {a.urgent.map((x) => {
                const left = new Date(x.deadlineAt).getTime() - now;
                return (
                  <li key={x.id}>
                    <span className="k-wall-headline">{x.title}</span>
                    <span className="k-wall-who">{x.studio ?? t('commandWall.centralDesk')}</span>
                    <span className={left < 0 ? 'k-wall-figure cw-bad' : left < 3_600_000 ? 'k-wall-figure cw-warn' : 'k-wall-figure'} data-countdown>
                      {left < 0 ? t('commandWall.overdueBy', { span: span(left, t) }) : t('commandWall.dueIn', { span: span(left, t) })}
                    </span>
                  </li>
                );
              })}
            </ol>
          ) : (
            <p className="k-wall-empty">{t('commandWall.noUrgent')}</p>
          )}
        </section>
      </div>

      <div className="k-wall-col">
        <section className="k-wall-panel cw-field" aria-labelledby="cw-field-h">
          <div className="k-wall-panel-head">
            <h2 id="cw-field-h">{t('commandWall.field')}</h2>
            <p className="cw-count" data-figure="field">
              {fmt(s.field.count)}
            </p>
          </div>
          {s.field.people.length ? (
            <ul className="k-wall-list cw-list cw-people">
              {s.field.people.map((p) => (
                <li key={`${p.assignmentId}:${p.userId}`}>
                  <span className="k-wall-headline">
                    <strong>{p.name}</strong> · {p.assignmentTitle}
                  </span>
                  <span className="k-wall-who">
                    {p.lastSeenAt ? t('commandWall.ago', { span: span(now - new Date(p.lastSeenAt).getTime(), t) }) : t('commandWall.notSeen')}
                  </span>
                  <span className={p.battery !== null && p.battery < 0.2 ? 'k-wall-figure cw-bad' : 'k-wall-figure'}>
                    {p.battery !== null ? `${Math.round(p.battery * 100)}%${p.charging ? '⚡' : ''}` : '—'}
                  </span>
                  <span className="cw-net">{p.network ?? ''}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="k-wall-empty">{t('commandWall.noField')}</p>
          )}
        </section>
        <section className="k-wall-panel cw-calls" aria-labelledby="cw-calls-h">
          <div className="k-wall-panel-head">
            <h2 id="cw-calls-h">{t('commandWall.calls')}</h2>
            <p className="cw-count" data-figure="calls">
              {fmt(s.calls.count)}
            </p>
          </div>
          {s.calls.items.length ? (
            <ul className="k-wall-list cw-list cw-call-list">
              {s.calls.items.map((c) => (
                <li key={c.id} data-call={c.status}>
                  <span className="k-wall-headline">
                    <strong>{c.fieldName ?? '—'}</strong> · {c.assignmentTitle}
                    {c.guests > 1 ? ` · ${t('commandWall.guests', { n: c.guests })}` : ''}
                  </span>
                  <span className="k-wall-who">{c.placeName}</span>
                  <span className={c.status === 'active' ? 'k-wall-figure k-wall-up' : 'k-wall-figure cw-warn'}>
                    {c.status === 'active' ? span(now - new Date(c.answeredAt ?? c.startedAt).getTime(), t) : t('commandWall.ringing')}
                  </span>
                  <span className="cw-net">
                    {t(`commandWall.media.${c.media}`)}
                    {c.broadcast ? ` · ${t('commandWall.broadcast', { n: fmt(c.audience) })}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="k-wall-empty">{t('commandWall.noCalls')}</p>
          )}
        </section>
      </div>

      <div className="k-wall-col">
        <section className="k-wall-panel cw-footage" aria-labelledby="cw-footage-h">
          <div className="k-wall-panel-head">
            <h2 id="cw-footage-h">{t('commandWall.footage', { hours: s.footage.hours })}</h2>
            <p className="cw-count" data-figure="footage">
              {fmt(s.footage.count)}
            </p>
          </div>
          {s.footage.items.length ? (
            <ul className="k-wall-list cw-list">
              {s.footage.items.map((f) => (
                <li key={f.submissionId}>
                  <span className="k-wall-headline">
                    {f.source === 'call' ? '● ' : ''}
                    {f.title}
                  </span>
                  <span className="k-wall-who">{f.contributor}</span>
                  <span className={f.status === 'rejected' ? 'k-wall-figure cw-bad' : f.status === 'adopted' ? 'k-wall-figure k-wall-up' : 'k-wall-figure'}>
                    {t(`commandWall.submission.${f.status}`)}
                  </span>
                  <span className="cw-net">{span(now - new Date(f.createdAt).getTime(), t)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="k-wall-empty">{t('commandWall.noFootage')}</p>
          )}
        </section>
        <section className="k-wall-panel cw-reach" aria-labelledby="cw-reach-h">
          <h2 id="cw-reach-h">{t('commandWall.reach')}</h2>
          <div className="k-wall-reach-figures">
            <p className="k-wall-big" data-figure="reachTotal">
              <span className="k-wall-big-n">{fmt(s.propagation.total)}</span>
              <span className="k-wall-big-label">{t('commandWall.reachTotal')}</span>
            </p>
            <p className="k-wall-big" data-figure="today">
              <span className="k-wall-big-n">{fmt(s.propagation.today)}</span>
              <span className="k-wall-big-label">{t('commandWall.reachToday')}</span>
            </p>
          </div>
          {s.propagation.items.length ? (
            <ol className="k-wall-list cw-list">
              {s.propagation.items.slice(0, 4).map((r) => (
                <li key={r.submissionId}>
                  <span className="k-wall-headline">{r.title}</span>
                  <span className="k-wall-who">{r.contributor}</span>
                  <span className="k-wall-figure">{fmt(r.reach)}</span>
                  <span className="cw-net k-wall-up">{r.today > 0 ? `+${fmt(r.today)}` : ''}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="k-wall-empty">{t('commandWall.noReach')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
