import { describe, expect, it } from 'vitest';
import { autoplayAllowed } from './autoplay.js';

describe('autoplayAllowed (autoplay="visible")', () => {
  it('only on a 4g connection that does not ask to save data, without reduced motion', () => {
    expect(autoplayAllowed({ connection: { effectiveType: '4g', saveData: false }, reducedMotion: false })).toBe(true);
    expect(autoplayAllowed({ connection: { effectiveType: '4g' }, reducedMotion: false })).toBe(true);
    expect(autoplayAllowed({ connection: { effectiveType: '4g', saveData: true }, reducedMotion: false })).toBe(false);
    expect(autoplayAllowed({ connection: { effectiveType: '4g' }, reducedMotion: true })).toBe(false);
    for (const effectiveType of ['3g', '2g', 'slow-2g']) expect(autoplayAllowed({ connection: { effectiveType }, reducedMotion: false })).toBe(false);
  });
  it('never where the browser does not report the connection (Safari, Firefox)', () => {
    expect(autoplayAllowed({ connection: undefined, reducedMotion: false })).toBe(false);
    expect(autoplayAllowed({ connection: {}, reducedMotion: false })).toBe(false);
  });
});
