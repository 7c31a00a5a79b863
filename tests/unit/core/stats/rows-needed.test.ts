import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsNeeded } from '../../../../functions/core/stats/rows-needed.ts';

describe('rowsNeeded', () => {
  it('(10 + x)/(100 + x) ≥ 0.2 first holds at x = 13 (23/113 = 0.2035; 22/112 = 0.1964)', () => {
    expect(rowsNeeded(10, 100, 0.2)).toBe(13);
  });

  it('0 when the share already meets the target; null when unreachable', () => {
    expect(rowsNeeded(60, 100, 0.5)).toBe(0);
    expect(rowsNeeded(3, 10, 1)).toBeNull();
    expect(rowsNeeded(3, 10, 1.2)).toBeNull();
    expect(rowsNeeded(10, 10, 1)).toBe(0);
    expect(rowsNeeded(0, 0, 0.3)).toBe(1);
  });

  it('property: x meets the target and x − 1 does not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (N, share, t) => {
          const n = Math.floor(share * N);
          const x = rowsNeeded(n, N, t);
          expect(x).not.toBeNull();
          const v = x ?? Number.NaN;
          expect(Number.isInteger(v) && v >= 0).toBe(true);
          expect((n + v) / (N + v)).toBeGreaterThanOrEqual(t);
          if (v > 0) expect((n + v - 1) / (N + v - 1)).toBeLessThan(t);
        },
      ),
      { seed: 17, numRuns: 1000 },
    );
  });
});
