import { type Enumeration, enumerateHidden } from './enumerate.ts';
import { field, isObject, type Json, list, num, str, strings } from './json.ts';
import { feasibleIntervals, hiddenTargets, type Interval, negativeTargets, type Target } from './lp.ts';
import {
  collectRelations,
  failingRelations,
  privateValues,
  type RelationFailure,
  type RelationSystem,
} from './relations.ts';
import { type Leak, scanPublished } from './strings.ts';

/**
 * The attacker in one call: given the exact private report, its published copy and the copy's
 * pages, it reports every way the copy gives back a count in 1..k−1 (the promise of
 * `privacy.minCellSize` = k):
 * - `lp`: a primary-hidden count (or a hidden group's negatives) whose feasible interval under the
 *   copy's linear relations is narrower than k;
 * - `strings`: a withheld value printed in a string of the copy or a page;
 * - `enumeration`: a primary-hidden count whose surviving values (after recomputing the copy's
 *   other statistics) span less than k;
 * - `overall-test`: a test over all groups (χ² statistic or p-value, Monte-Carlo p) published in
 *   a table with a hidden cell;
 * - `classification`: a check message that classifies a hidden group (under- or over-represented,
 *   too small to conclude, failing the four-fifths rule), which bounds its hidden count or rate.
 * The private report is used only to say which hidden counts are primary and to check the
 * attacker's own relations (`relationFailures` must be empty, or the attacker is wrong).
 */

export type FindingPart = 'lp' | 'strings' | 'enumeration' | 'overall-test' | 'classification';

export interface Finding {
  readonly part: FindingPart;
  readonly path: string;
  readonly detail: string;
}

export interface AttackResult {
  readonly findings: readonly Finding[];
  /** Relations of the copy that the private values break: a bug in the attacker. */
  readonly relationFailures: readonly RelationFailure[];
  readonly system: RelationSystem;
  readonly intervals: readonly Interval[];
  readonly leaks: readonly Leak[];
  readonly enumeration?: Enumeration;
  /** Whether the private values survive the enumeration (they must: else recompute.ts is wrong). */
  readonly truthSurvives?: boolean;
}

export interface AttackInput {
  readonly privateReport: Json;
  readonly published: Json;
  readonly pages?: readonly { file: string; html: string }[];
  /** Run part 3 (small cases only). @default false */
  readonly enumerate?: boolean;
  /** Box size above which part 3 gives up. @default - 200 000 */
  readonly enumerationLimit?: number;
  /**
   * Run the parts built on the pipeline's identities (LP, enumeration). A hand-built report whose
   * numbers were not counted by the pipeline does not obey them. @default true
   */
  readonly linear?: boolean;
}

export async function attack(input: AttackInput): Promise<AttackResult> {
  const system = collectRelations(input.published);
  const truth = privateValues(system, input.privateReport);
  const k = system.minCellSize;
  const primary = (target: Target): boolean => {
    const v = targetValue(target, truth);
    return v !== undefined && v > 0 && v < k;
  };
  const linear = input.linear ?? true;
  const targets = linear ? [...hiddenTargets(system), ...negativeTargets(system)].filter(primary) : [];
  const intervals = await feasibleIntervals(system, targets);
  const findings: Finding[] = intervals
    .filter((i) => i.max - i.min < k)
    .map((i) => ({
      part: 'lp' as const,
      path: i.target.id,
      detail: `true value ${targetValue(i.target, truth)}, feasible interval [${i.min}, ${i.max}] narrower than k = ${k}`,
    }));
  const leaks = scanPublished(input.privateReport, input.published, input.pages ?? []);
  for (const leak of leaks) {
    findings.push({
      part: 'strings',
      path: leak.withheld.path,
      detail: `withheld ${leak.withheld.value} printed as "${leak.printed}" in ${leak.where}: …${leak.excerpt}…`,
    });
  }
  findings.push(...overallTestsBesideHiddenCells(input.published));
  findings.push(...hiddenGroupsClassified(input.published));
  let enumeration: Enumeration | undefined;
  let truthSurvives: boolean | undefined;
  if (input.enumerate && linear) {
    enumeration = await enumerateHidden(input.published, system, {
      ...(input.enumerationLimit !== undefined ? { limit: input.enumerationLimit } : {}),
    });
    if (enumeration) {
      truthSurvives = enumeration.unknowns.every((id) => {
        const span = enumeration!.spans.get(id);
        const v = truth.get(id);
        return span !== undefined && v !== undefined && v >= span.min && v <= span.max;
      });
      for (const target of hiddenTargets(system).filter(primary)) {
        const span = enumeration.spans.get(target.id);
        if (span && span.max - span.min < k)
          findings.push({
            part: 'enumeration',
            path: target.id,
            detail: `true value ${truth.get(target.id)}, ${enumeration.survivors} of ${enumeration.candidates} vectors reproduce the copy, spanning [${span.min}, ${span.max}], narrower than k = ${k}`,
          });
      }
    }
  }
  return {
    findings,
    relationFailures: linear ? failingRelations(system, truth) : [],
    system,
    intervals,
    leaks,
    ...(enumeration ? { enumeration } : {}),
    ...(truthSurvives !== undefined ? { truthSurvives } : {}),
  };
}

