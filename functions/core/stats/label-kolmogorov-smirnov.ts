import { type FacetLabelCounts, labelDistribution, positiveProportions } from './label-counts.ts';
import { linfDistance } from './linf-distance.ts';
import { notComputed, type StatValue } from './stat-value.ts';

/**
 * Kolmogorov–Smirnov distance between the label distributions of the rest and the group,
 * Clarify's pre-training definition ("Kolmogorov-Smirnov Distance (KS)", Clarify developer guide;
 * Das et al. 2021):
 *   KS = max_y |P_a(y) − P_d(y)|,  in [0, 1]
 * with P_a = [1 − q_a, q_a] (the rest, facet a) and P_d = [1 − q_d, q_d] (the group, facet d).
 * For binary labels KS = |q_a − q_d| = |DPL|, which is also the two-sample KS statistic of the
 * 0/1 label columns: checked against `scipy.stats.ks_2samp(y_rest, y_group).statistic` and
 * `scipy.spatial.distance.chebyshev(P_a, P_d)`.
 *
 * @returns null with a reason when either side has no rows or the counts are invalid
 */
export function labelKolmogorovSmirnov(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  return linfDistance(labelDistribution(q.qa), labelDistribution(q.qd));
}
