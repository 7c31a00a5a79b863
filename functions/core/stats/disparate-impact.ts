import { type FacetLabelCounts, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Disparate impact (DI) of the observed labels, the ratio form of DPL:
 *   DI = q_d / q_a,  in [0, ∞)
 * with q_d the positive rate of the group (facet d) and q_a that of the rest (facet a). 1 is
 * parity; below 1 the group gets the positive label less often. It is not the four-fifths rule's
 * ratio, which compares with the highest-rate group (see `impactRatios`). Checked against
 * `y[group].mean() / y[rest].mean()`.
 *
 * Source: Clarify's "Disparate Impact (DI)" (Clarify developer guide; Das et al. 2021), which
 * Clarify defines post-training on predicted labels, DI = q′_d / q′_a; here the same ratio is
 * taken over the observed labels, as DPL is the observed-label form of DPPL.
 *
 * Deviation: where Clarify's `divide` returns +∞ (q_a = 0 < q_d) or 0 (q_a = q_d = 0) the value
 * is null with a reason; a group with no positives while the rest has some gives DI = 0.
 *
 * @returns null with a reason when either side has no rows, the rest has no positives, or the
 * counts are invalid
 */
export function disparateImpact(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  if (q.qa === 0) {
    return notComputed(
      q.qd === 0
        ? 'neither the group nor the rest has positive labels (0/0)'
        : `the rest (facet a) has no positive labels while the group has rate ${q.qd}: DI is infinite`,
    );
  }
  return statValue(q.qd / q.qa);
}
