import {
  type AttributeResult,
  type GroupResult,
  type LabelGroup,
  type Labels,
  labelGroupSchema,
  positiveShareSchema,
  type Report,
  type Withheld,
} from '../../report/schema.ts';
import type { AuditOptions } from '../audit.ts';
import {
  type Cell,
  type CountCells,
  isHidden,
  isSmall,
  type PositiveCells,
  type SectionRules,
  type SumSet,
  type SuppressionState,
} from '../engine.ts';
import { withholdCell, withholdOverTotal } from '../withhold.ts';

/**
 * Labels. A group's positives p and negatives n − p are the cells of a group × label table (p is
 * published as `positives` and, through n, as the positive rate and its interval). Its margins are
 * published too: the group counts, and the label's total positives through `labels.positiveRate`
 * × `total`. The positives of every table therefore form the same sum sets as the counts (see the
 * attribute and intersection rules); p is hidden when p or n − p is in 1..k−1 or when the group
 * itself is hidden, and complementary suppression hides the smallest further positives.
 * Negatives are never published on their own: they are visible exactly when both p and n are, so
 * protecting the positives and the counts protects the negatives. Hiding positives never hides a
 * group count.
 */
export const labelRules: SectionRules = {
  positiveSets: (report, positives) => unlabelledSets(report, positives),
  hidePositives: (report, positives, state) => hidePositives(report, positives, state),
  withhold: (report, state) => {
    report.attributes.forEach((attribute, i) => {
      // The exact N: the copy's own may be hidden by now.
      const exact = state.exact.attributes[i];
      const total = exact?.total ?? null;
      if (attribute.labels)
        withholdLabelStatistics(attribute.labels, total, unlabelledOf(exact?.labels), state.k);
      if (attribute.labels && attribute.total === null) withholdOverHiddenTotal(attribute.labels);
      if (attribute.labels) withholdAcrossRows(attribute, state.k, unlabelledOf(exact?.labels));
    });
  },
  withheld: (report, k) => report.attributes.flatMap((a) => labelsWithheld(a, k)),
};

function labelsWithheld(attribute: AttributeResult, k: number): Withheld[] {
  const entries: Withheld[] = [];
  const labels = attribute.labels;
  const hiddenPositives =
    attribute.groups.some((g) => g.positives === null) ||
    (labels?.groups ?? []).some((r) => r.positives === null);
  if (hiddenPositives)
    entries.push({ section: 'labels', subject: attribute.name, reason: 'hidden-positives' });
  if (labels?.cdd && labels.cdd.groups.length > 0 && k > 1)
    entries.push({ section: 'labels', subject: attribute.name, reason: 'unverifiable-counts' });
  return entries;
}

/**
 * The positives of every group that has them, one cell per group shared by `group.positives` and
 * the group's row in `labels.groups`, so the two can never disagree about what is hidden.
 */
