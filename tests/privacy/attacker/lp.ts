import * as highsModule from 'highs';
import type { Quantity, Relation, RelationSystem } from './relations.ts';

/**
 * The LP attack: for each hidden count, minimise and maximise it subject to every relation the
 * published copy states (HiGHS, the solver behind scipy's `linprog`). The result is the count's
 * feasible interval; statistical offices audit a table the same way (sdcTable, τ-ARGUS).
 */

// The package's types describe a CommonJS module whose `default` is the loader, while its ESM
// build (which vitest loads) exports the loader itself as default.
type Loader = (typeof highsModule.default)['default'];
const exported = highsModule.default as unknown as Loader | { default: Loader };
const loadHighs: Loader = typeof exported === 'function' ? exported : exported.default;
type Highs = Awaited<ReturnType<typeof loadHighs>>;

let solver: Promise<Highs> | undefined;

function highs(): Promise<Highs> {
  solver ??= loadHighs();
  return solver;
}

/** What is probed: a hidden quantity, or a difference such as the negatives n − p of a group. */
export interface Target {
  readonly id: string;
  readonly terms: readonly { readonly id: string; readonly coefficient: number }[];
  /** True when the target is a whole number of rows, so its bounds are rounded inwards. */
  readonly integer: boolean;
}

export interface Interval {
  readonly target: Target;
  readonly min: number;
  readonly max: number;
}

export class AttackInfeasibleError extends Error {
  readonly code = 'ATTACK_INFEASIBLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AttackInfeasibleError';
  }
}

/** Equalities are solved to this absolute tolerance (published shares are rounded doubles). */
const EQUALITY_SLACK = 1e-6;
const UNBOUNDED = 1e12;

/** The hidden quantities of a system, each as its own target. */
export function hiddenTargets(system: RelationSystem): Target[] {
  return [...system.quantities.values()]
    .filter((q) => q.published === null)
    .map((q) => ({ id: q.id, terms: [{ id: q.id, coefficient: 1 }], integer: q.integer }));
}

/**
 * The negatives (count − positives) of every group whose positives are hidden and whose count is
 * known or hidden: negatives are counts of the group × label table too.
 */
export function negativeTargets(system: RelationSystem): Target[] {
  const out: Target[] = [];
  for (const q of system.quantities.values()) {
    if (q.kind !== 'positives' || !q.id.endsWith('.positives') || q.id.includes('.labels.')) continue;
    const count = system.quantities.get(q.id.replace(/\.positives$/, '.count'));
    if (!count || (q.published !== null && count.published !== null)) continue;
    out.push({
      id: `${count.id.replace(/\.count$/, '')}.negatives`,
      terms: [
        { id: count.id, coefficient: 1 },
        { id: q.id, coefficient: -1 },
      ],
      integer: q.integer && count.integer,
    });
  }
  return out;
}

/**
 * Feasible interval of each target under the system's relations. One persistent HiGHS model per
 * system: only the objective changes between solves, so each target costs two warm-started solves.
 */
export async function feasibleIntervals(
  system: RelationSystem,
  targets: readonly Target[],
): Promise<Interval[]> {
  if (targets.length === 0) return [];
  const h = await highs();
  const lp = lpModel(system);
  const model = h.createModel({ format: 'lp', data: `Minimize\n obj: 0 x0\n${lp.body}` });
  try {
    model.options.set({ output_flag: false });
    const columns = new Map<string, number>();
    for (let i = 0; i < model.getDimensions().numCols; i++) columns.set(model.getColName(i), i);
    const zeros = new Array<number>(columns.size).fill(0);
    return targets.map((target) => {
      const costs = [...zeros];
      let constant = 0;
      for (const t of target.terms) {
        const column = columns.get(lp.names.get(t.id) ?? '');
        if (column === undefined) constant += t.coefficient * (system.quantities.get(t.id)?.published ?? 0);
        else costs[column] = (costs[column] ?? 0) + t.coefficient;
      }
      model.changeColsCost({ kind: 'range', from: 0, to: columns.size - 1 }, costs);
      const solve = (sense: 'minimize' | 'maximize'): number => {
        if (costs.every((c) => c === 0)) return constant;
        model.changeObjectiveSense(h.constants.objectiveSense[sense]);
        let status = model.run().modelStatus;
        if (status === h.constants.modelStatus.unknown) {
          // A warm start can end unclassified on a degenerate model: solve again from scratch.
          model.clearSolver();
          status = model.run().modelStatus;
        }
        if (status === h.constants.modelStatus.unbounded)
          return sense === 'minimize' ? -UNBOUNDED : UNBOUNDED;
        if (status !== h.constants.modelStatus.optimal)
          throw new AttackInfeasibleError(
            `LP for ${target.id} ended with model status ${status}, expected ${h.constants.modelStatus.optimal} (optimal): the copy's relations contradict each other`,
          );
        return model.getObjectiveValue() + constant;
      };
      let min = solve('minimize');
      let max = solve('maximize');
      if (target.integer) {
        min = Math.ceil(min - 1e-6);
        max = Math.floor(max + 1e-6);
      }
      return { target, min, max };
    });
  } finally {
    model.dispose();
  }
}

interface LpModel {
  readonly names: Map<string, string>;
  /** Everything after the objective: constraints, bounds, end. */
  readonly body: string;
}

function lpModel(system: RelationSystem): LpModel {
  const names = new Map<string, string>();
  const hidden = [...system.quantities.values()].filter((q) => q.published === null);
  for (const [i, q] of hidden.entries()) names.set(q.id, `x${i}`);
  const rows: string[] = [];
  system.relations.forEach((r, i) => {
    rows.push(...constraintRows(r, `c${i}`, names, system));
  });
  const bounds = hidden.map((q: Quantity) => ` ${q.lower} <= ${names.get(q.id)} <= ${UNBOUNDED}`);
  const body = `Subject To\n${rows.length > 0 ? rows.join('\n') : ' c_none: 0 x0 >= 0'}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  return { names, body };
}

/** A relation with the published values substituted; no rows when nothing in it is hidden. */
function constraintRows(
  r: Relation,
  label: string,
  names: ReadonlyMap<string, string>,
  system: RelationSystem,
): string[] {
  let constant = r.constant;
  const parts: string[] = [];
  for (const t of r.terms) {
    const name = names.get(t.id);
    if (name) parts.push(`${signed(t.coefficient)} ${name}`);
    else constant += t.coefficient * (system.quantities.get(t.id)?.published ?? 0);
  }
  if (parts.length === 0) return [];
  const lhs = parts.join(' ');
  if (r.op === 'le') return [` ${label}: ${lhs} <= ${number(-constant)}`];
  // A two-sided range: published doubles carry rounding error.
  return [
    ` ${label}l: ${lhs} >= ${number(-constant - EQUALITY_SLACK)}`,
    ` ${label}u: ${lhs} <= ${number(-constant + EQUALITY_SLACK)}`,
  ];
}

function signed(c: number): string {
  return c < 0 ? `- ${number(-c)}` : `+ ${number(c)}`;
}

function number(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(17);
}
