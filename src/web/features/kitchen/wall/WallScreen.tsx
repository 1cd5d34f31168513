import { useEffect, useMemo } from 'react';
import type { TFunction } from 'i18next';
import { FORM_STATUSES } from '../../../../contracts/kitchen.js';
import type { WallSnapshot } from '../../../api/kitchenWall.js';
import { useCatalogue, useNow, useWallMode } from '../../../ui/liveWall.js';
import { WallFrame } from '../../../ui/WallFrame.js';
import { STALE_AFTER_MS, useWallFeed } from './useWallFeed.js';

export type WallLang = 'zh-CN' | 'en';
const TZ = 'Asia/Shanghai';

/**
 * The 传播力 wall (docs/wall.md): a 1920×1080 screen with no interaction, drawn over the
 * whole window (the app's header and footer are hidden while it is shown), fed live by
 * useWallFeed.
 */
export function WallScreen({ lang }: { lang: WallLang }) {
  const t = useCatalogue(lang);
  const feed = useWallFeed(lang);
  const now = useNow();

  useWallMode();
  useEffect(() => {
    if (t) document.title = t('kitchenWall.title');
  }, [t]);

  const fmt = useMemo(() => {
    const plain = new Intl.NumberFormat(lang);
    const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });
    return (n: number) => (Math.abs(n) >= 100_000 ? compact : plain).format(n);
  }, [lang]);
  const date = useMemo(() => new Intl.DateTimeFormat(lang, { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' }), [lang]);

  if (!t) return null;
  const s = feed.snapshot;
  const stale = feed.confirmedAt === null || now - feed.confirmedAt > STALE_AFTER_MS;

  return (
    <WallFrame t={t} keys="kitchenWall" lang={lang} feed={feed} stale={stale} now={now} dateLine={date.format(now)} path="/wall">
      {s ? <Panels s={s} t={t} fmt={fmt} lang={lang} /> : null}
    </WallFrame>
  );
}

type Fmt = (n: number) => string;

function Bars({ rows, fmt, t }: { rows: { key: string; label: string; value: number; today: number }[]; fmt: Fmt; t: TFunction }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul className="k-wall-bars">
      {rows.map((r) => (
        <li key={r.key}>
          <span className="k-wall-bar-label">{r.label}</span>
          <span className="k-wall-bar-track" aria-hidden="true">
            <span className="k-wall-bar-fill" style={{ width: `${(r.value / max) * 100}%` }} />
          </span>
          <span className="k-wall-bar-value">{fmt(r.value)}</span>
          <span className="k-wall-bar-today">{r.today > 0 ? t('kitchenWall.gain', { n: fmt(r.today) }) : ''}</span>
        </li>
      ))}
    </ul>
  );
}

function Panels({ s, t, fmt, lang }: { s: WallSnapshot; t: TFunction; fmt: Fmt; lang: WallLang }) {
  const channelName = (c: string) => t(`kitchenWall.channel.${c}`, { defaultValue: c });
  const chart = s.weekly[0];
  return (
    <div className="k-wall-grid">
      <div className="k-wall-col">
        <section className="k-wall-panel k-wall-stories" aria-labelledby="k-wall-stories-h">
          <div className="k-wall-panel-head">
            <h2 id="k-wall-stories-h">{t('kitchenWall.stories')}</h2>
            <p>{t('kitchenWall.storiesTotal', { count: s.stories.total })}</p>
          </div>
          <table className="k-wall-table">
            <thead>
              <tr>
                <th scope="col" />
                {FORM_STATUSES.map((st) => (
                  <th key={st} scope="col">
                    {t(`kitchenWall.status.${st}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {s.stories.byForm.map((f) => (
                <tr key={f.form}>
                  <th scope="row">{t(`kitchenWall.form.${f.form}`)}</th>
                  {FORM_STATUSES.map((st) => (
                    <td key={st} data-form={f.form} data-status={st} className={f.counts[st] ? `k-wall-n k-wall-n-${st}` : 'k-wall-n k-wall-zero'}>
                      {f.counts[st]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="k-wall-panel k-wall-videos" aria-labelledby="k-wall-videos-h">
          <h2 id="k-wall-videos-h">{t('kitchenWall.videos')}</h2>
          <div className="k-wall-videos-body">
            <p className="k-wall-big" data-figure="adopted">
              <span className="k-wall-big-n">{fmt(s.videos.adopted)}</span>
              <span className="k-wall-big-label">{t('kitchenWall.adopted')}</span>
            </p>
            {s.videos.byChannel.length ? (
              <table className="k-wall-table k-wall-pubs">
                <thead>
                  <tr>
                    <th scope="col" />
                    <th scope="col">{t('kitchenWall.live')}</th>
                    <th scope="col">{t('kitchenWall.pending')}</th>
                    <th scope="col">{t('kitchenWall.failed')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.videos.byChannel.slice(0, 6).map((c) => (
                    <tr key={c.channel}>
                      <th scope="row">{channelName(c.channel)}</th>
                      <td className="k-wall-n">{c.live}</td>
                      <td className="k-wall-n">{c.pending}</td>
                      <td className={c.failed ? 'k-wall-n k-wall-bad' : 'k-wall-n k-wall-zero'}>{c.failed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="k-wall-empty">{t('kitchenWall.noPublications')}</p>
            )}
          </div>
        </section>
      </div>

      <div className="k-wall-col">
        <section className="k-wall-panel k-wall-reach" aria-labelledby="k-wall-reach-h">
          <h2 id="k-wall-reach-h">{t('kitchenWall.reach')}</h2>
          <div className="k-wall-reach-figures">
            <p className="k-wall-big" data-figure="total">
              <span className="k-wall-big-n">{fmt(s.reach.total)}</span>
              <span className="k-wall-big-label">{t('kitchenWall.reachTotal')}</span>
            </p>
            <p className="k-wall-big" data-figure="today">
              <span className="k-wall-big-n">{fmt(s.reach.today)}</span>
              <span className="k-wall-big-label">{t('kitchenWall.reachToday')}</span>
            </p>
            <p className="k-wall-big" data-figure="lastHour">
              <span className="k-wall-big-n">{fmt(s.reach.lastHour)}</span>
              <span className="k-wall-big-label">{t('kitchenWall.reachHour')}</span>
            </p>
          </div>
        </section>
        <section className="k-wall-panel" aria-labelledby="k-wall-channels-h">
          <h2 id="k-wall-channels-h">{t('kitchenWall.byChannel')}</h2>
          <Bars t={t} fmt={fmt} rows={s.reach.byChannel.map((c) => ({ key: c.channel, label: channelName(c.channel), value: c.reach, today: c.today }))} />
          {s.reach.byChannel.length === 0 ? <p className="k-wall-empty">{t('kitchenWall.noReach')}</p> : null}
        </section>
        <section className="k-wall-panel" aria-labelledby="k-wall-studios-h">
          <h2 id="k-wall-studios-h">{t('kitchenWall.byStudio')}</h2>
          <Bars
            t={t}
            fmt={fmt}
            rows={s.reach.byStudio
              .slice(0, 6)
              .map((x) => ({ key: x.studioId ?? 'none', label: x.studioId ? x.name : t('kitchenWall.unrouted'), value: x.reach, today: x.today }))}
          />
          {s.reach.byStudio.length === 0 ? <p className="k-wall-empty">{t('kitchenWall.noStudios')}</p> : null}
        </section>
      </div>

      <div className="k-wall-col">
        <section className="k-wall-panel k-wall-weekly" aria-labelledby="k-wall-weekly-h">
          <div className="k-wall-panel-head">
            <h2 id="k-wall-weekly-h">{t('kitchenWall.weekly')}</h2>
            {chart ? <p>{chart.campaignTitle[lang]}</p> : null}
          </div>
          {chart && chart.entries.length ? (
            <ol className="k-wall-list">
              {chart.entries.slice(0, 10).map((e) => (
                <li key={e.submissionId}>
                  <span className="k-wall-rank">{e.rank}</span>
                  <span className="k-wall-headline">{e.headline}</span>
                  <span className="k-wall-who">{e.contributor}</span>
                  <span className="k-wall-figure">{fmt(e.reach)}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="k-wall-empty">{t(chart ? 'kitchenWall.noChartYet' : 'kitchenWall.noChart')}</p>
          )}
        </section>
        <section className="k-wall-panel k-wall-movers" aria-labelledby="k-wall-movers-h">
          <h2 id="k-wall-movers-h">{t('kitchenWall.movers')}</h2>
          {s.movers.length ? (
            <ol className="k-wall-list">
              {s.movers.slice(0, 6).map((m, i) => (
                <li key={m.submissionId}>
                  <span className="k-wall-rank">{i + 1}</span>
                  <span className="k-wall-headline">{m.headline}</span>
                  <span className="k-wall-who">{m.channels.map(channelName).join(' · ')}</span>
                  <span className="k-wall-figure k-wall-up">{t('kitchenWall.gain', { n: fmt(m.gain) })}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="k-wall-empty">{t('kitchenWall.noMovers')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
