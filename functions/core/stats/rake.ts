import { designEffect } from './design-effect.ts';
import { kishEffectiveN } from './kish-effective-n.ts';

/** One cell of the cross-classification being raked: the rows that share one group per dimension. */
export type RakeCell = {
  /** The cell's group in each dimension, in the order of `targets`. */
  readonly key: readonly string[];
  /** Rows in the cell, a finite number ≥ 0. A cell with 0 rows gets no weight. */
  readonly count: number;
  /**
   * Starting (design) weight of every row in the cell, finite and > 0.
   * @default 1
   */
  readonly baseWeight?: number;
};

/** Options for {@link rake}. Invalid options throw a `RangeError`. */
export type RakeOptions = {
  /**
   * Most sweeps over all dimensions, an integer ≥ 1.
   * @default 1000
   */
  readonly maxIterations?: number;
  /**
   * Convergence: the largest |weighted share − target share| over every group of every dimension
   * (a share, so 1e-6 is 0.0001 percentage points), > 0. With `cap`, the cap must also hold to
   * this relative tolerance.
   * @default 1e-6
   */
  readonly tolerance?: number;
  /**
   * Largest row weight allowed, as a multiple of the mean row weight, > 1. Weights above it are
   * trimmed to it after every sweep and raking continues, so the final weights meet both the cap
   * and the margins when that is possible.
   * @default - no cap
   */
  readonly cap?: number;
};

/** Result of {@link rake}. Null fields and `converged: false` come with `reason`. */
export type RakeResult = {
  /**
   * Per cell, in input order: the weight of each row in that cell (null for a cell with no rows).
   * The weights sum over rows to Σ count·baseWeight. When raking cannot start (see `reason`), these
   * are the base weights.
   */
  readonly weights: readonly (number | null)[];
  /** Sweeps over all dimensions performed (0 when the base weights already fit). */
  readonly iterations: number;
  /** true when every margin is within `tolerance` (and the cap holds). */
  readonly converged: boolean;
  /** Largest |weighted share − target share| at the returned weights; null without rows. */
  readonly maxMarginError: number | null;
  /** Kish design effect over rows, mean(w²)/mean(w)², ≥ 1 (see `designEffect`). */
  readonly designEffect: number | null;
  /** Kish effective sample size over rows, (Σw)²/Σw² (see `kishEffectiveN`). */
  readonly effectiveSampleSize: number | null;
  /** true when the cap trimmed at least one weight. */
  readonly capped: boolean;
  readonly reason?: string;
};

const DEFAULT_MAX_ITERATIONS = 1000;

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
const DEFAULT_TOLERANCE = 1e-6;

type Options = { readonly maxIterations: number; readonly tolerance: number; readonly cap: number | null };

function checkOptions(options: RakeOptions): Options {
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const cap = options.cap ?? null;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new RangeError(`rake: maxIterations must be an integer >= 1, received ${maxIterations}`);
  }
  if (!Number.isFinite(tolerance) || tolerance <= 0) {
    throw new RangeError(`rake: tolerance must be a finite number > 0, received ${tolerance}`);
  }
  if (cap !== null && !(Number.isFinite(cap) && cap > 1)) {
    throw new RangeError(
      `rake: cap must be a finite number > 1 (a multiple of the mean weight), received ${cap}`,
    );
  }
  return { maxIterations, tolerance, cap };
}

/** Target shares of one dimension, rescaled to sum to 1, or the reason they are unusable. */
function checkTargets(
  targets: readonly Readonly<Record<string, number>>[],
): { ok: true; shares: Map<string, number>[] } | { ok: false; reason: string } {
  if (targets.length === 0) return { ok: false, reason: 'targets: no dimensions to rake' };
  const shares: Map<string, number>[] = [];
  for (let d = 0; d < targets.length; d++) {
    const entries = Object.entries(targets[d] ?? {});
    let sum = 0;
    for (const [group, v] of entries) {
      if (!Number.isFinite(v) || v < 0) {
        return { ok: false, reason: `targets[${d}]['${group}'] must be a finite number >= 0, received ${v}` };
      }
      sum += v;
    }
    if (!(sum > 0)) return { ok: false, reason: `targets[${d}] sum to ${sum}, expected > 0` };
    shares.push(new Map(entries.map(([g, v]) => [g, v / sum])));
  }
  return { ok: true, shares };
}

/** The cells' checks, in the order a reviewer would fix them. */
function checkCells(cells: readonly RakeCell[], dimensions: number): string | null {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === undefined) continue;
    if (c.key.length !== dimensions) {
      return `cells[${i}].key has ${c.key.length} groups, expected one per target dimension (${dimensions})`;
    }
    if (!Number.isFinite(c.count) || c.count < 0) {
      return `cells[${i}].count must be a finite number >= 0, received ${c.count}`;
    }
    const b = c.baseWeight ?? 1;
    if (!Number.isFinite(b) || b <= 0)
      return `cells[${i}].baseWeight must be a finite number > 0, received ${b}`;
  }
  return null;
}

