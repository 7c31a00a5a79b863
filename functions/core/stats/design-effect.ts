/**
 * Kish design effect of unequal weights:
 *   deff = n · Σ wᵢ² / (Σ wᵢ)² = mean(w²) / mean(w)² = n / N_eff,  ≥ 1
 * the factor by which weighting inflates the variance of a mean (Kish, *Survey Sampling*, 1965;
 * Kish, J. Off. Stat. 8, 1992). Checked against `np.mean(w**2) / np.mean(w)**2`.
 *
 * @param count - n, the number of weighted rows, ≥ 1
 * @param sumWeights - Σ wᵢ, > 0
 * @param sumSquaredWeights - Σ wᵢ², ≥ 0
 * @returns deff, or null when n < 1, Σw ≤ 0, Σw² < 0 or an input is not finite
 */
export function designEffect(count: number, sumWeights: number, sumSquaredWeights: number): number | null {
  if (!Number.isFinite(count) || !Number.isFinite(sumWeights) || !Number.isFinite(sumSquaredWeights))
    return null;
  if (count < 1 || !(sumWeights > 0) || sumSquaredWeights < 0) return null;
  const deff = (count * sumSquaredWeights) / (sumWeights * sumWeights);
  return Number.isFinite(deff) ? deff : null;
}
