import { joinCell } from '../lake/cell-names.ts';
import { type CodedScanSink, NO_CODE, type RowValues } from '../scan/types.ts';
import { HintCounter, type IdentifierHint, mergeHints } from './identifier-hints.ts';
import { type IdentifierKind, identifierKindOfValue } from './identifiers.ts';
import { normaliseValue } from './normalise.ts';
import {
  type AttributePlan,
  type CountingPlan,
  type IntersectionPurpose,
  LABEL_NEGATIVE,
  type LabelPlan,
  type LabelState,
  labelStateOf,
  MAX_GROUPS_PER_ATTRIBUTE,
  tooManyGroups,
} from './plan.ts';
import { addToGroup, addToTally, emptyTally, type GroupCount, sortedGroups, type Tally } from './tally.ts';

export type { IdentifierHint } from './identifier-hints.ts';
export type { GroupCount } from './tally.ts';

export const PROFILE_SCHEMA_ID = 'repscope/profile@1';
/** How many malformed rows keep their line number and reason. */
export const MALFORMED_SAMPLE_LIMIT = 10;
/** How many rows are looked at for identifier-like values when the manifest opts in. */
export const IDENTIFIER_SAMPLE_ROWS = 200;

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

/**
 * Distinct values per column whose meaning (group, consent, label, weight) the builder remembers;
 * values past this many are worked out row by row, so memory stays bounded on free-text columns.
 */
export const VALUE_CACHE_LIMIT = 4096;

/** Group slots of a row: a group index ≥ 0, or one of these. */
const MISSING = -1;
const UNMAPPED = -2;
const UNRESOLVED = -3;
/** `IDENTIFIER - k`: a value that looks like identifier kind number k, counted as unmapped. */
const IDENTIFIER = -16;
const IDENTIFIER_KINDS: readonly IdentifierKind[] = [
  'email',
  'phone',
  'iban',
  'ip-address',
  'name',
  'national-id',
  'street-address',
  'birth-date',
];

/** Filter flags by code. */
const FLAG_UNKNOWN = 0;
const FLAG_YES = 1;
const FLAG_NO = 2;

/** The distinct values of one projected column, numbered in the order they were first seen. */
interface ColumnValues {
  readonly codes: Map<string, number>;
  readonly texts: string[];
}

interface AttributeState {
  readonly plan: AttributePlan;
  /** Index into CountingPlan.columns. */
  readonly column: number;
  /** Group names by group index; the known groups first. */
  readonly names: string[];
  readonly index: Map<string, number>;
  readonly tallies: Tally[];
  /** Group slot by value code (UNRESOLVED until first needed). */
  readonly byCode: Int32Array;
  missing: number;
  unmapped: number;
}

interface Cell {
  readonly groups: readonly number[];
  readonly tally: Tally;
}

/** Cells by group index of the first member, then of the next, …: a trie of arrays, leaves are cells. */
type CellTrie = (CellTrie | Cell | undefined)[];

interface IntersectionState {
  readonly members: readonly number[];
  readonly root: CellTrie;
  /** Every cell, in the order they were first seen. */
  readonly cells: Cell[];
  incomplete: number;
}

interface LabelFilterState {
  readonly plan: LabelPlan;
  readonly column: number;
  /** Label state by value code; -1 until first needed. */
  readonly byCode: Int8Array;
}

interface FilterState {
  readonly column: number;
  readonly values: ReadonlySet<string>;
  readonly byCode: Int8Array;
}

/**
 * Counts rows as a reader streams them. Use it as the reader's ScanSink.
 *
 * The hot path does no per-row string work: every distinct value of a column gets a code (the
 * CSV reader hands codes over directly, see CodedScanSink), and what a code means for each
 * attribute and filter is worked out once, with the same rules as before (normaliseValue, the
 * plan's lookups, bins, missing lists) and remembered for up to VALUE_CACHE_LIMIT values per column.
 */