/**
 * Raking (iterative proportional fitting) of row weights to reference marginals: every sweep
 * visits the dimensions in order and multiplies the weights of each group's cells by
 *   T·t_g / M_g
 * (T = Σ count·baseWeight, t_g the target share, M_g the group's current weighted count), until
 * every weighted share is within `tolerance` of its target. The result is the weighting closest to
 * the base weights, in the Kullback–Leibler sense, whose margins equal the targets (Deming &
 * Stephan, Ann. Math. Stat. 11, 1940; Ireland & Kullback, Biometrika 55, 1968). The optional cap
 * trims the largest weights after each sweep to the level L = cap × mean weight (the mean taken
 * after trimming, so the cap holds exactly) and keeps raking, as in anesrake (Pasek 2018) and
 * Izrael, Battaglia & Frankel (SAS Global Forum 2009). Reported with the Kish design effect
 * n·Σw²/(Σw)² and effective sample size (Σw)²/Σw² over rows (Kish 1965).
 *
 * Checked against an independent numpy IPF over a dense table (tests/oracles/raking_oracle.py) and
 * a 2×2 case solved by hand.
 *
 * Raking cannot start, and the base weights come back with `converged: false` and a reason, when
 * a group has a target share > 0 but no rows (no weight can make it appear), when a group has rows
 * but no target share (its weights would have to be 0), or when the cells or targets are invalid.
 * When the targets cannot be met together (empty cells in the cross-classification, or a cap that
 * is too tight), raking stops after `maxIterations` with `converged: false`.
 *
 * @param cells - the cross-classification of the rows, one group per target dimension
 * @param targets - per dimension, group → target share (rescaled to sum to 1)
 * @throws RangeError for invalid options
 */
