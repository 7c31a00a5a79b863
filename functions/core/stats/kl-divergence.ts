import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Kullback–Leibler divergence of dataset shares p from reference shares q, in nats:
 *   KL(p‖q) = Σᵢ pᵢ ln(pᵢ / qᵢ),  terms with pᵢ = 0 contribute 0
 * (Kullback & Leibler, Ann. Math. Stat. 22, 1951; Cover & Thomas, *Elements of Information
 * Theory*, §2.3). Equals `scipy.stats.entropy(p, q)`. Inputs are rescaled to sum to 1.
 *
 * Deviations: where scipy returns inf (some pᵢ > 0 with qᵢ = 0) the value is null with a reason;
 * a rounding-level negative result is clamped to 0.
 */
export function klDivergence(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let sum = 0;
  for (let i = 0; i < pair.p.length; i++) {
    const pi = pair.p[i] ?? 0;
    const qi = pair.q[i] ?? 0;
    if (pi === 0) continue;
    if (qi === 0)
      return notComputed(`infinite: group ${i} has share ${pi} in the data but 0 in the reference`);
    sum += pi * Math.log(pi / qi);
  }
  return statValue(Math.max(0, sum));
}