export class ProfileBuilder implements CodedScanSink {
  private read = 0;
  private excludedNoConsent = 0;
  private malformedRows = 0;
  private readonly samples: { line: number; reason: string }[] = [];
  private readonly values: ColumnValues[];
  private readonly attributes: AttributeState[];
  private readonly intersections: IntersectionState[];
  private readonly consent: FilterState | null;
  private readonly label: LabelFilterState | null;
  private readonly weightColumn: number;
  private readonly weightByCode: Float64Array;
  private readonly weightKnown: Uint8Array;
  /** Group slot of each attribute for the current row; reused. */
  private readonly rowGroups: Int32Array;
  /** Codes for `row()`; reused. */
  private readonly rowCodeBuffer: Int32Array;
  private readonly hints = new HintCounter();
  private sampled = 0;

  constructor(private readonly plan: CountingPlan) {
    this.values = plan.columns.map(() => ({ codes: new Map(), texts: [] }));
    this.attributes = plan.attributes.map((a) => {
      const index = new Map<string, number>();
      const names: string[] = [];
      for (const group of a.knownGroups) {
        if (index.has(group)) continue;
        index.set(group, names.length);
        names.push(group);
      }
      return {
        plan: a,
        column: a.columnIndex,
        names,
        index,
        tallies: names.map(() => emptyTally()),
        byCode: new Int32Array(VALUE_CACHE_LIMIT).fill(UNRESOLVED),
        missing: 0,
        unmapped: 0,
      };
    });
    this.intersections = plan.intersections.map((x) => ({
      members: [...x.attributes],
      root: [],
      cells: [],
      incomplete: 0,
    }));
    const filter = (f: CountingPlan['consent']): FilterState | null =>
      f ? { column: f.columnIndex, values: f.values, byCode: new Int8Array(VALUE_CACHE_LIMIT) } : null;
    this.consent = filter(plan.consent);
    this.label = plan.label
      ? {
          plan: plan.label,
          column: plan.label.columnIndex,
          byCode: new Int8Array(VALUE_CACHE_LIMIT).fill(-1),
        }
      : null;
    this.weightColumn = plan.weight ? plan.weight.columnIndex : -1;
    this.weightByCode = new Float64Array(plan.weight ? VALUE_CACHE_LIMIT : 0);
    this.weightKnown = new Uint8Array(plan.weight ? VALUE_CACHE_LIMIT : 0);
    this.rowGroups = new Int32Array(plan.attributes.length);
    this.rowCodeBuffer = new Int32Array(plan.columns.length);
  }

  /** Records read so far, good and malformed (for progress reports). */
  get rowsRead(): number {
    return this.read;
  }

  codeOf(column: number, text: string): number {
    const values = this.values[column]!;
    const known = values.codes.get(text);
    if (known !== undefined) return known;
    if (values.texts.length >= VALUE_CACHE_LIMIT) return NO_CODE;
    const code = values.texts.length;
    values.texts.push(text);
    values.codes.set(text, code);
    return code;
  }

  row(values: RowValues, line: number): void {
    const codes = this.rowCodeBuffer;
    for (let k = 0; k < codes.length; k++) {
      const value = values[k];
      codes[k] = value == null ? NO_CODE : this.codeOf(k, value);
    }
    this.rowCodes(codes, values, line);
  }

