import { type Coefficients, type Model, solve } from 'yalps';
import { type Cell, isBetterPartner, isHidden, isSmall, protect, type SumSet } from './engine.ts';

/**
 * The audit of a published copy's counts, as statistical offices run it (τ-ARGUS' audit,
 * sdcTable's attack): for each hidden count in 1..k−1, solve the linear program of everything the
 * copy states for the smallest and the largest value the count can take. The program holds every
 * published sum (a set with a `sum` member): an equation when its parts add up to it, and when
 * they may fall short (rows missing in a dropped dimension, rows without a source) the bounds
 * 0 ≤ sum − parts ≤ the published shortfall; the visible counts are constants, the hidden ones
 * unknowns (at least 1 where a zero would have been shown, else at least 0), and so are cells
 * never published (the rows raking left out). When that interval, rounded inwards for integer
 * counts, is narrower than k a reader can pin the count too closely, so a further cell is hidden
 * (the smallest visible non-zero cell of a set the count is in, or one step further out), the
 * greedy protection runs again, and the audit starts over. A count that cannot be widened is
 * returned, and the copy says so.
 *
 * Linear relaxation: an attacker with an integer program can do a little better than this.
 */
export function auditCounts(sets: readonly SumSet[], k: number, options: AuditOptions = {}): SumSet[] {
  const relations = [...sets, ...(options.bounds ?? [])].flatMap(relationsOf);
  const hideable = options.hideable ?? (() => true);
  const unfixable = new Set<Cell>();
  for (let round = 0; round < 1000; round++) {
    const narrow = findNarrow(relations, targetsOf(relations, k, options), k, unfixable, options.weighted);
    if (narrow === undefined) break;
    const partner = smallestVisibleNear(narrow.cell, sets, hideable);
    if (partner === undefined) unfixable.add(narrow.cell);
    else {
      partner.hide = 'complementary';
      protect(sets);
    }
  }
  return sets.filter((s) => s.sum !== undefined && s.members.some((m) => unfixable.has(m)));
}

/** One run's part of a joint audit: its sums, its threshold and its audit options. */
export interface AuditedRun {
  readonly sets: readonly SumSet[];
  readonly k: number;
  readonly options: AuditOptions;
}

/**
 * The audit of two published runs of one dataset read together (docs/PRIVACY.md, "Across runs"):
 * the linear program holds every sum of both runs and, for each count both runs have (`links`:
 * the previous run's cell, then this run's), |this − previous| ≤ `change`, the most any count
 * moved between the runs. Every hidden count in 1..k−1 of either run (by its own k) must keep an
 * interval at least k wide. Only this run's cells may be hidden to widen one: the previous run is
 * published already. A narrow count of this run is widened as `auditCounts` does; a narrow count
 * of the previous run by hiding its counterpart here (or, when that is hidden already, the
 * smallest visible cell of a sum it is in). Some cannot be widened from here at all, and are not
 * tried: a count the previous run published bounds its counterpart to ± `change` (a count that
 * fell under k), and a counterpart shown as 0 bounds the previous count to `change` (the group
 * emptied; zeros stay visible). Returns this run's sums that hold a count (or the counterpart of
 * a previous count) that could not be widened.
 *
 * Costs nothing without a previous run: the caller does not call it then.
 */
