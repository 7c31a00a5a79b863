import { normalizeShares } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Gini–Simpson diversity index:
 *   D = 1 − Σᵢ pᵢ²,  in [0, 1 − 1/k]
 * the probability that two rows drawn at random (with replacement) belong to different groups
 * (Simpson, Nature 163, 1949). Computed as `1 - np.sum(p**2)`. Inputs are rescaled to sum to 1.
 *
 * @returns null with a reason on invalid input (see `shannonEntropy`)
 */
export function simpsonIndex(shares: readonly number[]): StatValue {
  const n = normalizeShares(shares);
  if (!n.ok) return notComputed(n.reason);
  let sum = 0;
  for (const p of n.shares) sum += p * p;
  return statValue(Math.max(0, 1 - sum));
}
