import { describe, expect, it } from 'vitest';
import { addWeeks, isoWeekOf, parseIsoWeek, weeksBetween, weeksInIsoYear } from './charts.week.js';

describe('ISO weeks in Asia/Shanghai', () => {
  it('puts Sunday 23:59 +08:00 in one week and Monday 00:00 +08:00 in the next', () => {
    expect(isoWeekOf(new Date('2026-11-29T23:59:59.999+08:00')).week).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-30T00:00:00+08:00')).week).toBe('2026-W49');
    // The same instants in UTC: Sunday 15:59 and 16:00. A UTC-based week would put both in W48.
    expect(isoWeekOf(new Date('2026-11-29T16:00:00Z')).week).toBe('2026-W49');
    expect(parseIsoWeek('2026-W49')).toEqual({
      week: '2026-W49',
      start: new Date('2026-11-30T00:00:00+08:00'),
      end: new Date('2026-12-07T00:00:00+08:00'),
    });
  });

  it('knows which years have 53 weeks and crosses year boundaries the ISO way', () => {
    // 53 weeks: the year starts on a Thursday (2026, 2032, 2037) or is a leap year starting on a Wednesday (2020).
    expect([2020, 2024, 2025, 2026, 2027, 2032, 2037].map(weeksInIsoYear)).toEqual([53, 52, 52, 53, 52, 53, 53]);
    expect(parseIsoWeek('2026-W53')).toEqual({
      week: '2026-W53',
      start: new Date('2026-12-28T00:00:00+08:00'),
      end: new Date('2027-01-04T00:00:00+08:00'),
    });
    expect(parseIsoWeek('2027-W01')!.start).toEqual(new Date('2027-01-04T00:00:00+08:00'));
    // 1 January 2027 (a Friday) still belongs to 2026-W53; 29 December 2025 already to 2026-W01.
    expect(isoWeekOf(new Date('2027-01-01T12:00:00+08:00')).week).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-03T23:59:59+08:00')).week).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-04T00:00:00+08:00')).week).toBe('2027-W01');
    expect(isoWeekOf(new Date('2025-12-29T00:00:00+08:00')).week).toBe('2026-W01');
    expect(isoWeekOf(new Date('2025-12-28T23:59:59+08:00')).week).toBe('2025-W52');
    expect(addWeeks(parseIsoWeek('2026-W52')!, 1).week).toBe('2026-W53');
    expect(addWeeks(parseIsoWeek('2026-W53')!, 1).week).toBe('2027-W01');
    expect(addWeeks(parseIsoWeek('2025-W52')!, 1).week).toBe('2026-W01');
  });

  it('refuses weeks that do not exist', () => {
    for (const bad of ['2025-W53', '2026-W54', '2026-W00', '2026-W1', '2026W01', '2026-w01', ' 2026-W01', '2026-W01x', ''])
      expect(parseIsoWeek(bad), bad).toBeNull();
  });

  it('round-trips every week of a decade and lists the weeks a span overlaps', () => {
    for (let w = parseIsoWeek('2020-W01')!; w.start < new Date('2031-01-01'); w = addWeeks(w, 1)) {
      expect(parseIsoWeek(w.week)).toEqual(w);
      expect(w.end.getTime() - w.start.getTime()).toBe(7 * 86_400_000);
      expect(isoWeekOf(new Date(w.end.getTime() - 1)).week).toBe(w.week);
    }
    expect(weeksBetween(new Date('2026-12-20T00:00:00+08:00'), new Date('2027-01-05T00:00:00+08:00')).map((w) => w.week)).toEqual([
      '2026-W51',
      '2026-W52',
      '2026-W53',
      '2027-W01',
    ]);
    expect(weeksBetween(new Date('2026-12-21T00:00:00+08:00'), new Date('2026-12-28T00:00:00+08:00')).map((w) => w.week)).toEqual(['2026-W52']);
  });
});