  rowCodes(codes: Int32Array, values: RowValues, line: number): void {
    this.read += 1;
    let weight = 1;
    if (this.weightColumn >= 0) {
      weight = this.weightOf(codes[this.weightColumn]!, values);
      if (!(weight >= 0) || !Number.isFinite(weight)) {
        this.malformedRows += 1;
        this.sample(line, `weight in column '${this.plan.weight!.column}' is not a non-negative number`);
        return;
      }
    }
    if (this.plan.sampleValuesForIdentifiers && this.sampled < IDENTIFIER_SAMPLE_ROWS)
      this.sampleIdentifiers(codes, values);
    const consent = this.consent;
    if (consent !== null && !this.passes(consent, codes[consent.column]!, values)) {
      this.excludedNoConsent += 1;
      return;
    }
    const label = this.label;
    const labelState = label === null ? LABEL_NEGATIVE : this.labelState(label, codes[label.column]!, values);
    const attributes = this.attributes;
    const rowGroups = this.rowGroups;
    for (let i = 0; i < attributes.length; i++) {
      const a = attributes[i]!;
      const code = codes[a.column]!;
      let group = code >= 0 ? a.byCode[code]! : UNRESOLVED;
      if (group === UNRESOLVED) group = this.resolve(a, code, values);
      rowGroups[i] = group;
      if (group >= 0) addToTally(a.tallies[group]!, weight, labelState);
      else if (group === MISSING) a.missing += 1;
      else {
        a.unmapped += 1;
        if (group <= IDENTIFIER)
          this.hints.add(a.plan.column, IDENTIFIER_KINDS[IDENTIFIER - group]!, 'group-value');
      }
    }
    const intersections = this.intersections;
    for (let j = 0; j < intersections.length; j++) {
      const x = intersections[j]!;
      const members = x.members;
      const last = members.length - 1;
      let node = x.root;
      let cell: Cell | undefined;
      if (last < 0) {
        cell = x.cells[0];
        if (cell === undefined) {
          cell = { groups: [], tally: emptyTally() };
          x.cells.push(cell);
        }
      }
      for (let m = 0; m <= last; m++) {
        const group = rowGroups[members[m]!]!;
        if (group < 0) {
          node = [];
          break;
        }
        if (m === last) {
          cell = node[group] as Cell | undefined;
          if (cell === undefined) {
            cell = { groups: members.map((a) => rowGroups[a]!), tally: emptyTally() };
            node[group] = cell;
            x.cells.push(cell);
          }
        } else {
          let next = node[group] as CellTrie | undefined;
          if (next === undefined) {
            next = [];
            node[group] = next;
          }
          node = next;
        }
      }
      if (cell === undefined) x.incomplete += 1;
      else addToTally(cell.tally, weight, labelState);
    }
  }

  malformed(line: number, reason: string): void {
    this.read += 1;
    this.malformedRows += 1;
    this.sample(line, reason);
  }

  toProfile(): Profile {
    const plan = this.plan;
    return {
      schema: PROFILE_SCHEMA_ID,
      columns: [...plan.columns],
      rows: {
        read: this.read,
        used: this.read - this.malformedRows - this.excludedNoConsent,
        excludedNoConsent: this.excludedNoConsent,
        malformed: this.malformedRows,
      },
      attributes: this.attributes.map((a) => ({
        name: a.plan.name,
        column: a.plan.column,
        groups: sortedGroups(new Map(a.names.map((name, g) => [name, a.tallies[g]!]))),
        missing: a.missing,
        unmapped: a.unmapped,
      })),
      intersections: plan.intersections.map((x, j) => ({
        name: x.name,
        purpose: x.purpose,
        attributes: x.attributes.map((i) => plan.attributes[i]!.name),
        cells: sortedGroups(this.cellTallies(this.intersections[j]!)),
        incomplete: this.intersections[j]!.incomplete,
      })),
      malformedSamples: [...this.samples].sort((a, b) => a.line - b.line).slice(0, MALFORMED_SAMPLE_LIMIT),
      identifierHints: this.hints.hints(this.sampled),
    };
  }

  /** Cells by name (`female|18-24`); cells whose names coincide are added up. */
  private cellTallies(x: IntersectionState): Map<string, Tally> {
    const byName = new Map<string, Tally>();
    for (const cell of x.cells) {
      const name = joinCell(cell.groups.map((g, m) => this.attributes[x.members[m]!]!.names[g]!));
      addToGroup(byName, name, cell.tally);
    }
    return byName;
  }