export function auditAcrossRuns(
  current: AuditedRun,
  previous: AuditedRun,
  links: readonly (readonly [previous: Cell, current: Cell])[],
  change: number,
): SumSet[] {
  const runRelations = (run: AuditedRun) => [...run.sets, ...(run.options.bounds ?? [])].flatMap(relationsOf);
  const own = runRelations(current);
  const before = runRelations(previous);
  const bound: Cell = { count: change, hide: undefined };
  const linked: Relation[] = links.flatMap(([a, b]): Relation[] =>
    a.count === null || b.count === null
      ? []
      : [
          {
            terms: [
              [b, 1],
              [a, -1],
              [bound, -1],
            ],
            op: 'le',
          },
          {
            terms: [
              [a, 1],
              [b, -1],
              [bound, -1],
            ],
            op: 'le',
          },
        ],
  );
  const relations = [...own, ...before, ...linked].filter(holds);
  const counterpart = new Map(links.map(([a, b]) => [a, b]));
  const ownCells = new Set(own.flatMap((r) => r.terms.map(([c]) => c)));
  const hideable = current.options.hideable ?? (() => true);
  const weighted = current.options.weighted === true || previous.options.weighted === true;
  const published = new Map(links.map(([a, b]) => [b, a]));
  /**
   * The cell of this run to hide for a narrow `cell`, or none when nothing here can widen it: a
   * count the previous run published lies within `change` of it (a count that fell under k), and
   * a previous count whose counterpart here is shown and may not be hidden (a zero: the group
   * emptied) is bounded by it.
   */
  const widening = (cell: Cell): Cell | undefined => {
    if (ownCells.has(cell)) {
      const before = published.get(cell);
      if (before !== undefined && !isUnknown(before) && 2 * change < current.k) return undefined;
      return smallestVisibleNear(cell, current.sets, hideable);
    }
    const anchor = counterpart.get(cell);
    if (anchor === undefined || isUnknown(anchor))
      return anchor && smallestVisibleNear(anchor, current.sets, hideable);
    return (anchor.count ?? 0) > 0 && hideable(anchor) ? anchor : undefined;
  };
  const unfixable = new Set<Cell>();
  for (let round = 0; round < 1000; round++) {
    const narrow =
      findNarrow(relations, targetsOf(own, current.k, current.options), current.k, unfixable, weighted) ??
      findNarrow(relations, targetsOf(before, previous.k, previous.options), previous.k, unfixable, weighted);
    if (narrow === undefined) break;
    const partner = widening(narrow.cell);
    if (partner === undefined) unfixable.add(narrow.cell);
    else {
      partner.hide = 'complementary';
      protect(current.sets);
    }
  }
  const lost = new Set([...unfixable].map((c) => (ownCells.has(c) ? c : counterpart.get(c))));
  return current.sets.filter((s) => s.sum !== undefined && s.members.some((m) => lost.has(m)));
}

export interface AuditOptions {
  /**
   * Sums the audit models but the greedy protection does not pair: one-sided bounds between
   * totals, a group's positives against its count, the label's total positives.
   * @default - none
   */
  readonly bounds?: readonly SumSet[];
  /**
   * Each group's count and positives, and its rows without a label when the label has any: the
   * negatives, count − positives − unlabelled, are counts of the group × label table too, and are
   * audited when they are in 1..k−1.
   * @default - none
   */
  readonly negatives?: readonly (readonly [count: Cell, positives: Cell, unlabelled?: Cell])[];
  /** The cells the audit may hide to widen an interval. @default - every cell of the sets */
  readonly hideable?: (cell: Cell) => boolean;
  /** Counts are weight sums: a hidden one may be any value from 0 up. @default false */
  readonly weighted?: boolean;
}

/**
 * A quantity the audit bounds: a cell, or a cell less another plus a third (a group's negatives
 * as positives − count + unlabelled, whose width is the negatives').
 */
export interface AuditTarget {
  readonly cell: Cell;
  readonly less?: Cell;
  readonly plus?: Cell;
}

/** Σ coefficient × cell, at most 0 (`le`) or equal to 0 (`eq`). */
interface Relation {
  readonly terms: readonly (readonly [Cell, number])[];
  readonly op: 'eq' | 'le';
}

/**
 * What a published sum says: nothing when a cell of it (or of its shortfall) has no exact count;
 * parts − sum = 0 when they add up and nothing is said about a shortfall; parts − sum ≤ 0 when it
 * may be any; and with a published shortfall, also sum − parts − shortfall ≤ 0.
 */
function relationsOf(set: SumSet): Relation[] {
  // A sum that does not hold on the exact counts (weight sums beside row counts) states nothing.
  return sumRelations(set).filter(holds);
}

function holds(relation: Relation): boolean {
  let value = 0;
  let scale = 1;
  for (const [cell, coefficient] of relation.terms) {
    value += coefficient * (cell.count ?? 0);
    scale += Math.abs(coefficient * (cell.count ?? 0));
  }
  const tolerance = 1e-6 * scale;
  return relation.op === 'eq' ? Math.abs(value) <= tolerance : value <= tolerance;
}

