import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohensW } from '../../../../functions/core/stats/cohens-w.ts';
import { hellingerDistance } from '../../../../functions/core/stats/hellinger-distance.ts';
import { jensenShannonDivergence } from '../../../../functions/core/stats/jensen-shannon-divergence.ts';
import { klDivergence } from '../../../../functions/core/stats/kl-divergence.ts';
import { linfDistance } from '../../../../functions/core/stats/linf-distance.ts';
import { totalVariationDistance } from '../../../../functions/core/stats/total-variation-distance.ts';

const p = [0.5, 0.3, 0.2];
const q = [0.4, 0.4, 0.2];

describe('distances between shares, p = [0.5, 0.3, 0.2], q = [0.4, 0.4, 0.2]', () => {
  it('TVD = cityblock(p, q) / 2 = 0.1, L∞ = chebyshev(p, q) = 0.1 [scipy]', () => {
    expect(totalVariationDistance(p, q).value).toBeCloseTo(0.1, 15);
    expect(linfDistance(p, q).value).toBeCloseTo(0.1, 15);
  });

  it('Hellinger = euclidean(sqrt(p), sqrt(q)) / sqrt(2) = 0.079851380615908 [scipy]', () => {
    expect(hellingerDistance(p, q).value).toBeCloseTo(0.079851380615908, 15);
  });

  it('KL = entropy(p, q) = 0.025267153921570557 [scipy]', () => {
    expect(klDivergence(p, q).value).toBeCloseTo(0.025267153921570557, 15);
  });

  it('JS = jensenshannon(p, q, base=2) ** 2 = 0.009185925460812056 [scipy]', () => {
    expect(jensenShannonDivergence(p, q).value).toBeCloseTo(0.009185925460812056, 15);
  });

  it("Cohen's w = sqrt(chisquare(p, f_exp=q).statistic) = 0.22360679774997896 [scipy]", () => {
    expect(cohensW(p, q).value).toBeCloseTo(0.22360679774997896, 15);
  });

  it('KL and w are null with a reason when the data has a group the reference lacks; JS stays finite', () => {
    // scipy.stats.entropy([0.1, 0.9], [0.0, 1.0]) -> inf
    const kl = klDivergence([0.1, 0.9], [0, 1]);
    expect(kl.value).toBeNull();
    expect(kl.reason).toContain('group 0');
    expect(cohensW([0.1, 0.9], [0, 1]).value).toBeNull();
    expect(jensenShannonDivergence([1, 0], [0, 1]).value).toBe(1);
  });

  it('mismatched lengths and bad values are null with a reason', () => {
    expect(totalVariationDistance([1], [0.5, 0.5]).reason).toContain('same groups');
    expect(hellingerDistance([], []).reason).toContain('empty');
    expect(linfDistance([1, Number.NaN], [0.5, 0.5]).value).toBeNull();
    expect(jensenShannonDivergence([0, 0], [0.5, 0.5]).reason).toContain('sum');
  });

  const sharePair = fc
    .integer({ min: 1, max: 12 })
    .chain((k) =>
      fc.tuple(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: k, maxLength: k }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: k, maxLength: k }),
      ),
    )
    .filter(([a, b]) => a.some((x) => x > 0) && b.some((x) => x > 0));

  it('property: TVD, JS and Hellinger are in [0, 1]; L∞ ≤ TVD', () => {
    fc.assert(
      fc.property(sharePair, ([a, b]) => {
        for (const fn of [totalVariationDistance, jensenShannonDivergence, hellingerDistance, linfDistance]) {
          const v = fn(a, b).value;
          expect(v).not.toBeNull();
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(linfDistance(a, b).value ?? 2).toBeLessThanOrEqual(
          (totalVariationDistance(a, b).value ?? 0) + 1e-15,
        );
      }),
      { seed: 3, numRuns: 1000 },
    );
  });

  it('property: all distances are 0 for identical shares', () => {
    fc.assert(
      fc.property(
        sharePair.map(([a]) => a),
        (a) => {
          for (const fn of [
            totalVariationDistance,
            linfDistance,
            hellingerDistance,
            klDivergence,
            jensenShannonDivergence,
            cohensW,
          ]) {
            expect(fn(a, a).value).toBeCloseTo(0, 7);
          }
        },
      ),
      { seed: 4, numRuns: 300 },
    );
  });
});
