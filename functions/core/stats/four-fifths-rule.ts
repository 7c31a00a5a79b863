/** Result of {@link fourFifthsRule}. */
export type FourFifthsCheck = {
  /** true when DI ≥ threshold; false below it; null when DI is null. */
  readonly passes: boolean | null;
  /** The DI that was checked. */
  readonly disparateImpact: number | null;
  readonly threshold: number;
  readonly reason?: string;
};

/** Relative slack so that a DI equal to the threshold up to rounding (e.g. 0.4/0.5) passes. */
const BOUNDARY_SLACK = 1e-12;

/**
 * The four-fifths (80 %) rule applied to a disparate impact ratio:
 *   passes ⇔ DI ≥ 0.8
 * "A selection rate for any race, sex, or ethnic group which is less than four-fifths (4/5) (or
 * eighty percent) of the rate for the group with the highest rate will generally be regarded …
 * as evidence of adverse impact" (Uniform Guidelines on Employee Selection Procedures, 29 CFR
 * § 1607.4(D), 1978).
 *
 * Deviation: the Guidelines compare each group with the group that has the highest rate; DI here
 * compares the group with all other rows (Clarify's facet a), so a group can pass against the
 * rest and still fail against the best-off group. One-sided: DI > 1.25 (the rest below 4/5 of
 * the group) passes, since the rest is not a group. DI within 1e-12 (relative) of the threshold
 * passes, so that exact ratios such as 0.4/0.5 are not failed by rounding.
 *
 * @param di - disparate impact, or null when it could not be computed
 * @param threshold - the ratio to reach, in (0, 1]. @default 0.8
 */
export function fourFifthsRule(di: number | null, threshold = 0.8): FourFifthsCheck {
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    return {
      passes: null,
      disparateImpact: di,
      threshold,
      reason: `threshold must be in (0, 1], received ${threshold}`,
    };
  }
  if (di === null) {
    return { passes: null, disparateImpact: null, threshold, reason: 'disparate impact is not available' };
  }
  if (!Number.isFinite(di) || di < 0) {
    return {
      passes: null,
      disparateImpact: null,
      threshold,
      reason: `disparate impact must be a finite number >= 0, received ${di}`,
    };
  }
  return { passes: di >= threshold * (1 - BOUNDARY_SLACK), disparateImpact: di, threshold };
}
