import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  binomialSf,
  logBinomialPmf,
} from '../../../../functions/core/stats/binomial-distribution.ts';

const relErr = (a: number, e: number) => Math.abs(a - e) / Math.abs(e);

describe('logBinomialPmf (Loader 2000)', () => {
  // Expected values: 30-digit mpmath on the double value of p, rounded to the nearest double:
  //   mp.loggamma(n+1) - mp.loggamma(x+1) - mp.loggamma(n-x+1) + x*mp.log(p) + (n-x)*mp.log(1-p)
  // scipy.stats.binom.logpmf (Boost's ibeta_derivative) is itself off by up to 3e-9 relative at
  // n = 1e8 (its value is given beside each case), so scipy is not the oracle here.
  it.each([
    [123456, 200000, 0.6, -131.34433271093883], // scipy: -131.34433271073794
    [3, 10, 0.5, -2.1439800628174073], // scipy: -2.143980062817406
    [49990000, 100_000_000, 0.5, -11.436131720454243], // scipy: -11.436131738126278
    [0, 100_000_000, 1e-7, -10.000000500000032], // scipy: -10.000000500000032
    [12345678, 100_000_000, 0.12345, -9.038702219911057], // scipy: -9.03870252892375
  ])('ln pmf(%d; %d, %d) [mpmath]', (x, n, p, expected) => {
    expect(relErr(logBinomialPmf(x, n, p), expected)).toBeLessThan(1e-14);
  });

  it('is -Infinity off the support and 0 for certain outcomes', () => {
    expect(logBinomialPmf(-1, 5, 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(logBinomialPmf(6, 5, 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(logBinomialPmf(0, 5, 0)).toBe(0);
    expect(logBinomialPmf(1, 5, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(logBinomialPmf(5, 5, 1)).toBe(0);
    expect(logBinomialPmf(4, 5, 1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sums to 1 over the support', () => {
    let total = 0;
    for (let x = 0; x <= 60; x++) total += Math.exp(logBinomialPmf(x, 60, 0.37));
    expect(Math.abs(total - 1)).toBeLessThan(1e-13);
  });
});

describe('binomialCdf / binomialSf (regularized incomplete beta)', () => {
  it('binom.cdf(3, 10, 0.5) = 0.171875, binom.sf(3, 10, 0.5) = 0.828125 [scipy]', () => {
    expect(binomialCdf(3, 10, 0.5)).toBeCloseTo(0.171875, 15);
    expect(binomialSf(3, 10, 0.5)).toBeCloseTo(0.828125, 15);
  });

  it('binom.cdf(15, 1000, 0.03) = 0.0017245519464893946 [scipy]', () => {
    expect(relErr(binomialCdf(15, 1000, 0.03), 0.0017245519464893946)).toBeLessThan(1e-12);
  });

  it('handles the ends of the support and degenerate p', () => {
    expect(binomialCdf(-1, 5, 0.5)).toBe(0);
    expect(binomialCdf(5, 5, 0.5)).toBe(1);
    expect(binomialSf(-1, 5, 0.5)).toBe(1);
    expect(binomialSf(5, 5, 0.5)).toBe(0);
    expect(binomialCdf(0, 5, 0)).toBe(1);
    expect(binomialSf(0, 5, 1)).toBe(1);
  });
});