/** The value of a target (a quantity or a difference) under `values`, by quantity id. */
export function targetValue(target: Target, values: ReadonlyMap<string, number>): number | undefined {
  let total = 0;
  for (const t of target.terms) {
    const v = values.get(t.id);
    if (v === undefined) return undefined;
    total += t.coefficient * v;
  }
  return total;
}

/** A χ² statistic, p-value or Monte-Carlo p-value over all groups of a table with a hidden cell. */
export function overallTestsBesideHiddenCells(published: Json): Finding[] {
  const out: Finding[] = [];
  const tables = [
    ...list(published, 'attributes').map((a) => ({ path: `attributes[${str(a, 'name')}]`, table: a })),
    ...list(published, 'intersections').map((x) => ({
      path: `intersections[${strings(x, 'attributes').join('|')}]`,
      table: x,
    })),
  ];
  for (const { path, table } of tables) {
    const hidden = list(table, 'groups').filter((g) => num(g, 'count') === null);
    if (hidden.length === 0) continue;
    const chi = field(field(table, 'tests'), 'chiSquare');
    if (!isObject(chi)) continue;
    const stated = [
      ['statistic', num(chi, 'statistic')],
      ['pValue', num(chi, 'pValue')],
      ['monteCarlo.pValue', num(field(chi, 'monteCarlo'), 'pValue')],
    ] as const;
    for (const [key, value] of stated) {
      if (typeof value === 'number')
        out.push({
          part: 'overall-test',
          path: `${path}.tests.chiSquare.${key}`,
          detail: `${value} published beside ${hidden.length} hidden cell(s): ${hidden.map((g) => str(g, 'group')).join(', ')}`,
        });
    }
  }
  return out;
}

/** Check messages that name a hidden group in a classification. */
export function hiddenGroupsClassified(published: Json): Finding[] {
  const hiddenIn = (table: Json, key: 'count' | 'positives') =>
    new Set(
      list(table, 'groups')
        .filter((g) => num(g, key) === null)
        .map((g) => str(g, 'group') ?? ''),
    );
  const out: Finding[] = [];
  for (const check of list(published, 'checks')) {
    const id = str(check, 'id') ?? '';
    const message = str(check, 'message') ?? '';
    const [kind, name] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
    let hidden = new Set<string>();
    let named: string[] = [];
    if (kind === 'representation') {
      const attribute = list(published, 'attributes').find((a) => str(a, 'name') === name);
      hidden = hiddenIn(attribute, 'count');
      named = message
        .split(/;\s*/)
        .flatMap(
          (part) =>
            /(under-represented|over-represented|too small to conclude):\s*(.*)$/
              .exec(part)?.[2]
              ?.split(', ') ?? [],
        );
    } else if (kind === 'intersection') {
      const x = list(published, 'intersections').find((i) => strings(i, 'attributes').join('_x_') === name);
      hidden = hiddenIn(x, 'count');
      const cells = /^[^:]*:\s*(.*?)\s*\(vs [^)]*\)$/.exec(message)?.[1] ?? '';
      named = cells.split(', ').map((item) => item.slice(0, item.lastIndexOf(' ')));
    } else if (kind === 'labels') {
      const attribute = list(published, 'attributes').find((a) => str(a, 'name') === name);
      hidden = hiddenIn(field(attribute, 'labels'), 'positives');
      const groups = / for (.*)$/.exec(message)?.[1] ?? '';
      named = groups.split(/\),\s*/).map((item) => item.slice(0, item.lastIndexOf(' (')).trim());
    }
    for (const group of named.filter((g) => hidden.has(g))) {
      out.push({
        part: 'classification',
        path: `checks[${id}]`,
        detail: `hidden group ${group} is classified: ${message}`,
      });
    }
  }
  return out;
}
