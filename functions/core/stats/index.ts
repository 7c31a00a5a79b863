export { benjaminiHochberg } from './benjamini-hochberg.ts';
export { binomialTestTwoSided } from './binomial-test.ts';
export {
  type ChiSquareOptions,
  type ChiSquareResult,
  chiSquareGoodnessOfFit,
  type MonteCarloPValue,
} from './chi-square-goodness-of-fit.ts';
export { cohensW } from './cohens-w.ts';
export { designEffect } from './design-effect.ts';
export { evenness } from './evenness.ts';
export { hellingerDistance } from './hellinger-distance.ts';
export { hillNumber } from './hill-number.ts';
export { imbalanceRatio } from './imbalance-ratio.ts';
export { jensenShannonDivergence } from './jensen-shannon-divergence.ts';
export { kishEffectiveN } from './kish-effective-n.ts';
export { klDivergence } from './kl-divergence.ts';
export { linfDistance } from './linf-distance.ts';
export { rowsNeeded } from './rows-needed.ts';
export { shannonEntropy } from './shannon-entropy.ts';
export { simpsonIndex } from './simpson-index.ts';
export type { StatValue } from './stat-value.ts';
export { totalVariationDistance } from './total-variation-distance.ts';
export { type ShareInterval, wilsonInterval, Z_95 } from './wilson-interval.ts';
