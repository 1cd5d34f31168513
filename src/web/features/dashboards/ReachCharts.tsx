import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { Dashboard } from '../../api/distribution.js';
import { formatCount, TZ } from '../../ui/format.js';

// Only what these two charts draw: keeps echarts' share of the (lazily loaded) chunk small.
use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/** One colour per channel, the same in both charts and the table's swatches. */
export const CHANNEL_COLORS: Record<string, string> = {
  total: '#1b1b1f',
  app: '#b3261e',
  weibo: '#d97706',
  wechat: '#15803d',
  toutiao: '#1a5fb4',
  penguin: '#7e3fbf',
  kiosk: '#64748b',
};

const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/** A canvas echarts instance that follows its container's size and the option it is given. */
function EChart({ option, label, className }: { option: Option; label: string; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return <div ref={ref} className={className ?? 'echart'} role="img" aria-label={label} />;
}

function bucketLabel(iso: string, bucket: Dashboard['bucket'], lang: string): string {
  const opts: Intl.DateTimeFormatOptions =
    bucket === 'hour'
      ? { timeZone: TZ, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }
      : { timeZone: TZ, month: 'numeric', day: 'numeric' };
  return new Intl.DateTimeFormat(lang, opts).format(new Date(iso));
}

/** Reach over time (total and per channel) and reach by channel, from one dashboard. */
export default function ReachCharts({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [overTime, byChannel] = useMemo(() => options(d, lang, t), [d, lang, t]);
  const first = d.series[0]?.reach ?? 0;
  const last = d.series.at(-1)?.reach ?? 0;
  return (
    <div className="chart-grid">
      <figure className="chart-card">
        <figcaption>{t('dashboards.overTime')}</figcaption>
        <EChart
          option={overTime}
          className="echart echart-time"
          label={t('dashboards.overTimeLabel', { from: first.toLocaleString(lang), to: last.toLocaleString(lang), count: d.series.length })}
        />
      </figure>
      <figure className="chart-card">
        <figcaption>{t('dashboards.byChannel')}</figcaption>
        <EChart
          option={byChannel}
          className="echart echart-channels"
          label={d.byChannel.map((c) => `${t(`channel.${c.channel}`)} ${c.reach.toLocaleString(lang)}`).join(', ') || t('dashboards.noChannels')}
        />
      </figure>
    </div>
  );
}

function options(d: Dashboard, lang: string, t: (k: string) => string): [Option, Option] {
  const channels = d.byChannel.map((c) => c.channel);
  const labels = d.series.map((p) => bucketLabel(p.at, d.bucket, lang));
  const animation = !reducedMotion();
  const axisLabel = { formatter: (v: number) => formatCount(v, lang) };

  const overTime: Option = {
    animation,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toLocaleString(lang) : String(v)) },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1, axisLabel },
    series: [
      {
        type: 'line',
        name: t('dashboards.total'),
        data: d.series.map((p) => p.reach),
        color: CHANNEL_COLORS.total,
        lineStyle: { width: 3 },
        showSymbol: d.series.length <= 60,
      },
      ...channels.map((c): LineSeriesOption => ({
        type: 'line',
        name: t(`channel.${c}`),
        data: d.series.map((p) => p.byChannel[c] ?? 0),
        color: CHANNEL_COLORS[c],
        showSymbol: false,
      })),
    ],
  };

  const byChannel: Option = {
    animation,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toLocaleString(lang) : String(v)) },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: channels.map((c) => t(`channel.${c}`)) },
    yAxis: { type: 'value', minInterval: 1, axisLabel },
    series: [
      {
        type: 'bar',
        name: t('dashboards.reach'),
        data: d.byChannel.map((c) => ({ value: c.reach, itemStyle: { color: CHANNEL_COLORS[c.channel] } })),
        barMaxWidth: 48,
      },
    ],
  };

  return [overTime, byChannel];
}
