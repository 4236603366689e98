import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/server/iso-time.js';

describe('isoTime', () => {
  it('formats exactly as Date.prototype.toISOString, in any order of days', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e13, max: 2.6e14 }), { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('day edges and the ends of its fast range', () => {
    for (const t of [0, 1, 86_399_999, 86_400_000, 1_733_443_199_999, 1_733_443_200_000, 253_402_300_799_999, 253_402_300_800_000, 1.5, -1])
      expect(isoTime(t), String(t)).toBe(new Date(t).toISOString());
  });
});
