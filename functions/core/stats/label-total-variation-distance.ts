import { type FacetLabelCounts, labelDistribution, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue } from './stat-value.ts';
import { totalVariationDistance } from './total-variation-distance.ts';

/**
 * Total variation distance between the label distributions of the rest and the group, Clarify's
 * pre-training definition ("Total Variation Distance (TVD)", Clarify developer guide; Das et al.
 * 2021):
 *   TVD = ½ L1(P_a, P_d) = ½ Σ_y |P_a(y) − P_d(y)|,  in [0, 1]
 * with P_a = [1 − q_a, q_a] (the rest, facet a) and P_d = [1 − q_d, q_d] (the group, facet d).
 * For binary labels TVD = |q_a − q_d| = |DPL|. Equals `scipy.spatial.distance.cityblock(P_a, P_d) / 2`.
 *
 * @returns null with a reason when either side has no rows or the counts are invalid
 */
export function labelTotalVariationDistance(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  return totalVariationDistance(labelDistribution(q.qa), labelDistribution(q.qd));
}
