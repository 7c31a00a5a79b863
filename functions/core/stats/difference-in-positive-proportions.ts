import { type FacetLabelCounts, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Difference in proportions of labels (DPL), Clarify's pre-training definition ("Difference in
 * Proportions of Labels (DPL)", Clarify developer guide; Das et al. 2021):
 *   DPL = q_a − q_d,  in [−1, 1]
 * with q_a = n_a(1)/n_a the positive rate of the rest (facet a) and q_d = n_d(1)/n_d that of the
 * group (facet d). Positive: the group gets the positive label less often than the rest; 0 is
 * demographic parity in the labels. Checked against `y[rest].mean() - y[group].mean()` in numpy
 * (`np.average(..., weights=w)` for weighted cases).
 *
 * @returns null with a reason when either side has no rows or the counts are invalid
 */
export function differenceInPositiveProportions(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  return statValue(q.qa - q.qd);
}
