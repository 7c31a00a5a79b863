/**
 * Untyped readers for a report as JSON. The attacker reads the published copy as data, not as a
 * `Report`: the publish side may change its shape (nullable totals, new sections), and whatever
 * number the copy states is published whatever the schema says about it.
 */
export type Json = unknown;
export type JsonObject = Record<string, Json>;

export function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function field(value: Json, key: string): Json {
  return isObject(value) ? value[key] : undefined;
}

/** A number, null (stated as hidden), or undefined (absent or not a number). */
export function num(value: Json, key: string): number | null | undefined {
  const v = field(value, key);
  if (v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function str(value: Json, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

export function list(value: Json, key: string): JsonObject[] {
  const v = field(value, key);
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function strings(value: Json, key: string): string[] {
  const v = field(value, key);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** The entry of `items` whose `key` is `name`. */
export function byName(items: readonly JsonObject[], key: string, name: string): JsonObject | undefined {
  return items.find((item) => item[key] === name);
}

/** A two-number interval `[low, high]`, or undefined. */
export function interval(value: Json, key: string): readonly [number, number] | undefined {
  const v = field(value, key);
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [low, high] = v as unknown[];
  return typeof low === 'number' && typeof high === 'number' ? [low, high] : undefined;
}
