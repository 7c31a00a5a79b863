import { checkLabelCounts, type FacetLabelCounts } from './label-counts.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/** Demographic disparity within one stratum, as used by {@link conditionalDemographicDisparity}. */
export type StratumDisparity = {
  /** n_i: rows of the stratum (group and rest), or their weight sum. */
  readonly rows: number;
  /** DD_i; null when the stratum has no rows (it then has no weight in CDD). */
  readonly demographicDisparity: number | null;
  /** Set when one side of DD_i was 0/0 and Clarify's convention (count it as 0) was applied. */
  readonly note?: string;
};

/** Result of {@link conditionalDemographicDisparity}: the CDD and the DD of every stratum, in input order. */
export type ConditionalDemographicDisparity = StatValue & {
  readonly strata: readonly StratumDisparity[];
};

function ratioOrZero(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.min(1, numerator / denominator) : 0;
}

/**
 * Conditional demographic disparity in labels (CDD, CDDL in Clarify's API), Clarify's
 * pre-training definition ("Conditional Demographic Disparity (CDD)", Clarify developer guide;
 * Das et al. 2021; after Wachter, Mittelstadt & Russell, *Why fairness cannot be automated*,
 * Computer Law & Security Review 41, 2021). In each stratum i (for example an age band or a
 * department), the demographic disparity of the group (facet d) is
 *   DD_i = n_d(0)_i / n(0)_i − n_d(1)_i / n(1)_i
 * the group's share of the rejected (label 0) rows minus its share of the accepted (label 1) rows,
 * and CDD is their average weighted by the stratum sizes n_i:
 *   CDD = Σ_i n_i·DD_i / Σ_i n_i,  in [−1, 1]
 * Positive: within strata, the group is more common among the rejected than among the accepted.
 * Conditioning on the strata rules out Simpson's paradox (the Berkeley admissions case). With one
 * stratum CDD is the unconditional DD. Checked against a row-level numpy implementation of the
 * same definition (tests/oracles/label_oracle.py).
 *
 * Clarify's conventions, kept here: a stratum with no rejected rows counts its rejected share as
 * 0 (likewise for accepted); such strata are marked with a `note`. CDD cannot be computed when the
 * whole dataset has no accepted or no rejected rows (Clarify raises "No positive labels in set").
 * Deviation: when the group or the rest has no rows in any stratum, Clarify returns 0; here the
 * value is null with a reason.
 *
 * @param strata - per stratum, the label counts of the group and of the rest (weight sums allowed)
 * @returns CDD, or null with a reason; `strata` always lists every stratum's DD
 */
export function conditionalDemographicDisparity(
  strata: readonly FacetLabelCounts[],
): ConditionalDemographicDisparity {
  const perStratum: StratumDisparity[] = [];
  let rows = 0;
  let weighted = 0;
  let accepted = 0;
  let rejected = 0;
  let groupRows = 0;
  let restRows = 0;
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i];
    if (s === undefined) continue;
    const c = checkLabelCounts(s);
    if (!c.ok) return { ...notComputed(`stratum ${i}: ${c.reason}`), strata: [] };
    const groupPositives = Math.min(s.groupPositives, s.groupRows);
    const restPositives = Math.min(s.restPositives, s.restRows);
    const n = s.groupRows + s.restRows;
    const n1 = groupPositives + restPositives;
    const n0 = n - n1;
    const nd0 = s.groupRows - groupPositives;
    if (!Number.isFinite(n)) {
      return { ...notComputed(`stratum ${i}: rows sum to ${n}, too large to compute`), strata: [] };
    }
    groupRows += s.groupRows;
    restRows += s.restRows;
    accepted += n1;
    rejected += n0;
    if (!(n > 0)) {
      perStratum.push({ rows: 0, demographicDisparity: null });
      continue;
    }
    const dd = ratioOrZero(nd0, n0) - ratioOrZero(groupPositives, n1);
    rows += n;
    weighted += n * dd;
    const note =
      n0 > 0 && n1 > 0
        ? undefined
        : `no ${n0 > 0 ? 'accepted' : 'rejected'} rows in this stratum: that share counts as 0 (Clarify's convention)`;
    perStratum.push(
      note === undefined
        ? { rows: n, demographicDisparity: dd }
        : { rows: n, demographicDisparity: dd, note },
    );
  }
  const fail = (reason: string): ConditionalDemographicDisparity => ({
    ...notComputed(reason),
    strata: perStratum,
  });
  if (strata.length === 0) return fail('no strata');
  if (!Number.isFinite(rows) || !Number.isFinite(weighted))
    return fail(`rows sum to ${rows}, too large to compute`);
  if (!(rows > 0)) return fail('no rows in any stratum');
  if (!(groupRows > 0)) return fail('the group has no rows (facet d is empty) in any stratum');
  if (!(restRows > 0)) return fail('all rows are in the group (facet a, the rest, is empty)');
  if (!(accepted > 0)) return fail('no row has the positive label, so there are no accepted rows');
  if (!(rejected > 0)) return fail('every row has the positive label, so there are no rejected rows');
  const value = statValue(Math.max(-1, Math.min(1, weighted / rows)));
  return { ...value, strata: perStratum };
}
