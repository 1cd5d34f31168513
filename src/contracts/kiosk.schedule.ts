/**
 * What a kiosk screen plays at a given moment (issue 16, docs/kiosk.md "Schedules"). Pure and
 * zod-free: the server computes it for the admin page and the manifest, and the kiosk app runs
 * the very same code offline against its cached manifest, with its clock corrected by the
 * server's (so a screen whose own clock is wrong still changes programme at the right moment).
 *
 * Layers, highest first:
 *   interrupt  urgent news, between two instants, over everything else while the screen is lit
 *   campaign   dated (local dates, inclusive), optionally only inside daily windows
 *   window     time-of-day on chosen weekdays; a window whose end is not after its start runs
 *              overnight into the next day (22:00–06:00), and start = end means all day
 *   default    the loop when nothing else applies
 * Within one kind a screen's own layer beats its group's, then higher priority, then the newer.
 * Power windows (opening hours) decide whether the screen is lit at all: outside them it is
 * dark, whatever the layers say (an interrupt does not wake a screen in a locked building).
 */

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const LAYER_KINDS = ['default', 'window', 'campaign', 'interrupt'] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

export interface DailyWindow {
  /** ISO weekdays, Monday = 1, on which the window starts. */
  days: IsoWeekday[];
  /** Local wall time `HH:MM`. */
  start: string;
  /** Local wall time `HH:MM` (`24:00` allowed); not after `start` means it ends the next day. */
  end: string;
}

export interface ScheduleLayer {
  id: string;
  kind: LayerKind;
  /** A screen's own layer beats its group's of the same kind. */
  scope: 'group' | 'screen';
  priority: number;
  /** ISO instant; the newer wins a tie. */
  createdAt: string;
  /** window: required. campaign: optional (the whole day when absent). */
  windows?: DailyWindow[] | null;
  /** campaign: local dates `YYYY-MM-DD`, both inclusive. */
  fromDate?: string | null;
  toDate?: string | null;
  /** interrupt: ISO instants, start inclusive, end exclusive. */
  startsAt?: string | null;
  endsAt?: string | null;
}

export interface PowerPlan {
  timeZone: string;
  /** Opening hours; null means always lit. */
  hours: DailyWindow[] | null;
}

export interface Resolved<L extends ScheduleLayer = ScheduleLayer> {
  dark: boolean;
  /** The layer playing, or null when dark or when no layer applies. */
  layer: L | null;
}

