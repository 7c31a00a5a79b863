/**
 * Label counts of one group against the rest of the dataset, the input of the label metrics.
 *
 * Convention (Amazon SageMaker Clarify, "Pre-training Bias Metrics"; Das et al., J. Financial Data
 * Science 3(4), 2021): Clarify compares a facet **d** (the facet value selected for review, the
 * possibly disfavoured one) with facet **a** (every other row). Here the group under review is
 * Clarify's facet d and the rest is facet a:
 *   n_d = groupRows,  n_d(1) = groupPositives,  q_d = n_d(1) / n_d
 *   n_a = restRows,   n_a(1) = restPositives,   q_a = n_a(1) / n_a
 * With row weights pass weight sums; every metric is then the weighted version.
 */
export type FacetLabelCounts = {
  /** n_d: rows in the group under review (Clarify's facet d), or their weight sum; ≥ 0. */
  readonly groupRows: number;
  /** n_d(1): rows of the group with the positive label, or their weight sum; in [0, groupRows]. */
  readonly groupPositives: number;
  /** n_a: rows in all other groups together (Clarify's facet a), or their weight sum; ≥ 0. */
  readonly restRows: number;
  /** n_a(1): rows of the rest with the positive label, or their weight sum; in [0, restRows]. */
  readonly restPositives: number;
};

/** Validated counts with the positive proportions q_d, q_a (null when the side has no rows). */
export type CheckedLabelCounts =
  | {
      readonly ok: true;
      readonly nd: number;
      readonly na: number;
      readonly qd: number | null;
      readonly qa: number | null;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Relative slack for positives > rows: weight sums of the same rows added in a different order can
 * differ in the last bits, so positives may exceed rows by rounding.
 */
const ROUNDING_SLACK = 1e-12;

function positiveShare(positives: number, rows: number): number | null {
  return rows > 0 ? Math.min(1, positives / rows) : null;
}

/** Checks that every count is a finite number ≥ 0 and positives do not exceed rows. */
export function checkLabelCounts(c: FacetLabelCounts): CheckedLabelCounts {
  const fields = ['groupRows', 'groupPositives', 'restRows', 'restPositives'] as const;
  for (const f of fields) {
    const v = c[f];
    if (!Number.isFinite(v) || v < 0) {
      return { ok: false, reason: `${f} must be a finite number >= 0, received ${v}` };
    }
  }
  if (c.groupPositives > c.groupRows * (1 + ROUNDING_SLACK)) {
    return {
      ok: false,
      reason: `groupPositives (${c.groupPositives}) exceeds groupRows (${c.groupRows})`,
    };
  }
  if (c.restPositives > c.restRows * (1 + ROUNDING_SLACK)) {
    return { ok: false, reason: `restPositives (${c.restPositives}) exceeds restRows (${c.restRows})` };
  }
  return {
    ok: true,
    nd: c.groupRows,
    na: c.restRows,
    qd: positiveShare(c.groupPositives, c.groupRows),
    qa: positiveShare(c.restPositives, c.restRows),
  };
}

/** Both positive proportions, for the metrics that compare the two label distributions. */
export type PositiveProportions =
  | { readonly ok: true; readonly qd: number; readonly qa: number }
  | { readonly ok: false; readonly reason: string };

/**
 * q_d and q_a, or the reason one of them does not exist (Clarify raises "Facet set is empty" /
 * "Negated facet set is empty" in these cases).
 */
export function positiveProportions(c: FacetLabelCounts): PositiveProportions {
  const checked = checkLabelCounts(c);
  if (!checked.ok) return checked;
  if (checked.qd === null) {
    return { ok: false, reason: 'the group has no rows (facet d is empty): no label distribution' };
  }
  if (checked.qa === null) {
    return {
      ok: false,
      reason: 'all rows are in the group (facet a, the rest, is empty): nothing to compare with',
    };
  }
  return { ok: true, qd: checked.qd, qa: checked.qa };
}

/** The binary label distribution [P(y = 0), P(y = 1)] of a side with positive proportion q. */
export function labelDistribution(q: number): [number, number] {
  return [1 - q, q];
}
