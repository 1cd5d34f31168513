import { describe, it, expect, beforeAll } from 'vitest';
import { compareFingerprints, computeFingerprint, parseFingerprint, prefilterKeys, serializeFingerprint, type Fingerprint } from './fingerprint.js';
import { fixtures, type FixtureName } from './media.fixtures.js';
import { probeMedia } from './probe.js';

const names = ['fp-a.mp4', 'fp-a-reencoded.webm', 'fp-a-resized.mp4', 'fp-a-trimmed.mp4', 'fp-other.mp4', 'fp-life.mp4', 'h264-aac-portrait.mp4'] as const;
const fp = {} as Record<(typeof names)[number], Fingerprint>;

beforeAll(async () => {
  const f = await fixtures<FixtureName & (typeof names)[number]>([...names]);
  for (const n of names) fp[n] = await computeFingerprint(f[n], await probeMedia(f[n]));
}, 180_000);

describe('perceptual fingerprint', () => {
  it('matches the same file', () => {
    expect(compareFingerprints(fp['fp-a.mp4'], fp['fp-a.mp4'])).toMatchObject({ match: true, score: 1, offsetSeconds: 0 });
  });
  it('matches a VP9 re-encode at a tenth of the bitrate', () => {
    expect(compareFingerprints(fp['fp-a.mp4'], fp['fp-a-reencoded.webm']).match).toBe(true);
  });
  it('matches a resized copy', () => {
    expect(compareFingerprints(fp['fp-a.mp4'], fp['fp-a-resized.mp4']).match).toBe(true);
  });
  it('matches a trimmed sub-clip and finds where it starts', () => {
    const r = compareFingerprints(fp['fp-a.mp4'], fp['fp-a-trimmed.mp4']);
    expect(r.match).toBe(true);
    expect(Math.abs(r.offsetSeconds - 10.3)).toBeLessThanOrEqual(1);
    // Symmetric: the earlier upload may be the trimmed one.
    expect(compareFingerprints(fp['fp-a-trimmed.mp4'], fp['fp-a.mp4']).match).toBe(true);
  });
  it('does not match different videos', () => {
    for (const other of ['fp-other.mp4', 'fp-life.mp4', 'h264-aac-portrait.mp4'] as const) {
      const r = compareFingerprints(fp['fp-a.mp4'], fp[other]);
      expect(r.match, other).toBe(false);
      expect(r.score, other).toBeLessThan(0.3);
    }
  });
  it('round-trips through its compact text form and yields prefilter keys', () => {
    const s = serializeFingerprint(fp['fp-a.mp4']);
    expect(s).toMatch(/^dh1:2:[0-9a-f]+$/);
    expect(s.length).toBeLessThan(3000);
    expect(parseFingerprint(s)).toEqual(fp['fp-a.mp4']);
    const shared = new Set(prefilterKeys(fp['fp-a.mp4']));
    expect(prefilterKeys(fp['fp-a-resized.mp4']).filter((k) => shared.has(k)).length).toBeGreaterThan(10);
  });
});
