/**
 * Values are compared case- and whitespace-insensitively: NFC, trimmed, inner runs of white
 * space folded to one space, lower-cased. "  Female " and "female" are the same value.
 */
export function normaliseValue(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}
