import { describe, expect, it } from 'vitest';
import { startOfDayShanghai } from './time.js';

describe('startOfDayShanghai', () => {
  it('is 16:00 UTC of the previous UTC day for times before 16:00 UTC', () => {
    expect(startOfDayShanghai(new Date('2026-11-26T04:00:00Z')).toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });
  it('rolls over at 16:00 UTC (midnight in Beijing)', () => {
    expect(startOfDayShanghai(new Date('2026-11-26T15:59:59Z')).toISOString()).toBe('2026-11-25T16:00:00.000Z');
    expect(startOfDayShanghai(new Date('2026-11-26T16:00:00Z')).toISOString()).toBe('2026-11-26T16:00:00.000Z');
  });
});
