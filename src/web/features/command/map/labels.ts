import type { TFunction } from 'i18next';
import type { FieldPerson } from '../../../../contracts/command.js';

/** "3 分钟前" / "3 minutes ago"; "刚刚" / "just now" under a minute. */
export function lastSeen(iso: string, now: number, lang: string, t: TFunction): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return t('commandMap.justNow');
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  if (s < 86_400) return rtf.format(-Math.floor(s / 3600), 'hour');
  return rtf.format(-Math.floor(s / 86_400), 'day');
}

/** What the desk reads next to a person: when they were last seen, then battery, network and precision. */
export function personLabel(p: FieldPerson, opts: { now: number; lang: string; t: TFunction }): { seen: string; detail: string } {
  const { t } = opts;
  const detail = [
    p.battery === null ? '' : t('commandMap.battery', { pct: Math.round(p.battery * 100) }) + (p.charging ? ` ${t('commandMap.charging')}` : ''),
    p.network ?? '',
    p.precision === 'coarse' ? t('commandMap.coarse') : t('commandMap.precise'),
  ]
    .filter(Boolean)
    .join(' · ');
  return { seen: lastSeen(p.lastSeenAt, opts.now, opts.lang, t), detail };
}