export function collectPositiveCells(
  report: Report,
  exact: Report,
  k: number,
  counts: Map<GroupResult, Cell>,
): PositiveCells {
  const cells: PositiveCells = {
    groups: new Map(),
    labels: new Map(),
    orphans: new Map(),
    unlabelled: new Map(),
    unlabelledTotals: new Map(),
  };
  for (const [i, attribute] of report.attributes.entries()) {
    const exactLabels = exact.attributes[i]?.labels;
    const exactUnlabelled = new Map((exactLabels?.groups ?? []).map((r) => [r.group, r.unlabelled]));
    const byName = new Map<string, GroupResult>();
    for (const g of attribute.groups) if (!byName.has(g.group)) byName.set(g.group, g);
    const rowsOf = new Map<GroupResult, LabelGroup[]>();
    const orphans: Cell[] = [];
    for (const row of attribute.labels?.groups ?? []) {
      const group = byName.get(row.group);
      if (group) rowsOf.set(group, [...(rowsOf.get(group) ?? []), row]);
      else {
        // Its group's count is not published, so its negatives cannot be checked: hidden.
        const cell: Cell = { count: null, hide: 'group-hidden' };
        cells.labels.set(row, cell);
        if (row.unlabelled !== undefined)
          cells.unlabelled.set(row, linkedCell(exactUnlabelled.get(row.group) ?? null, cell));
        orphans.push(cell);
      }
    }
    if (orphans.length > 0) cells.orphans.set(attribute, orphans);
    for (const [j, g] of attribute.groups.entries()) {
      const rows = rowsOf.get(g) ?? [];
      const values = [g.positives, ...rows.map((r) => r.positives)];
      const unlabelled = rows.find((r) => r.unlabelled !== undefined)?.unlabelled;
      const cell = positiveCell(
        counts.get(g)!,
        values,
        k,
        exact.attributes[i]?.groups[j]?.positives,
        unlabelled ?? 0,
      );
      if (!cell) continue;
      cells.groups.set(g, cell);
      // One cell of rows without a label per group, shared by its rows, hidden with its positives.
      const u =
        unlabelled === undefined ? undefined : linkedCell(exactUnlabelled.get(g.group) ?? unlabelled, cell);
      for (const row of rows) {
        cells.labels.set(row, cell);
        if (u) cells.unlabelled.set(row, u);
      }
    }
    const total = unlabelledTotal(attribute.labels, exactLabels, k);
    if (total) cells.unlabelledTotals.set(attribute, total);
    // The label's own margins (all positives, all negatives) are counts too: when one of them is
    // small, every non-zero positives cell is small and the rates of the others would give the
    // margin back (DPL of a group with no positives is the rate of the rest), so all rows go.
    // So are the rows without a label: with their total hidden, the rates against the rest of
    // two visible rows would solve for it (each gives Σ positives + rate × that total), so the
    // whole table goes with it.
    if (
      attribute.labels &&
      (labelMarginIsSmall(
        attribute.labels,
        exact.attributes[i]?.total ?? null,
        unlabelledOf(exactLabels),
        k,
      ) ||
        (total !== undefined && isHidden(total)))
    ) {
      for (const row of attribute.labels.groups) {
        const cell = cells.labels.get(row)!;
        if (!isHidden(cell)) cell.hide = 'small';
      }
    }
  }
  for (const [i, intersection] of report.intersections.entries()) {
    for (const [j, g] of intersection.groups.entries()) {
      const cell = positiveCell(
        counts.get(g)!,
        [g.positives],
        k,
        exact.intersections[i]?.groups[j]?.positives,
        // Intersection cells publish positives only: count − positives is what a reader sees.
        0,
      );
      if (cell) cells.groups.set(g, cell);
    }
  }
  return cells;
}

/**
 * A label row's rows without a label: its own count, hidden exactly when the row's positives are
 * (reading or setting `hide` reads or sets theirs), so protection that hides it hides the row.
 */
function linkedCell(count: number | null, positives: Cell): Cell {
  return {
    count,
    mayBeZero: true,
    get hide() {
      return positives.hide;
    },
    set hide(reason) {
      positives.hide = reason;
    },
  };
}

/** All rows of an attribute without a label: `missing` + `otherValues` of the exact report. */
function unlabelledOf(labels: Labels | undefined): number {
  return (labels?.missing ?? 0) + (labels?.otherValues ?? 0);
}

/**
 * The attribute's rows without a label as one cell: hidden when it is small or the copy hides it
 * already. Undefined for reports without the count (before it was added).
 */
function unlabelledTotal(labels: Labels | undefined, exact: Labels | undefined, k: number): Cell | undefined {
  if (labels?.missing === undefined) return undefined;
  const count = exact?.missing == null || exact.otherValues === null ? null : unlabelledOf(exact);
  const hidden =
    labels.missing === null ||
    labels.otherValues === null ||
    isSmall(count, k) ||
    isSmall(nearZero(exact?.missing ?? 0), k) ||
    isSmall(nearZero(exact?.otherValues ?? 0), k);
  return { count, hide: hidden ? 'small' : undefined, mayBeZero: true };
}

