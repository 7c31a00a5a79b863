import type { IdentifierKind } from './identifiers.ts';

export interface IdentifierHint {
  readonly column: string;
  readonly kind: IdentifierKind;
  /**
   * `sample`: found in the opt-in value sample (matched of sampled rows). `group-value`: a value
   * that would have become a group name looked like an identifier, so it was counted as unmapped
   * instead (matched rows; sampled is 0).
   */
  readonly source: 'sample' | 'group-value';
  readonly matched: number;
  readonly sampled: number;
}

type HintId = Pick<IdentifierHint, 'column' | 'kind' | 'source'>;

function hintKey(h: HintId): string {
  return `${h.column}\u0000${h.kind}\u0000${h.source}`;
}

/** The order every profile lists its hints in: by column, kind, source. */
export function compareHints(x: IdentifierHint, y: IdentifierHint): number {
  const a = hintKey(x);
  const b = hintKey(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Matches per (column, kind, source), as the streaming builder and the grouping-sets reader
 * collect them; `hints(sampled)` gives the profile's list, where only `sample` hints carry the
 * number of sampled rows.
 */
export class HintCounter {
  private readonly byKey = new Map<string, HintId & { matched: number }>();

  add(column: string, kind: IdentifierKind, source: IdentifierHint['source'], matched = 1): void {
    const key = hintKey({ column, kind, source });
    const previous = this.byKey.get(key);
    if (previous) previous.matched += matched;
    else this.byKey.set(key, { column, kind, source, matched });
  }

  hints(sampled: number): IdentifierHint[] {
    return [...this.byKey.values()]
      .map((h) => ({ ...h, sampled: h.source === 'sample' ? sampled : 0 }))
      .sort(compareHints);
  }
}

/** The hints of two profiles added up (`mergeProfiles`). */
export function mergeHints(a: readonly IdentifierHint[], b: readonly IdentifierHint[]): IdentifierHint[] {
  const byKey = new Map<string, IdentifierHint>();
  for (const h of [...a, ...b]) {
    const key = hintKey(h);
    const previous = byKey.get(key);
    byKey.set(
      key,
      previous ? { ...h, matched: previous.matched + h.matched, sampled: previous.sampled + h.sampled } : h,
    );
  }
  return [...byKey.values()].sort(compareHints);
}
