import { targetValue } from './attack.ts';
import type { Json } from './json.ts';
import { feasibleIntervals, hiddenTargets, type Interval, negativeTargets, type Target } from './lp.ts';
import {
  collectRelations,
  failingRelations,
  privateValues,
  type Quantity,
  type Relation,
  type RelationFailure,
  type RelationSystem,
} from './relations.ts';

/**
 * The attacker across runs (issue #17, "Two runs"): an outsider holds every published copy of a
 * dataset and knows that consecutive runs differ by at most d rows in any count (one appended row:
 * d = 1). It collects each copy's relations on its own (`relations.ts`, with each quantity named
 * `runs[i].<path>`), adds |x_i − x_(i−1)| ≤ d for every quantity two consecutive copies both state
 * (published or hidden), and solves each primary-hidden count of every run with HiGHS. The
 * publish path's audit is other code (`functions/core/privacy/runs.ts`); they share no relations.
 *
 * d is, for each pair of consecutive runs, the largest change of any quantity both state, read
 * from the private reports: the smallest d that holds, the strongest outsider of this kind.
 */

export interface RunCopy {
  readonly privateReport: Json;
  readonly published: Json;
}

export interface RunsFinding {
  /** The run (0 = oldest) whose count is pinned. */
  readonly run: number;
  readonly path: string;
  readonly detail: string;
}

export interface RunsAttackResult {
  readonly findings: readonly RunsFinding[];
  /** Relations (each copy's and the differences) that the private values break: a bug here. */
  readonly relationFailures: readonly RelationFailure[];
  /** Per pair of consecutive runs (1 = runs 0 and 1), the d assumed. */
  readonly changes: readonly number[];
  readonly intervals: readonly Interval[];
  /** Every copy's quantities and relations (ids `runs[i].<path>`) and the differences. */
  readonly system: RelationSystem;
  /** The private value of every quantity, by the same ids. */
  readonly truth: ReadonlyMap<string, number>;
}

export interface RunsAttackOptions {
  /** d for every pair, instead of the true largest change. */
  readonly change?: number;
}

/** Runs oldest first. */
export async function attackRuns(
  runs: readonly RunCopy[],
  options: RunsAttackOptions = {},
): Promise<RunsAttackResult> {
  const systems = runs.map((r) => collectRelations(r.published));
  const truths = runs.map((r, i) => privateValues(systems[i]!, r.privateReport));
  const quantities = new Map<string, Quantity>();
  const relations: Relation[] = [];
  const truth = new Map<string, number>();
  systems.forEach((system, i) => {
    for (const q of system.quantities.values())
      quantities.set(prefixed(i, q.id), { ...q, id: prefixed(i, q.id) });
    for (const r of system.relations)
      relations.push({ ...r, terms: r.terms.map((t) => ({ ...t, id: prefixed(i, t.id) })) });
    for (const [id, v] of truths[i]!) truth.set(prefixed(i, id), v);
  });
  const changes: number[] = [0];
  for (let i = 1; i < systems.length; i++) {
    const shared = [...systems[i]!.quantities.keys()].filter((id) => systems[i - 1]!.quantities.has(id));
    const moved = shared.flatMap((id) => {
      const [before, after] = [truths[i - 1]!.get(id), truths[i]!.get(id)];
      return before === undefined || after === undefined ? [] : [Math.abs(after - before)];
    });
    const d = options.change ?? Math.max(0, ...moved);
    changes.push(d);
    for (const id of shared) {
      const [before, after] = [prefixed(i - 1, id), prefixed(i, id)];
      const path = `runs ${i - 1} → ${i}: ${id}`;
      const terms = (sign: number) => [
        { id: after, coefficient: sign },
        { id: before, coefficient: -sign },
      ];
      relations.push({
        family: 'runs',
        path: `${path} grew by ≤ d`,
        terms: terms(1),
        constant: -d,
        op: 'le',
      });
      relations.push({
        family: 'runs',
        path: `${path} shrank by ≤ d`,
        terms: terms(-1),
        constant: -d,
        op: 'le',
      });
    }
  }
  const system: RelationSystem = {
    quantities,
    relations,
    minCellSize: Math.max(...systems.map((s) => s.minCellSize)),
    weighted: systems.some((s) => s.weighted),
  };
  const kOf = (target: Target) => systems[runOf(target.id)]?.minCellSize ?? system.minCellSize;
  const primary = (target: Target) => {
    const v = targetValue(target, truth);
    return v !== undefined && v > 0 && v < kOf(target);
  };
  const targets = [...hiddenTargets(system), ...negativeTargets(system)].filter(primary);
  const intervals = await feasibleIntervals(system, targets);
  const findings = intervals
    .filter((i) => i.max - i.min < kOf(i.target))
    .map((i) => ({
      run: runOf(i.target.id),
      path: i.target.id,
      detail: `true value ${targetValue(i.target, truth)}, feasible interval [${i.min}, ${i.max}] over ${runs.length} runs (d = ${changes.slice(1).join(', ')}) narrower than k = ${kOf(i.target)}`,
    }));
  return { findings, relationFailures: failingRelations(system, truth), changes, intervals, system, truth };
}

function prefixed(run: number, id: string): string {
  return `runs[${run}].${id}`;
}

function runOf(id: string): number {
  return Number(/^runs\[(\d+)\]\./.exec(id)?.[1] ?? -1);
}

/**
 * Whether a finding is one that no suppression of the run that published it could prevent: it is
 * narrow only because of what earlier runs published (a count that fell under k lies within d of
 * the earlier number) or because of cells that emptied in a later run (zeros stay visible, sums
 * give them back anyway, and a group with no rows is not listed, so such a cell held at most d
 * before, and the sums it is in tell the rest). Tested by solving the target again with every
 * quantity of the earlier runs unknown and without the difference bounds of quantities whose
 * later value is 0: if it is then at least k wide, those are what pin it.
 */
export async function isBoundByNeighbour(result: RunsAttackResult, finding: RunsFinding): Promise<boolean> {
  const id = finding.path.replace(/^runs\[\d+\]\./, '').replace(/\.negatives$/, '.count');
  const next = finding.run + 1;
  const hasNext = [...result.system.quantities.keys()].some((key) => runOf(key) === next);
  // Its own cell emptied: 0 in the next run, or gone from it (a group with no rows is not listed).
  if (hasNext && (result.truth.get(prefixed(next, id)) ?? 0) === 0) return true;
  const quantities = new Map<string, Quantity>();
  for (const [key, q] of result.system.quantities)
    quantities.set(key, runOf(key) < finding.run ? { ...q, published: null, lower: 0 } : q);
  const emptied = (r: Relation) =>
    r.family === 'runs' && r.terms.some((t) => runOf(t.id) > finding.run && result.truth.get(t.id) === 0);
  const relations = result.system.relations.filter((r) => !emptied(r));
  const target = result.intervals.find((i) => i.target.id === finding.path)?.target;
  if (target === undefined) return false;
  const [interval] = await feasibleIntervals({ ...result.system, quantities, relations }, [target]);
  const k = result.system.minCellSize;
  return interval !== undefined && interval.max - interval.min >= k;
}