/**
 * Each attribute's rows without a label, per group, sum to its published total: a set like the
 * positives', so one hidden row's count cannot be worked out from the others. The total is not a
 * member protection may hide (a hidden total hides the whole table, see `collectPositiveCells`);
 * the audit gets the equation from `unlabelledBounds`.
 */
function unlabelledSets(report: Report, positives: PositiveCells): SumSet[] {
  return report.attributes.flatMap((attribute): SumSet[] => {
    const rows = unlabelledRows(attribute, positives);
    if (!rows) return [];
    return [{ section: 'labels', path: `${attribute.name} (rows without a label)`, members: rows }];
  });
}

/** The distinct cells of rows without a label of an attribute, when every row has one. */
function unlabelledRows(attribute: AttributeResult, positives: PositiveCells): Cell[] | undefined {
  if (!attribute.labels || !positives.unlabelledTotals.has(attribute)) return undefined;
  const rows = attribute.labels.groups.map((row) => positives.unlabelled.get(row));
  if (!rows.every((c) => c !== undefined)) return undefined;
  return [...new Set(rows as Cell[])];
}

/** For the audit: the rows without a label of each attribute sum to its total. */
function unlabelledBounds(report: Report, positives: PositiveCells): SumSet[] {
  return report.attributes.flatMap((attribute): SumSet[] => {
    const rows = unlabelledRows(attribute, positives);
    const total = positives.unlabelledTotals.get(attribute);
    if (!rows || !total) return [];
    const path = `${attribute.name} (rows without a label)`;
    return [{ section: 'labels', path, members: [...rows, total], sum: total }];
  });
}

/**
 * What the audit of the positives needs beyond their sums: each group's negatives (count −
 * positives − rows without a label) as targets; positives + rows without a label ≤ count
 * (without weights); each attribute's positives summing to the overall positive rate × its
 * labelled rows when those are published; and the positives as the only cells it may hide (the
 * counts are published by then).
 */
export function positiveAudit(report: Report, counts: CountCells, positives: PositiveCells): AuditOptions {
  const weighted = report.attributes.some((a) => a.weights !== undefined);
  const unlabelledOfGroup = new Map<Cell, Cell>();
  for (const [row, u] of positives.unlabelled) unlabelledOfGroup.set(positives.labels.get(row)!, u);
  const triples = [...positives.groups].map(([g, p]) => {
    const u = unlabelledOfGroup.get(p);
    return u ? ([counts.groups.get(g)!, p, u] as const) : ([counts.groups.get(g)!, p] as const);
  });
  const bounds: SumSet[] = weighted
    ? unlabelledBounds(report, positives)
    : triples.map(([n, ...parts]) => ({
        section: 'labels',
        path: 'positives + unlabelled ≤ count',
        members: [...parts, n],
        sum: n,
        shortfall: 'any',
      }));
  if (!weighted) bounds.push(...unlabelledBounds(report, positives));
  for (const attribute of report.attributes) {
    const labels = attribute.labels;
    if (!labels || labels.positiveRate === null || attribute.total === null) continue;
    const unlabelled = positives.unlabelledTotals.get(attribute);
    if (unlabelled && isHidden(unlabelled)) continue;
    const cells = labels.groups.map((row) => positives.labels.get(row)!);
    const labelled = attribute.total - (unlabelled?.count ?? 0);
    const all: Cell = { count: labels.positiveRate * labelled, hide: undefined };
    bounds.push({
      section: 'labels',
      path: `${attribute.name} (positives)`,
      members: [...cells, all],
      sum: all,
    });
  }
  const hideable = new Set<Cell>([
    ...positives.groups.values(),
    ...positives.labels.values(),
    ...positives.unlabelled.values(),
  ]);
  return { weighted, bounds, negatives: triples, hideable: (c) => hideable.has(c) };
}

