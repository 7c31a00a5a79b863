import gammainc from '@stdlib/math-base-special-gammainc';
import { sampleMultinomial, seededUniform } from './seeded-sampler.ts';

/** Options for {@link chiSquareGoodnessOfFit}. */
export type ChiSquareOptions = {
  /**
   * Seed of the Mersenne Twister behind the Monte-Carlo p-value, an integer in [1, 2³² − 1].
   * @default 42
   */
  readonly seed?: number;
  /**
   * Number of simulated samples for the Monte-Carlo p-value, an integer ≥ 1.
   * @default 10000
   */
  readonly draws?: number;
  /**
   * When to add the Monte-Carlo p-value.
   * @default 'auto' - when any expected count is below 5
   */
  readonly simulate?: 'auto' | 'always' | 'never';
};

/** A Monte-Carlo p-value and how it was produced. */
export type MonteCarloPValue = {
  readonly pValue: number;
  readonly draws: number;
  readonly seed: number;
};

/** Result of {@link chiSquareGoodnessOfFit}. Null fields come with `reason`. */
export type ChiSquareResult = {
  /** Pearson X²; null when a group is unexpected (infinite) or the test cannot run. */
  readonly statistic: number | null;
  /** k − 1, k = groups kept (groups absent from both dataset and reference are dropped). */
  readonly df: number | null;
  /** Asymptotic χ²(df) upper-tail p-value; 0 when a group is unexpected. */
  readonly pValue: number | null;
  /** How the p-value(s) were obtained, in words. */
  readonly method: string;
  /** Indices of groups with reference share 0 but rows in the dataset. */
  readonly unexpectedGroups: number[];
  /** Present when any expected count is below 5 (or `simulate: 'always'`). */
  readonly monteCarlo?: MonteCarloPValue;
  readonly reason?: string;
};

const DEFAULT_SEED = 42;
const DEFAULT_DRAWS = 10_000;
const SMALL_EXPECTED_COUNT = 5;
/** R's `chisq.test` tolerance for simulated statistics equal to the observed one. */
const ALMOST_ONE = 1 - 64 * Number.EPSILON;
const ASYMPTOTIC = 'Pearson chi-square goodness of fit, asymptotic chi-square p-value';

function pearson(observed: readonly number[], expected: readonly number[]): number {
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i] ?? 0;
    const d = (observed[i] ?? 0) - e;
    statistic += (d * d) / e;
  }
  return statistic;
}

function checkOptions(options: ChiSquareOptions): { seed: number; draws: number } {
  const seed = options.seed ?? DEFAULT_SEED;
  const draws = options.draws ?? DEFAULT_DRAWS;
  if (!Number.isInteger(seed) || seed < 1 || seed > 0xffffffff) {
    throw new RangeError(
      `chiSquareGoodnessOfFit: seed must be an integer in [1, 4294967295], received ${seed}`,
    );
  }
  if (!Number.isInteger(draws) || draws < 1) {
    throw new RangeError(`chiSquareGoodnessOfFit: draws must be an integer >= 1, received ${draws}`);
  }
  return { seed, draws };
}

function invalid(reason: string): ChiSquareResult {
  return { statistic: null, df: null, pValue: null, method: ASYMPTOTIC, unexpectedGroups: [], reason };
}

/**
 * Monte-Carlo p-value: p = (1 + #{X²_sim ≥ X²_obs}) / (draws + 1), with X²_sim from multinomial
 * samples of the same total under the reference shares (Hope, JRSS B 30, 1968; R's
 * `chisq.test(simulate.p.value = TRUE)`, including its (1 − 64ε) tolerance for ties).
 */
function monteCarloPValue(
  statistic: number,
  total: number,
  shares: readonly number[],
  expected: readonly number[],
  seed: number,
  draws: number,
): number {
  const uniform = seededUniform(seed);
  const threshold = ALMOST_ONE * statistic;
  let atLeast = 0;
  for (let d = 0; d < draws; d++) {
    if (pearson(sampleMultinomial(total, shares, uniform), expected) >= threshold) atLeast++;
  }
  return (1 + atLeast) / (draws + 1);
}

