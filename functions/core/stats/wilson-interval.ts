/** z = Φ⁻¹(0.975), the two-sided 95 % normal quantile (`scipy.stats.norm.ppf(0.975)`). */
export const Z_95 = 1.959963984540054;

/** A confidence interval for a share, both bounds in [0, 1]. */
export type ShareInterval = [low: number, high: number];

/**
 * Wilson score interval for a share n/N.
 *
 *   centre = (n + z²/2) / (N + z²)
 *   half   = z / (N + z²) · √(n(N − n)/N + z²/4)
 *   [low, high] = [centre − half, centre + half]
 *
 * Source: E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
 * JASA 22 (1927); Newcombe, Statistics in Medicine 17 (1998), method 3. Matches
 * `scipy.stats.binomtest(n, N).proportion_ci(method='wilson')`, including its convention of an
 * exact 0 lower bound when n = 0 and an exact 1 upper bound when n = N.
 *
 * Weighted data: pass N = Kish effective N and n = share · N_eff (both may be non-integer); the
 * formula is applied unchanged (the usual design-effect adjustment of the score interval).
 *
 * Deviation: bounds are clamped to [0, 1] and to contain n/N, which only guards against rounding
 * in the last bit.
 *
 * @param n - rows in the group (or share · N_eff), in [0, N]
 * @param N - rows with a valid value (or N_eff), > 0
 * @param z - normal quantile for the confidence level. @default - 1.959963984540054 (95 %)
 * @returns [low, high], or null when N = 0, the inputs are not finite with 0 ≤ n ≤ N and z > 0, or
 *   N + z² overflows
 */
export function wilsonInterval(n: number, N: number, z: number = Z_95): ShareInterval | null {
  if (!Number.isFinite(n) || !Number.isFinite(N) || !Number.isFinite(z)) return null;
  if (!(N > 0) || n < 0 || n > N || !(z > 0)) return null;
  const share = n / N;
  const z2 = z * z;
  const denominator = N + z2;
  const centre = (n + z2 / 2) / denominator;
  const half = (z / denominator) * Math.sqrt(N * share * (1 - share) + z2 / 4);
  if (!Number.isFinite(centre) || !Number.isFinite(half)) return null; // z² or N overflowed
  const low = n === 0 ? 0 : Math.min(share, Math.max(0, centre - half));
  const high = n === N ? 1 : Math.max(share, Math.min(1, centre + half));
  return [low, high];
}
