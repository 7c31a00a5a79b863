import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominantSource, effectiveNumber, largestShare } from '../../../../functions/core/stats/index.ts';

describe('source diversity', () => {
  it('largestShare([100, 50, 25, 25]) = 0.5; effectiveNumber = 1/Σp² = 1/0.34375 = 2.909… [numpy]', () => {
    expect(largestShare([100, 50, 25, 25]).value).toBe(0.5);
    expect(effectiveNumber([100, 50, 25, 25]).value).toBeCloseTo(1 / 0.34375, 14);
  });

  it('one source: largest share 1, one effective source; k equal sources: 1/k and k', () => {
    expect(largestShare([10]).value).toBe(1);
    expect(effectiveNumber([10]).value).toBe(1);
    expect(largestShare([0, 0, 7]).value).toBe(1);
    expect(effectiveNumber([0, 0, 7]).value).toBe(1);
    expect(largestShare([3, 3, 3, 3]).value).toBe(0.25);
    expect(effectiveNumber([3, 3, 3, 3]).value).toBeCloseTo(4, 14);
  });

  it('no rows, no sources or a bad count: null with a reason', () => {
    for (const counts of [[], [0, 0], [1, -1], [1, Number.NaN]]) {
      expect(largestShare(counts).value).toBeNull();
      expect(largestShare(counts).reason).toBeTypeOf('string');
      expect(effectiveNumber(counts).value).toBeNull();
    }
  });

  it('property: 1/k ≤ largest share ≤ 1 ≤ effective number ≤ k, and effective number ≥ 1 / largest share', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 })
          .filter((a) => a.some((x) => x > 0)),
        (counts) => {
          const k = counts.filter((x) => x > 0).length;
          const largest = largestShare(counts).value ?? Number.NaN;
          const effective = effectiveNumber(counts).value ?? Number.NaN;
          expect(largest).toBeGreaterThanOrEqual(1 / k - 1e-12);
          expect(largest).toBeLessThanOrEqual(1);
          expect(effective).toBeGreaterThanOrEqual(1 - 1e-12);
          expect(effective).toBeLessThanOrEqual(k * (1 + 1e-12));
          // Σp² ≤ max p · Σp = max p, so 1/Σp² ≥ 1/max p.
          expect(effective).toBeGreaterThanOrEqual((1 / largest) * (1 - 1e-12));
        },
      ),
      { seed: 51, numRuns: 1000 },
    );
  });

  describe('dominantSource', () => {
    const underRepresented = {
      '18-24': { web: 80, app: 15, partner: 5 },
      '75+': { web: 10, app: 5, partner: 35 },
    };

    it('web provides 90 of the 150 rows of the under-represented groups: 0.6 > 0.5, dominant', () => {
      const r = dominantSource(underRepresented);
      expect(r).toEqual({
        dominant: true,
        source: 'web',
        share: 0.6,
        threshold: 0.5,
        totalRows: 150,
        bySource: [
          { source: 'web', rows: 90, share: 0.6 },
          { source: 'partner', rows: 40, share: 40 / 150 },
          { source: 'app', rows: 20, share: 20 / 150 },
        ],
      });
      expect(dominantSource(underRepresented, 0.6).dominant).toBe(false);
    });

    it('exactly the threshold is not dominant (strictly more than)', () => {
      expect(dominantSource({ a: { x: 5, y: 5 } }).dominant).toBe(false);
    });

    it('ties are broken by source name', () => {
      expect(dominantSource({ a: { b: 5, a: 5 } }, 0.4).source).toBe('a');
    });

    it('no rows: dominant null with a reason; bad input and threshold: a reason', () => {
      expect(dominantSource({})).toMatchObject({
        dominant: null,
        source: null,
        share: null,
        reason: 'no rows in the groups passed',
      });
      expect(dominantSource({ a: { x: 0 } }).dominant).toBeNull();
      expect(dominantSource({ a: { x: -1 } }).reason).toContain("source 'x'");
      expect(dominantSource({ a: { x: 1 } }, 1).reason).toContain('threshold');
    });

    it('all rows from one source: dominant at any threshold below 1', () => {
      expect(dominantSource({ a: { only: 3 }, b: { only: 4 } }, 0.99)).toMatchObject({
        dominant: true,
        share: 1,
      });
    });
  });
});
