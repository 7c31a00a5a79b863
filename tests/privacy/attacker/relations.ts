import {
  byName,
  field,
  interval,
  isObject,
  type Json,
  type JsonObject,
  list,
  num,
  str,
  strings,
} from './json.ts';

/**
 * Part 1 of the attacker (issue #17): every linear relation a published report states about the
 * counts it hides. Unknowns are the counts the copy shows as null (group and cell counts,
 * positives, source cells, totals and other aggregates); everything the copy states as a number is
 * a constant. The identities come from how the pipeline counts (DESIGN.md, functions/core/profile,
 * compare and report/build.ts); each is written so that it holds on the exact private report too,
 * which `checkRelations` verifies and a test runs over many generated datasets.
 */

/** A step of a path into the report: an object key, or the element of a list with a given name. */
type Step = string | { readonly list: string; readonly key: string; readonly name: string };

export type QuantityKind = 'count' | 'positives' | 'source' | 'aggregate';

export interface Quantity {
  /** Readable path, e.g. `attributes[sex].groups[diverse].count`; also the quantity's id. */
  readonly id: string;
  readonly kind: QuantityKind;
  /** The number the published copy states, or null when it is hidden there. */
  readonly published: number | null;
  /** Smallest value the copy allows (1 for hidden counts: zeros are published). */
  readonly lower: number;
  /** True when the value is a whole number of rows (no weight column). */
  readonly integer: boolean;
  readonly steps: readonly Step[];
}

export interface Term {
  readonly id: string;
  readonly coefficient: number;
}

/** Σ coefficient·quantity + constant `op` 0. */
export interface Relation {
  readonly family: string;
  readonly path: string;
  readonly terms: readonly Term[];
  readonly constant: number;
  readonly op: 'eq' | 'le';
}

export interface RelationSystem {
  readonly quantities: ReadonlyMap<string, Quantity>;
  readonly relations: readonly Relation[];
  readonly minCellSize: number;
  readonly weighted: boolean;
}

/** Φ⁻¹(0.975): the Wilson intervals of the report are 95 % intervals. */
export const Z_95 = 1.959963984540054;

type Linear = Map<string, number>;

function linear(...parts: readonly (readonly [string | undefined, number])[]): Linear {
  const out: Linear = new Map();
  for (const [id, c] of parts) if (id !== undefined) out.set(id, (out.get(id) ?? 0) + c);
  return out;
}

function sumOf(ids: readonly (string | undefined)[], coefficient = 1): Linear {
  return linear(...ids.map((id) => [id, coefficient] as const));
}

function plus(...parts: readonly Linear[]): Linear {
  const out: Linear = new Map();
  for (const part of parts) for (const [id, c] of part) out.set(id, (out.get(id) ?? 0) + c);
  return out;
}

function scaled(part: Linear, factor: number): Linear {
  return new Map([...part].map(([id, c]) => [id, c * factor]));
}

function stepText(step: Step): string {
  return typeof step === 'string' ? `.${step}` : `.${step.list}[${step.name}]`;
}

/** Reads the number at `steps` of a report (published or private). */
export function readQuantity(report: Json, steps: readonly Step[]): number | null | undefined {
  let at: Json = report;
  for (const [i, step] of steps.entries()) {
    if (i === steps.length - 1 && typeof step === 'string') return stated(field(at, step));
    at = typeof step === 'string' ? field(at, step) : entry(list(at, step.list), step.key, step.name);
    if (at === undefined) return undefined;
  }
  return undefined;
}

/**
 * A number is published; anything else the copy puts in a number's place (null, or a marker such
 * as "<10") says the number is hidden; undefined means the copy does not have it at all.
 */
