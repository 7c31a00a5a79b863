import type { Report } from '../report/schema.ts';
import type { AuditedRun } from './audit.ts';
import { type Cell, type CountCells, isHidden, type PositiveCells, type SumSet } from './engine.ts';

/**
 * Suppression across a dataset's published runs (issue #17, "Two runs"). History publishes every
 * run of a dataset, so an outsider holds all of them; consecutive runs differ by a few rows (one
 * appended, one removed, one changed), so every count moves by at most d between them, and
 * differencing two runs whose complementary cells differ can pin a hidden count that each run
 * alone protects. Each run is therefore suppressed with the previous run's final state at hand:
 * cells hidden there are hidden again around this run's hidden cells and preferred as
 * complementary cells (a stable choice, `keepHiddenPattern`, `preferHiddenBefore`), and the audit solves
 * both runs' sums together with |x_now − x_before| ≤ d for every count both have
 * (`auditAcrossRuns`). d is the largest change of any count between the two runs, computed from
 * the exact counts: the smallest bound that holds, so the strongest outsider of this kind.
 *
 * A run's copy depends only on itself and the runs before it, so publishing a new run never
 * changes a copy already published: only the new run's choices adapt.
 */

/** What the next run's suppression needs of this one: its sums and its cells by name. */
export interface RunAudit {
  /** The count sums (attributes, intersections, sources, totals). */
  readonly counts: AuditedRun;
  /** Every sum (counts and positives) with the positives' audit options. */
  readonly all: AuditedRun;
  /** Every cell by a name that is the same in every run (see `cellKeys`). */
  readonly cells: ReadonlyMap<string, Cell>;
}

/**
 * Every count cell of a copy under a name that stays the same from run to run: a group by its
 * table and name, a source cell by its row and source, a total by its name, positives and rows
 * without a label by their group.
 */
export function cellKeys(report: Report, counts: CountCells, positives?: PositiveCells): Map<string, Cell> {
  const out = new Map<string, Cell>();
  const put = (key: string, cell: Cell | undefined) => {
    if (cell !== undefined && !out.has(key)) out.set(key, cell);
  };
  const tables = [
    ...report.attributes.map((a) => ({ key: `attribute:${a.name}`, groups: a.groups })),
    ...report.intersections.map((x) => ({ key: `intersection:${x.attributes.join('|')}`, groups: x.groups })),
  ];
  for (const table of tables)
    for (const g of table.groups) {
      put(`${table.key}/${g.group}`, counts.groups.get(g));
      put(`${table.key}/${g.group}/positives`, positives?.groups.get(g));
    }
  for (const s of report.sources?.groups ?? []) put(`source:${s.source}`, counts.sources.get(s));
  for (const t of report.sources?.attributes ?? [])
    for (const row of t.groups)
      for (const s of row.sources) put(`source:${t.name}/${row.group}/${s.source}`, counts.sources.get(s));
  for (const [name, cell] of counts.totals) put(`total:${name}`, cell);
  for (const a of report.attributes) {
    put(`unlabelled:${a.name}`, positives?.unlabelledTotals.get(a));
    for (const row of a.labels?.groups ?? []) {
      put(`attribute:${a.name}/${row.group}/positives`, positives?.labels.get(row));
      put(`attribute:${a.name}/${row.group}/unlabelled`, positives?.unlabelled.get(row));
    }
  }
  return out;
}

/** The cells both runs have, previous first, and the most any of their exact counts moved. */
export function linkRuns(
  previous: ReadonlyMap<string, Cell>,
  current: ReadonlyMap<string, Cell>,
): { links: [Cell, Cell][]; change: number } {
  const links: [Cell, Cell][] = [];
  let change = 0;
  for (const [key, cell] of current) {
    const before = previous.get(key);
    // Cells never published (raking's left-out rows, rows without a source) are not linked.
    if (before === undefined || before.count === null || cell.count === null || cell.free === true) continue;
    links.push([before, cell]);
    change = Math.max(change, Math.abs(cell.count - before.count));
  }
  return { links, change };
}

/**
 * Marks this run's cells whose counterpart the previous run hid, so complementary suppression
 * picks them first (`isBetterPartner`).
 */
export function preferHiddenBefore(
  previous: ReadonlyMap<string, Cell>,
  current: ReadonlyMap<string, Cell>,
): void {
  for (const [key, cell] of current) {
    const before = previous.get(key);
    if (before !== undefined && (before.hide !== undefined || before.count === null)) cell.preferred = true;
  }
}

/**
 * The order in which a dataset's runs are suppressed and published: by start time, then id (the
 * order of the dataset page's history).
 */
export function runOrder(a: Report, b: Report): number {
  return (
    (Date.parse(a.run.startedAt) || 0) - (Date.parse(b.run.startedAt) || 0) ||
    (a.run.id < b.run.id ? -1 : a.run.id > b.run.id ? 1 : 0)
  );
}

/**
 * Hides again, in every sum that has a hidden cell in this run, the cells the previous run hid
 * there (when they are not zero): the same complementary pattern from run to run, so the sums and
 * the statistics the two copies publish around a hidden cell are the same sums, and differencing
 * them gives nothing that either copy does not. Cells the previous run hid in a sum with no hidden
 * cell now are published: nothing needs them.
 */
export function keepHiddenPattern(
  previous: ReadonlyMap<string, Cell>,
  current: ReadonlyMap<string, Cell>,
  sets: readonly SumSet[],
): void {
  const hiddenBefore = new Set<Cell>();
  for (const [key, cell] of current) {
    const before = previous.get(key);
    if (before !== undefined && isHidden(before)) hiddenBefore.add(cell);
  }
  for (const set of sets) {
    if (!set.members.some(isHidden)) continue;
    for (const cell of set.members)
      if (hiddenBefore.has(cell) && !isHidden(cell) && (cell.count ?? 0) > 0) cell.hide = 'complementary';
  }
}
