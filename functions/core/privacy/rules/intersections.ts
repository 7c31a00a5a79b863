import {
  type GroupResult,
  type IntersectionResult,
  intersectionResultSchema,
  type Report,
  type Withheld,
} from '../../report/schema.ts';
import { parseIntersection } from '../cell-coords.ts';
import {
  type Cell,
  type CountCells,
  coordsKey,
  isSuppressed,
  type SectionRules,
  type SumSet,
  tableKey,
} from '../engine.ts';
import { withholdSpanning } from '../withhold.ts';
import { dropRows, hideMarkedGroups, withholdOverHiddenTotals } from './groups.ts';

/**
 * Intersections: a table's cells sum to its `total`, and each line of it (one dimension left
 * free) sums to the matching cell of the table one dimension smaller, which is usually an
 * attribute's group. Linking the lines to the attribute tables matters: without it, a group
 * hidden as a complement in the attribute table could be read back as the sum of its visible
 * intersection cells. The same sets hold for positives. A table with a hidden cell withholds its
 * statistics over several cells (BH-adjusted p-values).
 */
export const intersectionRules: SectionRules = {
  countSets: (report, counts) =>
    intersectionSets(report, (g) => counts.groups.get(g), lineShortfall(report, counts)),
  hideCounts: (report, state) => hideMarkedGroups(report.intersections, state.counts),
  positiveSets: (report, positives, counts) =>
    intersectionSets(report, (g) => positives.groups.get(g), lineShortfall(report, counts), ' (positives)'),
  withhold: (report) => {
    dropRows(report.intersections);
    withholdOverHiddenTotals(report.intersections);
    for (const intersection of report.intersections) {
      dropHiddenWorstCells(intersection);
      if (intersection.groups.some(isSuppressed)) withholdSpanning(intersectionResultSchema, intersection);
    }
  },
  withheld: (report) =>
    report.intersections
      .filter((x) => x.groups.some((g) => g.positives === null))
      .map(
        (x): Withheld => ({
          section: 'intersections',
          subject: x.attributes.join(' × '),
          reason: 'hidden-positives',
        }),
      ),
};

/**
 * Every intersection's set (its cells; `rules/totals.ts` adds the total) and its lines: for every
 * smaller table the report publishes over some of its attributes (each attribute, and each smaller
 * intersection), the cells that share a cell of that table sum to it, short by at most the rows
 * missing or unmapped in the dropped dimensions (`shortfall`). A line along one dimension whose
 * smaller table is not published keeps its cells only. `cellOf` picks the cell of a group (its
 * count, or its positives); a table with a group that has no such cell is left out.
 */
function intersectionSets(
  report: Report,
  cellOf: (g: GroupResult) => Cell | undefined,
  shortfallOf: (dropped: readonly string[]) => readonly Cell[] | 'any',
  suffix = '',
): SumSet[] {
  const lookup = cellsByTable(report, cellOf);
  const sets: SumSet[] = [];
  for (const { intersection, coords } of report.intersections.map((x) =>
    parseIntersection(x, report.attributes),
  )) {
    const names = intersection.attributes;
    const title = names.join(' × ');
    const cells = intersection.groups.map(cellOf);
    if (!cells.every((c) => c !== undefined)) continue;
    sets.push({ section: 'intersections', path: `${title}${suffix}`, members: cells });
    for (const sub of smallerTables(names, lookup)) {
      const dropped = names.filter((n) => !sub.includes(n));
      const margins = lookup.get(tableKey(sub));
      const lines = new Map<string, Cell[]>();
      coords.forEach((c, j) => {
        if (c === undefined) return;
        const key = coordsKey(
          sub,
          sub.map((n) => c[names.indexOf(n)] ?? ''),
        );
        lines.set(key, [...(lines.get(key) ?? []), cells[j]!]);
      });
      const where = {
        section: 'intersections',
        path: `${title} (line along ${dropped.join(', ')})${suffix}`,
      } as const;
      for (const [key, line] of lines) {
        const margin = margins?.get(key);
        sets.push(
          margin
            ? { ...where, members: [...line, margin], sum: margin, shortfall: shortfallOf(dropped) }
            : { ...where, members: line },
        );
      }
    }
  }
  return sets;
}

/** Per table (by `tableKey`), its cells by `coordsKey`. */
function cellsByTable(
  report: Report,
  cellOf: (g: GroupResult) => Cell | undefined,
): Map<string, Map<string, Cell>> {
  const lookup = new Map<string, Map<string, Cell>>();
  for (const attribute of report.attributes) {
    const byCoords = new Map<string, Cell>();
    for (const g of attribute.groups) {
      const cell = cellOf(g);
      if (cell) byCoords.set(coordsKey([attribute.name], [g.group]), cell);
    }
    lookup.set(tableKey([attribute.name]), byCoords);
  }
  for (const { intersection, coords } of report.intersections.map((x) =>
    parseIntersection(x, report.attributes),
  )) {
    const byCoords = new Map<string, Cell>();
    intersection.groups.forEach((g, j) => {
      const c = coords[j];
      const cell = cellOf(g);
      if (c !== undefined && cell) byCoords.set(coordsKey(intersection.attributes, c), cell);
    });
    lookup.set(tableKey(intersection.attributes), byCoords);
  }
  return lookup;
}

/**
 * The tables a line of the intersection over `names` can be summed to: every table one dimension
 * smaller (published or not), and every published table over fewer of its attributes.
 */
function smallerTables(names: readonly string[], lookup: ReadonlyMap<string, unknown>): string[][] {
  const oneSmaller = names.map((_, d) => names.filter((_, i) => i !== d));
  const published: string[][] = [];
  for (let mask = 1; mask < (1 << names.length) - 1; mask++) {
    const sub = names.filter((_, i) => (mask & (1 << i)) !== 0);
    if (sub.length < names.length - 1 && lookup.has(tableKey(sub))) published.push(sub);
  }
  return [...oneSmaller, ...published];
}

/**
 * The rows a line along `dropped` may miss: those missing or unmapped in a dropped attribute (row
 * counts; with weights nothing bounds the shortfall of a weight sum).
 */
export function lineShortfall(
  report: Report,
  counts: CountCells,
): (dropped: readonly string[]) => readonly Cell[] | 'any' {
  const weighted = report.attributes.some((a) => a.weights !== undefined);
  return (dropped) => {
    if (weighted) return 'any';
    const cells = dropped.flatMap((d) => [
      counts.totals.get(`${d}.missing`),
      counts.totals.get(`${d}.unmapped`),
    ]);
    return cells.every((c) => c !== undefined) ? (cells as Cell[]) : 'any';
  };
}

/** Worst cells name cells only, but a hidden cell listed among them would say it is extreme. */
function dropHiddenWorstCells(intersection: IntersectionResult): void {
  if (intersection.worstCells === undefined) return;
  const hidden = new Set(intersection.groups.filter(isSuppressed).map((g) => g.group));
  intersection.worstCells = intersection.worstCells.filter((name) => !hidden.has(name));
}
