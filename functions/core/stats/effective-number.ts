import { hillNumber } from './hill-number.ts';
import type { StatValue } from './stat-value.ts';

/**
 * Effective number of categories, for example of sources, as the Hill number of order 2 (the
 * inverse Simpson concentration):
 *   ²D = 1 / Σ_i p_i²,  p_i = n_i / Σ n,  in [1, k]
 * the number of equally large sources that would be as concentrated as the observed ones: 1 when
 * one source provides every row, k when k sources provide equal shares (Hill, Ecology 54, 1973;
 * Jost, Oikos 113, 2006). Order 2 weights large sources most, so a long tail of tiny sources barely
 * raises it. It is `hillNumber(counts, 2)`; checked against `1 / np.sum((n / n.sum())**2)`.
 *
 * @returns null with a reason on invalid counts (see `hillNumber`)
 */
export function effectiveNumber(counts: readonly number[]): StatValue {
  return hillNumber(counts, 2);
}
