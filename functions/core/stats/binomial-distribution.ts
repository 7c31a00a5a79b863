/**
 * Binomial distribution helpers for the exact test and the Monte-Carlo sampler. No loops over n:
 * the pmf is one closed-form evaluation and the cdf one regularized incomplete beta call, so
 * n = 1e8 costs the same as n = 10.
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';

const LN_2PI = 1.8378770664093453; // ln(2π)
const LN_SQRT_2PI = 0.9189385332046728; // ln(√(2π))

/**
 * Error of Stirling's approximation, ln(x!) − [(x + ½) ln x − x + ln √(2π)] (Loader 2000).
 * Small x use stdlib's gammaln (Lanczos, from Boost); larger x the asymptotic series, as in R's
 * `stirlerr`.
 */
function stirlingError(x: number): number {
  if (x <= 15) return gammaln(x + 1) - (x + 0.5) * Math.log(x) + x - LN_SQRT_2PI;
  const xx = x * x;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (x > 500) return (s0 - s1 / xx) / x;
  if (x > 80) return (s0 - (s1 - s2 / xx) / xx) / x;
  if (x > 35) return (s0 - (s1 - (s2 - s3 / xx) / xx) / xx) / x;
  return (s0 - (s1 - (s2 - (s3 - s4 / xx) / xx) / xx) / xx) / x;
}

/** Deviance term x ln(x/m) + m − x, computed without cancellation when x ≈ m (Loader 2000). */
function devianceTerm(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * Natural log of the binomial pmf, ln P(X = x) for X ~ Binomial(n, p); −Infinity outside the
 * support. Loader's saddle-point form (C. Loader, "Fast and accurate computation of binomial
 * probabilities", 2000; R's `dbinom`), accurate to a few ulps even for n = 1e8, where the naive
 * gammaln(n+1) − gammaln(x+1) − gammaln(n−x+1) loses about 7 digits to cancellation.
 */
export function logBinomialPmf(x: number, n: number, p: number): number {
  if (x < 0 || x > n) return Number.NEGATIVE_INFINITY;
  const q = 1 - p;
  if (p === 0) return x === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return x === n ? 0 : Number.NEGATIVE_INFINITY;
  if (x === 0) {
    if (n === 0) return 0;
    return p < 0.1 ? -devianceTerm(n, n * q) - n * p : n * Math.log1p(-p);
  }
  if (x === n) return q < 0.1 ? -devianceTerm(n, n * p) - n * q : n * Math.log(p);
  const lc =
    stirlingError(n) -
    stirlingError(x) -
    stirlingError(n - x) -
    devianceTerm(x, n * p) -
    devianceTerm(n - x, n * q);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return lc - 0.5 * lf;
}

/**
 * P(X ≤ k) for X ~ Binomial(n, p) = 1 − I_p(k + 1, n − k), the regularized incomplete beta
 * (stdlib `betainc`, Boost's `ibetac`; same identity as scipy's `binom.cdf`).
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  return betainc(p, k + 1, n - k, true, true);
}

/** P(X > k) for X ~ Binomial(n, p) = I_p(k + 1, n − k) (scipy's `binom.sf`). */
export function binomialSf(k: number, n: number, p: number): number {
  if (k < 0) return 1;
  if (k >= n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  return betainc(p, k + 1, n - k, true, false);
}
