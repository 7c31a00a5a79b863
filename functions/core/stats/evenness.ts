import { shannonEntropy } from './shannon-entropy.ts';
import { notComputed, type StatValue, statValue } from './stat-value.ts';

/**
 * Evenness (Pielou's J): Shannon entropy over its maximum,
 *   J = H / ln k,  in [0, 1]; 1 when all k groups have the same share
 * (Pielou, J. Theor. Biol. 13, 1966). Equals `scipy.stats.entropy(p) / np.log(k)`.
 *
 * k is the number of groups passed, including groups with share 0, so a group that should be
 * present but is empty lowers evenness. (Pielou counts only observed species; pass only the
 * non-empty groups for that reading.)
 *
 * @returns null when k ≤ 1 (0/0) or on invalid input (see `shannonEntropy`)
 */
export function evenness(shares: readonly number[]): StatValue {
  if (shares.length <= 1) return notComputed(`evenness needs at least 2 groups, received ${shares.length}`);
  const h = shannonEntropy(shares);
  if (h.value === null) return h;
  return statValue(Math.min(1, h.value / Math.log(shares.length)));
}
