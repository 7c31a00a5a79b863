import { joinCell } from '../lake/cell-names.ts';
import type { SqlValue } from '../ports.ts';
import {
  EXCLUDED_NO_CONSENT,
  GROUP,
  GROUPING_SETS_COLUMNS,
  MALFORMED,
  MISSING,
  setKey,
  UNMAPPED,
  USED,
} from './grouping-sets-render.ts';
import { HintCounter, type IdentifierHint } from './identifier-hints.ts';
import { identifierKindOfValue } from './identifiers.ts';
import { type CountingPlan, MAX_GROUPS_PER_ATTRIBUTE, tooManyGroups } from './plan.ts';
import { emptyProfile, IDENTIFIER_SAMPLE_ROWS, type Profile } from './profile.ts';
import { addToGroup, emptyTally, sortedGroups, TALLY_FIELDS, type Tally } from './tally.ts';

/**
 * The rows of the grouping-sets statement (grouping-sets-render.ts) read back into the exact
 * `Profile` the streaming builder gives. See grouping-sets-sql.ts for the semantics.
 */

/** Options of {@link GroupingSetsProfileReader}. */
export interface GroupingSetsReadOptions {
  /**
   * Rows of {@link renderIdentifierSampleSql}, when the plan samples values for identifier hints.
   * @default - no `sample` hints (as if the plan did not opt in)
   */
  readonly identifierSample?: readonly Record<string, SqlValue>[];
}

/** What one row says about one attribute. */
type Classified =
  | { readonly kind: typeof GROUP; readonly group: string }
  | { readonly kind: typeof MISSING | typeof UNMAPPED }
  /** A `values` group that looks like an identifier: counted as unmapped, never published. */
  | { readonly kind: 'identifier'; readonly identifier: IdentifierHint['kind'] };

/**
 * Turns the rows of {@link renderGroupingSetsSql} into a `Profile`, one row at a time, so an
 * adapter can stream a large result: a column with too many distinct values fails with
 * TOO_MANY_GROUPS as soon as the limit is passed. Accepts counts as numbers, bigints or decimal
 * strings (Athena returns text).
 */
export class GroupingSetsProfileReader {
  private read = 0;
  private excludedNoConsent = 0;
  private malformed = 0;
  private readonly known: ReadonlySet<string>[];
  private readonly groups: Map<string, Tally>[];
  /** Per attribute, the groups seen that are not known groups (in attribute or cell rows). */
  private readonly extra: Set<string>[];
  private readonly missing: number[];
  private readonly unmapped: number[];
  private readonly cells: Map<string, Tally>[];
  private readonly incomplete: number[];
  /** Grouping-set key → the attribute it counts and the intersections it feeds. */
  private readonly attributeOfSet = new Map<string, number>();
  private readonly intersectionsOfSet = new Map<string, number[]>();
  private readonly hints = new HintCounter();
  /** Rows of the identifier sample looked at. */
  private sampled = 0;

  constructor(
    private readonly plan: CountingPlan,
    options: GroupingSetsReadOptions = {},
  ) {
    this.known = plan.attributes.map((a) => new Set(a.knownGroups));
    this.groups = plan.attributes.map((a) => new Map(a.knownGroups.map((g) => [g, emptyTally()])));
    this.extra = plan.attributes.map(() => new Set());
    this.missing = plan.attributes.map(() => 0);
    this.unmapped = plan.attributes.map(() => 0);
    this.cells = plan.intersections.map(() => new Map());
    this.incomplete = plan.intersections.map(() => 0);
    for (let i = 0; i < plan.attributes.length; i++) this.attributeOfSet.set(setKey([i]), i);
    plan.intersections.forEach((x, j) => {
      const key = setKey(x.attributes);
      this.intersectionsOfSet.set(key, [...(this.intersectionsOfSet.get(key) ?? []), j]);
    });
    if (options.identifierSample && plan.sampleValuesForIdentifiers) this.sample(options.identifierSample);
  }

  /** Adds one row of the grouping-sets statement. */
  add(row: Readonly<Record<string, SqlValue>>): void {
    const C = GROUPING_SETS_COLUMNS;
    const count = int(row, C.count);
    if (int(row, C.rowsSet) === 0) {
      const status = int(row, C.status);
      this.read += count;
      if (status === EXCLUDED_NO_CONSENT) this.excludedNoConsent += count;
      else if (status === MALFORMED) this.malformed += count;
      else if (status !== USED) throw new TypeError(`grouping-sets row: unexpected ${C.status} ${status}`);
      return;
    }
    const members = this.plan.attributes.flatMap((_, i) => (int(row, C.attributeSet(i)) === 0 ? [i] : []));
    const key = setKey(members);
    const attribute = this.attributeOfSet.get(key);
    const intersections = this.intersectionsOfSet.get(key) ?? [];
    if (attribute === undefined && intersections.length === 0) {
      throw new TypeError(`grouping-sets row: nothing groups by the attributes [${key}]`);
    }
    // Excluded and malformed rows carry no kind; the (row_status) set has counted them.
    if (members.some((i) => row[C.kind(i)] === null || row[C.kind(i)] === undefined)) return;
    const classified = new Map<number, Classified>();
    for (const i of members) classified.set(i, this.classify(i, row));
    const tally = tallyOf(row);
    if (attribute !== undefined) this.addToAttribute(attribute, classified.get(attribute)!, tally);
    for (const j of intersections) {
      const names: string[] = [];
      for (const i of this.plan.intersections[j]!.attributes) {
        const c = classified.get(i)!;
        if (c.kind !== GROUP) break;
        names.push(c.group);
      }
      if (names.length === this.plan.intersections[j]!.attributes.length) {
        addToGroup(this.cells[j]!, joinCell(names), tally);
      } else {
        this.incomplete[j]! += count;
      }
    }
  }

