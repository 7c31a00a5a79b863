import { jensenShannonDivergence } from './jensen-shannon-divergence.ts';
import { normalizeShares } from './shares.ts';
import { notComputed, type StatValue } from './stat-value.ts';
import { totalVariationDistance } from './total-variation-distance.ts';

/** One group's place in the positive class, in {@link PositiveClassComposition}. */
export type PositiveClassGroup = {
  readonly group: string;
  /** Positive rows of the group (or their weight sum); 0 for a reference group with none. */
  readonly positives: number;
  /** The group's share of all positive rows; null when there are no positive rows. */
  readonly share: number | null;
  /** The group's reference share, rescaled over the reference groups; 0 when not in the reference. */
  readonly referenceShare: number | null;
};

/** Result of {@link positiveClassComposition}. */
export type PositiveClassComposition = {
  /** Union of the groups with positives and the reference groups, in first-seen order. */
  readonly groups: readonly PositiveClassGroup[];
  /** ½ Σ |share − referenceShare|, in [0, 1] (see `totalVariationDistance`). */
  readonly totalVariationDistance: StatValue;
  /** Jensen–Shannon divergence in bits, in [0, 1] (see `jensenShannonDivergence`). */
  readonly jsDivergenceBits: StatValue;
};

/**
 * Composition of the positive class against the reference: each group's share among the rows
 * with the positive label, next to its reference share, and the distance between the two
 * distributions. This is the attribute-level comparison (DESIGN.md "Statistics") applied to the
 * positive rows only: a dataset can represent a group well overall and still hold few of its
 * positive examples. TVD and JS are the attribute-level functions (`totalVariationDistance`,
 * `jensenShannonDivergence`, JS in bits), not Clarify's facet-vs-rest label metrics. Checked
 * against `scipy.spatial.distance.cityblock(p, q) / 2` and `jensenshannon(p, q, base=2) ** 2`.
 *
 * @param positivesByGroup - positive rows per group (weight sums allowed), each ≥ 0
 * @param referenceShares - reference share per group, rescaled to sum to 1
 */
export function positiveClassComposition(
  positivesByGroup: Readonly<Record<string, number>>,
  referenceShares: Readonly<Record<string, number>>,
): PositiveClassComposition {
  const names = [...new Set([...Object.keys(positivesByGroup), ...Object.keys(referenceShares)])];
  const positives = names.map((g) => positivesByGroup[g] ?? 0);
  const reference = names.map((g) => referenceShares[g] ?? 0);
  const p = normalizeShares(positives, 'positivesByGroup');
  const q = normalizeShares(reference, 'referenceShares');
  const groups = names.map((group, i) => ({
    group,
    positives: positives[i] ?? 0,
    share: p.ok ? (p.shares[i] ?? 0) : null,
    referenceShare: q.ok ? (q.shares[i] ?? 0) : null,
  }));
  if (!p.ok) {
    const none = names.length > 0 && positives.every((x) => x === 0);
    const reason = none ? 'no positive rows in any group' : p.reason;
    return { groups, totalVariationDistance: notComputed(reason), jsDivergenceBits: notComputed(reason) };
  }
  return {
    groups,
    totalVariationDistance: totalVariationDistance(positives, reference),
    jsDivergenceBits: jensenShannonDivergence(positives, reference),
  };
}
