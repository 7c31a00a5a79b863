import { normalizeShares } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Share of the largest category, for example of the largest source of a dataset's rows:
 *   max_i n_i / Σ_i n_i,  in [1/k, 1]
 * (the dominance or Berger–Parker index; Berger & Parker, Science 168, 1970). 1 means a single
 * source provides every row. Checked against `counts.max() / counts.sum()` in numpy. Counts or
 * shares may be passed (weight sums allowed).
 *
 * @returns null with a reason when the counts are empty, sum to 0, or hold a negative or
 * non-finite value
 */
export function largestShare(counts: readonly number[]): StatValue {
  const n = normalizeShares(counts, 'counts');
  if (!n.ok) return notComputed(n.reason);
  return statValue(Math.min(1, Math.max(...n.shares)));
}
