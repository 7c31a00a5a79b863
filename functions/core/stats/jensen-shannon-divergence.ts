import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/** x · ln(x / y), 0 when x = 0 (scipy's `rel_entr`; y > 0 whenever x > 0 here). */
function relativeEntropy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

/**
 * Jensen–Shannon divergence between dataset shares p and reference shares q, log base 2:
 *   JS = ½ KL(p‖m) + ½ KL(q‖m),  m = (p + q)/2,  in [0, 1]
 * symmetric and finite even when a group is missing on one side (Lin, IEEE Trans. Inf. Theory 37,
 * 1991). Equals `scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2` (scipy returns the
 * distance, the square root). Inputs are rescaled to sum to 1; the result is clamped to [0, 1]
 * against rounding.
 *
 * @returns null with a reason on invalid input (see `totalVariationDistance`)
 */
export function jensenShannonDivergence(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let sum = 0;
  for (let i = 0; i < pair.p.length; i++) {
    const pi = pair.p[i] ?? 0;
    const qi = pair.q[i] ?? 0;
    const mi = (pi + qi) / 2;
    sum += relativeEntropy(pi, mi) + relativeEntropy(qi, mi);
  }
  return statValue(Math.min(1, Math.max(0, sum / Math.LN2 / 2)));
}