/**
 * The positives cell of one group (`exact`: its positives in the report as it came in): hidden with its group, already hidden when any copy of it is
 * null, and small when the positives p or the negatives n − p are in 1..k−1. Undefined when the
 * group carries no positives at all.
 */
function positiveCell(
  group: Cell,
  values: readonly (number | null | undefined)[],
  k: number,
  exact: number | null | undefined,
  unlabelled: number | null,
): Cell | undefined {
  const present = values.filter((v): v is number | null => v !== undefined);
  if (present.length === 0) return undefined;
  // Hidden with its group, the exact value still lets the audit write the sums it is in.
  if (isHidden(group)) return { count: exact ?? null, hide: 'group-hidden', mayBeZero: true };
  const known = present.filter((v): v is number => v !== null);
  // An empty group has no positives to show (null), and a reader knows they are 0.
  if (group.count === 0) return { count: 0, hide: undefined, mayBeZero: true };
  if (known.length < present.length) return { count: null, hide: undefined, mayBeZero: true };
  if (unlabelled === null) return { count: known[0]!, hide: undefined, mayBeZero: true };
  const n = group.count ?? 0;
  const small =
    isSmall(nearZero(unlabelled), k) ||
    known.some((p) => isSmall(p, k) || isSmall(nearZero(n - unlabelled - p), k));
  return { count: known[0]!, hide: small ? 'small' : undefined, mayBeZero: true };
}

/** All positives or all negatives (over the labelled rows, N less `unlabelled`) in 1..k−1. */
function labelMarginIsSmall(labels: Labels, total: number | null, unlabelled: number, k: number): boolean {
  if (labels.positiveRate === null || total === null) return false;
  const labelled = total - unlabelled;
  const positives = nearZero(labels.positiveRate * labelled);
  return isSmall(positives, k) || isSmall(nearZero(labelled - positives), k);
}

/** Rates times totals carry rounding noise: 1e-9 of a row is no row. */
function nearZero(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x;
}

/**
 * Hides marked positives: in the group (`positives`) and in its label row, where everything
 * computed from them goes by its tag (rate, interval, every metric against the rest); the row's
 * count-derived metrics (class imbalance) go too when the group's count is hidden.
 */
function hidePositives(report: Report, positives: PositiveCells, state: SuppressionState): void {
  for (const [group, cell] of positives.groups) {
    if (isHidden(cell) && group.positives !== undefined) group.positives = null;
  }
  for (const attribute of report.attributes) {
    const unlabelled = positives.unlabelledTotals.get(attribute);
    if (attribute.labels && unlabelled && isHidden(unlabelled)) {
      // The rows without a label are hidden: their margins, and the rate over N less them.
      attribute.labels.missing = null;
      if (attribute.labels.otherValues !== undefined) attribute.labels.otherValues = null;
      attribute.labels.positiveRate = null;
    }
    const hiddenGroups = new Set(
      attribute.groups.filter((g) => isHidden(state.counts.groups.get(g)!)).map((g) => g.group),
    );
    const known = new Set(attribute.groups.map((g) => g.group));
    for (const row of attribute.labels?.groups ?? []) {
      if (!isHidden(positives.labels.get(row)!)) continue;
      const groupHidden = hiddenGroups.has(row.group) || !known.has(row.group);
      withholdCell(labelGroupSchema, row, groupHidden ? ['positives', 'count'] : ['positives']);
    }
  }
}

/**
 * What spans the label rows or their margin:
 * - the rows without a label: `missing` and `otherValues` are counts, hidden when either is in
 *   1..k−1 or their sum is hidden (then also the overall positive rate, a ratio over N less that
 *   sum); a row's own count goes with its positives;
 * - impact ratios hold the highest judged rate, the four-fifths results bound each rate against
 *   it, and the highest-rate group says whose rate is largest: while any row's positives are
 *   hidden, all of them go;
 * - groups not judged (fewer than minGroupCount labelled rows) are named only when their row is
 *   visible: the name bounds the labelled rows of a hidden group.
 */
