/**
 * The text a profile counts for a scalar value, shared by the JSON Lines and Parquet readers:
 * strings as they are, numbers and bigints with String(), booleans as 'true' / 'false', dates as
 * ISO 8601, null, undefined and an empty object `{}` as null (the scan contract in types.ts).
 * Other objects, arrays and invalid dates give `undefined`: the caller reports the record as
 * malformed with {@link describeNonScalar}.
 */
export function scalarText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      if (Object.getPrototypeOf(value) === Object.prototype && Object.keys(value as object).length === 0) {
        return null;
      }
      return undefined;
  }
}

/** Names the kind of a value {@link scalarText} refused, for a malformed-record reason (no data). */
export function describeNonScalar(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'an invalid date';
  if (value instanceof Uint8Array) return 'binary data';
  return 'an object';
}

/** Names the JSON type of a parsed value: "an array", "a string", "null", … */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
