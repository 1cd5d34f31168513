import { describe, expect, it } from 'vitest';
import { layerProblem, nextChange, resolveAt, timeline, type PowerPlan, type ScheduleLayer } from './kiosk.schedule.js';

// Times are Beijing wall times (UTC+8, no daylight saving) unless a case says otherwise.
const bj = (local: string) => Date.parse(`${local}+08:00`);
const ALWAYS: PowerPlan = { timeZone: 'Asia/Shanghai', hours: null };
// 2026-12-07 is a Monday.
const WEEKDAYS = [1, 2, 3, 4, 5] as const;

let n = 0;
function layer(over: Partial<ScheduleLayer> & Pick<ScheduleLayer, 'kind'>): ScheduleLayer {
  n += 1;
  return { id: over.id ?? `L${n}`, scope: 'group', priority: 0, createdAt: '2026-11-01T00:00:00Z', ...over };
}

const loop = layer({ id: 'loop', kind: 'default' });
const morning = layer({ id: 'morning', kind: 'window', windows: [{ days: [...WEEKDAYS], start: '07:00', end: '09:30' }] });
const night = layer({ id: 'night', kind: 'window', windows: [{ days: [5, 6], start: '22:00', end: '02:00' }] });
const congress = layer({ id: 'congress', kind: 'campaign', fromDate: '2026-12-08', toDate: '2026-12-10' });
const congressEvenings = layer({
  id: 'congress-evenings',
  kind: 'campaign',
  fromDate: '2026-12-08',
  toDate: '2026-12-10',
  windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '18:00', end: '21:00' }],
});
const urgent = layer({ id: 'urgent', kind: 'interrupt', startsAt: '2026-12-09T02:00:00Z', endsAt: '2026-12-09T02:30:00Z' });

describe('what a screen plays at a moment', () => {
  const cases: { name: string; layers: ScheduleLayer[]; at: string; power?: PowerPlan; want: string | null | 'dark' }[] = [
    { name: 'nothing scheduled: no layer', layers: [], at: '2026-12-07T12:00:00', want: null },
    { name: 'the default loop when nothing else applies', layers: [loop, morning], at: '2026-12-07T12:00:00', want: 'loop' },
    { name: 'a weekday morning window, at its first minute', layers: [loop, morning], at: '2026-12-07T07:00:00', want: 'morning' },
    { name: 'the window’s end is exclusive', layers: [loop, morning], at: '2026-12-07T09:30:00', want: 'loop' },
    { name: 'not on a Sunday', layers: [loop, morning], at: '2026-12-13T08:00:00', want: 'loop' },
    { name: 'overnight: Friday 23:00', layers: [loop, night], at: '2026-12-11T23:00:00', want: 'night' },
    { name: 'overnight: after midnight, into Saturday', layers: [loop, night], at: '2026-12-12T01:59:00', want: 'night' },
    { name: 'overnight: Sunday small hours belong to Saturday’s window', layers: [loop, night], at: '2026-12-13T01:00:00', want: 'night' },
    { name: 'overnight: not Monday small hours (Sunday has no window)', layers: [loop, night], at: '2026-12-14T01:00:00', want: 'loop' },
    { name: 'overnight: Friday before 22:00', layers: [loop, night], at: '2026-12-11T21:59:00', want: 'loop' },
    { name: 'a dated campaign beats a window', layers: [loop, morning, congress], at: '2026-12-08T08:00:00', want: 'congress' },
    { name: 'a campaign’s last date is inclusive', layers: [loop, congress], at: '2026-12-10T23:59:00', want: 'congress' },
    { name: 'and ends with it', layers: [loop, congress], at: '2026-12-11T00:00:00', want: 'loop' },
    { name: 'a campaign inside its hours', layers: [loop, congressEvenings], at: '2026-12-09T19:00:00', want: 'congress-evenings' },
    { name: 'a campaign outside its hours', layers: [loop, congressEvenings], at: '2026-12-09T12:00:00', want: 'loop' },
    { name: 'an interrupt beats everything', layers: [loop, morning, congress, urgent], at: '2026-12-09T10:15:00', want: 'urgent' },
    { name: 'an interrupt ends at its end', layers: [loop, congress, urgent], at: '2026-12-09T10:30:00', want: 'congress' },
    {
      name: 'dark outside opening hours, even for an interrupt',
      layers: [loop, urgent],
      at: '2026-12-09T10:15:00',
      power: { timeZone: 'Asia/Shanghai', hours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '11:00', end: '20:00' }] },
      want: 'dark',
    },
    {
      name: 'lit inside overnight opening hours (a 24-hour lobby that closes 03:00–06:00)',
      layers: [loop],
      at: '2026-12-09T02:00:00',
      power: { timeZone: 'Asia/Shanghai', hours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '03:00' }] },
      want: 'loop',
    },
    {
      name: 'and dark in its gap',
      layers: [loop],
      at: '2026-12-09T04:00:00',
      power: { timeZone: 'Asia/Shanghai', hours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '03:00' }] },
      want: 'dark',
    },
    {
      name: 'start = end is the whole day',
      layers: [loop, layer({ id: 'allday', kind: 'window', windows: [{ days: [3], start: '00:00', end: '00:00' }] })],
      at: '2026-12-09T23:59:00',
      want: 'allday',
    },
    {
      name: 'a screen’s own layer beats its group’s of the same kind',
      layers: [loop, layer({ id: 'mine', kind: 'default', scope: 'screen', priority: -5 }), layer({ id: 'group-hi', kind: 'default', priority: 9 })],
      at: '2026-12-07T12:00:00',
      want: 'mine',
    },
    {
      name: 'then the higher priority',
      layers: [layer({ id: 'lo', kind: 'default', priority: 1 }), layer({ id: 'hi', kind: 'default', priority: 2 })],
      at: '2026-12-07T12:00:00',
      want: 'hi',
    },
    {
      name: 'then the newer',
      layers: [
        layer({ id: 'old', kind: 'default', createdAt: '2026-11-01T00:00:00Z' }),
        layer({ id: 'new', kind: 'default', createdAt: '2026-11-02T00:00:00Z' }),
      ],
      at: '2026-12-07T12:00:00',
      want: 'new',
    },
  ];
  it.each(cases)('$name', ({ layers, at, power, want }) => {
    const r = resolveAt(layers, power ?? ALWAYS, bj(at));
    if (want === 'dark') expect(r).toEqual({ dark: true, layer: null });
    else expect({ dark: r.dark, layer: r.layer?.id ?? null }).toEqual({ dark: false, layer: want });
  });

  it('reads the screen’s own time zone (a kiosk in London, with its clock change)', () => {
    const london: PowerPlan = { timeZone: 'Europe/London', hours: null };
    const am = layer({ id: 'am', kind: 'window', windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '09:00' }] });
    // 08:30 in winter is 08:30 UTC; in summer it is 07:30 UTC.
    expect(resolveAt([loop, am], london, Date.parse('2026-12-07T08:30:00Z')).layer?.id).toBe('am');
    expect(resolveAt([loop, am], london, Date.parse('2026-07-07T07:30:00Z')).layer?.id).toBe('am');
    expect(resolveAt([loop, am], london, Date.parse('2026-07-07T08:30:00Z')).layer?.id).toBe('loop');
  });
});

