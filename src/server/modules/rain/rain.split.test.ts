import { describe, expect, it } from 'vitest';
import { createRainTokens } from './rain.token.js';
import { scheduleStarts } from './rain.service.js';
import { cryptoRandomInt, seededRandomInt, splitDoubleMean } from './rain.split.js';

/** The split's properties, checked in plain code (one expect per split keeps many seeds fast). */
function checkSplit(amounts: number[], budget: number, count: number) {
  const bad: string[] = [];
  if (amounts.length !== count) bad.push(`count ${amounts.length}`);
  let remaining = budget;
  amounts.forEach((a, i) => {
    const left = count - i;
    // Each packet lies within twice the mean of what remained when it was drawn.
    const max = left === 1 ? remaining : Math.floor((2 * remaining) / left);
    if (!Number.isInteger(a) || a < 1 || a > max) bad.push(`#${i}=${a} outside [1, ${max}]`);
    remaining -= a;
  });
  if (remaining !== 0) bad.push(`sum off by ${remaining}`);
  expect(bad).toEqual([]);
}

describe('double-mean split', () => {
  it('sums exactly to the budget, keeps every packet in [1, 2 × remaining mean], over many seeds and shapes', () => {
    const shapes: [number, number][] = [
      [1, 1],
      [2, 2],
      [3, 2],
      [100, 100],
      [101, 100],
      [10_000, 100],
      [99_999, 7],
      [1_000_000, 1000],
      [5_000_000, 3],
    ];
    for (const [budget, count] of shapes) {
      for (let seed = 1; seed <= 300; seed++) checkSplit(splitDoubleMean(budget, count, seededRandomInt(seed * 7919 + budget)), budget, count);
    }
    for (let i = 0; i < 200; i++) checkSplit(splitDoubleMean(10_000, 100, cryptoRandomInt), 10_000, 100);
  });

  it('uses the whole range: draws are not all equal, and extreme bounds are reachable', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) for (const a of splitDoubleMean(1000, 10, seededRandomInt(seed))) seen.add(a);
    expect(seen.size).toBeGreaterThan(50);
    expect(splitDoubleMean(10, 10)).toEqual(Array(10).fill(1));
    expect(splitDoubleMean(5, 2, () => 1)).toEqual([1, 4]);
  });

  it('refuses a budget below one fen per packet', () => {
    expect(() => splitDoubleMean(9, 10)).toThrow(RangeError);
    expect(() => splitDoubleMean(10, 0)).toThrow(RangeError);
    expect(() => splitDoubleMean(1.5, 1)).toThrow(RangeError);
  });
});

describe('schedule and tokens', () => {
  it('places Shanghai times on the right instants, day after day', () => {
    const starts = scheduleStarts('2030-01-31', 2, ['20:00', '12:00']);
    expect(starts.map((d) => d.toISOString())).toEqual([
      '2030-01-31T04:00:00.000Z',
      '2030-01-31T12:00:00.000Z',
      '2030-02-01T04:00:00.000Z',
      '2030-02-01T12:00:00.000Z',
    ]);
  });

  it('accepts a token only for its session, user and lifetime', () => {
    const t = createRainTokens('s'.repeat(32));
    const now = new Date('2030-01-01T00:00:00Z');
    const created = new Date('2029-06-01T00:00:00Z');
    const tok = t.issue('sess', { id: 'user', createdAt: created }, new Date(now.getTime() + 60_000));
    expect(t.read(tok, 'sess', now)).toEqual({ userId: 'user', accountCreatedAt: created, expiresAt: new Date(now.getTime() + 60_000) });
    expect(t.read(tok, 'other', now)).toBeNull();
    // The user and the account's age are signed: neither can be swapped.
    const [exp, , ms, sig] = tok.split('.');
    expect(t.read(`${exp}.other.${ms}.${sig}`, 'sess', now)).toBeNull();
    expect(t.read(`${exp}.user.${Number(ms) - 86_400_000}.${sig}`, 'sess', now)).toBeNull();
    expect(t.verify(tok, 'sess', 'user', now)).toBe(true);
    expect(t.verify(tok, 'other', 'user', now)).toBe(false);
    expect(t.verify(tok, 'sess', 'other', now)).toBe(false);
    expect(t.verify(tok, 'sess', 'user', new Date(now.getTime() + 120_000))).toBe(false);
    expect(t.verify(undefined, 'sess', 'user', now)).toBe(false);
    expect(
      t.verify(
        tok.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        'sess',
        'user',
        now,
      ),
    ).toBe(false);
    expect(createRainTokens('x'.repeat(32)).verify(tok, 'sess', 'user', now)).toBe(false);
  });
});
