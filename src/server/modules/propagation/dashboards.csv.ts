import type { Dashboard } from '../../../contracts/charts.js';
import type { Locale } from '../../../contracts/common.js';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * One cell, RFC 4180 quoted. Text a spreadsheet would run as a formula (= + - @, and a tab or
 * carriage return before one) gets a leading `'`: headlines and names are typed by users.
 * Numbers are written as they are (a negative number is not a formula).
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai, which Excel reads as a date and time. */
export function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

const LABELS = {
  'zh-CN': {
    subject: '对象',
    kinds: { video: '视频', contributor: '拍客', studio: '工作室', channel: '渠道' },
    range: '时间范围 (Asia/Shanghai)',
    bucket: { hour: '按小时', day: '按天' },
    time: '时间 (Asia/Shanghai)',
    reach: '传播量',
    channel: '渠道',
    views: '播放/阅读',
    likes: '点赞',
    comments: '评论',
    shares: '转发',
    total: '合计',
    index: '传播指数',
    video: '视频',
    headline: '标题',
    videoCount: '视频数',
  },
  en: {
    subject: 'Subject',
    kinds: { video: 'Video', contributor: 'Contributor', studio: 'Studio', channel: 'Channel' },
    range: 'Range (Asia/Shanghai)',
    bucket: { hour: 'hourly', day: 'daily' },
    time: 'Time (Asia/Shanghai)',
    reach: 'Reach',
    channel: 'Channel',
    views: 'Views',
    likes: 'Likes',
    comments: 'Comments',
    shares: 'Shares',
    total: 'Total',
    index: 'Propagation index',
    video: 'Video',
    headline: 'Headline',
    videoCount: 'Videos',
  },
} as const;

/**
 * The dashboard as a spreadsheet: a heading, reach over time (one column per channel), the
 * figures by channel with their total and index, and the videos. UTF-8 with a BOM (so Excel
 * opens the Chinese correctly) and CRLF line ends.
 */
export function dashboardCsv(d: Dashboard, locale: Locale): string {
  const L = LABELS[locale];
  const channels = d.byChannel.map((c) => c.channel);
  const rows: (string | number)[][] = [
    [L.subject, L.kinds[d.subject.kind], d.subject.name, d.subject.id],
    [L.range, shanghaiTime(d.from), shanghaiTime(d.to), L.bucket[d.bucket]],
    [],
    [L.time, L.reach, ...channels],
    ...d.series.map((p) => [shanghaiTime(p.at), p.reach, ...channels.map((c) => p.byChannel[c] ?? 0)]),
    [],
    [L.channel, L.views, L.likes, L.comments, L.shares, L.reach],
    ...d.byChannel.map((c) => [c.channel, c.views, c.likes, c.comments, c.shares, c.reach]),
    [L.total, d.totals.views, d.totals.likes, d.totals.comments, d.totals.shares, d.totals.reach],
    [L.index, d.totals.index],
    [],
    [L.video, L.headline, L.reach, L.index],
    ...d.videos.map((v) => [v.submissionId, v.headline, v.reach, v.index]),
    [L.videoCount, d.videoCount],
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
