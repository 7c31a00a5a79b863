export { benjaminiHochberg } from './benjamini-hochberg.ts';
export { binomialTestTwoSided } from './binomial-test.ts';
export {
  type ChiSquareOptions,
  type ChiSquareResult,
  chiSquareGoodnessOfFit,
  type MonteCarloPValue,
} from './chi-square-goodness-of-fit.ts';
export { classImbalance } from './class-imbalance.ts';
export { cohensW } from './cohens-w.ts';
export {
  type ConditionalDemographicDisparity,
  conditionalDemographicDisparity,
  type StratumDisparity,
} from './conditional-demographic-disparity.ts';
export { designEffect } from './design-effect.ts';
export { differenceInPositiveProportions } from './difference-in-positive-proportions.ts';
export { disparateImpact } from './disparate-impact.ts';
export { type DominantSource, dominantSource, type SourceContribution } from './dominant-source.ts';
export { effectiveNumber } from './effective-number.ts';
export { evenness } from './evenness.ts';
export { type FourFifthsCheck, fourFifthsRule } from './four-fifths-rule.ts';
export { hellingerDistance } from './hellinger-distance.ts';
export { hillNumber } from './hill-number.ts';
export { imbalanceRatio } from './imbalance-ratio.ts';
export { type GroupRate, type ImpactRatios, impactRatios } from './impact-ratio.ts';
export { jensenShannonDivergence } from './jensen-shannon-divergence.ts';
export { effectiveRows, kishEffectiveN } from './kish-effective-n.ts';
export { klDivergence } from './kl-divergence.ts';
export type { FacetLabelCounts } from './label-counts.ts';
export { labelJsDivergence } from './label-js-divergence.ts';
export { labelKlDivergence } from './label-kl-divergence.ts';
export { labelKolmogorovSmirnov } from './label-kolmogorov-smirnov.ts';
export { labelLpNorm } from './label-lp-norm.ts';
export { labelTotalVariationDistance } from './label-total-variation-distance.ts';
export { largestShare } from './largest-share.ts';
export { linfDistance } from './linf-distance.ts';
export {
  type PositiveClassComposition,
  type PositiveClassGroup,
  positiveClassComposition,
} from './positive-class-composition.ts';
export { type RakeCell, type RakeOptions, type RakeResult, rake } from './rake.ts';
export { rowsNeeded } from './rows-needed.ts';
export { shannonEntropy } from './shannon-entropy.ts';
export { simpsonIndex } from './simpson-index.ts';
export type { StatValue } from './stat-value.ts';
export { totalVariationDistance } from './total-variation-distance.ts';
export { type TwoProportionZTest, twoProportionZTest } from './two-proportion-z-test.ts';
export { type ShareInterval, wilsonInterval, Z_95 } from './wilson-interval.ts';
export { type RankableCell, worstCells } from './worst-cells.ts';
