import type {
  AttributeResult,
  GroupResult,
  LabelGroup,
  Report,
  SourceCount,
  Withheld,
  WithheldSection,
} from '../report/schema.ts';

/**
 * The complementary-suppression engine: cells, the sets of cells whose sum is published, and the
 * loop that hides further cells until no set has exactly one hidden cell. Each report section
 * brings its own cells and sets through a `SectionRules` module (`rules/`); this module knows no
 * section.
 *
 * A set holding exactly one hidden cell gives it back (its sum minus the visible cells), so each
 * step hides the smallest visible non-zero cell of such a set (first in report order on ties),
 * and the loop repeats until nothing changes — the usual greedy heuristic of statistical
 * disclosure control (Hundepool et al., "Statistical Disclosure Control", Wiley 2012, §5.3), not
 * an optimal cell choice. Zeros stay visible.
 */

export type HideReason = 'small' | 'complementary' | 'group-hidden';

/** One published number that counts people: a group, an intersection cell, a source cell, positives. */
export interface Cell {
  /** Published count, or null when it is not shown (hidden before, or not computed). */
  readonly count: number | null;
  hide: HideReason | undefined;
  /** Never published on its own (the rows raking left out): hiding it costs nothing. */
  readonly free?: boolean;
  /** Hidden, it may still be 0 to a reader (a total, positives): only counts of groups are never 0 when hidden. */
  readonly mayBeZero?: boolean;
  /**
   * Hidden in the dataset's previous published run: chosen first as a complementary cell, so the
   * choice stays stable from run to run and two runs cannot be differenced (`privacy/runs.ts`).
   */
  preferred?: boolean;
}

export interface SumSet {
  /** The section whose table the set belongs to. */
  readonly section: WithheldSection;
  /** Names the table (and line) for warnings, e.g. `sex` or `sex × age_band`. */
  readonly path: string;
  readonly members: readonly Cell[];
  /**
   * The member that equals the sum of the others (a line's margin, a table's total), when the
   * set has one: the audit then knows the equation, not only that the set sums to something.
   */
  readonly sum?: Cell;
  /**
   * When the parts may fall short of `sum` (a line of an intersection misses the rows whose value
   * is missing or unmapped in a dropped dimension, a source row the rows without a source): the
   * cells whose total bounds the shortfall, 0 ≤ sum − parts ≤ Σ shortfall, or `any` when only
   * parts ≤ sum is known. Without it the parts add up to the sum. Only the audit reads it.
   */
  readonly shortfall?: readonly Cell[] | 'any';
}

/** A published total (rows, N, missing, …) as a cell; `withhold` publishes it as null. */
export interface TotalCell extends Cell {
  readonly withhold: () => void;
}

export interface CountCells {
  /** Every group of every attribute and intersection. */
  readonly groups: Map<GroupResult, Cell>;
  readonly sources: Map<SourceCount, Cell>;
  /** Totals by name (`rows.used`, `sex.total`, …), see `rules/totals.ts`. */
  readonly totals: Map<string, TotalCell>;
}

export interface PositiveCells {
  /** The positives of a group, shared by `group.positives` and its row in `labels.groups`. */
  readonly groups: Map<GroupResult, Cell>;
  readonly labels: Map<LabelGroup, Cell>;
  /** Label rows whose group is not in their attribute's table: they cannot be checked. */
  readonly orphans: Map<AttributeResult, Cell[]>;
  /**
   * A label row's rows without a label (`unlabelled`). Hidden exactly when the row's positives
   * are: its `hide` is theirs, so hiding either hides the row.
   */
  readonly unlabelled: Map<LabelGroup, Cell>;
  /** Per attribute, all its rows without a label (`labels.missing` + `labels.otherValues`). */
  readonly unlabelledTotals: Map<AttributeResult, Cell>;
}

export interface SuppressionState {
  /** The smallest count that may be shown. */
  readonly k: number;
  /** The report as it came in: statuses there were decided on the exact counts. */
  readonly exact: Report;
  readonly counts: CountCells;
}

/**
 * What one section of a report adds to suppression. `suppressReport` runs every module's hook in
 * turn: count sets of all sections are protected together (a group hidden in one table protects
 * its line in another), then counts are hidden, then positives get the same treatment, then each
 * section withholds statistics over its hidden cells and says what it withheld.
 */
export interface SectionRules {
  /** Pass 1: the sets this section's counts sum in. */
  readonly countSets?: (report: Report, counts: CountCells) => SumSet[];
  /** Hides the counts the protection loop marked, with what is computed from them. */
  readonly hideCounts?: (report: Report, state: SuppressionState) => void;
  /** Pass 2: the sets this section's positives sum in. */
  readonly positiveSets?: (report: Report, positives: PositiveCells, counts: CountCells) => SumSet[];
  /** Hides the positives the protection loop marked, with what is computed from them. */
  readonly hidePositives?: (report: Report, positives: PositiveCells, state: SuppressionState) => void;
  /** Withholds statistics over several cells once cells are hidden. */
  readonly withhold?: (report: Report, state: SuppressionState) => void;
  /** What the copy withholds in this section, read from the copy itself (so suppression stays idempotent). */
  readonly withheld: (report: Report, k: number) => Withheld[];
}

export function isHidden(cell: Cell): boolean {
  return cell.count === null || cell.hide !== undefined;
}

