/** Counts for one group or cell. Every field adds under merge, so tallies form a monoid. */
export interface Tally {
  /** Rows. */
  count: number;
  /** Sum of row weights (equals count without a weight column). */
  weightSum: number;
  /** Sum of squared weights, for Kish's effective sample size. */
  weightSqSum: number;
  /** Rows with a positive label. */
  positives: number;
  /** Weight sum of rows with a positive label. */
  positiveWeightSum: number;
}

export function emptyTally(): Tally {
  return { count: 0, weightSum: 0, weightSqSum: 0, positives: 0, positiveWeightSum: 0 };
}

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
  return {
    count: a.count + b.count,
    weightSum: a.weightSum + b.weightSum,
    weightSqSum: a.weightSqSum + b.weightSqSum,
    positives: a.positives + b.positives,
    positiveWeightSum: a.positiveWeightSum + b.positiveWeightSum,
  };
}