describe('the schedule over time', () => {
  it('draws a Friday night into Saturday as spans, merged where nothing changes', () => {
    const power: PowerPlan = { timeZone: 'Asia/Shanghai', hours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '03:00' }] };
    const spans = timeline([loop, night, morning], power, bj('2026-12-11T20:00:00'), bj('2026-12-12T08:00:00'));
    expect(spans.map((s) => [new Date(s.from).toISOString(), s.dark ? 'dark' : s.layerId])).toEqual([
      ['2026-12-11T12:00:00.000Z', 'loop'],
      ['2026-12-11T14:00:00.000Z', 'night'], // 22:00
      ['2026-12-11T18:00:00.000Z', 'loop'], // 02:00
      ['2026-12-11T19:00:00.000Z', 'dark'], // 03:00 closed
      ['2026-12-11T22:00:00.000Z', 'loop'], // 06:00 open; Saturday has no morning window
    ]);
    expect(spans.at(-1)!.to).toBe('2026-12-12T00:00:00.000Z');
    // Spans tile the range: each starts where the last ended.
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBe(spans[i - 1]!.to);
  });

  it('puts an interrupt in at its own instants, between the minutes', () => {
    const odd = layer({ id: 'odd', kind: 'interrupt', startsAt: '2026-12-09T02:00:30Z', endsAt: '2026-12-09T02:07:45Z' });
    const spans = timeline([loop, odd], ALWAYS, Date.parse('2026-12-09T02:00:00Z'), Date.parse('2026-12-09T03:00:00Z'));
    expect(spans.map((s) => [s.from, s.layerId])).toEqual([
      ['2026-12-09T02:00:00.000Z', 'loop'],
      ['2026-12-09T02:00:30.000Z', 'odd'],
      ['2026-12-09T02:07:45.000Z', 'loop'],
    ]);
  });

  it('says when the programme next changes, and null when it never does', () => {
    expect(nextChange([loop, morning], ALWAYS, bj('2026-12-07T12:00:00'))).toBe(bj('2026-12-08T07:00:00'));
    expect(nextChange([loop, morning], ALWAYS, bj('2026-12-11T10:00:00'))).toBe(bj('2026-12-14T07:00:00'));
    expect(nextChange([loop], ALWAYS, bj('2026-12-07T12:00:00'))).toBeNull();
  });
});

describe('layers that cannot be scheduled are refused', () => {
  it.each([
    [{ kind: 'window' as const }, 'window_missing'],
    [{ kind: 'window' as const, windows: [{ days: [1 as const], start: '7:00', end: '09:00' }] }, 'window_time'],
    [{ kind: 'window' as const, windows: [{ days: [1 as const], start: '07:00', end: '24:01' }] }, 'window_time'],
    [{ kind: 'window' as const, windows: [{ days: [], start: '07:00', end: '09:00' }] }, 'window_days'],
    [{ kind: 'campaign' as const, fromDate: '2026-12-10', toDate: '2026-12-08' }, 'campaign_dates'],
    [{ kind: 'campaign' as const, fromDate: '2026-02-30', toDate: '2026-03-08' }, 'campaign_dates'],
    [{ kind: 'interrupt' as const, startsAt: '2026-12-09T02:30:00Z', endsAt: '2026-12-09T02:00:00Z' }, 'interrupt_times'],
    [{ kind: 'window' as const, windows: [{ days: [1 as const], start: '07:00', end: '24:00' }] }, null],
    [{ kind: 'default' as const }, null],
  ])('%j → %s', (l, want) => {
    expect(layerProblem(l)).toBe(want);
  });
});