export function isSuppressed(group: GroupResult): boolean {
  return group.status === 'suppressed';
}

export function isSmall(count: number | null, k: number): boolean {
  return count !== null && count > 0 && count < k;
}

export function countCell(count: number | null, k: number): Cell {
  return { count, hide: isSmall(count, k) ? 'small' : undefined };
}

/** Every source count of a report: totals first, then the group × source tables. */
export function sourceCounts(report: Report): SourceCount[] {
  return [
    ...(report.sources?.groups ?? []),
    ...(report.sources?.attributes ?? []).flatMap((t) => t.groups.flatMap((row) => row.sources)),
  ];
}

/** One cell per group of every attribute and intersection and per source count, small ones marked. */
export function collectCountCells(
  report: Report,
  k: number,
  totals: Map<string, TotalCell> = new Map(),
): CountCells {
  const groups = new Map<GroupResult, Cell>();
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  for (const table of tables) {
    for (const group of table.groups) {
      const cell = countCell(isSuppressed(group) ? null : group.count, k);
      // k counts people: with weights a group of fewer than k rows is hidden whatever its weight
      // sum. A weight sum under k is hidden too, whatever its rows: the site refuses to publish a
      // count in 1..k−1, and a reader cannot tell a weight sum from a count.
      if (group.rows !== undefined && cell.count !== null && isSmall(group.rows, k)) cell.hide = 'small';
      groups.set(group, cell);
    }
  }
  const sources = new Map<SourceCount, Cell>();
  for (const entry of sourceCounts(report)) {
    const cell = countCell(entry.count, k);
    // k counts people here too: a source cell of few rows is hidden whatever its weight sum.
    if (entry.rows !== undefined && cell.count !== null && isSmall(entry.rows, k)) cell.hide = 'small';
    sources.set(entry, cell);
  }
  return { groups, sources, totals };
}

/**
 * Hides complementary cells until every sum set has zero or at least two hidden cells, and
 * returns the sets still left with one (no visible non-zero cell to hide with it).
 *
 * The partner is the smallest visible non-zero cell of the set, except in a set of totals
 * (section `rows`), where it is the one whose hiding leaves the fewest other sets with a single
 * hidden cell (a cell that is never published, such as the rows raking left out, is free): a
 * small `missing` is then protected by hiding `rows.used` (already next to hidden totals) rather
 * than an attribute's N, which would cascade into its groups.
 */
export function protect(sets: readonly SumSet[]): SumSet[] {
  const setsOf = new Map<Cell, SumSet[]>();
  for (const set of sets)
    for (const cell of set.members) setsOf.set(cell, [...(setsOf.get(cell) ?? []), set]);
  // Sets that hiding `cell` would leave with one hidden cell and no free cell to pair it with.
  const exposed = (cell: Cell, from: SumSet): number =>
    (setsOf.get(cell) ?? []).filter(
      (s) =>
        s !== from &&
        !s.members.some((m) => isHidden(m) || (m !== cell && m.free === true && (m.count ?? 0) > 0)),
    ).length;
  let changed = true;
  while (changed) {
    changed = false;
    for (const set of sets) {
      if (set.members.filter(isHidden).length !== 1) continue;
      const partner = set.section === 'rows' ? cheapestVisible(set, exposed) : smallestVisible(set.members);
      if (partner) {
        partner.hide = 'complementary';
        changed = true;
      }
    }
  }
  return sets.filter((s) => s.members.filter(isHidden).length === 1);
}

function smallestVisible(members: readonly Cell[]): Cell | undefined {
  let best: Cell | undefined;
  for (const cell of members) {
    if (isHidden(cell) || cell.count === null || cell.count <= 0) continue;
    if (best === undefined || isBetterPartner(cell, best)) best = cell;
  }
  return best;
}

/**
 * Whether `cell` is a better complementary cell than `best`: one hidden in the previous run first
 * (a stable choice), then the smaller count. Without a previous run this is the smaller count.
 */
export function isBetterPartner(cell: Cell, best: Cell): boolean {
  if ((cell.preferred === true) !== (best.preferred === true)) return cell.preferred === true;
  return (cell.count ?? Number.POSITIVE_INFINITY) < (best.count ?? Number.POSITIVE_INFINITY);
}

function cheapestVisible(set: SumSet, exposed: (cell: Cell, from: SumSet) => number): Cell | undefined {
  const candidates = set.members.filter((c) => !isHidden(c) && c.count !== null && c.count > 0);
  const score = (c: Cell) => [c.free ? -2 : c.preferred ? -1 : exposed(c, set), c.count ?? 0] as const;
  return candidates.reduce<Cell | undefined>((best, c) => {
    if (best === undefined) return c;
    const [a, b] = [score(c), score(best)];
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? c : best;
  }, undefined);
}

/** Order-independent key of a table: its attributes sorted. */
export function tableKey(attributes: readonly string[]): string {
  return JSON.stringify([...attributes].sort());
}

/** Order-independent key of a cell: its (attribute, group) pairs sorted by attribute. */
export function coordsKey(attributes: readonly string[], groups: readonly string[]): string {
  const pairs = attributes.map((a, i) => [a, groups[i] ?? '']);
  pairs.sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
  return JSON.stringify(pairs);
}
