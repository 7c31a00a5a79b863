/**
 * Seeded multinomial sampling for Monte-Carlo p-values, on stdlib's 32-bit Mersenne Twister
 * (Matsumoto & Nishimura 1998), so a seed reproduces the same draws on every platform.
 */
import binomial from '@stdlib/random-base-binomial';
import mt19937 from '@stdlib/random-base-mt19937';
import { binomialCdf, logBinomialPmf } from './binomial-distribution.ts';

/** A function returning uniform numbers in [0, 1). */
export type Uniform = () => number;

/**
 * Uniform [0, 1) with 53-bit resolution from two 32-bit outputs (`genrand_res53` of the reference
 * MT19937 code).
 *
 * @param seed - an integer in [1, 2³² − 1]
 */
export function seededUniform(seed: number): Uniform {
  const next = mt19937.factory({ seed });
  return () => {
    const a = next() >>> 5;
    const b = next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };
}

/**
 * Above this variance n·p·(1 − p) the modal walk below would take too many steps (about √ of
 * it per draw, each a multiply-add): a Monte-Carlo p-value over millions of rows needs 10 000
 * multinomial draws. There stdlib's BTPE sampler (Kachitvichyanukul & Schmeiser, "Binomial random
 * variate generation", CACM 31(2), 1988), fed the same seeded uniform stream, draws in O(1).
 */
export const BTPE_MIN_VARIANCE = 1000;

const btpeByUniform = new WeakMap<Uniform, (n: number, p: number) => number>();

function btpe(uniform: Uniform): (n: number, p: number) => number {
  let sampler = btpeByUniform.get(uniform);
  if (!sampler) {
    sampler = binomial.factory({ prng: uniform }) as (n: number, p: number) => number;
    btpeByUniform.set(uniform, sampler);
  }
  return sampler;
}

/**
 * One draw from Binomial(n, p) by inversion starting at the mode (Kemp, "A modal method for
 * generating binomial variables", Comm. Stat. 1986): the cdf at the mode comes from the incomplete
 * beta, then the pmf recurrence walks up or down; expected O(√(n·p·(1 − p))) steps.
 */
export function sampleBinomial(n: number, p: number, uniform: Uniform): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const q = 1 - p;
  if (n * p * q > BTPE_MIN_VARIANCE) return btpe(uniform)(n, p);
  const mode = Math.min(n, Math.floor((n + 1) * p));
  let pmf = Math.exp(logBinomialPmf(mode, n, p));
  let cdf = binomialCdf(mode, n, p);
  const u = uniform();
  let x = mode;
  if (u <= cdf) {
    // Smallest x with F(x) ≥ u, walking down: F(x − 1) = F(x) − f(x).
    while (x > 0) {
      const below = cdf - pmf;
      if (u > below) break;
      cdf = below;
      pmf = ((pmf * x) / (n - x + 1)) * (q / p);
      x--;
    }
    return x;
  }
  while (x < n) {
    pmf = ((pmf * (n - x)) / (x + 1)) * (p / q);
    x++;
    cdf += pmf;
    if (u <= cdf || pmf === 0) break;
  }
  return x;
}

/**
 * One draw from Multinomial(total, shares) as a chain of conditional binomials:
 * xᵢ ~ Binomial(total − Σ_{j<i} xⱼ, sharesᵢ / Σ_{j≥i} sharesⱼ).
 *
 * @param total - a non-negative integer
 * @param shares - non-negative, summing to 1
 */
export function sampleMultinomial(total: number, shares: readonly number[], uniform: Uniform): number[] {
  const k = shares.length;
  const tail: number[] = new Array(k + 1).fill(0);
  for (let i = k - 1; i >= 0; i--) tail[i] = (tail[i + 1] ?? 0) + (shares[i] ?? 0);
  const counts: number[] = new Array(k).fill(0);
  let remaining = total;
  for (let i = 0; i < k && remaining > 0; i++) {
    const rest = tail[i] ?? 0;
    if (i === k - 1) {
      counts[i] = remaining;
      break;
    }
    const ratio = rest > 0 ? Math.min(1, (shares[i] ?? 0) / rest) : 0;
    const x = sampleBinomial(remaining, ratio, uniform);
    counts[i] = x;
    remaining -= x;
  }
  return counts;
}
