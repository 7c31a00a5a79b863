import quantile from '@stdlib/stats-base-dists-normal-quantile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wilsonInterval, Z_95 } from '../../../../functions/core/stats/wilson-interval.ts';

describe('wilsonInterval', () => {
  it('default z is scipy.stats.norm.ppf(0.975) = 1.959963984540054', () => {
    expect(Z_95).toBe(1.959963984540054);
    expect(quantile(0.975, 0, 1)).toBeCloseTo(Z_95, 15);
  });

  it('binomtest(3, 10).proportion_ci(method="wilson") = (0.10779126740630102, 0.6032218525388546) [scipy]', () => {
    const ci = wilsonInterval(3, 10);
    expect(ci?.[0]).toBeCloseTo(0.10779126740630102, 15);
    expect(ci?.[1]).toBeCloseTo(0.6032218525388546, 15);
  });

  it('binomtest(0, 10).proportion_ci(method="wilson") = (0.0, 0.27753279986288926) [scipy]', () => {
    const ci = wilsonInterval(0, 10);
    expect(ci?.[0]).toBe(0);
    expect(ci?.[1]).toBeCloseTo(0.27753279986288926, 15);
    expect(wilsonInterval(10, 10)?.[1]).toBe(1);
  });

  it('is null for N = 0 and for n outside [0, N]', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(3, 2)).toBeNull();
    expect(wilsonInterval(-1, 2)).toBeNull();
    expect(wilsonInterval(1, 2, 0)).toBeNull();
  });

  it('property: bounds within [0, 1], ordered, and contain n/N (integer and weighted counts)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (N, share) => {
          const n = share * N;
          const ci = wilsonInterval(n, N);
          expect(ci).not.toBeNull();
          const [low, high] = ci ?? [Number.NaN, Number.NaN];
          expect(low).toBeGreaterThanOrEqual(0);
          expect(high).toBeLessThanOrEqual(1);
          expect(low).toBeLessThanOrEqual(n / N);
          expect(high).toBeGreaterThanOrEqual(n / N);
        },
      ),
      { seed: 7, numRuns: 1000 },
    );
  });
});