function sumRelations(set: SumSet): Relation[] {
  const sum = set.sum;
  const shortfall = set.shortfall === 'any' ? [] : (set.shortfall ?? []);
  if (sum === undefined || [...set.members, ...shortfall].some((m) => m.count === null)) return [];
  const parts = set.members.filter((m) => m !== sum);
  const difference: [Cell, number][] = [...parts.map((m): [Cell, number] => [m, 1]), [sum, -1]];
  if (set.shortfall === undefined) {
    const gap = parts.reduce((s, m) => s + (m.count ?? 0), 0) - (sum.count ?? 0);
    const exact = Math.abs(gap) <= 1e-6 * Math.max(1, Math.abs(sum.count ?? 0));
    return [{ terms: difference, op: exact ? 'eq' : 'le' }];
  }
  const upper: Relation = { terms: difference, op: 'le' };
  if (set.shortfall === 'any') return [upper];
  const lower = [
    ...difference.map(([c, v]): [Cell, number] => [c, -v]),
    ...shortfall.map((c): [Cell, number] => [c, -1]),
  ];
  return [upper, { terms: lower, op: 'le' }];
}

/** Unknown to a reader: hidden, or never published (the rows raking left out). */
function isUnknown(cell: Cell): boolean {
  return isHidden(cell) || cell.free === true;
}

/** Every hidden count in 1..k−1 and every negatives in 1..k−1 with a hidden part. */
function targetsOf(relations: readonly Relation[], k: number, options: AuditOptions): AuditTarget[] {
  const cells = new Set(relations.flatMap((r) => r.terms.map(([c]) => c)));
  const targets: AuditTarget[] = [...cells]
    .filter((c) => isHidden(c) && c.free !== true && isSmall(c.count, k))
    .map((cell) => ({ cell }));
  for (const [count, positives, unlabelled] of options.negatives ?? []) {
    if (count.count === null || positives.count === null || unlabelled?.count === null) continue;
    const unknown =
      isUnknown(count) || isUnknown(positives) || (unlabelled !== undefined && isUnknown(unlabelled));
    if (!cells.has(positives) || !unknown) continue;
    const negatives = count.count - positives.count - (unlabelled?.count ?? 0);
    if (isSmall(negatives, k))
      targets.push(
        unlabelled ? { cell: positives, less: count, plus: unlabelled } : { cell: positives, less: count },
      );
  }
  return targets;
}

function findNarrow(
  relations: readonly Relation[],
  targets: readonly AuditTarget[],
  k: number,
  skip: ReadonlySet<Cell>,
  weighted = false,
): AuditTarget | undefined {
  for (const target of targets) {
    if (skip.has(target.cell)) continue;
    const [low, high] = solveBounds(target, relations, weighted);
    if (high - low < k) return target;
  }
  return undefined;
}

/**
 * The least and the greatest value of `target` that the published sums `sets` allow (rounded
 * inwards when its exact value is a whole number, as a reader knows counts are). `hidden` lists
 * unknowns beyond those the sets hold.
 */
export function bounds(
  target: Cell | AuditTarget,
  hidden: readonly Cell[],
  sets: readonly SumSet[],
  options: Pick<AuditOptions, 'bounds' | 'weighted'> = {},
): [number, number] {
  const relations = [...sets, ...(options.bounds ?? [])].flatMap(relationsOf);
  const extra: Relation[] = hidden.map((c) => ({ terms: [[c, 0]], op: 'le' }));
  return solveBounds(
    'cell' in target ? target : { cell: target },
    [...relations, ...extra],
    options.weighted,
  );
}

function solveBounds(
  target: AuditTarget,
  relations: readonly Relation[],
  weighted = false,
): [number, number] {
  const lp = linearProgram(relations, weighted);
  const { weights, constant } = objectiveOf(target, lp.index);
  if (weights.size === 0) return [constant, constant];
  const variables: Record<string, Coefficients> = {};
  for (const [name, row] of Object.entries(lp.variables))
    variables[name] = { ...row, objective: weights.get(name) ?? 0 };
  const model = (direction: 'minimize' | 'maximize'): Model => ({
    direction,
    objective: 'objective',
    constraints: lp.constraints,
    variables,
  });
  const low = solve(model('minimize'));
  const high = solve(model('maximize'));
  if (low.status !== 'optimal' && low.status !== 'unbounded') return [0, Number.POSITIVE_INFINITY];
  const lowValue = low.status === 'optimal' ? low.result + constant : Number.NEGATIVE_INFINITY;
  const highValue = high.status === 'optimal' ? high.result + constant : Number.POSITIVE_INFINITY;
  return roundInwards(target, lowValue, highValue);
}

