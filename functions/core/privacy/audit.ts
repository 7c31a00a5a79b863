import { type Coefficients, type Model, solve } from 'yalps';
import { type Cell, isHidden, protect, type SumSet } from './engine.ts';

/**
 * The audit of a published copy's counts, as statistical offices run it (τ-ARGUS' audit,
 * sdcTable's attack): for each count hidden for being small, solve the linear program of
 * everything the copy states — every published sum whose equation is known (a set with a `sum`
 * member), the visible counts as constants, every hidden count ≥ 1 since zeros stay visible — for
 * the smallest and the largest value the count can take (cells never published, such as the
 * rows raking left out, are unknowns too). When that interval is narrower than k
 * (max − min < k) a reader can pin the count too closely, so a further cell is hidden (the
 * smallest visible non-zero cell of a set the count is in, or one step further out), the greedy
 * protection runs again, and the audit starts over. A count that cannot be widened is returned, and the copy says so.
 *
 * Linear relaxation, no integrality: an attacker with an integer program can do a little better
 * than this (never by more than rounding the interval's ends inwards).
 */
export function auditCounts(sets: readonly SumSet[], k: number): SumSet[] {
  const equations = sets.filter(isKnownEquation);
  const unfixable = new Set<Cell>();
  for (let round = 0; round < 1000; round++) {
    const narrow = findNarrow(equations, k, unfixable);
    if (narrow === undefined) break;
    const partner = smallestVisibleNear(narrow, equations);
    if (partner === undefined) unfixable.add(narrow);
    else {
      partner.hide = 'complementary';
      protect(sets);
    }
  }
  return equations.filter((s) => s.members.some((m) => unfixable.has(m)));
}

/** A set whose equation the audit can write: it has a sum and every member's exact count, which agree. */
function isKnownEquation(set: SumSet): boolean {
  if (set.sum === undefined || set.members.some((m) => m.count === null)) return false;
  const parts = set.members.reduce((s, m) => (m === set.sum ? s : s + (m.count ?? 0)), 0);
  const sum = set.sum.count ?? 0;
  return Math.abs(parts - sum) <= 1e-6 * Math.max(1, Math.abs(sum));
}

/** Unknown to a reader: hidden, or never published (the rows raking left out). */
function isUnknown(cell: Cell): boolean {
  return isHidden(cell) || cell.free === true;
}

function findNarrow(equations: readonly SumSet[], k: number, skip: ReadonlySet<Cell>): Cell | undefined {
  const hidden = [...new Set(equations.flatMap((s) => s.members.filter(isUnknown)))];
  for (const cell of hidden) {
    if (cell.hide !== 'small' || skip.has(cell)) continue;
    const [low, high] = bounds(cell, hidden, equations);
    if (high - low < k) return cell;
  }
  return undefined;
}

/** The least and the greatest value of `target` that the published copy allows. */
export function bounds(
  target: Cell,
  hidden: readonly Cell[],
  equations: readonly SumSet[],
): [number, number] {
  const index = new Map(hidden.map((cell, i) => [cell, `x${i}`]));
  const constraints: Record<string, { equal?: number; min?: number }> = {};
  const variables: Record<string, Coefficients> = {};
  for (const [cell, name] of index) {
    variables[name] = { [`lb_${name}`]: 1, objective: cell === target ? 1 : 0 };
    // A hidden count is at least 1 (zeros stay visible); a weight sum may be smaller.
    constraints[`lb_${name}`] = { min: Math.min(1, cell.count ?? 1) };
  }
  equations.forEach((set, j) => {
    let constant = 0;
    for (const m of set.members) {
      const sign = m === set.sum ? -1 : 1;
      const name = index.get(m);
      if (name === undefined) constant -= sign * (m.count ?? 0);
      else (variables[name] as Record<string, number>)[`e${j}`] = sign;
    }
    if (set.members.some((m) => index.has(m))) constraints[`e${j}`] = { equal: constant };
  });
  const model = (direction: 'minimize' | 'maximize'): Model => ({
    direction,
    objective: 'objective',
    constraints,
    variables,
  });
  const low = solve(model('minimize'));
  const high = solve(model('maximize'));
  if (low.status !== 'optimal' && low.status !== 'unbounded') return [1, Number.POSITIVE_INFINITY];
  const lowValue = low.status === 'optimal' ? low.result : 1;
  const highValue = high.status === 'optimal' ? high.result : Number.POSITIVE_INFINITY;
  return [lowValue, highValue];
}

/**
 * The smallest visible non-zero cell of a sum that `cell` is in; when every such cell is hidden
 * already, of a sum that shares an unknown with those (one step further out).
 */
function smallestVisibleNear(cell: Cell, equations: readonly SumSet[]): Cell | undefined {
  const near = equations.filter((s) => s.members.includes(cell));
  const unknown = new Set(near.flatMap((s) => s.members.filter(isUnknown)));
  const further = equations.filter((s) => !near.includes(s) && s.members.some((m) => unknown.has(m)));
  return smallestVisibleIn(near) ?? smallestVisibleIn(further);
}

function smallestVisibleIn(sets: readonly SumSet[]): Cell | undefined {
  let best: Cell | undefined;
  for (const m of sets.flatMap((s) => s.members)) {
    if (isUnknown(m) || m.count === null || m.count <= 0) continue;
    if (best === undefined || m.count < (best.count ?? Number.POSITIVE_INFINITY)) best = m;
  }
  return best;
}
