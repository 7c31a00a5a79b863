import { InputError } from '../errors.ts';
import type { RowValues, ScanSink } from '../scan/types.ts';
import { type IdentifierKind, identifierKindOfValue } from './identifiers.ts';
import { normaliseValue } from './normalise.ts';
import { type AttributePlan, type CountingPlan, type IntersectionPurpose, MAX_GROUPS_PER_ATTRIBUTE } from './plan.ts';
import { addToTally, emptyTally, mergeTally, type Tally } from './tally.ts';

export const PROFILE_SCHEMA_ID = 'repscope/profile@1';
/** How many malformed rows keep their line number and reason. */
export const MALFORMED_SAMPLE_LIMIT = 10;
/** How many rows are looked at for identifier-like values when the manifest opts in. */
export const IDENTIFIER_SAMPLE_ROWS = 200;

export interface GroupCount extends Tally {
  readonly group: string;
}

export interface AttributeCounts {
  readonly name: string;
  readonly column: string;
  /** Sorted by group id. */
  readonly groups: readonly GroupCount[];
  readonly missing: number;
  readonly unmapped: number;
}

export interface CellCounts {
  readonly name: string;
  readonly purpose: IntersectionPurpose;
  readonly attributes: readonly string[];
  /** Cells named `female|18-24`, sorted. */
  readonly cells: readonly GroupCount[];
  /** Rows where some attribute of the intersection was missing or unmapped. */
  readonly incomplete: number;
}

export interface RowCounts {
  /** Records read from the file, good and malformed. */
  readonly read: number;
  /** Records counted: read − malformed − excludedNoConsent. */
  readonly used: number;
  readonly excludedNoConsent: number;
  readonly malformed: number;
}

export interface IdentifierHint {
  readonly column: string;
  readonly kind: IdentifierKind;
  /**
   * `sample`: found in the opt-in value sample (matched of sampled rows). `group-value`: a value
   * that would have become a group name looked like an identifier, so it was counted as unmapped
   * instead (matched rows; sampled is 0).
   */
  readonly source: 'sample' | 'group-value';
  readonly matched: number;
  readonly sampled: number;
}

/**
 * Mergeable counts of one dataset (or one part of it). A commutative monoid: `emptyProfile(plan)`
 * is the identity and `mergeProfiles` is associative and commutative, so parts can be counted
 * anywhere and merged. JSON-serialisable.
 */
export interface Profile {
  readonly schema: typeof PROFILE_SCHEMA_ID;
  readonly columns: readonly string[];
  readonly rows: RowCounts;
  readonly attributes: readonly AttributeCounts[];
  readonly intersections: readonly CellCounts[];
  readonly malformedSamples: readonly { readonly line: number; readonly reason: string }[];
  readonly identifierHints: readonly IdentifierHint[];
}

const MISSING = -1;
const UNMAPPED = -2;

/** Counts rows as a reader streams them. Use it as the reader's ScanSink. */
export class ProfileBuilder implements ScanSink {
  private read = 0;
  private excludedNoConsent = 0;
  private malformedRows = 0;
  private readonly samples: { line: number; reason: string }[] = [];
  private readonly groupTallies: Map<string, Tally>[];
  private readonly missing: number[];
  private readonly unmapped: number[];
  private readonly cellTallies: Map<string, Tally>[];
  private readonly incomplete: number[];
  /** Per attribute, the group of the current row (or MISSING / UNMAPPED); reused per row. */
  private readonly rowGroups: (string | number)[];
  private readonly hintCounts = new Map<string, number>();
  private sampled = 0;

  constructor(private readonly plan: CountingPlan) {
    this.groupTallies = plan.attributes.map((a) => new Map(a.knownGroups.map((g) => [g, emptyTally()])));
    this.missing = plan.attributes.map(() => 0);
    this.unmapped = plan.attributes.map(() => 0);
    this.cellTallies = plan.intersections.map(() => new Map());
    this.incomplete = plan.intersections.map(() => 0);
    this.rowGroups = plan.attributes.map(() => MISSING);
  }

