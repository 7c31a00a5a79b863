import { InputError } from '../errors.ts';
import type { AttributeSpec, Manifest } from '../manifest/schema.ts';
import { DEFAULT_MISSING, normaliseValue } from './normalise.ts';

export { DEFAULT_MISSING } from './normalise.ts';

/** An attribute with more distinct groups than this is not a grouping column (e.g. free text). */
export const MAX_GROUPS_PER_ATTRIBUTE = 1000;

/** The error of an attribute past MAX_GROUPS_PER_ATTRIBUTE, the same from every executor. */
export function tooManyGroups(attribute: Pick<AttributePlan, 'name' | 'column'>): InputError {
  return new InputError(
    'TOO_MANY_GROUPS',
    `column '${attribute.column}' (attribute ${attribute.name}) has more than ${MAX_GROUPS_PER_ATTRIBUTE} distinct values; expected a grouping column: declare groups or bins, or check the column name`,
  );
}

export type AttributeKind = 'groups' | 'bins' | 'values';

export interface AttributePlan {
  readonly name: string;
  readonly column: string;
  /** Index into CountingPlan.columns. */
  readonly columnIndex: number;
  readonly kind: AttributeKind;
  readonly reference: string | null;
  /** Normalised value → group id (declared groups, or the reference's groups for `values`). */
  readonly lookup: ReadonlyMap<string, string>;
  /** Lower bin edges, ascending, and their labels. */
  readonly binEdges: readonly number[];
  readonly binLabels: readonly string[];
  /** Normalised values that mean "not given". */
  readonly missing: ReadonlySet<string>;
  /** Groups reported even when empty: declared groups, bin labels, the reference's groups. */
  readonly knownGroups: readonly string[];
}

export interface FilterPlan {
  readonly column: string;
  readonly columnIndex: number;
  readonly values: ReadonlySet<string>;
}

/**
 * The label: `values` are the positive values. A row with no value or a value of `missing` has
 * no label; with `negative` declared, a value in neither list is "other". Both are left out of
 * the label metrics. Values are tried in this order: positive, negative, missing, other.
 */
export interface LabelPlan extends FilterPlan {
  /** Normalised negative values, or null: then every labelled value that is not positive is negative. */
  readonly negative: ReadonlySet<string> | null;
  /** Normalised values that mean "no label" (always holds the empty value). */
  readonly missing: ReadonlySet<string>;
}

/** What a row's label is; `addToTally` counts each. */
export const LABEL_NEGATIVE = 0;
export const LABEL_POSITIVE = 1;
export const LABEL_MISSING = 2;
export const LABEL_OTHER = 3;
export type LabelState =
  | typeof LABEL_NEGATIVE
  | typeof LABEL_POSITIVE
  | typeof LABEL_MISSING
  | typeof LABEL_OTHER;

/** The label state of a raw value (null: the row has no value), by the plan's lists. */
export function labelStateOf(label: LabelPlan, raw: string | null | undefined): LabelState {
  if (raw == null) return LABEL_MISSING;
  const key = normaliseValue(raw);
  if (label.values.has(key)) return LABEL_POSITIVE;
  if (label.negative?.has(key)) return LABEL_NEGATIVE;
  if (label.missing.has(key)) return LABEL_MISSING;
  return label.negative === null ? LABEL_NEGATIVE : LABEL_OTHER;
}

/**
 * Why cells are counted: `declared` intersections are reported; the others feed statistics
 * (`source`: an attribute by where rows came from; `strata`: an attribute by the CDD strata;
 * `raking`: the cross-table of every referenced attribute, for raking weights).
 */
export type IntersectionPurpose = 'declared' | 'source' | 'strata' | 'raking';

export interface IntersectionPlan {
  /** `sex_x_age_band` for declared ones; internal ones start with `_`. */
  readonly name: string;
  readonly attributes: readonly number[];
  readonly purpose: IntersectionPurpose;
}

/** The pseudo-attribute counting the manifest's `source` column. */
export const SOURCE_ATTRIBUTE = '_source';
/** Raking is skipped when the cross-table of referenced attributes could exceed this many cells. */
export const MAX_RAKING_CELLS = 100_000;

/** What to count, derived once from the manifest; both executors (stream, SQL) take it. */
export interface CountingPlan {
  /** The projection: the only columns any reader decodes. */
  readonly columns: readonly string[];
  readonly attributes: readonly AttributePlan[];
  readonly intersections: readonly IntersectionPlan[];
  readonly consent: FilterPlan | null;
  readonly label: LabelPlan | null;
  readonly weight: { readonly column: string; readonly columnIndex: number } | null;
  readonly sampleValuesForIdentifiers: boolean;
}

/** Groups of a reference attribute, used to map values when the manifest declares none. */
export type ReferenceGroups = (reference: string) => readonly string[] | undefined;

export function intersectionName(names: readonly string[]): string {
  return names.join('_x_');
}

