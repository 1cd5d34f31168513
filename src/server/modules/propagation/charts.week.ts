/**
 * ISO 8601 weeks (`YYYY-Www`) in Asia/Shanghai, the campaign's time zone: a week runs from
 * Monday 00:00 +08:00 to the next Monday 00:00 +08:00. China keeps one offset all year (no
 * daylight saving since 1991), so every week is exactly 7 × 24 h and the arithmetic below is
 * plain UTC arithmetic on instants shifted by eight hours.
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
export const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

export interface IsoWeek {
  week: string;
  /** Monday 00:00 Asia/Shanghai, inclusive. */
  start: Date;
  /** The next Monday 00:00 Asia/Shanghai, exclusive. */
  end: Date;
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
export function weeksInIsoYear(year: number): 52 | 53 {
  const p = (y: number) => (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) % 7;
  return p(year) === 4 || p(year - 1) === 3 ? 53 : 52;
}

const label = (year: number, n: number) => `${String(year).padStart(4, '0')}-W${String(n).padStart(2, '0')}`;

/** Monday 00:00 of week 1 (the week holding 4 January), as a Shanghai wall-clock time written in UTC. */
function week1MondayLocal(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return jan4 - dow * DAY_MS;
}

/** The bounds of `YYYY-Www`, or null when it is not a week that exists (bad format, W00, W53 of a 52-week year). */
export function parseIsoWeek(week: string): IsoWeek | null {
  const m = WEEK_PATTERN.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (year < 1970 || n < 1 || n > weeksInIsoYear(year)) return null;
  const startLocal = week1MondayLocal(year) + (n - 1) * WEEK_MS;
  return { week, start: new Date(startLocal - SHANGHAI_OFFSET_MS), end: new Date(startLocal - SHANGHAI_OFFSET_MS + WEEK_MS) };
}

/** The ISO week an instant falls in, in Asia/Shanghai. */
export function isoWeekOf(at: Date): IsoWeek {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const dow = (new Date(midnight).getUTCDay() + 6) % 7;
  const mondayLocal = midnight - dow * DAY_MS;
  // The ISO year is the year of the week's Thursday.
  const year = new Date(mondayLocal + 3 * DAY_MS).getUTCFullYear();
  const n = Math.round((mondayLocal - week1MondayLocal(year)) / WEEK_MS) + 1;
  return { week: label(year, n), start: new Date(mondayLocal - SHANGHAI_OFFSET_MS), end: new Date(mondayLocal - SHANGHAI_OFFSET_MS + WEEK_MS) };
}

/** The week `n` weeks after (or before, when negative) `w`. */
export function addWeeks(w: IsoWeek, n: number): IsoWeek {
  return isoWeekOf(new Date(w.start.getTime() + n * WEEK_MS));
}

/** Every week overlapping [from, to), in order. */
export function weeksBetween(from: Date, to: Date): IsoWeek[] {
  const out: IsoWeek[] = [];
  if (to <= from) return out;
  for (let w = isoWeekOf(from); w.start < to; w = addWeeks(w, 1)) out.push(w);
  return out;
}
