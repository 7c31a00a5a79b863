/**
 * Intersection cell names: the groups of a cell joined with `|` (`female|18-24`), the spelling of
 * DESIGN.md's joint reference attributes, of group_counts rows and of reports. Every module that
 * builds or reads a cell name goes through this pair, so there is one rule.
 *
 * Group names may themselves contain `|` (a value `a|b` of a `values` attribute, a declared group
 * name). Names are not escaped: they must match the references' spelling and stay readable. So a
 * name is split by the groups each dimension is known to have: a split whose every part is a
 * known group of its dimension. Where more than one split fits (only when a group name containing
 * `|` starts or ends like another group joined to a neighbour, e.g. `a` and `a|b` against `b|c`
 * and `c`), the split with the shortest first part wins, then the shortest second part, and so
 * on; the name is ambiguous and any rule must pick one. A dimension given as `undefined` has no
 * known groups: its part is any text without `|`.
 */
export const CELL_SEPARATOR = '|';

/** The name of the cell with one group per dimension. */
export function joinCell(groups: readonly string[]): string {
  return groups.join(CELL_SEPARATOR);
}

/** The known groups of one dimension of a cell, or undefined when they are not known. */
export type CellDimension = ReadonlySet<string> | readonly string[] | undefined;

/**
 * The groups of cell `name`, one per dimension, or null when no split fits (see the module
 * comment for names with `|` and ambiguity).
 */
export function splitCell(name: string, dimensions: readonly CellDimension[]): string[] | null {
  return splitFrom(name, dimensions.map(toMembership));
}

type Membership = (group: string) => boolean;

function toMembership(dimension: CellDimension): Membership {
  if (dimension === undefined) return (group) => !group.includes(CELL_SEPARATOR);
  const known = dimension instanceof Set ? dimension : new Set(dimension as readonly string[]);
  return (group) => known.has(group);
}

/** Left to right: the first `|` whose head is a known group and whose tail splits into the rest. */
function splitFrom(name: string, dimensions: readonly Membership[]): string[] | null {
  const [first, ...rest] = dimensions;
  if (first === undefined) return name === '' ? [] : null;
  if (rest.length === 0) return first(name) ? [name] : null;
  for (let at = name.indexOf(CELL_SEPARATOR); at !== -1; at = name.indexOf(CELL_SEPARATOR, at + 1)) {
    const head = name.slice(0, at);
    if (!first(head)) continue;
    const tail = splitFrom(name.slice(at + 1), rest);
    if (tail) return [head, ...tail];
  }
  return null;
}