/** Builds the counting plan. `referenceGroups` lets plain values map onto reference group names. */
export function buildPlan(
  manifest: Manifest,
  referenceGroups: ReferenceGroups = () => undefined,
): CountingPlan {
  const columns: string[] = [];
  const columnIndex = (column: string): number => {
    const at = columns.indexOf(column);
    if (at >= 0) return at;
    columns.push(column);
    return columns.length - 1;
  };
  const attributes: AttributePlan[] = manifest.attributes.map((spec) =>
    planAttribute(spec, columnIndex(spec.column), referenceGroups),
  );
  const filter = (column: string, values: readonly string[]): FilterPlan => ({
    column,
    columnIndex: columnIndex(column),
    values: new Set(values.map(normaliseValue)),
  });
  const consent = manifest.consent ? filter(manifest.consent.column, manifest.consent.granted) : null;
  const label: LabelPlan | null = manifest.label
    ? {
        ...filter(manifest.label.column, manifest.label.positive),
        negative: manifest.label.negative ? new Set(manifest.label.negative.map(normaliseValue)) : null,
        missing: new Set(['', ...(manifest.label.missing ?? DEFAULT_MISSING).map(normaliseValue)]),
      }
    : null;
  const weight = manifest.weight
    ? { column: manifest.weight, columnIndex: columnIndex(manifest.weight) }
    : null;
  const intersections: IntersectionPlan[] = manifest.intersections.map((names) => ({
    name: intersectionName(names),
    attributes: names.map((n) => attributes.findIndex((a) => a.name === n)),
    purpose: 'declared',
  }));
  const declared = attributes.length;
  if (manifest.source) {
    const sourceIndex = attributes.length;
    attributes.push({
      name: SOURCE_ATTRIBUTE,
      column: manifest.source.column,
      columnIndex: columnIndex(manifest.source.column),
      kind: 'values',
      reference: null,
      lookup: new Map(),
      binEdges: [],
      binLabels: [],
      missing: new Set([...DEFAULT_MISSING].map(normaliseValue)),
      knownGroups: [],
    });
    for (let i = 0; i < declared; i++) {
      intersections.push({
        name: `_source_by_${attributes[i]!.name}`,
        attributes: [i, sourceIndex],
        purpose: 'source',
      });
    }
  }
  const strata = manifest.label?.strata;
  if (strata !== undefined) {
    const strataIndex = attributes.findIndex((a) => a.name === strata);
    for (let i = 0; i < declared; i++) {
      if (i === strataIndex) continue;
      intersections.push({
        name: `_strata_by_${attributes[i]!.name}`,
        attributes: [i, strataIndex],
        purpose: 'strata',
      });
    }
  }
  const referenced = attributes.flatMap((a, i) => (i < declared && a.reference ? [i] : []));
  const cells = referenced.reduce(
    (n, i) => n * Math.max(1, attributes[i]!.knownGroups.length || MAX_GROUPS_PER_ATTRIBUTE),
    1,
  );
  if (manifest.correction.rake && referenced.length >= 2 && cells <= MAX_RAKING_CELLS) {
    intersections.push({ name: '_rake', attributes: referenced, purpose: 'raking' });
  }
  return {
    columns,
    attributes,
    intersections,
    consent,
    label,
    weight,
    sampleValuesForIdentifiers: manifest.privacy.sampleValuesForIdentifiers,
  };
}

function planAttribute(
  spec: AttributeSpec,
  columnIndex: number,
  referenceGroups: ReferenceGroups,
): AttributePlan {
  const missing = new Set([...(spec.missing ?? DEFAULT_MISSING)].map(normaliseValue));
  missing.add('');
  const base = {
    name: spec.name,
    column: spec.column,
    columnIndex,
    reference: spec.reference ?? null,
    missing,
  };
  if (spec.bins) {
    const labels = binLabels(spec.bins);
    return {
      ...base,
      kind: 'bins',
      lookup: new Map(),
      binEdges: spec.bins,
      binLabels: labels,
      knownGroups: labels,
    };
  }
  const lookup = new Map<string, string>();
  if (spec.groups) {
    // The manifest's schema has refused a value in two groups or in a group and missing.
    for (const [group, values] of Object.entries(spec.groups)) {
      for (const value of [group, ...values]) lookup.set(normaliseValue(value), group);
    }
    return {
      ...base,
      kind: 'groups',
      lookup,
      binEdges: [],
      binLabels: [],
      knownGroups: Object.keys(spec.groups),
    };
  }
  const fromReference = spec.reference ? (referenceGroups(spec.reference) ?? []) : [];
  for (const group of fromReference) lookup.set(normaliseValue(group), group);
  return { ...base, kind: 'values', lookup, binEdges: [], binLabels: [], knownGroups: [...fromReference] };
}

/** [0, 18, 25] → ["0-17", "18-24", "25+"]; non-integer edges use "a-<b". */
export function binLabels(edges: readonly number[]): string[] {
  return edges.map((low, i) => {
    const high = edges[i + 1];
    if (high === undefined) return `${low}+`;
    return Number.isInteger(low) && Number.isInteger(high) ? `${low}-${high - 1}` : `${low}-<${high}`;
  });
}

/**
 * Everything a profile's counts depend on besides the data, as one canonical text: the plan (its
 * lookups and sets in sorted order) and how the bytes are read (format, CSV options, table). Two
 * manifests, or one manifest against a revised reference, with the same fingerprint count the same
 * bytes into the same groups, so a kept profile can be compared again without reading the data.
 */
export function planFingerprint(
  plan: CountingPlan,
  reading: Pick<Manifest, 'format' | 'csv' | 'table'>,
): string {
  const { format = null, csv = null, table = null } = reading;
  return JSON.stringify(canonical({ plan, format, csv, table }));
}

/**
 * Maps as sorted entries, sets as sorted arrays, the rest as is: converted before JSON.stringify
 * rather than in a replacer, because a library may give Set a `toJSON` (which runs first).
 */
function canonical(value: unknown): unknown {
  const byKey = (a: readonly unknown[], b: readonly unknown[]) =>
    String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0;
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, canonical(v)]).sort(byKey);
  if (value instanceof Set) return [...value].map(canonical).sort();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
