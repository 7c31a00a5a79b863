import { normalizeShares } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Hill number of order q, the effective number of groups:
 *   ᵠD = (Σ_{pᵢ>0} pᵢ^q)^(1/(1−q)),   q ≠ 1
 *   ¹D = exp(H) = exp(−Σ pᵢ ln pᵢ),   q = 1 (the limit)
 * q = 0 counts non-empty groups, q = 1 is exp(Shannon entropy), q = 2 is 1/Σpᵢ² (inverse
 * Simpson). Between 1 and the number of non-empty groups; equal to k when all k groups have the
 * same share (Hill, Ecology 54, 1973; Jost, Oikos 113, 2006). Checked against
 * `np.exp(scipy.stats.entropy(p))` and `1 / np.sum(p**2)`. Inputs are rescaled to sum to 1.
 *
 * @param order - q, finite and ≥ 0. @default - none; 1 and 2 are the usual choices
 * @returns null with a reason for a negative or non-finite order or invalid shares
 */
export function hillNumber(shares: readonly number[], order: number): StatValue {
  if (!Number.isFinite(order) || order < 0) {
    return notComputed(`order must be a finite number >= 0, received ${order}`);
  }
  const n = normalizeShares(shares);
  if (!n.ok) return notComputed(n.reason);
  const positive = n.shares.filter((p) => p > 0);
  if (order === 1) {
    let h = 0;
    for (const p of positive) h -= p * Math.log(p);
    return statValue(Math.exp(h));
  }
  // Factor out the largest share so that p^q cannot underflow for large q.
  const largest = Math.max(...positive);
  let sum = 0;
  for (const p of positive) sum += (p / largest) ** order;
  return statValue(largest ** (order / (1 - order)) * sum ** (1 / (1 - order)));
}