export interface Segment {
  from: string;
  to: string;
  dark: boolean;
  layerId: string | null;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Minutes since local midnight of `HH:MM`, or NaN when it is not a time. */
export function minuteOf(hhmm: string): number {
  if (!HHMM.test(hhmm)) return Number.NaN;
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** A rule a layer breaks, in words for the admin page's error, or null. */
export function layerProblem(layer: Omit<ScheduleLayer, 'id' | 'createdAt' | 'scope' | 'priority'>): string | null {
  for (const w of layer.windows ?? []) {
    if (Number.isNaN(minuteOf(w.start)) || Number.isNaN(minuteOf(w.end))) return 'window_time';
    if (w.days.length === 0 || w.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'window_days';
  }
  switch (layer.kind) {
    case 'window':
      return layer.windows?.length ? null : 'window_missing';
    case 'campaign':
      if (!layer.fromDate || !layer.toDate || !isDate(layer.fromDate) || !isDate(layer.toDate)) return 'campaign_dates';
      return layer.fromDate > layer.toDate ? 'campaign_dates' : null;
    case 'interrupt': {
      const s = Date.parse(layer.startsAt ?? '');
      const e = Date.parse(layer.endsAt ?? '');
      return Number.isFinite(s) && Number.isFinite(e) && e > s ? null : 'interrupt_times';
    }
    default:
      return null;
  }
}

// V8 reads 2026-02-30 as 2 March: a real date is one that comes back unchanged.
const isDate = (s: string) => {
  const t = Date.parse(`${s}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
};

// ---- local wall time in a time zone ----

interface Local {
  date: string;
  weekday: IsoWeekday;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour! % 24, mi: out.minute!, s: out.second! };
}

/** Whether `timeZone` is one this runtime knows (an IANA name such as Asia/Shanghai). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function localOf(ms: number, timeZone: string): Local {
  const p = parts(ms, timeZone);
  const date = `${p.y}-${String(p.mo).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  const dow = new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay();
  return { date, weekday: (dow === 0 ? 7 : dow) as IsoWeekday, minute: p.h * 60 + p.mi };
}

/** The instant of a local wall time (the first one, if a clock change repeats it). */
function instantOf(date: string, minute: number, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, 0, minute);
  let guess = wall;
  // Two rounds settle every real zone's offset; a wall time skipped by a clock change lands just after it.
  for (let i = 0; i < 2; i++) {
    const p = parts(guess, timeZone);
    const seen = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
    guess += wall - seen;
  }
  return guess;
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const previousWeekday = (d: IsoWeekday) => (d === 1 ? 7 : d - 1) as IsoWeekday;

function inWindow(w: DailyWindow, at: Local): boolean {
  const start = minuteOf(w.start);
  const end = minuteOf(w.end);
  if (end > start) return w.days.includes(at.weekday) && at.minute >= start && at.minute < end;
  // Overnight (or all day when start = end): from start today, or until end for a window that began yesterday.
  return (w.days.includes(at.weekday) && at.minute >= start) || (w.days.includes(previousWeekday(at.weekday)) && at.minute < end);
}

const inAny = (windows: DailyWindow[], at: Local) => windows.some((w) => inWindow(w, at));

function applies(layer: ScheduleLayer, ms: number, at: Local): boolean {
  switch (layer.kind) {
    case 'default':
      return true;
    case 'window':
      return inAny(layer.windows ?? [], at);
    case 'campaign':
      if (!layer.fromDate || !layer.toDate || at.date < layer.fromDate || at.date > layer.toDate) return false;
      return !layer.windows?.length || inAny(layer.windows, at);
    case 'interrupt':
      return ms >= Date.parse(layer.startsAt ?? '') && ms < Date.parse(layer.endsAt ?? '');
  }
}

const KIND_RANK: Record<LayerKind, number> = { default: 0, window: 1, campaign: 2, interrupt: 3 };

/** Sort order of layers that apply: the first one plays. */
export function outranks(a: ScheduleLayer, b: ScheduleLayer): number {
  return (
    KIND_RANK[b.kind] - KIND_RANK[a.kind] ||
    (b.scope === 'screen' ? 1 : 0) - (a.scope === 'screen' ? 1 : 0) ||
    b.priority - a.priority ||
    Date.parse(b.createdAt) - Date.parse(a.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** What plays at instant `at` (ms since the epoch). */
export function resolveAt<L extends ScheduleLayer>(layers: readonly L[], power: PowerPlan, at: number): Resolved<L> {
  const local = localOf(at, power.timeZone);
  if (power.hours && !inAny(power.hours, local)) return { dark: true, layer: null };
  let best: L | null = null;
  for (const l of layers) if (applies(l, at, local) && (!best || outranks(l, best) < 0)) best = l;
  return { dark: false, layer: best };
}

/**
 * Every moment in [from, to) where the answer can change: local midnights, window edges,
 * campaign dates and interrupt instants. Evaluating just after each is enough to know the whole
 * span, because nothing else in a layer depends on time.
 */
function boundaries(layers: readonly ScheduleLayer[], power: PowerPlan, from: number, to: number): number[] {
  const tz = power.timeZone;
  const edges = new Set<number>();
  const minutes = new Set<number>([0]);
  for (const w of [...(power.hours ?? []), ...layers.flatMap((l) => l.windows ?? [])]) {
    minutes.add(minuteOf(w.start) % 1440);
    minutes.add(minuteOf(w.end) % 1440);
  }
  // A day either side: an overnight window from the day before, and zones far from UTC.
  let day = addDays(localOf(from, tz).date, -1);
  const lastDay = addDays(localOf(to, tz).date, 1);
  for (; day <= lastDay; day = addDays(day, 1)) for (const m of minutes) edges.add(instantOf(day, m, tz));
  for (const l of layers) {
    if (l.kind === 'interrupt') {
      edges.add(Date.parse(l.startsAt ?? ''));
      edges.add(Date.parse(l.endsAt ?? ''));
    }
  }
  return [...edges].filter((t) => Number.isFinite(t) && t > from && t < to).sort((a, b) => a - b);
}

/** The schedule as spans over [from, to), adjacent equal spans merged: what the admin page draws. */
export function timeline(layers: readonly ScheduleLayer[], power: PowerPlan, from: number, to: number): Segment[] {
  const starts = [from, ...boundaries(layers, power, from, to)];
  const out: Segment[] = [];
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const e = starts[i + 1] ?? to;
    const r = resolveAt(layers, power, s);
    const layerId = r.layer?.id ?? null;
    const last = out[out.length - 1];
    if (last && last.dark === r.dark && last.layerId === layerId) last.to = new Date(e).toISOString();
    else out.push({ from: new Date(s).toISOString(), to: new Date(e).toISOString(), dark: r.dark, layerId });
  }
  return out;
}

/** When what plays at `at` next changes, looking up to `horizonMs` ahead (null: not within it). */
export function nextChange(layers: readonly ScheduleLayer[], power: PowerPlan, at: number, horizonMs = 8 * 86_400_000): number | null {
  const [first, second] = timeline(layers, power, at, at + horizonMs);
  return first && second ? Date.parse(first.to) : null;
}