  /** The group slot of a value the cache does not answer; remembers it when the value has a code. */
  private resolve(a: AttributeState, code: number, values: RowValues): number {
    const raw = code >= 0 ? this.values[a.column]!.texts[code]! : (values[a.column] ?? null);
    const group = groupOf(a.plan, raw);
    let slot: number;
    if (typeof group === 'number') slot = group;
    else {
      const known = a.index.get(group);
      if (known !== undefined) slot = known;
      else {
        // A new distinct value is about to become a published group name: never let an
        // identifier-looking value (e-mail, IBAN, IP, phone) do so. It can never join the groups
        // later (only this path adds groups), so the verdict is remembered with the code.
        const kind = a.plan.kind === 'values' ? identifierKindOfValue(group) : undefined;
        slot = kind ? IDENTIFIER - IDENTIFIER_KINDS.indexOf(kind) : this.addGroup(a, group);
      }
    }
    if (code >= 0) a.byCode[code] = slot;
    return slot;
  }

  private addGroup(a: AttributeState, group: string): number {
    if (a.names.length >= MAX_GROUPS_PER_ATTRIBUTE) throw tooManyGroups(a.plan);
    const slot = a.names.length;
    a.names.push(group);
    a.index.set(group, slot);
    a.tallies.push(emptyTally());
    return slot;
  }

  private passes(filter: FilterState, code: number, values: RowValues): boolean {
    if (code >= 0) {
      const flag = filter.byCode[code]!;
      if (flag !== FLAG_UNKNOWN) return flag === FLAG_YES;
      const yes = filter.values.has(normaliseValue(this.values[filter.column]!.texts[code]!));
      filter.byCode[code] = yes ? FLAG_YES : FLAG_NO;
      return yes;
    }
    const raw = values[filter.column];
    return raw != null && filter.values.has(normaliseValue(raw));
  }

  /** The label state of the row's label value, remembered per value code. */
  private labelState(label: LabelFilterState, code: number, values: RowValues): LabelState {
    if (code >= 0) {
      const known = label.byCode[code]!;
      if (known >= 0) return known as LabelState;
      const state = labelStateOf(label.plan, this.values[label.column]!.texts[code]!);
      label.byCode[code] = state;
      return state;
    }
    return labelStateOf(label.plan, values[label.column]);
  }

  private weightOf(code: number, values: RowValues): number {
    if (code >= 0) {
      if (this.weightKnown[code] === 1) return this.weightByCode[code]!;
      const weight = parseNumber(this.values[this.weightColumn]!.texts[code]!);
      this.weightByCode[code] = weight;
      this.weightKnown[code] = 1;
      return weight;
    }
    const raw = values[this.weightColumn];
    return raw == null ? Number.NaN : parseNumber(raw);
  }

  private sample(line: number, reason: string): void {
    if (this.samples.length < MALFORMED_SAMPLE_LIMIT) this.samples.push({ line, reason });
  }

  private sampleIdentifiers(codes: Int32Array, values: RowValues): void {
    this.sampled += 1;
    for (let c = 0; c < this.plan.columns.length; c++) {
      const code = codes[c]!;
      const value = code >= 0 ? this.values[c]!.texts[code]! : values[c];
      if (value == null) continue;
      const kind = identifierKindOfValue(value);
      if (!kind) continue;
      this.hints.add(this.plan.columns[c]!, kind, 'sample');
    }
  }
}

/**
 * The group limit of ProfileBuilder, applied to a merged profile: parts counted apart can each
 * stay under MAX_GROUPS_PER_ATTRIBUTE while together they pass it, which one pass would refuse.
 *
 * @throws InputError TOO_MANY_GROUPS, as ProfileBuilder would for the whole input
 */
export function checkGroupLimits(profile: Profile, plan: CountingPlan): void {
  plan.attributes.forEach((attribute, i) => {
    const groups = profile.attributes[i]?.groups.length ?? 0;
    if (groups > MAX_GROUPS_PER_ATTRIBUTE && groups > new Set(attribute.knownGroups).size) {
      throw tooManyGroups(attribute);
    }
  });
}

/** The group of one raw value, or MISSING / UNMAPPED. */
function groupOf(attribute: AttributePlan, raw: string | null): string | typeof MISSING | typeof UNMAPPED {
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
  for (const { group, ...tally } of [...a, ...b]) addToGroup(byGroup, group, tally);
  return sortedGroups(byGroup);
}