  toProfile(): Profile {
    const template = emptyProfile(this.plan);
    return {
      ...template,
      rows: {
        read: this.read,
        used: this.read - this.malformed - this.excludedNoConsent,
        excludedNoConsent: this.excludedNoConsent,
        malformed: this.malformed,
      },
      attributes: template.attributes.map((a, i) => ({
        ...a,
        groups: sortedGroups(this.groups[i]!),
        missing: this.missing[i]!,
        unmapped: this.unmapped[i]!,
      })),
      intersections: template.intersections.map((x, j) => ({
        ...x,
        cells: sortedGroups(this.cells[j]!),
        incomplete: this.incomplete[j]!,
      })),
      // SQL has no line numbers: the number of malformed rows is exact, samples cannot be given.
      malformedSamples: [],
      identifierHints: this.hints.hints(this.sampled),
    };
  }

  private classify(i: number, row: Readonly<Record<string, SqlValue>>): Classified {
    const C = GROUPING_SETS_COLUMNS;
    const kind = int(row, C.kind(i));
    if (kind === MISSING || kind === UNMAPPED) return { kind };
    if (kind !== GROUP) throw new TypeError(`grouping-sets row: unexpected ${C.kind(i)} ${kind}`);
    const group = row[C.group(i)];
    if (typeof group !== 'string') throw new TypeError(`grouping-sets row: expected text in ${C.group(i)}`);
    const attribute = this.plan.attributes[i]!;
    const known = this.known[i]!;
    if (known.has(group)) return { kind, group };
    if (attribute.kind === 'values') {
      const identifier = identifierKindOfValue(group);
      if (identifier) return { kind: 'identifier', identifier };
    }
    const extra = this.extra[i]!;
    if (!extra.has(group)) {
      extra.add(group);
      if (known.size + extra.size > MAX_GROUPS_PER_ATTRIBUTE) throw tooManyGroups(attribute);
    }
    return { kind, group };
  }

  private addToAttribute(i: number, c: Classified, tally: Tally): void {
    switch (c.kind) {
      case GROUP:
        addToGroup(this.groups[i]!, c.group, tally);
        return;
      case MISSING:
        this.missing[i]! += tally.count;
        return;
      case UNMAPPED:
        this.unmapped[i]! += tally.count;
        return;
      case 'identifier':
        this.unmapped[i]! += tally.count;
        this.hints.add(this.plan.attributes[i]!.column, c.identifier, 'group-value', tally.count);
        return;
    }
  }

  /** `sample` hints: like the builder, every projected value of the sampled rows is looked at. */
  private sample(rows: readonly Readonly<Record<string, SqlValue>>[]): void {
    this.sampled = Math.min(rows.length, IDENTIFIER_SAMPLE_ROWS);
    for (const row of rows.slice(0, this.sampled)) {
      this.plan.columns.forEach((column, c) => {
        const value = row[GROUPING_SETS_COLUMNS.sampleValue(c)];
        if (typeof value !== 'string') return;
        const kind = identifierKindOfValue(value);
        if (kind) this.hints.add(column, kind, 'sample');
      });
    }
  }
}

/** Reads all rows of {@link renderGroupingSetsSql} into the profile the streaming builder gives. */
export function profileFromGroupingSetsRows(
  plan: CountingPlan,
  rows: Iterable<Readonly<Record<string, SqlValue>>>,
  options: GroupingSetsReadOptions = {},
): Profile {
  const reader = new GroupingSetsProfileReader(plan, options);
  for (const row of rows) reader.add(row);
  return reader.toProfile();
}

/** The counters of a row, one column per field of TALLY_FIELDS. */
function tallyOf(row: Readonly<Record<string, SqlValue>>): Tally {
  const t = emptyTally();
  for (const { key } of TALLY_FIELDS) t[key] = num(row, GROUPING_SETS_COLUMNS[key]);
  return t;
}

/** A number from a number, bigint or decimal text; SQL NULL (an empty sum) is 0; -0 becomes 0. */
function num(row: Readonly<Record<string, SqlValue>>, key: string): number {
  const v: unknown = row[key];
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`grouping-sets row: expected a number in ${key}`);
  }
  return n + 0;
}

function int(row: Readonly<Record<string, SqlValue>>, key: string): number {
  const n = num(row, key);
  if (!Number.isInteger(n)) throw new TypeError(`grouping-sets row: expected an integer in ${key}`);
  return n;
}