export function rake(
  cells: readonly RakeCell[],
  targets: readonly Readonly<Record<string, number>>[],
  options: RakeOptions = {},
): RakeResult {
  const opts = checkOptions(options);
  const base = cells.map((c) => (Number.isFinite(c.count) && c.count > 0 ? (c.baseWeight ?? 1) : null));
  const noRows = (reason: string): RakeResult => ({
    weights: base,
    iterations: 0,
    converged: false,
    maxMarginError: null,
    designEffect: null,
    effectiveSampleSize: null,
    capped: false,
    reason,
  });

  const checked = checkTargets(targets);
  if (!checked.ok) return noRows(checked.reason);
  const shares = checked.shares;
  const cellProblem = checkCells(cells, shares.length);
  if (cellProblem !== null) return noRows(cellProblem);

  const active = cells.flatMap((c, i) => (c.count > 0 ? [i] : []));
  if (active.length === 0) return noRows('no rows: every cell is empty');
  const count = cells.map((c) => c.count);
  const w = base.map((b) => b ?? 0);

  // For each dimension, the active cells of each group.
  const members = shares.map((_, d) => {
    const byGroup = new Map<string, number[]>();
    for (const i of active) {
      const g = cells[i]?.key[d] ?? '';
      const list = byGroup.get(g);
      if (list === undefined) byGroup.set(g, [i]);
      else list.push(i);
    }
    return byGroup;
  });

  const rowTotal = active.reduce((s, i) => s + (count[i] ?? 0), 0);
  const total = active.reduce((s, i) => s + (count[i] ?? 0) * (w[i] ?? 0), 0);
  const squares = active.reduce((s, i) => s + (count[i] ?? 0) * (w[i] ?? 0) ** 2, 0);
  if (!Number.isFinite(rowTotal) || !Number.isFinite(squares) || !(total > 0)) {
    return noRows(
      `the weighted totals cannot be computed in floating point (Σ count = ${rowTotal}, Σ count·w² = ${squares})`,
    );
  }

  const summary = (iterations: number, converged: boolean, capped: boolean, reason?: string): RakeResult => {
    let s1 = 0;
    let s2 = 0;
    for (const i of active) {
      const n = count[i] ?? 0;
      const wi = w[i] ?? 0;
      s1 += n * wi;
      s2 += n * wi * wi;
    }
    const result: RakeResult = {
      weights: cells.map((_, i) => (base[i] === null ? null : (w[i] ?? null))),
      iterations,
      converged,
      maxMarginError: finiteOrNull(marginError()),
      designEffect: designEffect(rowTotal, s1, s2),
      effectiveSampleSize: kishEffectiveN(s1, s2),
      capped,
    };
    return reason === undefined ? result : { ...result, reason };
  };

  function weightedTotal(): number {
    let s = 0;
    for (const i of active) s += (count[i] ?? 0) * (w[i] ?? 0);
    return s;
  }

  function marginError(): number {
    const sum = weightedTotal();
    let max = 0;
    shares.forEach((target, d) => {
      const byGroup = members[d] ?? new Map<string, number[]>();
      for (const [g, idx] of byGroup) {
        let m = 0;
        for (const i of idx) m += (count[i] ?? 0) * (w[i] ?? 0);
        max = Math.max(max, Math.abs(m / sum - (target.get(g) ?? 0)));
      }
      for (const [g, t] of target) if (!byGroup.has(g)) max = Math.max(max, t);
    });
    return max;
  }

  // Groups that make the targets unreachable whatever the weights.
  for (let d = 0; d < shares.length; d++) {
    const target = shares[d] ?? new Map<string, number>();
    const byGroup = members[d] ?? new Map<string, number[]>();
    for (const [g, t] of target) {
      if (t > 0 && !byGroup.has(g)) {
        return summary(
          0,
          false,
          false,
          `dimension ${d}: group '${g}' has target share ${t} but no rows, so no weighting can reach it`,
        );
      }
    }
    for (const g of byGroup.keys()) {
      if (!((target.get(g) ?? 0) > 0)) {
        return summary(
          0,
          false,
          false,
          `dimension ${d}: group '${g}' has rows but no target share, so its weights would have to be 0`,
        );
      }
    }
  }

  /** Largest weight over the mean weight per row. */
  function maxRatio(): number {
    const mean = weightedTotal() / rowTotal;
    let max = 0;
    for (const i of active) max = Math.max(max, (w[i] ?? 0) / mean);
    return max;
  }

  const fits = (): boolean =>
    marginError() <= opts.tolerance && (opts.cap === null || maxRatio() <= opts.cap * (1 + opts.tolerance));

  if (fits()) return summary(0, true, false);

  /**
   * Trims the largest weights to the level L at which L = cap × (mean row weight after trimming):
   * L = cap·S_low / (rows − cap·N_high), where the top cells (N_high rows) are set to L and the
   * others (weighted total S_low) keep their weights. The level is unique because the mean of
   * min(w, L) is concave in L. Returns whether any weight was trimmed.
   */
  const trim = (cap: number): boolean => {
    const order = active.slice().sort((a, b) => (w[b] ?? 0) - (w[a] ?? 0));
    const top = w[order[0] ?? 0] ?? 0;
    if (top <= (cap * weightedTotal()) / rowTotal) return false;
    // below[h]: weighted total of the cells after position h, summed from the smallest (no cancellation).
    const below = new Array<number>(order.length).fill(0);
    for (let h = order.length - 2; h >= 0; h--) {
      const j = order[h + 1] ?? 0;
      below[h] = (below[h + 1] ?? 0) + (count[j] ?? 0) * (w[j] ?? 0);
    }
    let highRows = 0;
    for (let h = 0; h < order.length; h++) {
      const i = order[h] ?? 0;
      highRows += count[i] ?? 0;
      const denominator = rowTotal - cap * highRows;
      if (!(denominator > 0)) break;
      const level = (cap * (below[h] ?? 0)) / denominator;
      const next = w[order[h + 1] ?? -1] ?? 0;
      if (next <= level && level <= (w[i] ?? 0)) {
        for (let j = 0; j <= h; j++) w[order[j] ?? 0] = level;
        return true;
      }
    }
    return false;
  };
  let capped = false;
  /** After trimming the total is below T; scale back so the weights sum to T (shares are unchanged). */
  const rescale = (): void => {
    if (!capped) return;
    const factor = total / weightedTotal();
    for (const i of active) w[i] = (w[i] ?? 0) * factor;
  };
  for (let iteration = 1; iteration <= opts.maxIterations; iteration++) {
    shares.forEach((target, d) => {
      for (const [g, idx] of members[d] ?? new Map<string, number[]>()) {
        let m = 0;
        for (const i of idx) m += (count[i] ?? 0) * (w[i] ?? 0);
        const factor = (total * (target.get(g) ?? 0)) / m;
        for (const i of idx) w[i] = (w[i] ?? 0) * factor;
      }
    });
    if (opts.cap !== null && trim(opts.cap)) capped = true;
    if (active.some((i) => !(Number.isFinite(w[i] ?? Number.NaN) && (w[i] ?? 0) > 0))) {
      for (const i of active) w[i] = base[i] ?? 0;
      return summary(
        iteration,
        false,
        capped,
        `weights left the finite positive range after ${iteration} sweeps; the base weights are returned`,
      );
    }
    if (fits()) {
      rescale();
      return summary(iteration, true, capped);
    }
  }
  rescale();
  const error = marginError();
  const why =
    error > opts.tolerance
      ? `largest margin error ${error} is above the tolerance ${opts.tolerance}`
      : `a weight is ${maxRatio()} times the mean, above the cap ${opts.cap}`;
  const hint =
    opts.cap !== null && capped
      ? '; the cap may be too tight for these targets'
      : '; empty cells of the cross-classification may make the targets unreachable together';
  return summary(
    opts.maxIterations,
    false,
    capped,
    `did not converge in ${opts.maxIterations} sweeps: ${why}${hint}`,
  );
}