interface LinearProgram {
  /** Each unknown cell's variable name. */
  readonly index: ReadonlyMap<Cell, string>;
  readonly constraints: Record<string, { equal?: number; min?: number; max?: number }>;
  readonly variables: Record<string, Record<string, number>>;
}

/** The relations as yalps constraints over the unknown cells, visible cells folded into constants. */
function linearProgram(relations: readonly Relation[], weighted: boolean): LinearProgram {
  const unknown = [...new Set(relations.flatMap((r) => r.terms.map(([c]) => c)))].filter(isUnknown);
  const index = new Map(unknown.map((cell, i) => [cell, `x${i}`]));
  const constraints: LinearProgram['constraints'] = {};
  const variables: LinearProgram['variables'] = {};
  for (const [cell, name] of index) {
    variables[name] = { [`lb_${name}`]: 1 };
    constraints[`lb_${name}`] = { min: lowerBound(cell, weighted) };
  }
  relations.forEach((relation, j) => {
    let constant = 0;
    let any = false;
    for (const [cell, coefficient] of relation.terms) {
      const name = index.get(cell);
      if (name === undefined) constant -= coefficient * (cell.count ?? 0);
      else if (coefficient !== 0) {
        const row = variables[name]!;
        row[`r${j}`] = (row[`r${j}`] ?? 0) + coefficient;
        any = true;
      }
    }
    if (any) constraints[`r${j}`] = relation.op === 'eq' ? { equal: constant } : { max: constant };
  });
  return { index, constraints, variables };
}

/** The target as objective weights of unknowns plus the constant of its visible part. */
function objectiveOf(
  target: AuditTarget,
  index: ReadonlyMap<Cell, string>,
): { weights: Map<string, number>; constant: number } {
  const weights = new Map<string, number>();
  let constant = 0;
  const terms: [Cell | undefined, number][] = [
    [target.cell, 1],
    [target.less, -1],
    [target.plus, 1],
  ];
  for (const [cell, sign] of terms) {
    if (cell === undefined) continue;
    const name = index.get(cell);
    if (name === undefined) constant += sign * (cell.count ?? 0);
    else weights.set(name, (weights.get(name) ?? 0) + sign);
  }
  return { weights, constant };
}

/** A reader knows a count is whole: its bounds round inwards (−0 becomes 0). */
function roundInwards(target: AuditTarget, low: number, high: number): [number, number] {
  const exact = (target.cell.count ?? 0.5) - (target.less?.count ?? 0) + (target.plus?.count ?? 0);
  if (!Number.isInteger(exact)) return [low + 0, high + 0];
  return [Math.ceil(low - 1e-6) + 0, Math.floor(high + 1e-6) + 0];
}

/**
 * A hidden count is at least 1, since zeros stay visible; a total, positives, a cell never
 * published or a weight sum may be 0 to a reader.
 */
function lowerBound(cell: Cell, weighted: boolean): number {
  return weighted || cell.free === true || cell.mayBeZero === true ? 0 : 1;
}

/**
 * The smallest visible non-zero cell (that may be hidden) of a sum that `cell` is in; when every
 * such cell is hidden already, of a sum that shares an unknown with those (one step further out).
 */
function smallestVisibleNear(
  cell: Cell,
  sets: readonly SumSet[],
  hideable: (cell: Cell) => boolean,
): Cell | undefined {
  const near = sets.filter((s) => s.members.includes(cell));
  const unknown = new Set(near.flatMap((s) => s.members.filter(isUnknown)));
  const further = sets.filter((s) => !near.includes(s) && s.members.some((m) => unknown.has(m)));
  return smallestVisibleIn(near, hideable) ?? smallestVisibleIn(further, hideable);
}

function smallestVisibleIn(sets: readonly SumSet[], hideable: (cell: Cell) => boolean): Cell | undefined {
  let best: Cell | undefined;
  for (const m of sets.flatMap((s) => s.members)) {
    if (isUnknown(m) || m.count === null || m.count <= 0 || !hideable(m)) continue;
    if (best === undefined || isBetterPartner(m, best)) best = m;
  }
  return best;
}
