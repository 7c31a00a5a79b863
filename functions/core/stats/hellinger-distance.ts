import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Hellinger distance between dataset shares p and reference shares q:
 *   H = (1/√2) · ‖√p − √q‖₂ = √(½ Σᵢ (√pᵢ − √qᵢ)²),  in [0, 1]
 * (Hellinger 1909; Le Cam & Yang, *Asymptotics in Statistics*, §2.3). Equals
 * `scipy.spatial.distance.euclidean(np.sqrt(p), np.sqrt(q)) / np.sqrt(2)`. Inputs are rescaled to
 * sum to 1; the result is clamped to 1 against rounding.
 *
 * @returns null with a reason on invalid input (see `totalVariationDistance`)
 */
export function hellingerDistance(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let sum = 0;
  pair.p.forEach((pi, i) => {
    const d = Math.sqrt(pi) - Math.sqrt(pair.q[i] ?? 0);
    sum += d * d;
  });
  return statValue(Math.min(1, Math.sqrt(sum) / Math.SQRT2));
}
