/** Result of {@link fourFifthsRule}. */
export type FourFifthsCheck = {
  /** true when the impact ratio is ≥ threshold; false below it; null when it is null. */
  readonly passes: boolean | null;
  /** The impact ratio that was checked. */
  readonly impactRatio: number | null;
  readonly threshold: number;
  readonly reason?: string;
};

/** Relative slack so that a ratio equal to the threshold up to rounding (e.g. 0.4/0.5) passes. */
const BOUNDARY_SLACK = 1e-12;

/**
 * The four-fifths (80 %) rule of the Uniform Guidelines on Employee Selection Procedures
 * (29 CFR § 1607.4(D), 1978), applied to an impact ratio (see `impactRatios`: the group's rate
 * over the rate of the group with the highest rate):
 *   passes ⇔ IR ≥ 0.8
 * "A selection rate for any race, sex, or ethnic group which is less than four-fifths (4/5) (or
 * eighty percent) of the rate for the group with the highest rate will generally be regarded …
 * as evidence of adverse impact". One-sided: a ratio above 1 (a small group above the highest
 * judged rate) passes. A ratio within 1e-12 (relative) of the threshold passes, so that exact
 * ratios such as 0.4/0.5 are not failed by rounding.
 *
 * Clarify's DI (a group against all other rows) is a different ratio and is not checked here.
 *
 * @param impactRatio - q_g / q_max, or null when it could not be computed
 * @param threshold - the ratio to reach, in (0, 1]. @default 0.8
 */
export function fourFifthsRule(impactRatio: number | null, threshold = 0.8): FourFifthsCheck {
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    return {
      passes: null,
      impactRatio,
      threshold,
      reason: `threshold must be in (0, 1], received ${threshold}`,
    };
  }
  if (impactRatio === null) {
    return { passes: null, impactRatio: null, threshold, reason: 'the impact ratio is not available' };
  }
  if (!Number.isFinite(impactRatio) || impactRatio < 0) {
    return {
      passes: null,
      impactRatio: null,
      threshold,
      reason: `the impact ratio must be a finite number >= 0, received ${impactRatio}`,
    };
  }
  return { passes: impactRatio >= threshold * (1 - BOUNDARY_SLACK), impactRatio, threshold };
}
