import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialTestTwoSided } from '../../../../functions/core/stats/binomial-test.ts';

const relErr = (a: number | null, e: number) => Math.abs((a ?? Number.NaN) - e) / Math.abs(e);

describe('binomialTestTwoSided', () => {
  it('binomtest(123456, 200000, 0.6) [scipy] = 2.5472969521393242e-56 (far tail)', () => {
    // scipy.stats.binomtest(123456, 200000, 0.6).pvalue -> 2.5472969521393242e-56
    // (@stdlib/stats-binomial-test gives 1.2554e-56 here; see DESIGN.md)
    expect(relErr(binomialTestTwoSided(123456, 200000, 0.6), 2.5472969521393242e-56)).toBeLessThan(1e-6);
  });

  it('binomtest(7, 20, 0.3) [scipy] = 0.6294979666766769', () => {
    expect(relErr(binomialTestTwoSided(7, 20, 0.3), 0.6294979666766769)).toBeLessThan(1e-12);
  });

  it('binomtest(0, 10, 0.5) [scipy] = 0.001953125 (k = 0)', () => {
    expect(binomialTestTwoSided(0, 10, 0.5)).toBeCloseTo(0.001953125, 15);
    expect(binomialTestTwoSided(10, 10, 0.5)).toBeCloseTo(0.001953125, 15); // k = n
  });

  it('p = 0 and p = 1: binomtest(2, 5, 0.0) = 0.0, binomtest(0, 5, 0.0) = 1.0 [scipy]', () => {
    expect(binomialTestTwoSided(2, 5, 0)).toBe(0);
    expect(binomialTestTwoSided(0, 5, 0)).toBe(1);
    expect(binomialTestTwoSided(5, 5, 1)).toBe(1);
    expect(binomialTestTwoSided(3, 5, 1)).toBe(0);
  });

  it('binomtest(1000, 100000000, 1e-05) [scipy] = 1.0 (k = n·p exactly)', () => {
    expect(binomialTestTwoSided(1000, 100_000_000, 1e-5)).toBe(1);
  });

  it('returns null where scipy raises: n = 0, k > n, p outside [0, 1], non-integers', () => {
    expect(binomialTestTwoSided(0, 0, 0.5)).toBeNull();
    expect(binomialTestTwoSided(6, 5, 0.5)).toBeNull();
    expect(binomialTestTwoSided(1, 5, 1.5)).toBeNull();
    expect(binomialTestTwoSided(1, 5, Number.NaN)).toBeNull();
    expect(binomialTestTwoSided(1.5, 5, 0.5)).toBeNull();
  });

  it('is fast for N = 1e8 (no loop over n)', () => {
    const start = performance.now();
    for (let i = 0; i < 20; i++) binomialTestTwoSided(49_990_000 + i, 100_000_000, 0.5);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('property: a p-value in [0, 1], symmetric under k -> n - k, p -> 1 - p', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, kShare, p) => {
          const k = Math.round(kShare * n);
          const v = binomialTestTwoSided(k, n, p);
          expect(v).not.toBeNull();
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          if (p === 0.5) expect(binomialTestTwoSided(n - k, n, 0.5)).toBeCloseTo(v ?? Number.NaN, 12);
        },
      ),
      { seed: 20240607, numRuns: 300 },
    );
  });
});
