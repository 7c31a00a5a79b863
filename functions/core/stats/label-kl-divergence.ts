import { klDivergence } from './kl-divergence.ts';
import { type FacetLabelCounts, labelDistribution, positiveProportions } from './label-counts.ts';
import { notComputed, type StatValue } from './stat-value.ts';

/**
 * Kullback–Leibler divergence of the label distribution of the rest from that of the group, in
 * nats, Clarify's pre-training definition ("Kullback-Leibler Divergence (KL)", Clarify developer
 * guide; Das et al. 2021):
 *   KL(P_a ‖ P_d) = Σ_y P_a(y) ln(P_a(y) / P_d(y)),  in [0, ∞)
 * with P_a = [1 − q_a, q_a] the labels of the rest (facet a) and P_d = [1 − q_d, q_d] those of the
 * group (facet d). 0 when both sides have the same positive rate. Equals
 * `scipy.stats.entropy(P_a, P_d)`.
 *
 * Deviation: Clarify's implementation keeps only label values present on both sides
 * (`pdfs_aligned_nonzero`), which can make KL negative; here every label value counts, and where
 * KL is infinite (the group never has a label value the rest has) the value is null with a reason.
 *
 * @returns null with a reason when either side has no rows, KL is infinite, or counts are invalid
 */
export function labelKlDivergence(counts: FacetLabelCounts): StatValue {
  const q = positiveProportions(counts);
  if (!q.ok) return notComputed(q.reason);
  const kl = klDivergence(labelDistribution(q.qa), labelDistribution(q.qd));
  if (kl.value !== null) return kl;
  const missing = q.qd === 0 ? 'positive' : 'negative';
  return notComputed(
    `infinite: the group has no ${missing} labels while the rest has some (positive rate ${q.qa})`,
  );
}
