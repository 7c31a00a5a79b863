import type { AttributeResult, IntersectionResult } from '../report/schema.ts';

/**
 * The one place that splits intersection cell names into one value per attribute, so that the
 * shared module for cell names (functions/core/compare/cells.ts) can replace it in one edit.
 */
export interface ParsedIntersection {
  readonly intersection: IntersectionResult;
  /** Per group, its value in each dimension; undefined when the name cannot be split. */
  readonly coords: (string[] | undefined)[];
}

/**
 * Splits cell names `a|b|…` into one value per attribute. Group names may themselves contain `|`,
 * so a split whose parts are all known groups of their attributes wins; a plain split on `|` is
 * the fallback. A name that fits neither stays out of the lines (it is still in the table's sum).
 */
export function parseIntersection(
  intersection: IntersectionResult,
  attributes: readonly AttributeResult[],
): ParsedIntersection {
  const known = intersection.attributes.map((name) => {
    const attribute = attributes.find((a) => a.name === name);
    return attribute ? new Set(attribute.groups.map((g) => g.group)) : undefined;
  });
  const n = intersection.attributes.length;
  const coords = intersection.groups.map((g) => {
    const strict = splitKnown(g.group, known);
    if (strict) return strict;
    const parts = g.group.split('|');
    return parts.length === n ? parts : undefined;
  });
  return { intersection, coords };
}

function splitKnown(name: string, known: readonly (ReadonlySet<string> | undefined)[]): string[] | undefined {
  const [first, ...rest] = known;
  if (rest.length === 0) return first?.has(name) ? [name] : undefined;
  for (let at = name.indexOf('|'); at !== -1; at = name.indexOf('|', at + 1)) {
    const head = name.slice(0, at);
    if (!first?.has(head)) continue;
    const tail = splitKnown(name.slice(at + 1), rest);
    if (tail) return [head, ...tail];
  }
  return undefined;
}
