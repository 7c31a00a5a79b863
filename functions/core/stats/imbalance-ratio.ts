import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Imbalance ratio: the largest group over the smallest non-empty group,
 *   IR = max nᵢ / min_{nᵢ>0} nᵢ,  ≥ 1
 * (the class-imbalance ratio of the imbalanced-learning literature, e.g. He & Garcia, IEEE TKDE 21,
 * 2009). Counts or shares may be passed; the ratio is the same. Empty groups are excluded; they
 * are reported separately.
 *
 * @returns null with a reason when fewer than 2 groups are non-empty, or a value is negative or
 * not finite
 */
export function imbalanceRatio(counts: readonly number[]): StatValue {
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  let nonEmpty = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? Number.NaN;
    if (!Number.isFinite(c) || c < 0)
      return notComputed(`counts[${i}] must be a finite number >= 0, received ${c}`);
    if (c === 0) continue;
    nonEmpty++;
    max = Math.max(max, c);
    min = Math.min(min, c);
  }
  if (nonEmpty < 2) return notComputed(`needs at least 2 non-empty groups, found ${nonEmpty}`);
  return statValue(max / min);
}
