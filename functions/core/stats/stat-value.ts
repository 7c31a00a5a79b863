/**
 * A statistic that may not be computable. When `value` is null, `reason` says why in plain words.
 * `value` is never NaN or ±Infinity.
 */
export type StatValue = {
  readonly value: number | null;
  readonly reason?: string;
};

/** Wraps a computed number; a non-finite result becomes null with a reason rather than leaking. */
export function statValue(value: number): StatValue {
  return Number.isFinite(value) ? { value } : { value: null, reason: `result is not finite (${value})` };
}

/** A statistic that cannot be computed, with the reason. */
export function notComputed(reason: string): StatValue {
  return { value: null, reason };
}
