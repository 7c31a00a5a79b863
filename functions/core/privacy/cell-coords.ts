import { splitCell } from '../lake/cell-names.ts';
import type { AttributeResult, IntersectionResult } from '../report/schema.ts';

/** Intersection cell names split into one value per attribute, by the one cell-name module. */
export interface ParsedIntersection {
  readonly intersection: IntersectionResult;
  /** Per group, its value in each dimension; undefined when the name cannot be split. */
  readonly coords: (string[] | undefined)[];
}

/**
 * Splits cell names `a|b|…` into one value per attribute (functions/core/lake/cell-names.ts): a
 * split into known groups of each attribute wins; failing that, parts without `|`. A name that fits
 * neither stays out of the lines (it is still in the table's sum).
 */
export function parseIntersection(
  intersection: IntersectionResult,
  attributes: readonly AttributeResult[],
): ParsedIntersection {
  const known = intersection.attributes.map((name) => {
    const attribute = attributes.find((a) => a.name === name);
    return attribute ? new Set(attribute.groups.map((g) => g.group)) : undefined;
  });
  const unknown = known.map(() => undefined);
  const coords = intersection.groups.map(
    (g) => splitCell(g.group, known) ?? splitCell(g.group, unknown) ?? undefined,
  );
  return { intersection, coords };
}
