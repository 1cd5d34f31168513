import { describe, expect, it } from 'vitest';
import { coefficientOfVariation, drawQuiz, isRight, looksScripted, shanghaiDay } from './study.rules.js';

const questions = ['a', 'b', 'c'].map((p, k) => ({
  id: `00000000-0000-4000-8000-00000000000${k}`,
  options: [`${p}0`, `${p}1`, `${p}2`, `${p}3`],
  correct: [1, 3],
  explanation: '',
}));

describe('the study rules', () => {
  it('flags only dwell times more regular than people read', () => {
    expect(coefficientOfVariation([30, 30, 30])).toBe(0);
    expect(looksScripted([30_000, 30_100, 30_050, 29_950, 30_020])).toBe(true);
    expect(looksScripted([30_000, 30_100, 30_050, 29_950])).toBe(false);
    expect(looksScripted([41_000, 95_000, 33_000, 62_000, 140_000])).toBe(false);
    // A script sleeping the minimum plus a few percent of jitter is past the threshold (docs/study.md says so).
    expect(looksScripted([30_000, 33_000, 36_000, 31_000, 39_000])).toBe(false);
  });

  it('draws the same attempt from the same seed and another from another, scoring by the attempt’s ids', () => {
    const a = drawQuiz('seed-1', questions);
    expect(drawQuiz('seed-1', questions)).toEqual(a);
    const b = drawQuiz('seed-2', questions);
    expect(b.flatMap((q) => q.optionIds).some((id) => a.flatMap((q) => q.optionIds).includes(id))).toBe(false);
    const q = a[0]!;
    expect(q.correctIds).toHaveLength(2);
    expect(isRight(q, [...q.correctIds].reverse())).toBe(true);
    expect(isRight(q, q.correctIds.slice(0, 1))).toBe(false);
    expect(isRight(q, [...q.correctIds, q.optionIds.find((id) => !q.correctIds.includes(id))!])).toBe(false);
  });

  it('counts days in Beijing time', () => {
    expect(shanghaiDay(new Date('2026-12-01T15:59:59Z'))).toBe('2026-12-01');
    expect(shanghaiDay(new Date('2026-12-01T16:00:00Z'))).toBe('2026-12-02');
  });
});