/**
 * Pearson chi-square goodness-of-fit test of dataset counts against reference shares.
 *
 *   X² = Σᵢ (Oᵢ − Eᵢ)² / Eᵢ,  Eᵢ = N · πᵢ,  df = k − 1,  p = Q(df/2, X²/2)
 *
 * where Q is the upper regularized incomplete gamma function (stdlib `gammainc`, upper), i.e. the
 * χ²(df) survival function. Over the union of groups: a group with π = 0 and O = 0 is dropped
 * from k; a group with π = 0 and O > 0 makes X² infinite, so the statistic is null, p = 0 and its
 * index is listed in `unexpectedGroups`. When any Eᵢ < 5, a seeded Monte-Carlo p-value is added
 * (see `monteCarloPValue`), and `method` names it.
 *
 * Source: Pearson, Phil. Mag. 50 (1900); Agresti, *Categorical Data Analysis* (3rd ed.), §1.5.
 * The asymptotic result matches `scipy.stats.chisquare(f_obs, f_exp=N * shares)`.
 *
 * Deviations from scipy: reference shares are rescaled to sum to 1 (scipy instead rejects
 * f_exp whose sum differs from N by more than a relative 1e-8); df = 0 (one group) gives a null
 * p-value where scipy gives NaN; an unexpected group gives a null statistic where scipy gives inf.
 * The Monte-Carlo p-value needs integer counts; with non-integer (weighted) counts it is skipped
 * and `method` says so.
 *
 * @param observed - dataset counts per group, finite and ≥ 0
 * @param expectedShares - reference shares per group (same order), finite and ≥ 0
 * @throws RangeError when `seed` or `draws` is out of range
 */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  expectedShares: readonly number[],
  options: ChiSquareOptions = {},
): ChiSquareResult {
  const { seed, draws } = checkOptions(options);
  if (observed.length !== expectedShares.length) {
    return invalid(
      `observed has ${observed.length} groups and expectedShares ${expectedShares.length}; expected the same groups`,
    );
  }
  let total = 0;
  let shareSum = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] ?? Number.NaN;
    const s = expectedShares[i] ?? Number.NaN;
    if (!Number.isFinite(o) || o < 0)
      return invalid(`observed[${i}] must be a finite count >= 0, received ${o}`);
    if (!Number.isFinite(s) || s < 0) {
      return invalid(`expectedShares[${i}] must be a finite share >= 0, received ${s}`);
    }
    total += o;
    shareSum += s;
  }
  if (!(total > 0)) return invalid('no observations (N = 0)');
  if (!(shareSum > 0)) return invalid('reference shares sum to 0');

  const kept: { o: number; share: number }[] = [];
  const unexpectedGroups: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] ?? 0;
    const share = (expectedShares[i] ?? 0) / shareSum;
    if (share === 0) {
      if (o > 0) unexpectedGroups.push(i);
      continue;
    }
    kept.push({ o, share });
  }
  const df = kept.length + unexpectedGroups.length - 1;
  if (unexpectedGroups.length > 0) {
    return {
      statistic: null,
      df,
      pValue: 0,
      method: `${ASYMPTOTIC}; groups with reference share 0 have rows (unexpected groups), so X² is infinite and p = 0`,
      unexpectedGroups,
      reason: 'X² is infinite: a group with reference share 0 has rows',
    };
  }
  const counts = kept.map((g) => g.o);
  const shares = kept.map((g) => g.share);
  const expected = shares.map((s) => total * s);
  const statistic = pearson(counts, expected);
  if (!Number.isFinite(statistic)) {
    return {
      statistic: null,
      df,
      pValue: 0,
      method: ASYMPTOTIC,
      unexpectedGroups,
      reason: 'X² overflows (an expected count is too close to 0)',
    };
  }
  if (df < 1) {
    return {
      statistic,
      df,
      pValue: null,
      method: ASYMPTOTIC,
      unexpectedGroups,
      reason: 'only one group: df = 0, nothing to test',
    };
  }
  const pValue = gammainc(statistic / 2, df / 2, true, true);
  const simulate = options.simulate ?? 'auto';
  const wanted =
    simulate === 'always' || (simulate === 'auto' && expected.some((e) => e < SMALL_EXPECTED_COUNT));
  if (!wanted) return { statistic, df, pValue, method: ASYMPTOTIC, unexpectedGroups };
  if (!counts.every((c) => Number.isInteger(c))) {
    return {
      statistic,
      df,
      pValue,
      method: `${ASYMPTOTIC}; Monte-Carlo skipped: counts are not integers (weighted)`,
      unexpectedGroups,
    };
  }
  const mc = monteCarloPValue(statistic, total, shares, expected, seed, draws);
  return {
    statistic,
    df,
    pValue,
    method: `${ASYMPTOTIC}; Monte-Carlo, ${draws} draws, seed ${seed}`,
    unexpectedGroups,
    monteCarlo: { pValue: mc, draws, seed },
  };
}
