import gammainc from '@stdlib/math-base-special-gammainc';

/** The result of a two-proportion z-test: the statistic and its two-sided p-value. */
export interface TwoProportionZTest {
  /** (p̂₂ − p̂₁) / SE: positive when the share grew. */
  readonly z: number;
  readonly pValue: number;
}

/**
 * Pooled two-proportion z-test of H₀: p₁ = p₂ for shares x₁/n₁ (before) and x₂/n₂ (after):
 *
 *   p̂ = (x₁ + x₂) / (n₁ + n₂),  SE = √(p̂(1 − p̂)(1/n₁ + 1/n₂)),  z = (x₂/n₂ − x₁/n₁) / SE
 *   p = 2(1 − Φ(|z|)) = Q(½, z²/2)   (the χ²₁ upper tail at z², Q the upper regularized gamma)
 *
 * Source: Agresti, *Categorical Data Analysis* (3rd ed., 2013), §3.1.3; the same test as
 * statsmodels' `proportions_ztest([x2, x1], [n2, n1])` (pooled by default). z² is Pearson's χ² of
 * the 2×2 table without continuity correction, which is how the oracle checks it:
 * `scipy.stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)`.
 *
 * Weighted data: pass Kish's effective N as n and share · N_eff as x (both may be non-integer),
 * as the other statistics do (ARCHITECTURE "Weights").
 *
 * @returns null when n₁ or n₂ is not > 0, a count is outside [0, n], an input is not finite, or
 *   both shares are 0 or both 1 (no variance: nothing to test)
 */
export function twoProportionZTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): TwoProportionZTest | null {
  const inputs = [x1, n1, x2, n2];
  if (!inputs.every(Number.isFinite) || !(n1 > 0) || !(n2 > 0)) return null;
  if (x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return null;
  const z = (x2 / n2 - x1 / n1) / Math.sqrt(variance);
  if (!Number.isFinite(z)) return null;
  return { z, pValue: Math.min(1, gammainc((z * z) / 2, 0.5, true, true)) };
}