function withholdAcrossRows(attribute: AttributeResult, k: number, unlabelledExact: number): void {
  const labels = attribute.labels!;
  if (labels.missing !== undefined) {
    const small =
      isSmall(labels.missing, k) ||
      isSmall(labels.otherValues ?? null, k) ||
      isSmall(nearZero(unlabelledExact), k) ||
      labels.missing === null ||
      labels.otherValues === null;
    if (small) {
      labels.missing = null;
      if (labels.otherValues !== undefined) labels.otherValues = null;
      labels.positiveRate = null;
    }
  }
  // Reports before the impact ratio checked DI (a row's own) for the four-fifths rule: only
  // rows with an impact ratio span the table.
  const spansRows = labels.groups.some((row) => row.impactRatio !== undefined);
  if (spansRows && labels.groups.some((row) => row.positives === null)) {
    if (labels.highestRateGroup !== undefined) labels.highestRateGroup = null;
    for (const row of labels.groups) {
      row.impactRatio = null;
      row.fourFifths = null;
    }
  }
  if (labels.notJudged) {
    const visible = new Set(labels.groups.filter((row) => row.positives !== null).map((row) => row.group));
    labels.notJudged = labels.notJudged.filter((group) => visible.has(group));
  }
}

/**
 * With the attribute's total hidden, the overall positive rate (Σ positives over the total) and each
 * row's class imbalance ((N − 2n)/N) would give the total back.
 */
function withholdOverHiddenTotal(labels: Labels): void {
  labels.positiveRate = null;
  for (const row of labels.groups) withholdOverTotal(labelGroupSchema, row);
}

/**
 * Label statistics over more than one row:
 * - the overall positive rate is the label table's margin; it goes only when that margin is
 *   itself small (see `collectPositiveCells`);
 * - the positive-class composition shows each group's share of all positives, i.e. its positives
 *   over a published total, so a share goes with its positives; its TVD and JS are functions of
 *   all shares and, like an attribute's distances, would add an equation for the hidden ones, so
 *   they go whenever any share is hidden;
 * - CDD sums, over the strata, each group's demographic disparity weighted by stratum size: it is
 *   a function of group × stratum × label counts. The report does not carry those counts, so no
 *   contributing cell can be shown to be at least k (with two strata and published stratum
 *   positives one CDD value even solves for them exactly). Every CDD value is therefore withheld
 *   whenever k > 1; with k ≤ 1 no count can be small and they stay.
 */
/**
 * Withholds the shares of a positive-class composition whose group's positives the copy hides,
 * and its distances once one is withheld. Also used for each further reference's composition
 * (issue #18): the shares are the same, only the reference shares differ.
 */
export function withholdHiddenPositiveShares(
  composition: NonNullable<Labels['positiveComposition']>,
  labels: Pick<Labels, 'groups'>,
): void {
  const rows = new Map(labels.groups.map((r) => [r.group, r]));
  for (const entry of composition.groups) {
    // A zero share says "no positives", which is never hidden (zeros stay visible).
    const row = rows.get(entry.group);
    const hidden = row === undefined ? entry.share !== 0 : row.positives === null;
    if (hidden) withholdCell(positiveShareSchema, entry, ['positives']);
  }
  if (composition.groups.some((entry) => entry.share === null)) {
    composition.tvd = null;
    composition.jsDivergence = null;
  }
}

function withholdLabelStatistics(labels: Labels, total: number | null, unlabelled: number, k: number): void {
  if (labelMarginIsSmall(labels, total, unlabelled, k)) labels.positiveRate = null;
  if (labels.positiveComposition) withholdHiddenPositiveShares(labels.positiveComposition, labels);
  if (labels.cdd && k > 1) {
    for (const entry of labels.cdd.groups) entry.value = null;
  }
}
