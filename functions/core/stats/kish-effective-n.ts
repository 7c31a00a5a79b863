/**
 * Kish effective sample size of weighted rows:
 *   N_eff = (Σ wᵢ)² / Σ wᵢ²
 * the number of unweighted rows that would give the same variance for a mean (Kish, *Survey
 * Sampling*, 1965, §11.7). Checked against `w.sum()**2 / (w**2).sum()`.
 *
 * @param sumWeights - Σ wᵢ, ≥ 0
 * @param sumSquaredWeights - Σ wᵢ², > 0
 * @returns N_eff, or null when Σw² ≤ 0, Σw < 0 or an input is not finite
 */
export function kishEffectiveN(sumWeights: number, sumSquaredWeights: number): number | null {
  if (!Number.isFinite(sumWeights) || !Number.isFinite(sumSquaredWeights)) return null;
  if (!(sumSquaredWeights > 0) || sumWeights < 0) return null;
  const nEff = (sumWeights * sumWeights) / sumSquaredWeights;
  return Number.isFinite(nEff) ? nEff : null;
}
