import { notComputed, type StatValue, statValue } from './stat-value.ts';

/** One group's positive (selection) rate, and whether it is large enough to be judged. */
export type GroupRate = {
  /** q_g = positives / labelled rows of the group (weight sums allowed); null without labelled rows. */
  readonly rate: number | null;
  /** True when the group has enough labelled rows to be judged (at least `minGroupCount`). */
  readonly judged: boolean;
};

/** Result of {@link impactRatios}. */
export type ImpactRatios = {
  /** Index of the judged group with the highest rate (the first on ties); null when none. */
  readonly highest: number | null;
  /** Per group, in input order, q_g / q_max; null with a reason where it does not exist. */
  readonly ratios: readonly StatValue[];
};

/**
 * Impact ratio of each group, the ratio the four-fifths rule of the Uniform Guidelines on
 * Employee Selection Procedures (29 CFR § 1607.4(D), 1978) is stated on: "A selection rate for
 * any race, sex, or ethnic group which is less than four-fifths (4/5) (or eighty percent) of the
 * rate for the group with the highest rate will generally be regarded … as evidence of adverse
 * impact". With q_g the group's positive rate and q_max the highest rate,
 *   IR_g = q_g / q_max,  in [0, 1] for the judged groups
 * Unlike Clarify's DI (the group against all other rows), the comparison is with one group.
 *
 * Convention: q_max is taken over the judged groups only (at least `minGroupCount` labelled
 * rows): § 1607.4(D) itself warns that differences "based on small numbers" may not show adverse
 * impact, and a group of three rows all selected would otherwise set the bar for everyone. A
 * group too small to be judged still gets its ratio against that q_max (it can exceed 1).
 * Checked against `rate / max(rates of the judged groups)` over row arrays in numpy
 * (tests/oracles/label_oracle.py).
 *
 * @returns null ratios with a reason when no group is judged or the highest rate is 0
 */
export function impactRatios(groups: readonly GroupRate[]): ImpactRatios {
  let highest: number | null = null;
  groups.forEach((g, i) => {
    if (!g.judged || g.rate === null || !Number.isFinite(g.rate)) return;
    if (highest === null || g.rate > groups[highest]!.rate!) highest = i;
  });
  if (highest === null) {
    const reason = notComputed('no group has enough labelled rows to be judged');
    return { highest: null, ratios: groups.map(() => reason) };
  }
  const top = groups[highest as number]!.rate!;
  if (!(top > 0)) {
    const reason = notComputed('no judged group has a positive label: every rate is 0');
    return { highest, ratios: groups.map(() => reason) };
  }
  return {
    highest,
    ratios: groups.map((g) =>
      g.rate === null ? notComputed('the group has no labelled rows') : statValue(g.rate / top),
    ),
  };
}
