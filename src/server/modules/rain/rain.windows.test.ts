import { describe, expect, it } from 'vitest';
import { createRateWindows } from './rain.windows.js';

describe('rate windows without Redis', () => {
  it('allows max attempts per key and window, says how long to wait, and reopens when the window ends', () => {
    let now = 1000;
    const w = createRateWindows(() => now);
    expect([1, 2, 3].map(() => w.hit('a', 2, 10_000))).toEqual([0, 0, 10_000]);
    expect(w.hit('b', 2, 10_000)).toBe(0);
    now += 9_500;
    expect(w.hit('a', 2, 10_000)).toBe(500);
    now += 500;
    expect(w.hit('a', 2, 10_000)).toBe(0);
    expect(w.hit('a', 0, 10_000)).toBe(0);
  });
});
