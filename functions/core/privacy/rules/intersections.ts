import {
  type GroupResult,
  type IntersectionResult,
  intersectionResultSchema,
  type Report,
  type Withheld,
} from '../../report/schema.ts';
import { parseIntersection } from '../cell-coords.ts';
import { type Cell, coordsKey, isSuppressed, type SectionRules, type SumSet, tableKey } from '../engine.ts';
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
  countSets: (report, counts) => intersectionSets(report, (g) => counts.groups.get(g)),
  hideCounts: (report, state) => hideMarkedGroups(report.intersections, state.counts),
  positiveSets: (report, positives) =>
    intersectionSets(report, (g) => positives.groups.get(g), ' (positives)'),
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
 * Every intersection's set (sum: `total`) and its lines (sum: the matching cell of the table
 * without that dimension, when the report has that table). `cellOf` picks the cell of a group (its
 * count, or its positives); a table with a group that has no such cell is left out, and a line
 * whose margin has none keeps its cells only.
 */
function intersectionSets(
  report: Report,
  cellOf: (g: GroupResult) => Cell | undefined,
  suffix = '',
): SumSet[] {
  const lookup = new Map<string, Map<string, Cell>>();
  for (const attribute of report.attributes) {
    const byCoords = new Map<string, Cell>();
    for (const g of attribute.groups) {
      const cell = cellOf(g);
      if (cell) byCoords.set(coordsKey([attribute.name], [g.group]), cell);
    }
    lookup.set(tableKey([attribute.name]), byCoords);
  }
  const parsed = report.intersections.map((x) => parseIntersection(x, report.attributes));
  for (const { intersection, coords } of parsed) {
    const byCoords = new Map<string, Cell>();
    intersection.groups.forEach((g, j) => {
      const c = coords[j];
      const cell = cellOf(g);
      if (c !== undefined && cell) byCoords.set(coordsKey(intersection.attributes, c), cell);
    });
    lookup.set(tableKey(intersection.attributes), byCoords);
  }

  const sets: SumSet[] = [];
  const set = (path: string, members: Cell[], sum?: Cell): void => {
    const where = { section: 'intersections', path: `${path}${suffix}` } as const;
    sets.push(sum ? { ...where, members: [...members, sum], sum } : { ...where, members });
  };
  for (const { intersection, coords } of parsed) {
    const names = intersection.attributes;
    const title = names.join(' × ');
    const cells = intersection.groups.map(cellOf);
    if (!cells.every((c) => c !== undefined)) continue;
    set(title, cells);
    names.forEach((name, d) => {
      const rest = names.filter((_, i) => i !== d);
      const margins = lookup.get(tableKey(rest));
      const lines = new Map<string, Cell[]>();
      coords.forEach((c, j) => {
        if (c === undefined) return;
        const key = coordsKey(
          rest,
          c.filter((_, i) => i !== d),
        );
        lines.set(key, [...(lines.get(key) ?? []), cells[j]!]);
      });
      for (const [key, line] of lines) {
        const margin = margins?.get(key);
        set(`${title} (line along ${name})`, line, margin);
      }
    });
  }
  return sets;
}

/** Worst cells name cells only, but a hidden cell listed among them would say it is extreme. */
function dropHiddenWorstCells(intersection: IntersectionResult): void {
  if (intersection.worstCells === undefined) return;
  const hidden = new Set(intersection.groups.filter(isSuppressed).map((g) => g.group));
  intersection.worstCells = intersection.worstCells.filter((name) => !hidden.has(name));
}
