import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positiveClassComposition } from '../../../../functions/core/stats/index.ts';

describe('positiveClassComposition', () => {
  it('30 % of the positives are women where the reference says 51 %: TVD = 0.21 (cityblock / 2) [scipy]', () => {
    const r = positiveClassComposition({ f: 30, m: 70 }, { f: 0.51, m: 0.49 });
    expect(r.groups).toEqual([
      { group: 'f', positives: 30, share: 0.3, referenceShare: 0.51 },
      { group: 'm', positives: 70, share: 0.7, referenceShare: 0.49 },
    ]);
    expect(r.totalVariationDistance.value).toBeCloseTo(0.21, 15);
    // scipy.spatial.distance.jensenshannon([30, 70], [0.51, 0.49], base=2) ** 2 = 0.03329919894647399
    expect(r.jsDivergenceBits.value).toBeCloseTo(0.03329919894647399, 14);
  });

  it('reference groups without positives are listed with 0; groups without a reference share get 0', () => {
    const r = positiveClassComposition({ a: 5, x: 5 }, { a: 0.6, b: 0.4 });
    expect(r.groups.map((g) => [g.group, g.share, g.referenceShare])).toEqual([
      ['a', 0.5, 0.6],
      ['x', 0.5, 0],
      ['b', 0, 0.4],
    ]);
  });

  it('no positive rows: shares null, TVD and JS null with a reason', () => {
    const r = positiveClassComposition({ a: 0, b: 0 }, { a: 0.5, b: 0.5 });
    expect(r.groups.every((g) => g.share === null)).toBe(true);
    expect(r.totalVariationDistance).toEqual({ value: null, reason: 'no positive rows in any group' });
    expect(r.jsDivergenceBits.value).toBeNull();
    expect(positiveClassComposition({}, {}).totalVariationDistance.reason).toContain('empty');
  });

  it('property: shares sum to 1; TVD and JS in [0, 1]', () => {
    const counts = fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      fc.double({ min: 0, max: 1e5, noNaN: true }),
    );
    fc.assert(
      fc.property(counts, counts, (positives, reference) => {
        const r = positiveClassComposition(positives, reference);
        if (r.totalVariationDistance.value === null) return;
        const sum = r.groups.reduce((s, g) => s + (g.share ?? 0), 0);
        expect(sum).toBeCloseTo(1, 12);
        for (const v of [r.totalVariationDistance.value, r.jsDivergenceBits.value]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 71, numRuns: 500 },
    );
  });
});
