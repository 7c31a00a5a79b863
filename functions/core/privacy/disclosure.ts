import * as z from 'zod';

/**
 * What publishing a field of the report can disclose about the people counted, declared beside
 * its zod definition in `report/schema.ts`. Suppression reads these tags instead of keeping its
 * own list of fields, so a field added to the schema is withheld with the cell it is computed
 * from without anyone remembering to list it; a test walks the schema and fails on any number
 * that carries no tag.
 *
 * - `public`: not computed from the dataset's rows (reference shares, thresholds, settings,
 *   degrees of freedom that only depend on how many groups there are).
 * - `cell`: a function of one cell's count (`of: 'count'`) or of its positives
 *   (`of: 'positives'`): withheld together with that cell.
 *   A `cell` field tagged `overTotal` is a ratio of the count to its table's total (a share, its
 *   interval, the ratio and difference to the reference, the test against it, class imbalance):
 *   beside a visible count it gives the total back, so it is also withheld once the total is.
 * - `margin`: a sum of cells that the report publishes as a total (N, missing, rows used).
 * - `spanning`: a statistic computed over several cells (χ², distances, diversity, weights):
 *   withheld while one of the cells it spans is hidden.
 */
export type Disclosure =
  | { readonly kind: 'public' }
  | { readonly kind: 'cell'; readonly of: CellPart; readonly overTotal?: true }
  | { readonly kind: 'margin' }
  | { readonly kind: 'spanning' };

/** Which count of a cell a `cell` field is computed from. */
export type CellPart = 'count' | 'positives';

/** The tags, keyed by schema instance. Not the global registry: tags stay out of the JSON Schema. */
export const disclosureRegistry = z.registry<Disclosure>();

/**
 * Tags a copy of `schema`. A copy, because the schema file reuses small instances (`num`,
 * `nullableShare`) in many places and a tag belongs to one field.
 */
function tagged<T extends z.ZodType>(schema: T, disclosure: Disclosure): T {
  const copy: z.ZodType = schema.clone();
  disclosureRegistry.add(copy, disclosure);
  return copy as T;
}

/** Not computed from the dataset's rows. */
export function publicValue<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'public' });
}

/** Computed from one cell's count: withheld with the cell. */
export function ofCount<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'cell', of: 'count' });
}

/** Computed from one cell's positives: withheld when they are hidden (and with the cell). */
export function ofPositives<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'cell', of: 'positives' });
}

/** Computed from one cell's count over its table's total: withheld with the cell or with the total. */
export function ofCountOverTotal<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'cell', of: 'count', overTotal: true });
}

/** A published sum of cells. */
export function margin<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'margin' });
}

/** Computed over several cells: withheld while one of them is hidden. */
export function spanning<T extends z.ZodType>(schema: T): T {
  return tagged(schema, { kind: 'spanning' });
}

/** The tag of a field's schema, or undefined when it has none. */
export function disclosureOf(schema: z.ZodType): Disclosure | undefined {
  return disclosureRegistry.get(schema);
}