  row(values: RowValues, line: number): void {
    this.read += 1;
    const plan = this.plan;
    let weight = 1;
    if (plan.weight) {
      const raw = values[plan.weight.columnIndex];
      weight = raw == null ? Number.NaN : parseNumber(raw);
      if (!(weight >= 0) || !Number.isFinite(weight)) {
        this.malformedRows += 1;
        this.sample(line, `weight in column '${plan.weight.column}' is not a non-negative number`);
        return;
      }
    }
    if (plan.sampleValuesForIdentifiers && this.sampled < IDENTIFIER_SAMPLE_ROWS)
      this.sampleIdentifiers(values);
    if (plan.consent) {
      const raw = values[plan.consent.columnIndex];
      if (raw == null || !plan.consent.values.has(normaliseValue(raw))) {
        this.excludedNoConsent += 1;
        return;
      }
    }
    let positive = false;
    if (plan.label) {
      const raw = values[plan.label.columnIndex];
      positive = raw != null && plan.label.values.has(normaliseValue(raw));
    }
    for (let i = 0; i < plan.attributes.length; i++) {
      const attribute = plan.attributes[i]!;
      let group = groupOf(attribute, values[attribute.columnIndex] ?? null);
      if (attribute.kind === 'values' && typeof group === 'string' && !this.groupTallies[i]!.has(group)) {
        // A new distinct value is about to become a published group name: never let an
        // identifier-looking value (e-mail, IBAN, IP, phone) do so.
        const kind = identifierKindOfValue(group);
        if (kind) {
          this.hint(attribute.column, kind, 'group-value');
          group = UNMAPPED;
        }
      }
      this.rowGroups[i] = group;
      if (group === MISSING) this.missing[i]! += 1;
      else if (group === UNMAPPED) this.unmapped[i]! += 1;
      else addToTally(this.tallyFor(this.groupTallies[i]!, group as string, attribute), weight, positive);
    }
    for (let j = 0; j < plan.intersections.length; j++) {
      const members = plan.intersections[j]!.attributes;
      let cell = '';
      let complete = true;
      for (let m = 0; m < members.length; m++) {
        const group = this.rowGroups[members[m]!]!;
        if (typeof group === 'number') {
          complete = false;
          break;
        }
        cell = m === 0 ? group : `${cell}|${group}`;
      }
      if (!complete) {
        this.incomplete[j]! += 1;
        continue;
      }
      let tally = this.cellTallies[j]!.get(cell);
      if (!tally) {
        tally = emptyTally();
        this.cellTallies[j]!.set(cell, tally);
      }
      addToTally(tally, weight, positive);
    }
  }

  malformed(line: number, reason: string): void {
    this.read += 1;
    this.malformedRows += 1;
    this.sample(line, reason);
  }

  toProfile(): Profile {
    const plan = this.plan;
    const hints: IdentifierHint[] = [];
    for (const [key, matched] of this.hintCounts) {
      const [column, kind, source] = JSON.parse(key) as [string, IdentifierKind, IdentifierHint['source']];
      hints.push({ column, kind, source, matched, sampled: source === 'sample' ? this.sampled : 0 });
    }
    return {
      schema: PROFILE_SCHEMA_ID,
      columns: [...plan.columns],
      rows: {
        read: this.read,
        used: this.read - this.malformedRows - this.excludedNoConsent,
        excludedNoConsent: this.excludedNoConsent,
        malformed: this.malformedRows,
      },
      attributes: plan.attributes.map((a, i) => ({
        name: a.name,
        column: a.column,
        groups: sortedGroups(this.groupTallies[i]!),
        missing: this.missing[i]!,
        unmapped: this.unmapped[i]!,
      })),
      intersections: plan.intersections.map((x, j) => ({
        name: x.name,
        purpose: x.purpose,
        attributes: x.attributes.map((i) => plan.attributes[i]!.name),
        cells: sortedGroups(this.cellTallies[j]!),
        incomplete: this.incomplete[j]!,
      })),
      malformedSamples: [...this.samples].sort((a, b) => a.line - b.line).slice(0, MALFORMED_SAMPLE_LIMIT),
      identifierHints: hints.sort(compareHints),
    };
  }

  private tallyFor(tallies: Map<string, Tally>, group: string, attribute: AttributePlan): Tally {
    let tally = tallies.get(group);
    if (!tally) {
      if (tallies.size >= MAX_GROUPS_PER_ATTRIBUTE) {
        throw new InputError(
          'TOO_MANY_GROUPS',
          `column '${attribute.column}' (attribute ${attribute.name}) has more than ${MAX_GROUPS_PER_ATTRIBUTE} distinct values; expected a grouping column: declare groups or bins, or check the column name`,
        );
      }
      tally = emptyTally();
      tallies.set(group, tally);
    }
    return tally;
  }

  private sample(line: number, reason: string): void {
    if (this.samples.length < MALFORMED_SAMPLE_LIMIT) this.samples.push({ line, reason });
  }

