import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * L∞ (Chebyshev) distance between dataset shares p and reference shares q:
 *   L∞ = maxᵢ |pᵢ − qᵢ|,  in [0, 1]
 * the largest gap for a single group. Equals `scipy.spatial.distance.chebyshev(p, q)`.
 * Inputs are rescaled to sum to 1.
 *
 * @returns null with a reason on invalid input (see `totalVariationDistance`)
 */
export function linfDistance(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let max = 0;
  pair.p.forEach((pi, i) => {
    max = Math.max(max, Math.abs(pi - (pair.q[i] ?? 0)));
  });
  return statValue(max);
}
