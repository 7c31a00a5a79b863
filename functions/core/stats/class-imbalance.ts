import { checkLabelCounts, type FacetLabelCounts } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Class imbalance (CI) of the group against the rest, Amazon SageMaker Clarify's pre-training
 * definition ("Class Imbalance (CI)", Clarify developer guide; Das et al., *Fairness Measures for
 * Machine Learning in Finance*, J. Financial Data Science 3(4), 2021):
 *   CI = (n_a − n_d) / (n_a + n_d),  in [−1, 1]
 * with n_d = rows of the group (facet d) and n_a = rows of the rest (facet a). Positive: the group
 * has fewer rows than the rest; 1: the group has no rows; 0: equal halves; −1: all rows are in the
 * group. Labels are not used. Checked against the formula in numpy over row arrays.
 *
 * Deviation: Clarify's implementation (smclarify `CI`) raises when either facet is empty; the
 * formula and Clarify's documented range include ±1 for those cases, so they are returned here
 * (an absent group is exactly what a representation review must show).
 *
 * @returns null with a reason for invalid counts or when there are no rows at all
 */
export function classImbalance(counts: FacetLabelCounts): StatValue {
  const c = checkLabelCounts(counts);
  if (!c.ok) return notComputed(c.reason);
  const total = c.na + c.nd;
  if (!(total > 0)) return notComputed('no rows in the group or the rest');
  return statValue(Math.max(-1, Math.min(1, (c.na - c.nd) / total)));
}
