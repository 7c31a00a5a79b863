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
