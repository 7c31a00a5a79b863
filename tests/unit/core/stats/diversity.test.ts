import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evenness } from '../../../../functions/core/stats/evenness.ts';
import { hillNumber } from '../../../../functions/core/stats/hill-number.ts';
import { imbalanceRatio } from '../../../../functions/core/stats/imbalance-ratio.ts';
import { shannonEntropy } from '../../../../functions/core/stats/shannon-entropy.ts';
import { simpsonIndex } from '../../../../functions/core/stats/simpson-index.ts';

const shares = [0.5, 0.3, 0.2];

describe('diversity of shares [0.5, 0.3, 0.2]', () => {
  it('Shannon H = entropy(p) = 1.0296530140645737 nats [scipy]', () => {
    expect(shannonEntropy(shares).value).toBeCloseTo(1.0296530140645737, 15);
  });

  it('evenness = entropy(p) / np.log(3), null for one group', () => {
    expect(evenness(shares).value).toBeCloseTo(1.0296530140645737 / Math.log(3), 15);
    expect(evenness([1]).value).toBeNull();
    expect(evenness([0, 0, 10]).value).toBe(0);
  });

  it('Simpson = 1 - sum(p**2) = 0.62 [numpy]', () => {
    expect(simpsonIndex(shares).value).toBeCloseTo(0.62, 15);
  });

  it('Hill q=1 = np.exp(entropy(p)) = 2.8000940728538315; q=2 = 1/np.sum(p**2) = 2.6315789473684212', () => {
    expect(hillNumber(shares, 1).value).toBeCloseTo(2.8000940728538315, 14);
    expect(hillNumber(shares, 2).value).toBeCloseTo(2.6315789473684212, 14);
    expect(hillNumber([0, 5, 5], 0).value).toBe(2);
    expect(hillNumber(shares, -1).value).toBeNull();
  });

  it('imbalance ratio = max / min over non-empty groups; null with fewer than 2', () => {
    expect(imbalanceRatio([120, 80, 0, 40]).value).toBe(3);
    expect(imbalanceRatio([0, 0, 10]).reason).toContain('2 non-empty');
  });

  const vector = fc
    .array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 15 })
    .filter((a) => a.some((x) => x > 0));

  it('property: 0 ≤ H ≤ ln k, evenness in [0, 1], 1 ≤ Hill(q) ≤ non-empty groups, Hill decreasing in q', () => {
    fc.assert(
      fc.property(vector, (a) => {
        const k = a.length;
        const nonEmpty = a.filter((x) => x > 0).length;
        const h = shannonEntropy(a).value ?? Number.NaN;
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(Math.log(k) + 1e-12);
        if (k > 1) {
          const e = evenness(a).value ?? Number.NaN;
          expect(e).toBeGreaterThanOrEqual(0);
          expect(e).toBeLessThanOrEqual(1);
        }
        const d = simpsonIndex(a).value ?? Number.NaN;
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1 - 1 / k + 1e-12);
        let previous = Number.POSITIVE_INFINITY;
        for (const q of [0, 0.5, 1, 2, 3, 50]) {
          const v = hillNumber(a, q).value ?? Number.NaN;
          expect(v).toBeGreaterThanOrEqual(1 - 1e-9);
          expect(v).toBeLessThanOrEqual(nonEmpty * (1 + 1e-9));
          expect(v).toBeLessThanOrEqual(previous * (1 + 1e-9));
          previous = v;
        }
      }),
      { seed: 5, numRuns: 1000 },
    );
  });
});
