import { randomInt } from 'node:crypto';

/** An integer in [min, max] inclusive. */
export type RandomInt = (min: number, max: number) => number;

/** Cryptographic randomness: packet amounts must not be predictable from earlier ones. */
export const cryptoRandomInt: RandomInt = (min, max) => randomInt(min, max + 1);

/**
 * The double-mean split (二倍均值法): each packet but the last is drawn uniformly from
 * [1, 2 × the mean of what remains], capped so every packet still to come keeps at least
 * 1 fen; the last takes the remainder. The amounts sum to exactly `budgetFen`.
 */
export function splitDoubleMean(budgetFen: number, packetCount: number, rand: RandomInt = cryptoRandomInt): number[] {
  if (!Number.isSafeInteger(budgetFen) || !Number.isSafeInteger(packetCount) || packetCount < 1 || budgetFen < packetCount) {
    throw new RangeError(`cannot split ${budgetFen} fen into ${packetCount} packets of at least 1 fen`);
  }
  const out: number[] = [];
  let remaining = budgetFen;
  for (let left = packetCount; left > 1; left--) {
    const max = Math.min(Math.floor((2 * remaining) / left), remaining - (left - 1));
    const amount = rand(1, max);
    out.push(amount);
    remaining -= amount;
  }
  out.push(remaining);
  return out;
}

/** A small seeded generator (mulberry32) for reproducible tests. */
export function seededRandomInt(seed: number): RandomInt {
  let a = seed >>> 0;
  return (min, max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (max - min + 1));
  };
}
