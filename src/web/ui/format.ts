import type { LocalizedText, Locale } from '../../contracts/common.js';

export const TZ = 'Asia/Shanghai';

export function loc(text: LocalizedText, lang: string): string {
  return lang === 'zh-CN' ? text['zh-CN'] : text.en;
}

export function formatDateTime(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium' }).format(d);
}

/** Integer fen → "¥1,234" or "¥1,234.50" for the screen. */
export function formatYuan(fen: number, lang: string): string {
  const whole = fen % 100 === 0;
  const abs = `¥${new Intl.NumberFormat(lang, {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(Math.abs(fen) / 100)}`;
  return fen < 0 ? `−${abs}` : abs;
}

/** 10,000,000 → "1000万" in Chinese, "10 million" in English. */
export function formatCount(n: number, lang: Locale | string): string {
  return new Intl.NumberFormat(lang, { notation: n >= 10_000 ? 'compact' : 'standard' }).format(n);
}

/** "2026-05-01T09:00" read as Beijing time → ISO with +08:00. Shanghai has no DST, so a fixed offset is exact. */
export function shanghaiLocalToIso(local: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  return `${m[1]}T${m[2]}:${m[3] ?? '00'}+08:00`;
}

export function isoToShanghaiLocal(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** "123.45" → 12345; null when not a number with at most two decimals. */
export function yuanToFen(yuan: string): number | null {
  const s = yuan.trim().replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  const [int, frac = ''] = s.split('.');
  return Number(int) * 100 + Number(frac.padEnd(2, '0'));
}

export function fenToYuan(fen: number): string {
  return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2);
}

export function describeUserAgent(ua: string | null): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /MicroMessenger/i.test(ua)
      ? 'WeChat'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return `${browser} · ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}
