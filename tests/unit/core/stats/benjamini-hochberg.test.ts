import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../../../functions/core/stats/benjamini-hochberg.ts';

describe('benjaminiHochberg', () => {
  it('false_discovery_control([0.01, 0.04, 0.03, 0.005], method="bh") = [0.02, 0.04, 0.04, 0.02] [scipy]', () => {
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    // scipy: [0.02, 0.04, 0.039999999999999994, 0.02]
    [0.02, 0.04, 0.039999999999999994, 0.02].forEach((e, i) => {
      expect(adj[i]).toBeCloseTo(e, 15);
    });
  });

  it('ties: false_discovery_control([0.01, 0.01, 0.03, 0.03], method="bh") = [0.02, 0.02, 0.03, 0.03] [scipy]', () => {
    expect(benjaminiHochberg([0.01, 0.01, 0.03, 0.03])).toEqual([0.02, 0.02, 0.03, 0.03]);
  });

  it('nulls stay in place and are not counted in m', () => {
    // false_discovery_control([0.01, 0.04], method='bh') = [0.02, 0.04]
    expect(benjaminiHochberg([0.01, null, 0.04])).toEqual([0.02, null, 0.04]);
    expect(benjaminiHochberg([null, Number.NaN, 2])).toEqual([null, null, null]);
    expect(benjaminiHochberg([])).toEqual([]);
  });

  const pList = fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), {
    maxLength: 40,
  });

  it('property: adjusted >= raw, <= 1, and monotone in the rank of the raw p-value', () => {
    fc.assert(
      fc.property(pList, (ps) => {
        const adj = benjaminiHochberg(ps);
        const pairs: [number, number][] = [];
        ps.forEach((p, i) => {
          const a = adj[i];
          if (p === null) {
            expect(a).toBeNull();
            return;
          }
          expect(a).not.toBeNull();
          expect(a ?? -1).toBeGreaterThanOrEqual(p);
          expect(a ?? 2).toBeLessThanOrEqual(1);
          pairs.push([p, a ?? Number.NaN]);
        });
        pairs.sort((x, y) => x[0] - y[0]);
        for (let i = 1; i < pairs.length; i++) {
          expect(pairs[i]?.[1]).toBeGreaterThanOrEqual(pairs[i - 1]?.[1] ?? Number.NaN);
        }
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
