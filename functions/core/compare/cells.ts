/**
 * Splits a cell name `a|b|c` into one group per dimension. Group names may themselves contain
 * `|`, so the split is guided by each dimension's known groups (longest match first).
 */
export function splitCell(name: string, dimensions: readonly (readonly string[])[]): string[] | null {
  const parts: string[] = [];
  let rest = name;
  for (let d = 0; d < dimensions.length; d++) {
    const last = d === dimensions.length - 1;
    const candidates = [...dimensions[d]!].sort((a, b) => b.length - a.length);
    const match = last
      ? candidates.find((g) => g === rest)
      : candidates.find((g) => rest.startsWith(`${g}|`));
    if (match === undefined) return null;
    parts.push(match);
    rest = last ? '' : rest.slice(match.length + 1);
  }
  return parts;
}
