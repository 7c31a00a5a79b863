import { normalizeShares } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Shannon entropy of group shares, in nats:
 *   H = −Σᵢ pᵢ ln pᵢ,  terms with pᵢ = 0 contribute 0;  0 ≤ H ≤ ln k
 * (Shannon, Bell Syst. Tech. J. 27, 1948). Equals `scipy.stats.entropy(p)`. Inputs are rescaled to
 * sum to 1 (counts may be passed).
 *
 * @returns null with a reason when the vector is empty, holds a negative or non-finite value, or
 * sums to 0
 */
export function shannonEntropy(shares: readonly number[]): StatValue {
  const n = normalizeShares(shares);
  if (!n.ok) return notComputed(n.reason);
  let h = 0;
  for (const p of n.shares) if (p > 0) h -= p * Math.log(p);
  return statValue(Math.max(0, h));
}
