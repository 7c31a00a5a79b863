import type { Json } from './json.ts';
import { feasibleIntervals, hiddenTargets } from './lp.ts';
import { type Mismatch, statisticMismatches, type TableRef } from './recompute.ts';
import type { Relation, RelationSystem } from './relations.ts';

/**
 * Part 3 of the attacker (issue #17), for small cases: list every integer vector of hidden counts
 * inside the LP box that satisfies the copy's linear relations, recompute each published statistic
 * that is not a sum (p-values, χ², distances, diversity, label metrics, source figures) from it
 * with the independent code of recompute.ts, and keep the vectors that reproduce the copy. The
 * survivors are what an attacker with unlimited patience is left with.
 */

export interface Span {
  readonly min: number;
  readonly max: number;
}

export interface Enumeration {
  readonly unknowns: readonly string[];
  /** Vectors that satisfy the linear relations. */
  readonly candidates: number;
  /** Vectors that also reproduce every recomputed statistic. */
  readonly survivors: number;
  /** Per unknown, the range of its value over the survivors. */
  readonly spans: ReadonlyMap<string, Span>;
}

export interface EnumerateOptions {
  /** Largest number of box points to walk before giving up (undefined result). @default - 200 000 */
  readonly limit?: number;
}

/** Enumerates the hidden counts of an unweighted copy; undefined when the box is too large. */
export async function enumerateHidden(
  published: Json,
  system: RelationSystem,
  options: EnumerateOptions = {},
): Promise<Enumeration | undefined> {
  if (system.weighted) return undefined;
  const unknowns = [...system.quantities.values()].filter((q) => q.published === null).map((q) => q.id);
  const boxes = await feasibleIntervals(system, hiddenTargets(system));
  const size = boxes.reduce((s, b) => s * Math.max(0, b.max - b.min + 1), 1);
  if (size > (options.limit ?? 200_000)) return undefined;
  const plan = walkPlan(
    system,
    unknowns,
    boxes.map((b) => [b.min, b.max] as const),
  );
  const spans = new Map<string, { min: number; max: number }>();
  let candidates = 0;
  let survivors = 0;
  for (const vector of plan.vectors()) {
    candidates += 1;
    const values = new Map(unknowns.map((id, i) => [id, vector[i]!]));
    if (reproduce(published, system, values).length > 0) continue;
    survivors += 1;
    for (const [id, v] of values) {
      const span = spans.get(id);
      spans.set(id, span ? { min: Math.min(span.min, v), max: Math.max(span.max, v) } : { min: v, max: v });
    }
  }
  return { unknowns, candidates, survivors, spans };
}

/** The published statistics that a vector of hidden counts (by quantity id) does not reproduce. */
export function reproduce(
  published: Json,
  system: RelationSystem,
  hidden: ReadonlyMap<string, number>,
): Mismatch[] {
  const value = (id: string): number | undefined => {
    const q = system.quantities.get(id);
    if (!q) return undefined;
    return q.published ?? hidden.get(id);
  };
  const tableId = (ref: TableRef, group: string) => `${ref.kind}[${ref.name}].groups[${group}]`;
  return statisticMismatches(
    published,
    (ref, group, what) => {
      if (what === 'label') return value(`${ref.kind}[${ref.name}].labels.groups[${group}].positives`);
      if (what === 'unlabelled') return value(`${ref.kind}[${ref.name}].labels.groups[${group}].unlabelled`);
      return value(`${tableId(ref, group)}.${what}`);
    },
    (source) => value(`sources.groups[${source}].count`),
  );
}

interface WalkPlan {
  vectors(): Generator<number[]>;
}

/**
 * Depth-first walk over the box. A relation is checked as soon as its last unknown is set, and an
 * equality whose last unknown is the one being set gives that unknown's value directly.
 */
function walkPlan(
  system: RelationSystem,
  unknowns: readonly string[],
  boxes: readonly (readonly [number, number])[],
): WalkPlan {
  const index = new Map(unknowns.map((id, i) => [id, i]));
  const published = (id: string) => system.quantities.get(id)?.published ?? 0;
  interface Compiled {
    readonly relation: Relation;
    readonly constant: number;
    readonly terms: readonly (readonly [number, number])[];
    readonly last: number;
  }
  const compiled: Compiled[] = [];
  for (const relation of system.relations) {
    let constant = relation.constant;
    const terms: [number, number][] = [];
    for (const t of relation.terms) {
      const i = index.get(t.id);
      if (i === undefined) constant += t.coefficient * published(t.id);
      else terms.push([i, t.coefficient]);
    }
    if (terms.length === 0) continue;
    compiled.push({ relation, constant, terms, last: Math.max(...terms.map(([i]) => i)) });
  }
  const closing = unknowns.map((_, i) => compiled.filter((c) => c.last === i));
  const holds = (c: Compiled, v: readonly number[]): boolean => {
    let residual = c.constant;
    let scale = Math.abs(c.constant);
    for (const [i, coefficient] of c.terms) {
      residual += coefficient * v[i]!;
      scale += Math.abs(coefficient * v[i]!);
    }
    const tolerance = 1e-6 + 1e-9 * scale;
    return c.relation.op === 'eq' ? Math.abs(residual) <= tolerance : residual <= tolerance;
  };
  const solveFor = (c: Compiled, i: number, v: readonly number[]): number | undefined => {
    let rest = c.constant;
    let own = 0;
    for (const [j, coefficient] of c.terms) {
      if (j === i) own += coefficient;
      else rest += coefficient * v[j]!;
    }
    if (Math.abs(own) < 1e-12) return undefined;
    const x = -rest / own;
    const rounded = Math.round(x);
    return Math.abs(x - rounded) <= 1e-6 * (1 + Math.abs(x)) ? rounded : Number.NaN;
  };
  function* walk(i: number, v: number[]): Generator<number[]> {
    if (i === unknowns.length) {
      yield [...v];
      return;
    }
    const [low, high] = boxes[i]!;
    const pinning = closing[i]!.find((c) => c.relation.op === 'eq');
    const forced = pinning ? solveFor(pinning, i, v) : undefined;
    const options =
      forced === undefined
        ? range(low, high)
        : Number.isNaN(forced) || forced < low || forced > high
          ? []
          : [forced];
    for (const x of options) {
      v[i] = x;
      if (closing[i]!.every((c) => holds(c, v))) yield* walk(i + 1, v);
    }
  }
  return { vectors: () => walk(0, new Array<number>(unknowns.length).fill(0)) };
}

function* range(low: number, high: number): Generator<number> {
  for (let x = low; x <= high; x++) yield x;
}
