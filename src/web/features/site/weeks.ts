/**
 * ISO weeks (`YYYY-Www`) in Asia/Shanghai for the chart's week picker, the same rule as the
 * server's charts.week.ts: Monday 00:00 +08:00 to the next Monday. Shanghai has no daylight
 * saving, so shifting instants by eight hours and doing UTC arithmetic is exact.
 */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface Week {
  week: string;
  start: Date;
}

function week1MondayLocal(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
}

export function weekOf(at: Date): Week {
  const local = at.getTime() + OFFSET_MS;
  const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const monday = midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY_MS;
  const year = new Date(monday + 3 * DAY_MS).getUTCFullYear();
  const n = Math.round((monday - week1MondayLocal(year)) / WEEK_MS) + 1;
  return { week: `${year}-W${String(n).padStart(2, '0')}`, start: new Date(monday - OFFSET_MS) };
}

/** Every week from the one holding `from` to the one holding `to`, newest first. */
export function weeksBetween(from: Date, to: Date): Week[] {
  const out: Week[] = [];
  const last = weekOf(to);
  for (let w = weekOf(from); w.start <= last.start && out.length < 520; w = weekOf(new Date(w.start.getTime() + WEEK_MS))) out.push(w);
  return out.reverse();
}
