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

/**
 * The N that intervals and tests of one group or attribute use; the one place that decides it.
 * Without weights it is the row count itself (not (Σw)²/Σw², which rounds for large counts); with
 * weights it is Kish's N_eff; where N_eff is undefined (Σw² = 0: no row carries weight, or the
 * counts predate weight_sq_sum) it is 0, so no test or interval is computed. Reports show
 * `kishEffectiveN` itself, null there.
 *
 * @param weighted - whether the manifest declares a weight column
 * @param rows - rows counted (used without weights)
 */
export function effectiveRows(
  weighted: boolean,
  rows: number,
  sumWeights: number,
  sumSquaredWeights: number,
): number {
  if (!weighted) return rows;
  return kishEffectiveN(sumWeights, sumSquaredWeights) ?? 0;
}
