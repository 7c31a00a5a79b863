import { normalizePair } from './shares.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Cohen's w, the effect size of a goodness-of-fit test:
 *   w = √(Σᵢ (pᵢ − qᵢ)² / qᵢ) = √(X² / N)
 * over groups with qᵢ > 0 (groups with pᵢ = qᵢ = 0 contribute nothing). Conventional benchmarks:
 * 0.1 small, 0.3 medium, 0.5 large (Cohen, *Statistical Power Analysis for the Behavioral
 * Sciences*, 2nd ed. 1988, ch. 7). Equals `np.sqrt(scipy.stats.chisquare(p, f_exp=q).statistic)`
 * for shares. Inputs are rescaled to sum to 1.
 *
 * @returns null with a reason when some qᵢ = 0 with pᵢ > 0 (w is infinite), or on invalid input
 */
export function cohensW(p: readonly number[], q: readonly number[]): StatValue {
  const pair = normalizePair(p, q);
  if (!pair.ok) return notComputed(pair.reason);
  let sum = 0;
  for (let i = 0; i < pair.p.length; i++) {
    const pi = pair.p[i] ?? 0;
    const qi = pair.q[i] ?? 0;
    if (qi === 0) {
      if (pi === 0) continue;
      return notComputed(`infinite: group ${i} has share ${pi} in the data but 0 in the reference`);
    }
    const d = pi - qi;
    sum += (d * d) / qi;
  }
  return statValue(Math.sqrt(sum));
}