  private sampleIdentifiers(values: RowValues): void {
    this.sampled += 1;
    for (let c = 0; c < this.plan.columns.length; c++) {
      const value = values[c];
      if (value == null) continue;
      const kind = identifierKindOfValue(value);
      if (!kind) continue;
      this.hint(this.plan.columns[c]!, kind, 'sample');
    }
  }

  private hint(column: string, kind: IdentifierKind, source: IdentifierHint['source']): void {
    const key = JSON.stringify([column, kind, source]);
    this.hintCounts.set(key, (this.hintCounts.get(key) ?? 0) + 1);
  }
}

/** The group of one raw value, or MISSING / UNMAPPED. */
function groupOf(attribute: AttributePlan, raw: string | null): string | number {
  if (raw === null) return MISSING;
  const key = normaliseValue(raw);
  if (attribute.missing.has(key)) return MISSING;
  if (attribute.kind === 'bins') {
    const x = parseNumber(key);
    if (Number.isNaN(x)) return UNMAPPED;
    const edges = attribute.binEdges;
    if (x < edges[0]!) return UNMAPPED;
    let bin = 0;
    while (bin + 1 < edges.length && x >= edges[bin + 1]!) bin += 1;
    return attribute.binLabels[bin]!;
  }
  const group = attribute.lookup.get(key);
  if (group !== undefined) return group;
  return attribute.kind === 'groups' ? UNMAPPED : key;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number, or NaN. Stricter than Number(): no hex, no empty string, no "Infinity". */
export function parseNumber(text: string): number {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : Number.NaN;
}

function sortedGroups(tallies: Map<string, Tally>): GroupCount[] {
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, t]) => ({ group, ...t }));
}

/** The identity of mergeProfiles for a plan. */
export function emptyProfile(plan: CountingPlan): Profile {
  return new ProfileBuilder(plan).toProfile();
}

/** Adds two profiles of the same plan. Associative and commutative. */
export function mergeProfiles(a: Profile, b: Profile): Profile {
  if (a.columns.join('\u0000') !== b.columns.join('\u0000') || a.attributes.length !== b.attributes.length) {
    throw new Error('mergeProfiles: the profiles were counted with different plans');
  }
  return {
    schema: PROFILE_SCHEMA_ID,
    columns: a.columns,
    rows: {
      read: a.rows.read + b.rows.read,
      used: a.rows.used + b.rows.used,
      excludedNoConsent: a.rows.excludedNoConsent + b.rows.excludedNoConsent,
      malformed: a.rows.malformed + b.rows.malformed,
    },
    attributes: a.attributes.map((x, i) => {
      const y = b.attributes[i]!;
      return {
        ...x,
        groups: mergeGroups(x.groups, y.groups),
        missing: x.missing + y.missing,
        unmapped: x.unmapped + y.unmapped,
      };
    }),
    intersections: a.intersections.map((x, j) => {
      const y = b.intersections[j]!;
      return { ...x, cells: mergeGroups(x.cells, y.cells), incomplete: x.incomplete + y.incomplete };
    }),
    malformedSamples: [...a.malformedSamples, ...b.malformedSamples]
      .sort((p, q) => p.line - q.line || (p.reason < q.reason ? -1 : 1))
      .slice(0, MALFORMED_SAMPLE_LIMIT),
    identifierHints: mergeHints(a.identifierHints, b.identifierHints),
  };
}

function mergeGroups(a: readonly GroupCount[], b: readonly GroupCount[]): GroupCount[] {
  const byGroup = new Map<string, Tally>();
  for (const g of [...a, ...b]) {
    const { group, ...tally } = g;
    const previous = byGroup.get(group);
    byGroup.set(group, previous ? mergeTally(previous, tally) : tally);
  }
  return sortedGroups(byGroup);
}

function mergeHints(a: readonly IdentifierHint[], b: readonly IdentifierHint[]): IdentifierHint[] {
  const byKey = new Map<string, IdentifierHint>();
  for (const h of [...a, ...b]) {
    const key = `${h.column}\u0000${h.kind}\u0000${h.source}`;
    const previous = byKey.get(key);
    byKey.set(
      key,
      previous ? { ...h, matched: previous.matched + h.matched, sampled: previous.sampled + h.sampled } : h,
    );
  }
  return [...byKey.values()].sort(compareHints);
}

function compareHints(x: IdentifierHint, y: IdentifierHint): number {
  const a = `${x.column}\u0000${x.kind}\u0000${x.source}`;
  const b = `${y.column}\u0000${y.kind}\u0000${y.source}`;
  return a < b ? -1 : a > b ? 1 : 0;
}
