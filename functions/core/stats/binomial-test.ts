import { binomialCdf, binomialSf, logBinomialPmf } from './binomial-distribution.ts';

/** ln(1 + 1e-7): scipy's relative tolerance for "as likely as or less likely than the observed outcome". */
const LOG_RELATIVE_ERROR = Math.log1p(1e-7);

/**
 * scipy's `_binary_search_for_binom_tst`: over lo..hi where `compare(i)` (the sign of a(i) − d) is
 * ascending, the index i with a(i) ≤ d < a(i + 1).
 */
function binarySearch(compare: (i: number) => number, lo: number, hi: number): number {
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    const c = compare(mid);
    if (c < 0) low = mid + 1;
    else if (c > 0) high = mid - 1;
    else return mid;
  }
  return compare(low) <= 0 ? low : low - 1;
}

/**
 * Two-sided exact binomial test of H0: P(success) = p, given k successes in n trials.
 *
 * p-value = Σ P(X = i) over all outcomes i with P(X = i) ≤ P(X = k)·(1 + 1e-7), X ~ Binomial(n, p).
 * The outcomes in the opposite tail are found by binary search on the pmf, and both tails are
 * summed through the binomial cdf (regularized incomplete beta), so there is no loop over n.
 *
 * Source: exactly the algorithm of `scipy.stats.binomtest(k, n, p, alternative='two-sided')`
 * (scipy 1.17, `_binomtest.py`); see also Agresti, *Categorical Data Analysis* (3rd ed.), §1.4.
 *
 * Deviations from scipy: the pmf comparisons are made in log space (Loader's pmf, see
 * `logBinomialPmf`), which equals scipy's comparison except when scipy's pmf underflows to 0
 * (p-values far below 1e-300); n = 0, k > n, non-integer k or n, or p outside [0, 1] return null
 * where scipy raises ValueError.
 *
 * @param k - successes, an integer in [0, n]
 * @param n - trials, an integer ≥ 1
 * @param p - success probability under H0, in [0, 1]
 * @returns the two-sided p-value in [0, 1], or null when the inputs admit no test
 */
export function binomialTestTwoSided(k: number, n: number, p: number): number | null {
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k < 0 || k > n) return null;
  if (!(p >= 0 && p <= 1)) return null;
  const pn = p * n;
  if (k === pn) return 1;
  const logD = logBinomialPmf(k, n, p);
  const logThreshold = logD + LOG_RELATIVE_ERROR;
  let pValue: number;
  if (k < pn) {
    // a(i) = −pmf(i) over ceil(pn)..n; a(i) − d' has the sign of threshold − pmf(i).
    const ix = binarySearch(
      (i) => {
        const li = logBinomialPmf(i, n, p);
        return logThreshold > li ? 1 : logThreshold < li ? -1 : 0;
      },
      Math.ceil(pn),
      n,
    );
    const y = n - ix + (logThreshold === logBinomialPmf(ix, n, p) ? 1 : 0);
    pValue = binomialCdf(k, n, p) + binomialSf(n - y, n, p);
  } else {
    // a(i) = pmf(i) over 0..floor(pn).
    const ix = binarySearch(
      (i) => {
        const li = logBinomialPmf(i, n, p);
        return li > logThreshold ? 1 : li < logThreshold ? -1 : 0;
      },
      0,
      Math.floor(pn),
    );
    const y = ix + 1;
    pValue = binomialCdf(y - 1, n, p) + binomialSf(k - 1, n, p);
  }
  return Math.min(1, pValue);
}
