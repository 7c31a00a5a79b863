import { splitCell } from '../lake/cell-names.ts';
import type { AttributeResult, ReportWarning, Sources } from '../report/schema.ts';
import { dominantSource, effectiveNumber, largestShare } from '../stats/index.ts';
import type { Cell } from './compare.ts';

/** Threshold above which one source "dominates" an attribute's under-represented groups. */
export const DOMINANT_SOURCE_SHARE = 0.5;
/**
 * …and by how much its share there must exceed its share of all rows. A source with half of all
 * rows naturally provides about half of any group; it dominates the under-represented groups only
 * when they lean on it more than the dataset as a whole does.
 */
export const DOMINANT_SOURCE_LIFT = 1.2;

/**
 * Per-source composition: rows per source, the largest source's share, the effective number of
 * sources (Hill q = 2), each attribute's group × source table, and whether one source provides
 * most rows of an attribute's under-represented groups.
 */
export function sourceComposition(
  column: string,
  sourceCells: readonly Cell[],
  attributes: readonly AttributeResult[],
  bySourceCells: (attribute: string) => readonly Cell[],
  warnings: ReportWarning[],
): Sources {
  // With weights, groups carry their rows (people) beside their weight sums: so do source cells.
  const weighted = attributes.some((a) => a.groups.some((g) => g.rows !== undefined));
  const rowsOf = (rows: number) => (weighted ? { rows } : {});
  const total = sourceCells.reduce((s, c) => s + c.count, 0);
  const sourceNames = sourceCells.map((c) => c.group);
  const counts = sourceCells.map((c) => c.count);
  return {
    column,
    groups: sourceCells.map((c) => ({
      source: c.group,
      count: c.count,
      ...rowsOf(c.rows),
      share: total > 0 ? c.count / total : null,
    })),
    largestShare: largestShare(counts).value,
    effectiveNumber: effectiveNumber(counts).value,
    attributes: attributes.map((a) => {
      const table = new Map<string, Map<string, number>>();
      const rowCounts = new Map<string, number>();
      for (const c of bySourceCells(a.name)) {
        const parts = splitCell(c.group, [a.groups.map((g) => g.group), sourceNames]);
        if (!parts) continue;
        const [group, source] = parts as [string, string];
        const row = table.get(group) ?? new Map<string, number>();
        row.set(source, (row.get(source) ?? 0) + c.count);
        table.set(group, row);
        const key = JSON.stringify([group, source]);
        rowCounts.set(key, (rowCounts.get(key) ?? 0) + c.rows);
      }
      const under = a.groups.filter((g) => g.status === 'under' && table.has(g.group));
      let dominant: Sources['attributes'][number]['dominantSource'] = null;
      if (under.length > 0) {
        const input: Record<string, Record<string, number>> = {};
        for (const g of under) input[g.group] = Object.fromEntries(table.get(g.group)!);
        const result = dominantSource(input, DOMINANT_SOURCE_SHARE);
        const overall = sourceCells.find((c) => c.group === result.source);
        const overallShare = overall && total > 0 ? overall.count / total : 0;
        if (
          result.dominant &&
          result.source !== null &&
          result.share !== null &&
          result.share >= DOMINANT_SOURCE_LIFT * overallShare
        ) {
          dominant = { source: result.source, share: result.share };
          warnings.push({
            code: 'dominant-source',
            path: a.name,
            message: `${a.name}: ${(result.share * 100).toFixed(0)} % of the rows of its under-represented groups (${under.map((g) => g.group).join(', ')}) come from source '${result.source}', which provides ${(overallShare * 100).toFixed(0)} % of all rows`,
          });
        }
      }
      return {
        name: a.name,
        dominantSource: dominant,
        groups: a.groups
          .filter((g) => table.has(g.group))
          .map((g) => {
            const row = table.get(g.group)!;
            const rowTotal = [...row.values()].reduce((s, x) => s + x, 0);
            return {
              group: g.group,
              sources: [...row.entries()]
                .sort(([x], [y]) => (x < y ? -1 : 1))
                .map(([source, count]) => ({
                  source,
                  count,
                  ...rowsOf(rowCounts.get(JSON.stringify([g.group, source])) ?? 0),
                  share: rowTotal > 0 ? count / rowTotal : null,
                })),
            };
          }),
      };
    }),
  };
}
