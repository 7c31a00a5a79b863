import {
  type AttributeResult,
  type Report,
  type SourceCount,
  type Sources,
  sourceCountSchema,
} from '../../report/schema.ts';
import {
  type Cell,
  type CountCells,
  isHidden,
  isSuppressed,
  type SectionRules,
  type SumSet,
  sourceCounts,
} from '../engine.ts';
import { withholdCell, withholdOverTotal } from '../withhold.ts';

/**
 * Sources. Source totals (`sources.groups`, summing to the rows counted) and each attribute's
 * group × source table are two-way tables whose margins are published: a row sums to the
 * attribute's group count, a column to the source's total. Their sets join the attribute and
 * intersection sets in one protection loop, so a group hidden in its attribute table also
 * protects its row of the source table and the other way round.
 */
export const sourceRules: SectionRules = {
  countSets: (report, counts) => sourceSets(report, counts),
  hideCounts: (report, state) => {
    // A hidden source cell loses its count and its share (the share times the margin is the count).
    for (const [entry, cell] of state.counts.sources) {
      if (isHidden(cell)) withholdCell(sourceCountSchema, entry, ['count']);
    }
    // A share is over its row's sum (or all sources'), which is not published: with a hidden cell
    // in that sum, a visible cell over its share gives the sum, and the sum the hidden cell.
    const rows = [
      report.sources?.groups ?? [],
      ...(report.sources?.attributes ?? []).flatMap((t) => t.groups.map((g) => g.sources)),
    ];
    for (const row of rows) {
      if (row.some((entry) => isHidden(state.counts.sources.get(entry)!)))
        for (const entry of row) withholdOverTotal(sourceCountSchema, entry);
    }
    // The rows behind a weighted source cell are for the lake, as a group's.
    for (const entry of sourceCounts(report)) delete entry.rows;
  },
  withhold: (report, state) => {
    if (report.sources)
      withholdSourceStatistics(report.sources, report.attributes, underRepresentedGroups(state.exact));
  },
  withheld: (report) =>
    sourceCounts(report).some((s) => s.count === null)
      ? [{ section: 'sources', subject: 'sources', reason: 'hidden-cells' }]
      : [],
};

/**
 * The sum sets of `sources`: the source totals (sum: the rows counted), and per attribute its
 * group × source table (sum: the attribute's total), each row of it with the attribute's group as
 * its margin, and each column with the source's total as its margin.
 */
function sourceSets(report: Report, counts: CountCells): SumSet[] {
  const sources = report.sources;
  if (sources === undefined) return [];
  const cellOf = (entry: SourceCount): Cell => counts.sources.get(entry)!;
  const set = (path: string, members: Cell[], sum?: Cell, shortfall?: readonly Cell[] | 'any'): SumSet =>
    sum
      ? { section: 'sources', path, members: [...members, sum], sum, ...(shortfall ? { shortfall } : {}) }
      : { section: 'sources', path, members };
  // Row counts bound what a weight sum falls short by only without weights.
  const weighted = report.attributes.some((a) => a.weights !== undefined);
  const bound = (cells: readonly (Cell | undefined)[]): readonly Cell[] | 'any' =>
    !weighted && cells.every((c) => c !== undefined) ? (cells as Cell[]) : 'any';
  const totals = new Map(sources.groups.map((s) => [s.source, cellOf(s)]));
  const sets: SumSet[] = [set('sources', sources.groups.map(cellOf))];
  for (const table of sources.attributes) {
    const attribute = report.attributes.find((a) => a.name === table.name);
    const margins = new Map((attribute?.groups ?? []).map((g) => [g.group, counts.groups.get(g)!]));
    const title = `sources: ${table.name} × ${sources.column}`;
    sets.push(
      set(
        title,
        table.groups.flatMap((row) => row.sources.map(cellOf)),
      ),
    );
    const columns = new Map<string, Cell[]>();
    for (const row of table.groups) {
      const cells = row.sources.map(cellOf);
      const margin = margins.get(row.group);
      sets.push(
        set(
          `${title} (line along ${sources.column})`,
          cells,
          margin,
          bound([counts.totals.get('sources.unsourced')]),
        ),
      );
      for (const entry of row.sources)
        columns.set(entry.source, [...(columns.get(entry.source) ?? []), cellOf(entry)]);
    }
    for (const [source, cells] of columns) {
      const total = totals.get(source);
      const invalid = [
        counts.totals.get(`${table.name}.missing`),
        counts.totals.get(`${table.name}.unmapped`),
      ];
      sets.push(set(`${title} (line along ${table.name})`, cells, total, bound(invalid)));
    }
  }
  return sets;
}

/** Per attribute, the groups that were under-represented on the exact counts. */
function underRepresentedGroups(report: Report): Map<string, Set<string>> {
  return new Map(
    report.attributes.map((a) => [
      a.name,
      new Set(a.groups.filter((g) => g.status === 'under').map((g) => g.group)),
    ]),
  );
}

/**
 * Source statistics over several cells:
 * - `largestShare` is the share of the largest source: it stays while it is the share of a
 *   visible source, and goes when the largest source is hidden (it would give its count back);
 * - `effectiveNumber` (inverse Simpson) is a function of all source shares: with hidden shares
 *   whose sum is known it adds an equation (two hidden shares are then solved exactly), so it goes
 *   whenever a source total is hidden;
 * - `dominantSource.share` is the dominant source's part of the attribute's under-represented
 *   groups' rows, a ratio of their cells and counts: it stays only when every under-represented
 *   group and every cell of their rows of the group × source table are visible (then it can be
 *   worked out from what is shown anyway), and the finding goes otherwise — the schema cannot
 *   keep the source without its share.
 */
function withholdSourceStatistics(
  sources: Sources,
  attributes: readonly AttributeResult[],
  under: Map<string, Set<string>>,
): void {
  const hiddenTotals = sources.groups.some((s) => s.count === null);
  if (hiddenTotals) {
    const largest = sources.largestShare;
    const stillVisible =
      largest !== null &&
      sources.groups.some((s) => s.share !== null && Math.abs(s.share - largest) <= 1e-12);
    if (!stillVisible) sources.largestShare = null;
    sources.effectiveNumber = null;
  }
  for (const table of sources.attributes) {
    if (table.dominantSource === null) continue;
    const groups = under.get(table.name) ?? new Set<string>();
    const attribute = attributes.find((a) => a.name === table.name);
    const visibleGroups =
      attribute !== undefined &&
      [...groups].every((name) => attribute.groups.some((g) => g.group === name && !isSuppressed(g)));
    const visibleCells = table.groups
      .filter((row) => groups.has(row.group))
      .every((row) => row.sources.every((s) => s.count !== null));
    if (groups.size === 0 || !visibleGroups || !visibleCells) table.dominantSource = null;
  }
}
