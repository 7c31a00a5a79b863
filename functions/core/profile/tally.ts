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
  return { count: 0, weightSum: 0, weightSqSum: 0, positives: 0, positiveWeightSum: 0 };
}

/**
 * Counts one row. Written out field by field rather than looped over TALLY_FIELDS because it runs
 * once per row and attribute (the hot path); tests/unit/core/profile/tally.test.ts checks that it
 * touches exactly the fields of TALLY_FIELDS.
 */
export function addToTally(t: Tally, weight: number, positive: boolean): void {
  t.count += 1;
  t.weightSum += weight;
  t.weightSqSum += weight * weight;
  if (positive) {
    t.positives += 1;
    t.positiveWeightSum += weight;
  }
}

export function mergeTally(a: Tally, b: Tally): Tally {
  const out = emptyTally();
  for (const { key } of TALLY_FIELDS) out[key] = a[key] + b[key];
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
