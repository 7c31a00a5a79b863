import { jensenShannonDivergence } from './jensen-shannon-divergence.ts';
import { type FacetLabelCounts, labelDistribution, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Jensen–Shannon divergence between the label distributions of the rest and the group, in nats,
 * Clarify's pre-training definition ("Jensen-Shannon Divergence (JS)", Clarify developer guide;
 * Das et al. 2021):
 *   JS = ½ [KL(P_a ‖ P) + KL(P_d ‖ P)],  P = ½ (P_a + P_d),  in [0, ln 2]
 * with P_a = [1 − q_a, q_a] (the rest, facet a) and P_d = [1 − q_d, q_d] (the group, facet d).
 * Equals `scipy.spatial.distance.jensenshannon(P_a, P_d) ** 2` (natural log, scipy's default).
 *
 * Note the unit: Clarify states JS in nats (range [0, ln 2)); repscope's attribute-level
 * `jensenShannonDivergence` is in bits. This is that function times ln 2.
 *
 * @returns null with a reason when either side has no rows or the counts are invalid
 */
export function labelJsDivergence(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  const bits = jensenShannonDivergence(labelDistribution(q.qa), labelDistribution(q.qd));
  if (bits.value === null) return bits;
  return statValue(Math.min(Math.LN2, bits.value * Math.LN2));
}
