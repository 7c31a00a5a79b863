import { LABEL_MISSING, LABEL_OTHER, LABEL_POSITIVE, type LabelState } from './plan.ts';

/**
 * The per-group counters, spelled once. Each field of a `Tally` is named here with its column in
 * the lake (`group_counts`, the compare rows) and its aggregate in the grouping-sets SQL, so the
 * tally, its merge, the SQL, the lake rows, the table catalogue and the compare rows cannot list
 * different counters. Every field adds under merge, so tallies form a monoid.
 */
export const TALLY_FIELDS = [
  /** Rows. */
  { key: 'count', column: 'count', aggregate: 'count(*)' },
  /** Sum of row weights (equals count without a weight column). */
  { key: 'weightSum', column: 'weight_sum', aggregate: 'sum(w)' },
  /** Sum of squared weights, for Kish's effective sample size. */
  { key: 'weightSqSum', column: 'weight_sq_sum', aggregate: 'sum(w * w)' },
  /** Rows with a positive label. */
  { key: 'positives', column: 'positives', aggregate: 'sum(positive)' },
  /** Weight sum of rows with a positive label. */
  {
    key: 'positiveWeightSum',
    column: 'positive_weight_sum',
    aggregate: 'sum(CASE WHEN positive = 1 THEN w END)',
  },
  /** Rows without a label (no value, or a value of `label.missing`): not a negative. */
  {
    key: 'labelMissing',
    column: 'label_missing',
    aggregate: `sum(CASE WHEN label_state = ${LABEL_MISSING} THEN 1 ELSE 0 END)`,
  },
  {
    key: 'labelMissingWeightSum',
    column: 'label_missing_weight_sum',
    aggregate: `sum(CASE WHEN label_state = ${LABEL_MISSING} THEN w END)`,
  },
  /** Rows whose label is neither positive nor a declared negative (0 without `label.negative`). */
  {
    key: 'labelOther',
    column: 'label_other',
    aggregate: `sum(CASE WHEN label_state = ${LABEL_OTHER} THEN 1 ELSE 0 END)`,
  },
  {
    key: 'labelOtherWeightSum',
    column: 'label_other_weight_sum',
    aggregate: `sum(CASE WHEN label_state = ${LABEL_OTHER} THEN w END)`,
  },
  /** Squared weights of the rows above (missing or other), for Kish's N of the labelled rows. */
  {
    key: 'unlabelledWeightSqSum',
    column: 'unlabelled_weight_sq_sum',
    aggregate: `sum(CASE WHEN label_state >= ${LABEL_MISSING} THEN w * w END)`,
  },
] as const;

export type TallyField = (typeof TALLY_FIELDS)[number];
export type TallyKey = TallyField['key'];

/** Counts for one group or cell; the fields of TALLY_FIELDS. */
export type Tally = { [K in TallyKey]: number };

/** A group (or intersection cell) and its counts. */
export interface GroupCount extends Tally {
  readonly group: string;
}

export function emptyTally(): Tally {
  return {
    count: 0,
    weightSum: 0,
    weightSqSum: 0,
    positives: 0,
    positiveWeightSum: 0,
    labelMissing: 0,
    labelMissingWeightSum: 0,
    labelOther: 0,
    labelOtherWeightSum: 0,
    unlabelledWeightSqSum: 0,
  };
}

/**
 * Counts one row. Written out field by field rather than looped over TALLY_FIELDS because it runs
 * once per row and attribute (the hot path); tests/unit/core/profile/tally.test.ts checks that it
 * touches exactly the fields of TALLY_FIELDS.
 */
export function addToTally(t: Tally, weight: number, label: LabelState): void {
  t.count += 1;
  t.weightSum += weight;
  t.weightSqSum += weight * weight;
  if (label === LABEL_POSITIVE) {
    t.positives += 1;
    t.positiveWeightSum += weight;
  } else if (label === LABEL_MISSING) {
    t.labelMissing += 1;
    t.labelMissingWeightSum += weight;
    t.unlabelledWeightSqSum += weight * weight;
  } else if (label === LABEL_OTHER) {
    t.labelOther += 1;
    t.labelOtherWeightSum += weight;
    t.unlabelledWeightSqSum += weight * weight;
  }
}

/**
 * Adds two tallies. A field absent from one (a profile.json written before the field existed)
 * counts as 0 there.
 */
export function mergeTally(a: Tally, b: Tally): Tally {
  const out = emptyTally();
  for (const { key } of TALLY_FIELDS) out[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return out;
}

/** Adds `t` to the tally of `group` in `tallies` (a new group starts empty). */
export function addToGroup(tallies: Map<string, Tally>, group: string, t: Tally): void {
  tallies.set(group, mergeTally(tallies.get(group) ?? emptyTally(), t));
}

/** Groups sorted by name in UTF-16 code unit order, the order every profile lists them in. */
export function sortedGroups(tallies: ReadonlyMap<string, Tally>): GroupCount[] {
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, t]) => ({ group, ...t }));
}
