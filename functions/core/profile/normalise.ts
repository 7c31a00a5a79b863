/** Values treated as "not given" when an attribute declares no `missing` list. */
export const DEFAULT_MISSING = ['', 'na', 'n/a', 'null', 'none', 'unknown'] as const;

/**
 * Values are compared case- and whitespace-insensitively: NFC, trimmed, inner runs of white
 * space folded to one space, lower-cased. "  Female " and "female" are the same value.
 */
export function normaliseValue(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}
