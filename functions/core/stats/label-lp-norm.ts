import { type FacetLabelCounts, labelDistribution, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Lp norm of the difference between the label distributions of the rest and the group, Clarify's
 * pre-training definition ("Lp-norm (LP)", Clarify developer guide; Das et al. 2021):
 *   Lp(P_a, P_d) = (Σ_y |P_a(y) − P_d(y)|^p)^(1/p),  p = 2 by default, in [0, 2^(1/p)]
 * with P_a = [1 − q_a, q_a] (the rest, facet a) and P_d = [1 − q_d, q_d] (the group, facet d).
 * For binary labels Lp = 2^(1/p)·|q_a − q_d|, so L2 = √2·|DPL|. Equals
 * `np.linalg.norm(P_a - P_d, ord=p)`.
 *
 * Clarify's guide writes the L2 example with counts n_a(i) − n_d(i); its stated range [0, √2) and
 * its implementation (`np.linalg.norm(Pa - Pd, 2)` over proportions) use proportions, as here.
 *
 * @param p - the order, finite and ≥ 1. @default 2 (Clarify's LP)
 * @returns null with a reason when either side has no rows, p is invalid or counts are invalid
 */
export function labelLpNorm(counts: FacetLabelCounts, p = 2): StatValue {
  if (!Number.isFinite(p) || p < 1) return notComputed(`p must be a finite number >= 1, received ${p}`);
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  const a = labelDistribution(q.qa);
  const d = labelDistribution(q.qd);
  // Factor out the largest difference so that |Δ|^p cannot underflow for large p.
  const diffs = a.map((ai, i) => Math.abs(ai - (d[i] ?? 0)));
  const largest = Math.max(...diffs);
  if (largest === 0) return statValue(0);
  let sum = 0;
  for (const x of diffs) sum += (x / largest) ** p;
  return statValue(largest * sum ** (1 / p));
}
