import type { z } from 'zod';
import { type CellPart, type Disclosure, disclosureOf } from './disclosure.ts';

type Fields = Record<string, unknown>;

/**
 * Withholds every field of `value` whose tag in `schema` matches `select`: a nullable field
 * becomes null, an optional one is removed, an absent one stays absent. Fields are found by
 * their tags (see `disclosure.ts`), never listed here, so a field added to the schema with a tag
 * is withheld without touching this module.
 */
export function withholdTagged(
  schema: z.ZodObject,
  value: Fields,
  select: (disclosure: Disclosure) => boolean,
): void {
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const disclosure = disclosureOf(field);
    if (disclosure === undefined || !select(disclosure) || value[key] === undefined) continue;
    if (field.safeParse(null).success) value[key] = null;
    else delete value[key];
  }
}

/** Withholds the fields of a hidden cell computed from the given parts of it (its count, its positives). */
export function withholdCell(schema: z.ZodObject, value: Fields, parts: readonly CellPart[]): void {
  withholdTagged(schema, value, (d) => d.kind === 'cell' && parts.includes(d.of));
}

/** Withholds the fields of a visible cell that are ratios to its table's total, once that total is hidden. */
export function withholdOverTotal(schema: z.ZodObject, value: Fields): void {
  withholdTagged(schema, value, (d) => d.kind === 'cell' && d.overTotal === true);
}

/**
 * Withholds every statistic over several cells (tagged `spanning`) in `value` and in the objects
 * and arrays under it: a nullable field becomes null, a record or object of statistics keeps its
 * keys with null values, an optional one goes. Used on a table that has a hidden cell, since each
 * such statistic is one more equation on the hidden counts.
 */
export function withholdSpanning(schema: z.ZodType, value: unknown): void {
  const inner = unwrap(schema);
  if (Array.isArray(value)) {
    const element = (inner._zod.def as { element?: z.ZodType }).element;
    if (element) for (const item of value) withholdSpanning(element, item);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const def = inner._zod.def as { shape?: Record<string, z.ZodType>; catchall?: z.ZodType };
  if (def.shape === undefined) return;
  const fields = value as Fields;
  for (const key of Object.keys(fields)) {
    const field = def.shape[key] ?? def.catchall;
    if (field === undefined || fields[key] === undefined) continue;
    if (disclosureOf(field)?.kind === 'spanning') withholdField(field, fields, key);
    else withholdSpanning(field, fields[key]);
  }
}

function withholdField(field: z.ZodType, fields: Fields, key: string): void {
  const value = fields[key];
  if (field.safeParse(null).success) fields[key] = null;
  else if (value !== null && typeof value === 'object' && !Array.isArray(value))
    fields[key] = Object.fromEntries(Object.keys(value).map((k) => [k, null]));
  else delete fields[key];
}

/** The schema under optional, nullable and lazy wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; getter?: () => z.ZodType };
  if ((def.type === 'optional' || def.type === 'nullable') && def.innerType) return unwrap(def.innerType);
  if (def.type === 'lazy' && def.getter) return unwrap(def.getter());
  return schema;
}
