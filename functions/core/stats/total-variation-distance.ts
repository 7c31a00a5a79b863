import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Total variation distance between dataset shares p and reference shares q:
 *   TVD = ½ Σᵢ |pᵢ − qᵢ|,  in [0, 1]
 * the largest difference in share any set of groups can have (Levin, Peres & Wilmer, *Markov
 * Chains and Mixing Times*, Prop. 4.2). Equals `scipy.spatial.distance.cityblock(p, q) / 2`.
 * Inputs are rescaled to sum to 1 (so counts may be passed).
 *
 * @returns null with a reason when the vectors differ in length, are empty, hold a negative or
 * non-finite value, or sum to 0
 */
export function totalVariationDistance(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let sum = 0;
  pair.p.forEach((pi, i) => {
    sum += Math.abs(pi - (pair.q[i] ?? 0));
  });
  return statValue(Math.min(1, sum / 2));
}