function stated(value: Json): number | null | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The element named `name`; a list-valued key (an intersection's attributes) matches joined by `|`. */
function entry(items: readonly JsonObject[], key: string, name: string): JsonObject | undefined {
  return items.find((item) => {
    const v = item[key];
    return Array.isArray(v) ? v.join('|') === name : v === name;
  });
}

/** Collects the relations of a published copy. */
export function collectRelations(published: Json): RelationSystem {
  return new Collector(published).collect();
}

class Collector {
  private readonly quantities = new Map<string, Quantity>();
  private readonly relations: Relation[] = [];
  private readonly weighted: boolean;
  private readonly k: number;
  private readonly labelled: boolean;

  constructor(private readonly report: Json) {
    this.weighted = list(report, 'attributes').some((a) => isObject(a['weights']));
    this.labelled = list(report, 'attributes').some((a) => isObject(a['labels']));
    this.k = num(field(report, 'privacy'), 'minCellSize') ?? 0;
  }

  collect(): RelationSystem {
    this.rows();
    const attributes = list(this.report, 'attributes');
    for (const a of attributes) this.attribute(a);
    for (const x of list(this.report, 'intersections')) this.intersection(x, attributes);
    this.sources(attributes);
    this.correction(attributes);
    return {
      quantities: this.quantities,
      relations: this.relations,
      minCellSize: this.k,
      weighted: this.weighted,
    };
  }

  /** Registers the number at `steps` when the copy has it (as a number or as null). */
  private q(steps: readonly Step[], kind: QuantityKind, integer = !this.weighted): string | undefined {
    const id = steps.map(stepText).join('').slice(1);
    if (this.quantities.has(id)) return id;
    const published = readQuantity(this.report, steps);
    if (published === undefined) return undefined;
    // Hidden counts are at least 1: a zero is never hidden. Weight sums may be any positive number.
    const lower = published === null && kind !== 'aggregate' && kind !== 'positives' && integer ? 1 : 0;
    this.quantities.set(id, { id, kind, published, lower, integer, steps });
    return id;
  }

  private add(family: string, path: string, expression: Linear, constant: number, op: 'eq' | 'le'): void {
    const terms = [...expression]
      .filter(([, c]) => c !== 0)
      .map(([id, coefficient]) => ({ id, coefficient }));
    if (terms.length === 0) return;
    this.relations.push({ family, path, terms, constant, op });
  }

  private eq(family: string, path: string, expression: Linear, constant = 0): void {
    this.add(family, path, expression, constant, 'eq');
  }

  /** expression ≤ bound. */
  private le(family: string, path: string, expression: Linear, bound = 0): void {
    this.add(family, path, expression, -bound, 'le');
  }

  /** rows.read = used + excludedNoConsent + malformed. */
  private rows(): void {
    const ids = ['read', 'used', 'excludedNoConsent', 'malformed'].map((key) =>
      this.q(['rows', key], 'aggregate', true),
    );
    const [read, used, consent, malformed] = ids;
    if (read && used && consent && malformed)
      this.eq('rows', 'rows', linear([read, 1], [used, -1], [consent, -1], [malformed, -1]));
  }

  private used(): string | undefined {
    return this.q(['rows', 'used'], 'aggregate', true);
  }

  /** Rows of attribute `name` that are missing or unmapped (row counts, not weights). */
  private invalid(name: string): string[] {
    const base: Step[] = [{ list: 'attributes', key: 'name', name }];
    return ['missing', 'unmapped']
      .map((key) => this.q([...base, key], 'aggregate', true))
      .filter((id): id is string => id !== undefined);
  }

  private attribute(a: JsonObject): void {
    const name = str(a, 'name') ?? '';
    const base: Step[] = [{ list: 'attributes', key: 'name', name }];
    const total = this.q([...base, 'total'], 'aggregate');
    const invalid = this.invalid(name);
    const used = this.used();
    if (!this.weighted && total && used && invalid.length === 2) {
      // Every counted row is valid, missing or unmapped for each attribute.
      this.eq(
        'rows',
        `${name}: total + missing + unmapped = rows.used`,
        plus(sumOf([total, ...invalid]), linear([used, -1])),
      );
    }
    const weightSum = this.q([...base, 'weights', 'weightSum'], 'aggregate', false);
    if (total && weightSum)
      this.eq('weights', `${name}: weightSum = total`, linear([weightSum, 1], [total, -1]));
    const counts = this.groupTable(base, list(a, 'groups'), total, name);
    this.labels(a, base, total, counts);
  }

  /**
   * The groups of one table (attribute or intersection): they sum to its total; a share, a
   * Wilson interval, a ratio or a difference to the reference each pin a count given the total.
   */
  private groupTable(
    base: readonly Step[],
    groups: readonly JsonObject[],
    total: string | undefined,
    path: string,
  ): Map<string, { count?: string; positives?: string }> {
    const out = new Map<string, { count?: string; positives?: string }>();
    for (const g of groups) {
      const name = str(g, 'group') ?? '';
      const steps: Step[] = [...base, { list: 'groups', key: 'group', name }];
      const count = this.q([...steps, 'count'], 'count');
      // Without a label, `positives` are null everywhere: nothing is hidden there.
      const positives = this.labelled ? this.q([...steps, 'positives'], 'positives', true) : undefined;
      out.set(name, { ...(count ? { count } : {}), ...(positives ? { positives } : {}) });
      if (count && positives) {
        this.le('positives', `${path}/${name}: positives ≥ 0`, linear([positives, -1]));
        if (!this.weighted)
          this.le('positives', `${path}/${name}: positives ≤ count`, linear([positives, 1], [count, -1]));
      }
      if (count && total) this.shareRelations(g, count, total, `${path}/${name}`);
    }
    const counts = [...out.values()].map((c) => c.count);
    if (total && counts.every((c) => c !== undefined))
      this.eq('sum', `${path}: groups sum to the total`, plus(sumOf(counts), linear([total, -1])));
    return out;
  }

  private shareRelations(g: JsonObject, count: string, total: string, path: string): void {
    const share = num(g, 'share');
    const pi = num(g, 'referenceShare');
    const ci = interval(g, 'ci');
    if (typeof share === 'number') {
      this.eq('share', `${path}: count = share × total`, linear([count, 1], [total, -share]));
      return;
    }
    if (ci && !this.weighted) this.wilson('ci', path, count, linear([total, 1]), ci);
    const ratio = num(g, 'ratio');
    const difference = num(g, 'difference');
    if (typeof ratio === 'number' && typeof pi === 'number')
      this.eq('ratio', `${path}: count = ratio × π × total`, linear([count, 1], [total, -ratio * pi]));
    if (typeof difference === 'number' && typeof pi === 'number')
      this.eq(
        'difference',
        `${path}: count = (difference + π) × total`,
        linear([count, 1], [total, -(difference + pi)]),
      );
  }

  /**
   * A 95 % Wilson interval [c − h, c + h] of x successes in N has centre c = (x + z²/2)/(N + z²),
   * so x − c·N + z²(½ − c) = 0: linear in x and N.
   */
  private wilson(family: string, path: string, x: string, n: Linear, ci: readonly [number, number]): void {
    const c = (ci[0] + ci[1]) / 2;
    const z2 = Z_95 * Z_95;
    this.eq(family, `${path}: Wilson interval centre`, plus(linear([x, 1]), scaled(n, -c)), z2 * (0.5 - c));
  }

  /**
   * Label rows: positives + rows without a label ≤ count, rate × labelled rows (count − rows
   * without a label), Wilson interval of the rate, the label's overall rate × its labelled rows
   * (N − missing − other) as the sum of all positives, the rows without a label summing to
   * missing + other, class imbalance, DPL and DI against the rest (linear in the positives when
   * the labelled rows are known), and each group's share of the positive class. Copies before
   * issue #18 have no rows without a label: they count as 0.
   */
  private labels(
    a: JsonObject,
    base: readonly Step[],
    total: string | undefined,
    counts: Map<string, { count?: string; positives?: string }>,
  ): void {
    const labels = field(a, 'labels');
    if (!isObject(labels)) return;
    const name = str(a, 'name') ?? '';
    const lbase: Step[] = [...base, 'labels'];
    const rows = list(labels, 'groups');
    const positivesOf = new Map<string, string | undefined>();
    for (const row of rows) {
      const group = str(row, 'group') ?? '';
      positivesOf.set(
        group,
        this.q(
          [...lbase, { list: 'groups', key: 'group', name: group }, 'positives'],
          'positives',
          !this.weighted,
        ),
      );
    }
    const unlabelledOf = new Map<string, string | undefined>();
    for (const row of rows) {
      const group = str(row, 'group') ?? '';
      unlabelledOf.set(
        group,
        this.q(
          [...lbase, { list: 'groups', key: 'group', name: group }, 'unlabelled'],
          'positives',
          !this.weighted,
        ),
      );
    }
    // The attribute's rows without a label: missing + other (a copy before #18 has neither: 0).
    const margins = ['missing', 'otherValues']
      .map((key) => this.q([...lbase, key], 'aggregate', !this.weighted))
      .filter((id): id is string => id !== undefined);
    const all = [...positivesOf.values()];
    const allKnownIds = all.every((id) => id !== undefined) ? (all as string[]) : undefined;
    const unlabelledIds = [...unlabelledOf.values()].filter((id): id is string => id !== undefined);
    if (margins.length > 0 && unlabelledIds.length === rows.length)
      this.eq(
        'labels',
        `${name}: Σ rows without a label = missing + other`,
        plus(sumOf(unlabelledIds), sumOf(margins, -1)),
      );
    const rate = num(labels, 'positiveRate');
    const totalValue = total ? this.quantities.get(total)?.published : undefined;
    const marginValue = (id: string) => this.quantities.get(id)?.published;
    const unlabelledTotal = margins.every((id) => typeof marginValue(id) === 'number')
      ? margins.reduce((sum, id) => sum + (marginValue(id) as number), 0)
      : undefined;
    if (allKnownIds && total && typeof rate === 'number')
      this.eq(
        'labels',
        `${name}: positive rate × labelled rows = Σ positives`,
        plus(sumOf(allKnownIds), linear([total, -rate]), sumOf(margins, rate)),
      );
    for (const row of rows) {
      const group = str(row, 'group') ?? '';
      const path = `${name}/labels/${group}`;
      const p = positivesOf.get(group);
      const n = counts.get(group)?.count;
      const u = unlabelledOf.get(group);
      if (!p) continue;
      this.le('labels', `${path}: positives ≥ 0`, linear([p, -1]));
      if (u) this.le('labels', `${path}: rows without a label ≥ 0`, linear([u, -1]));
      const rowsPositives = counts.get(group)?.positives;
      if (!this.weighted && rowsPositives)
        this.eq('labels', `${path}: label positives = group positives`, linear([p, 1], [rowsPositives, -1]));
      if (!n) continue;
      this.le('labels', `${path}: positives + rows without a label ≤ count`, linear([p, 1], [u, 1], [n, -1]));
      // The labelled rows, count − rows without a label, as a linear form.
      const labelled = linear([n, 1], [u, -1]);
      const r = num(row, 'positiveRate');
      const ci = interval(row, 'ci');
      if (typeof r === 'number')
        this.eq(
          'labels',
          `${path}: positives = rate × labelled rows`,
          plus(linear([p, 1]), scaled(labelled, -r)),
        );
      else if (ci && !this.weighted) this.wilson('labels', path, p, labelled, ci);
      const imbalance = num(row, 'classImbalance');
      // CI = (n_rest − n)/(n_rest + n) = (T − 2n)/T.
      if (typeof imbalance === 'number' && total)
        this.eq('labels', `${path}: class imbalance`, linear([n, 2], [total, -(1 - imbalance)]));
      const uValue = u ? this.quantities.get(u)?.published : 0;
      const countValue = this.quantities.get(n)?.published;
      if (!allKnownIds || typeof countValue !== 'number' || typeof totalValue !== 'number') continue;
      if (typeof uValue !== 'number' || (margins.length > 0 && unlabelledTotal === undefined)) continue;
      const nValue = countValue - uValue;
      const rest = totalValue - (unlabelledTotal ?? 0) - nValue;
      if (!(rest > 0) || !(nValue > 0)) continue;
      // q_rest − q = DPL with q_rest = (Σ positives − p)/(T − n) and q = p/n.
      const dpl = num(row, 'dpl');
      if (typeof dpl === 'number') {
        this.eq(
          'labels',
          `${path}: DPL`,
          plus(sumOf(allKnownIds, 1 / rest), linear([p, -1 / rest - 1 / nValue])),
          -dpl,
        );
      }
      // q = DI × q_rest.
      const di = num(row, 'disparateImpact');
      if (typeof di === 'number') {
        this.eq(
          'labels',
          `${path}: DI`,
          plus(linear([p, 1 / nValue + di / rest]), sumOf(allKnownIds, -di / rest)),
        );
      }
    }
    const composition = field(labels, 'positiveComposition');
    if (allKnownIds && isObject(composition)) {
      for (const entry of list(composition, 'groups')) {
        const group = str(entry, 'group') ?? '';
        const share = num(entry, 'share');
        const p = positivesOf.get(group);
        if (p && typeof share === 'number')
          this.eq(
            'labels',
            `${name}/positive class/${group}: positives = share × Σ positives`,
            plus(linear([p, 1]), sumOf(allKnownIds, -share)),
          );
      }
    }
  }

  /**
   * An intersection: its cells sum to its total; each line along a dropped dimension sums to at
   * most the matching cell of every smaller table in the report (the attribute tables, or a
   * smaller intersection), and falls short by at most the rows missing or unmapped in the dropped
   * dimensions (rows with an invalid value in any attribute are outside the intersection).
   */
  private intersection(x: JsonObject, attributes: readonly JsonObject[]): void {
    const names = strings(x, 'attributes');
    const path = names.join(' × ');
    const total = this.q([...intersectionStep(names), 'total'], 'aggregate');
    const cells = this.groupTable(intersectionStep(names), list(x, 'groups'), total, path);
    const coords = new Map<string, string[]>();
    const known = names.map((n) =>
      byName(attributes, 'name', n)
        ? list(byName(attributes, 'name', n), 'groups').map((g) => str(g, 'group') ?? '')
        : [],
    );
    for (const name of cells.keys()) {
      const parts = splitKnown(name, known);
      if (parts) coords.set(name, parts);
    }
    const used = this.used();
    const invalidOf = (dropped: readonly string[]) => dropped.flatMap((d) => this.invalid(d));
    if (!this.weighted && total && used) {
      const invalid = invalidOf(names);
      if (invalid.length === 2 * names.length)
        this.le(
          'lines',
          `${path}: total ≥ rows.used − invalid rows`,
          plus(linear([used, 1]), sumOf(invalid, -1), linear([total, -1])),
        );
    }
    for (const sub of subTables(names, list(this.report, 'intersections'))) {
      const dropped = names.filter((n) => !sub.includes(n));
      const lines = new Map<string, string[]>();
      const counts = new Map<string, (string | undefined)[]>();
      const positives = new Map<string, (string | undefined)[]>();
      for (const [name, parts] of coords) {
        const key = sub.map((s) => parts[names.indexOf(s)]!).join('|');
        lines.set(key, [...(lines.get(key) ?? []), name]);
        counts.set(key, [...(counts.get(key) ?? []), cells.get(name)?.count]);
        positives.set(key, [...(positives.get(key) ?? []), cells.get(name)?.positives]);
      }
      const slack = invalidOf(dropped);
      const exactSlack = slack.length === 2 * dropped.length;
      for (const [key, members] of lines) {
        const margin = this.marginOf(sub, key, attributes);
        if (!margin) continue;
        const label = `${path}: line ${key} along ${dropped.join(', ')}`;
        const pairs: [string | undefined, (string | undefined)[]][] = [[margin.count, counts.get(key) ?? []]];
        if (!this.weighted) pairs.push([margin.positives, positives.get(key) ?? []]);
        for (const [marginId, memberIds] of pairs) {
          if (!marginId || memberIds.some((m) => m === undefined) || memberIds.length !== members.length)
            continue;
          this.le('lines', `${label} ≤ margin`, plus(sumOf(memberIds), linear([marginId, -1])));
          if (!this.weighted && exactSlack)
            this.le(
              'lines',
              `${label}: margin − line ≤ invalid rows`,
              plus(linear([marginId, 1]), sumOf(memberIds, -1), sumOf(slack, -1)),
            );
        }
      }
      const subTotal = this.totalOf(sub);
      if (total && subTotal)
        this.le('lines', `${path}: total ≤ total of ${sub.join(' × ')}`, linear([total, 1], [subTotal, -1]));
    }
  }

  private totalOf(names: readonly string[]): string | undefined {
    if (names.length === 1)
      return this.q([{ list: 'attributes', key: 'name', name: names[0]! }, 'total'], 'aggregate');
    return this.q([...intersectionStep(names), 'total'], 'aggregate');
  }

  /** The count and positives of the cell `key` (values joined by `|`) of the table over `names`. */
  private marginOf(
    names: readonly string[],
    key: string,
    attributes: readonly JsonObject[],
  ): { count?: string; positives?: string } | undefined {
    if (names.length === 1) {
      const name = names[0]!;
      if (!byName(list(byName(attributes, 'name', name), 'groups'), 'group', key)) return undefined;
      const steps: Step[] = [
        { list: 'attributes', key: 'name', name },
        { list: 'groups', key: 'group', name: key },
      ];
      const count = this.q([...steps, 'count'], 'count');
      const positives = this.labelled ? this.q([...steps, 'positives'], 'positives', true) : undefined;
      return { ...(count ? { count } : {}), ...(positives ? { positives } : {}) };
    }
    const x = list(this.report, 'intersections').find(
      (i) => strings(i, 'attributes').join('|') === names.join('|'),
    );
    if (!x || !byName(list(x, 'groups'), 'group', key)) return undefined;
    const steps: Step[] = [...intersectionStep(names), { list: 'groups', key: 'group', name: key }];
    const count = this.q([...steps, 'count'], 'count');
    const positives = this.labelled ? this.q([...steps, 'positives'], 'positives', true) : undefined;
    return { ...(count ? { count } : {}), ...(positives ? { positives } : {}) };
  }

  /**
   * Sources: source totals (share × their sum), each attribute's group × source table (share ×
   * row sum), rows summing to at most the group's count and columns to at most the source's total,
   * short by at most the rows without a source or without a valid group. The largest share bounds
   * every source total.
   */
  private sources(attributes: readonly JsonObject[]): void {
    const sources = field(this.report, 'sources');
    if (!isObject(sources)) return;
    const totals = new Map<string, string | undefined>();
    for (const s of list(sources, 'groups')) {
      const name = str(s, 'source') ?? '';
      totals.set(name, this.q(['sources', { list: 'groups', key: 'source', name }, 'count'], 'source'));
    }
    const totalIds = [...totals.values()];
    const all = totalIds.every((id) => id !== undefined) ? (totalIds as string[]) : undefined;
    const used = this.used();
    if (all) {
      for (const s of list(sources, 'groups')) {
        const name = str(s, 'source') ?? '';
        const share = num(s, 'share');
        const id = totals.get(name)!;
        if (typeof share === 'number')
          this.eq(
            'sources',
            `sources/${name}: count = share × Σ sources`,
            plus(linear([id, 1]), sumOf(all, -share)),
          );
        const largest = num(sources, 'largestShare');
        if (typeof largest === 'number')
          this.le(
            'sources',
            `sources/${name}: count ≤ largest share × Σ sources`,
            plus(linear([id, 1]), sumOf(all, -largest)),
          );
      }
      if (!this.weighted && used)
        this.le('sources', 'sources: Σ sources ≤ rows.used', plus(sumOf(all), linear([used, -1])));
    }
    for (const table of list(sources, 'attributes')) {
      const attribute = str(table, 'name') ?? '';
      const tbase: Step[] = ['sources', { list: 'attributes', key: 'name', name: attribute }];
      const columns = new Map<string, string[]>();
      const invalid = this.invalid(attribute);
      for (const row of list(table, 'groups')) {
        const group = str(row, 'group') ?? '';
        const rbase: Step[] = [...tbase, { list: 'groups', key: 'group', name: group }];
        const cells: string[] = [];
        for (const entry of list(row, 'sources')) {
          const source = str(entry, 'source') ?? '';
          const id = this.q([...rbase, { list: 'sources', key: 'source', name: source }, 'count'], 'source');
          if (!id) continue;
          cells.push(id);
          columns.set(source, [...(columns.get(source) ?? []), id]);
        }
        for (const entry of list(row, 'sources')) {
          const share = num(entry, 'share');
          const id = this.q(
            [...rbase, { list: 'sources', key: 'source', name: str(entry, 'source') ?? '' }, 'count'],
            'source',
          );
          if (id && typeof share === 'number')
            this.eq(
              'sources',
              `sources/${attribute}/${group}: cell = share × row`,
              plus(linear([id, 1]), sumOf(cells, -share)),
            );
        }
        const margin = this.marginOf([attribute], group, attributes)?.count;
        if (!margin) continue;
        this.le(
          'sources',
          `sources/${attribute}/${group}: row ≤ group count`,
          plus(sumOf(cells), linear([margin, -1])),
        );
        if (!this.weighted && all && used)
          this.le(
            'sources',
            `sources/${attribute}/${group}: group − row ≤ rows without a source`,
            plus(linear([margin, 1]), sumOf(cells, -1), linear([used, -1]), sumOf(all)),
          );
      }
      for (const [source, cells] of columns) {
        const id = totals.get(source);
        if (!id) continue;
        this.le(
          'sources',
          `sources/${attribute}/${source}: column ≤ source total`,
          plus(sumOf(cells), linear([id, -1])),
        );
        if (!this.weighted && invalid.length === 2)
          this.le(
            'sources',
            `sources/${attribute}/${source}: total − column ≤ invalid rows`,
            plus(linear([id, 1]), sumOf(cells, -1), sumOf(invalid, -1)),
          );
      }
    }
  }

  /**
   * Raking rows: the rows valid in every raked attribute whose groups all have a reference share.
   * With an intersection over exactly the raked attributes it is that table's total less its cells
   * in an unreferenced group; otherwise it is bounded by each attribute's referenced groups and by
   * rows.used less the invalid and unreferenced rows of every raked attribute.
   */
  private correction(attributes: readonly JsonObject[]): void {
    const correction = field(this.report, 'correction');
    if (!isObject(correction) || this.weighted) return;
    const rows = this.q(['correction', 'rows'], 'aggregate', true);
    if (!rows) return;
    const raked = strings(correction, 'attributes');
    const unreferenced = new Map<string, Set<string>>();
    for (const name of raked) {
      const groups = list(byName(attributes, 'name', name), 'groups');
      unreferenced.set(
        name,
        new Set(groups.filter((g) => num(g, 'referenceShare') === null).map((g) => str(g, 'group') ?? '')),
      );
    }
    const x = list(this.report, 'intersections').find((i) => sameSet(strings(i, 'attributes'), raked));
    if (x) {
      const names = strings(x, 'attributes');
      const known = names.map((n) =>
        list(byName(attributes, 'name', n), 'groups').map((g) => str(g, 'group') ?? ''),
      );
      const total = this.q([...intersectionStep(names), 'total'], 'aggregate');
      const excluded = list(x, 'groups')
        .map((g) => str(g, 'group') ?? '')
        .filter((cell) => splitKnown(cell, known)?.some((v, d) => unreferenced.get(names[d]!)?.has(v)))
        .map((cell) =>
          this.q(
            [...intersectionStep(names), { list: 'groups', key: 'group', name: cell }, 'count'],
            'count',
          ),
        );
      if (total && excluded.every((id) => id !== undefined)) {
        this.eq(
          'correction',
          'correction.rows = raked table total − unreferenced cells',
          plus(linear([rows, 1], [total, -1]), sumOf(excluded)),
        );
        return;
      }
    }
    const used = this.used();
    const lost: (string | undefined)[] = [];
    for (const name of raked) {
      const groups = list(byName(attributes, 'name', name), 'groups').map((g) => str(g, 'group') ?? '');
      const counts = groups.map((g) => [g, this.marginOf([name], g, attributes)?.count] as const);
      const referenced = counts.filter(([g]) => !unreferenced.get(name)?.has(g)).map(([, id]) => id);
      if (referenced.every((id) => id !== undefined))
        this.le(
          'correction',
          `correction.rows ≤ referenced rows of ${name}`,
          plus(linear([rows, 1]), sumOf(referenced, -1)),
        );
      lost.push(
        ...this.invalid(name),
        ...counts.filter(([g]) => unreferenced.get(name)?.has(g)).map(([, id]) => id),
      );
      if (this.invalid(name).length !== 2) lost.push(undefined);
    }
    if (used && lost.every((id) => id !== undefined))
      this.le(
        'correction',
        'correction.rows ≥ rows.used − invalid and unreferenced rows',
        plus(linear([used, 1]), sumOf(lost, -1), linear([rows, -1])),
      );
  }
}

function intersectionStep(names: readonly string[]): Step[] {
  return [{ list: 'intersections', key: INTERSECTION_KEY, name: names.join('|') }];
}

/** Intersections are named by their attribute list; `readQuantity` resolves this pseudo-key. */
const INTERSECTION_KEY = 'attributes';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Every table of the report over a proper, non-empty subset of `names` with one fewer dimension or a single attribute. */
function subTables(names: readonly string[], intersections: readonly JsonObject[]): string[][] {
  const out: string[][] = names.map((n) => [n]);
  if (names.length < 3) return out;
  for (const x of intersections) {
    const attrs = strings(x, 'attributes');
    if (attrs.length < names.length && attrs.length >= 2 && attrs.every((a) => names.includes(a)))
      out.push(attrs);
  }
  return out;
}

/** Splits a cell name `a|b|…` into one known group per dimension (group names may contain `|`). */
export function splitKnown(name: string, known: readonly (readonly string[])[]): string[] | undefined {
  const [first, ...rest] = known;
  if (first === undefined) return undefined;
  if (rest.length === 0) return first.includes(name) ? [name] : undefined;
  for (let at = name.indexOf('|'); at !== -1; at = name.indexOf('|', at + 1)) {
    const head = name.slice(0, at);
    if (!first.includes(head)) continue;
    const tail = splitKnown(name.slice(at + 1), rest);
    if (tail) return [head, ...tail];
  }
  return undefined;
}

export interface RelationFailure {
  readonly relation: Relation;
  readonly residual: number;
}

/**
 * Substitutes values (by quantity id) into every relation and returns those that do not hold.
 * The self-check passes the exact private values: a relation that fails then is a wrong relation.
 */
export function failingRelations(
  system: RelationSystem,
  values: ReadonlyMap<string, number>,
): RelationFailure[] {
  const out: RelationFailure[] = [];
  for (const relation of system.relations) {
    let residual = relation.constant;
    let scale = Math.abs(relation.constant);
    let complete = true;
    for (const term of relation.terms) {
      const v = values.get(term.id);
      if (v === undefined) {
        complete = false;
        break;
      }
      residual += term.coefficient * v;
      scale += Math.abs(term.coefficient * v);
    }
    if (!complete) continue;
    const tolerance = 1e-9 * (1 + scale);
    const holds = relation.op === 'eq' ? Math.abs(residual) <= tolerance : residual <= tolerance;
    if (!holds) out.push({ relation, residual });
  }
  return out;
}

/** The private report's value of every quantity of the system. */
export function privateValues(system: RelationSystem, privateReport: Json): Map<string, number> {
  const out = new Map<string, number>();
  for (const q of system.quantities.values()) {
    const v = readQuantity(privateReport, q.steps);
    if (typeof v === 'number') out.set(q.id, v);
  }
  return out;
}

/** The published value of every stated quantity. */
export function publishedValues(system: RelationSystem): Map<string, number> {
  const out = new Map<string, number>();
  for (const q of system.quantities.values()) if (q.published !== null) out.set(q.id, q.published);
  return out;
}
