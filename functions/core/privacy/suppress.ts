import type {
  AttributeResult,
  Correction,
  GroupResult,
  IntersectionResult,
  LabelGroup,
  Labels,
  Report,
  ReportWarning,
  Sources,
} from '../report/schema.ts';

/**
 * Small-cell suppression for published copies of a report (HTML, JSON, CSV on the site).
 *
 * Primary suppression hides every count in 1..k−1 (k = minCellSize) together with everything that
 * would give it back: share, interval, ratio, difference, p-values, positives and rows needed.
 * Zeros stay visible. Complementary suppression then hides further cells until no hidden cell can
 * be worked out from published sums: every set of cells whose sum is published (an attribute's
 * groups sum to its `total`; an intersection's cells sum to its `total`; each row, column or other
 * line of an intersection sums to a cell of the table one dimension smaller, which is usually an
 * attribute's group) holds either no hidden cell or at least two. Linking intersection lines to
 * the attribute tables matters: without it, a group hidden as a complement in the attribute table
 * could be read back as the sum of its visible intersection cells. Each step hides the smallest
 * visible non-zero cell of the offending set (first in report order on ties), and the loop repeats
 * until nothing changes — the usual greedy heuristic of statistical disclosure control (Hundepool
 * et al., "Statistical Disclosure Control", Wiley 2012, §5.3), not an optimal cell choice.
 *
 * The same rule covers the other tables of a report, in two passes:
 *
 * 1. Counts. Source totals (`sources.groups`, summing to the rows counted) and each attribute's
 *    group × source table are two-way tables whose margins are published: a row sums to the
 *    attribute's group count, a column to the source's total. They join the attribute and
 *    intersection tables in one protection loop, so a group hidden in its attribute table also
 *    protects its row of the source table and the other way round.
 * 2. Positives. A group's positives p and negatives n − p are the cells of a group × label table
 *    (p is published as `positives` and, through n, as the positive rate and its interval). Its
 *    margins are published too: the group counts, and the label's total positives through
 *    `labels.positiveRate` × `total`. The positives of every table therefore form the same sum sets
 *    as the counts (attribute column, intersection lines linked to the attribute's positives);
 *    primary suppression hides p when p or n − p is in 1..k−1 or when the group itself is hidden,
 *    and complementary suppression hides the smallest further positives. Negatives are never
 *    published on their own: they are visible exactly when both p and n are, so protecting the
 *    positives and the counts protects the negatives. Hiding positives never hides a group count.
 *
 * Statistics that are exact functions of all counts of an attribute (χ² statistic, distances,
 * diversity) would let a reader solve for the hidden counts, so they are withheld (null, with a
 * warning) in any attribute that has a hidden group. The verdict and checks are kept: they were
 * decided on the exact counts, which stay in the lake. Each rule for the other sections is on the
 * function that applies it (`withholdLabelRow`, `withholdLabelStatistics`,
 * `withholdSourceStatistics`, `withholdCorrection`, `dropHiddenWorstCells`) and every withheld
 * section gets a warning from the `PRIVACY_WARNING` catalogue.
 *
 * Not covered (the report@1 schema has no way to say "hidden" there): `missing`, `unmapped`,
 * `total` and `correction.rows` are numbers, never null, so they are published as they are.
 */

/** Note on a group hidden because its count is in 1..minCellSize−1. */
export function smallCellNote(minCellSize: number): string {
  return `fewer than ${minCellSize}`;
}

/** Note on a group hidden only so that a small group cannot be worked out from the totals. */
export const COMPLEMENTARY_NOTE = 'hidden so that a small group cannot be worked out from the totals';

/** Warning codes this module adds to a published copy. */
export const PRIVACY_WARNING = {
  statisticsWithheld: 'privacy-statistics-withheld',
  cellRecoverable: 'privacy-cell-recoverable',
  labelsWithheld: 'privacy-labels-withheld',
  cddWithheld: 'privacy-cdd-withheld',
  sourcesWithheld: 'privacy-sources-withheld',
  correctionWithheld: 'privacy-correction-withheld',
} as const;

/**
 * Returns the copy of `report` that may be published: small cells hidden, complementary cells
 * hidden, `privacy.suppressed` true. Pure: the input is not changed. Idempotent: suppressing a
 * suppressed copy again with the same `minCellSize` returns an equal report. When the input is
 * already a suppressed copy, the larger of its threshold and `minCellSize` is used.
 *
 * @param minCellSize - the smallest count that may be shown (k); counts in 1..k−1 are hidden.
 */
export function suppressReport(report: Report, minCellSize: number): Report {
  if (!Number.isInteger(minCellSize) || minCellSize < 0) {
    throw new RangeError(`minCellSize must be an integer >= 0, received ${String(minCellSize)}`);
  }
  const out = structuredClone(report);
  const k = out.privacy.suppressed ? Math.max(out.privacy.minCellSize, minCellSize) : minCellSize;

  // Pass 1: counts of attributes, intersections and sources, protected together.
  const counts = collectCountCells(out, k);
  const unprotected = protect([
    ...collectSumSets(out, (g) => counts.groups.get(g)),
    ...collectSourceSets(out, counts),
  ]);
  // Decided on the exact counts, before hiding turns statuses into `suppressed`.
  const under = underRepresentedGroups(out);
  applyCountHiding(counts, k);

  // Pass 2: positives, after the counts, because a hidden group hides its positives.
  const positives = collectPositiveCells(out, k, counts.groups);
  const positiveSets = collectSumSets(
    out,
    (g) => positives.groups.get(g),
    (a) => positives.orphans.get(a) ?? [],
  ).map((set) => ({ ...set, path: `${set.path} (positives)` }));
  unprotected.push(...protect(positiveSets));
  applyPositiveHiding(out, positives, counts.groups);

  for (const attribute of out.attributes) {
    if (attribute.groups.some(isSuppressed)) withholdAttributeStatistics(attribute);
    if (attribute.labels) withholdLabelStatistics(attribute.labels, attribute.total, k);
  }
  if (out.sources) withholdSourceStatistics(out.sources, out.attributes, under);
  if (out.correction) withholdCorrection(out.correction, out);
  for (const intersection of out.intersections) dropHiddenWorstCells(intersection);

  out.warnings = dedupeWarnings([...out.warnings, ...privacyWarnings(out, k, unique(unprotected))]);
  out.privacy = { minCellSize: k, suppressed: true };
  return out;
}

type HideReason = 'small' | 'complementary' | 'group-hidden';
type SourceCount = Sources['groups'][number];

/** One published number that counts people: a group, an intersection cell, a source cell, positives. */
interface Cell {
  /** Published count, or null when it is not shown (hidden before, or not computed). */
  readonly count: number | null;
  hide: HideReason | undefined;
}

interface SumSet {
  /** Names the table (and line) for warnings, e.g. `sex` or `sex × age_band`. */
  readonly path: string;
  readonly members: readonly Cell[];
}

interface CountCells {
  readonly groups: Map<GroupResult, Cell>;
  readonly sources: Map<SourceCount, Cell>;
}

interface PositiveCells {
  /** The positives of a group, shared by `group.positives` and its row in `labels.groups`. */
  readonly groups: Map<GroupResult, Cell>;
  readonly labels: Map<LabelGroup, Cell>;
  /** Label rows whose group is not in their attribute's table: they cannot be checked. */
  readonly orphans: Map<AttributeResult, Cell[]>;
}

function isHidden(cell: Cell): boolean {
  return cell.count === null || cell.hide !== undefined;
}

function isSuppressed(group: GroupResult): boolean {
  return group.status === 'suppressed';
}

function isSmall(count: number | null, k: number): boolean {
  return count !== null && count > 0 && count < k;
}

function countCell(count: number | null, k: number): Cell {
  return { count, hide: isSmall(count, k) ? 'small' : undefined };
}

/** One cell per group of every attribute and intersection and per source count, small ones marked. */
function collectCountCells(report: Report, k: number): CountCells {
  const groups = new Map<GroupResult, Cell>();
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  for (const table of tables) {
    for (const group of table.groups)
      groups.set(group, countCell(isSuppressed(group) ? null : group.count, k));
  }
  const sources = new Map<SourceCount, Cell>();
  const sourceCounts = [
    ...(report.sources?.groups ?? []),
    ...(report.sources?.attributes ?? []).flatMap((t) => t.groups.flatMap((row) => row.sources)),
  ];
  for (const entry of sourceCounts) sources.set(entry, countCell(entry.count, k));
  return { groups, sources };
}

/**
 * Every set of cells whose sum is published, directly or as another cell: an attribute's groups
 * (sum: `total`), an intersection's cells (sum: `total`), and each line of an intersection (sum:
 * the matching cell of the table without that dimension, when the report has that table).
 * `cellOf` picks the cell of a group (its count, or its positives); a set with a group that has
 * no such cell is left out, and a line whose margin has none keeps its cells only.
 */
function collectSumSets(
  report: Report,
  cellOf: (g: GroupResult) => Cell | undefined,
  extraAttributeCells: (a: AttributeResult) => readonly Cell[] = () => [],
): SumSet[] {
  const lookup = new Map<string, Map<string, Cell>>();
  const sets: SumSet[] = [];
  const allCells = (groups: readonly GroupResult[]): Cell[] | undefined => {
    const cells = groups.map(cellOf);
    return cells.every((c) => c !== undefined) ? (cells as Cell[]) : undefined;
  };

  for (const attribute of report.attributes) {
    const byCoords = new Map<string, Cell>();
    for (const g of attribute.groups) {
      const cell = cellOf(g);
      if (cell) byCoords.set(coordsKey([attribute.name], [g.group]), cell);
    }
    lookup.set(tableKey([attribute.name]), byCoords);
    const members = allCells(attribute.groups);
    if (members)
      sets.push({ path: attribute.name, members: [...members, ...extraAttributeCells(attribute)] });
  }

  const parsed = report.intersections.map((x) => parseIntersection(x, report.attributes));
  parsed.forEach(({ intersection, coords }) => {
    const byCoords = new Map<string, Cell>();
    intersection.groups.forEach((g, j) => {
      const c = coords[j];
      const cell = cellOf(g);
      if (c !== undefined && cell) byCoords.set(coordsKey(intersection.attributes, c), cell);
    });
    lookup.set(tableKey(intersection.attributes), byCoords);
  });

  for (const { intersection, coords } of parsed) {
    const names = intersection.attributes;
    const title = names.join(' × ');
    const members = allCells(intersection.groups);
    if (!members) continue;
    sets.push({ path: title, members });
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
        const line = lines.get(key) ?? [];
        line.push(members[j]!);
        lines.set(key, line);
      });
      for (const [key, line] of lines) {
        const margin = margins?.get(key);
        sets.push({ path: `${title} (line along ${name})`, members: margin ? [...line, margin] : line });
      }
    });
  }
  return sets;
}

/**
 * The sum sets of `sources`: the source totals (sum: the rows counted), and per attribute its
 * group × source table (sum: the attribute's total), each row of it with the attribute's group as
 * its margin, and each column with the source's total as its margin.
 */
function collectSourceSets(report: Report, counts: CountCells): SumSet[] {
  const sources = report.sources;
  if (sources === undefined) return [];
  const cellOf = (entry: SourceCount): Cell => counts.sources.get(entry)!;
  const totals = new Map(sources.groups.map((s) => [s.source, cellOf(s)]));
  const sets: SumSet[] = [{ path: 'sources', members: sources.groups.map(cellOf) }];
  for (const table of sources.attributes) {
    const attribute = report.attributes.find((a) => a.name === table.name);
    const margins = new Map((attribute?.groups ?? []).map((g) => [g.group, counts.groups.get(g)!]));
    const title = `sources: ${table.name} × ${sources.column}`;
    sets.push({ path: title, members: table.groups.flatMap((row) => row.sources.map(cellOf)) });
    const columns = new Map<string, Cell[]>();
    for (const row of table.groups) {
      const cells = row.sources.map(cellOf);
      const margin = margins.get(row.group);
      sets.push({
        path: `${title} (line along ${sources.column})`,
        members: margin ? [...cells, margin] : cells,
      });
      for (const entry of row.sources)
        columns.set(entry.source, [...(columns.get(entry.source) ?? []), cellOf(entry)]);
    }
    for (const [source, cells] of columns) {
      const total = totals.get(source);
      sets.push({ path: `${title} (line along ${table.name})`, members: total ? [...cells, total] : cells });
    }
  }
  return sets;
}

/** Hides complementary cells until every sum set has zero or at least two hidden cells. */
function protect(sets: readonly SumSet[]): string[] {
  let changed = true;
  while (changed) {
    changed = false;
    for (const set of sets) {
      if (set.members.filter(isHidden).length !== 1) continue;
      const partner = smallestVisible(set.members);
      if (partner) {
        partner.hide = 'complementary';
        changed = true;
      }
    }
  }
  return sets.filter((s) => s.members.filter(isHidden).length === 1).map((s) => s.path);
}

function smallestVisible(members: readonly Cell[]): Cell | undefined {
  let best: Cell | undefined;
  for (const cell of members) {
    if (isHidden(cell) || cell.count === null || cell.count <= 0) continue;
    if (best === undefined || cell.count < (best.count ?? Number.POSITIVE_INFINITY)) best = cell;
  }
  return best;
}

function applyCountHiding(counts: CountCells, k: number): void {
  for (const [group, cell] of counts.groups) {
    if (cell.hide !== undefined)
      hideGroup(group, cell.hide === 'small' ? smallCellNote(k) : COMPLEMENTARY_NOTE);
    else if (isSuppressed(group)) hideGroup(group, group.note ?? smallCellNote(k));
  }
  // A hidden source cell loses its count and its share (the share times the margin is the count).
  for (const [entry, cell] of counts.sources) {
    if (isHidden(cell)) {
      entry.count = null;
      entry.share = null;
    }
  }
}

function hideGroup(group: GroupResult, note: string): void {
  group.count = null;
  group.share = null;
  group.ci = null;
  group.ratio = null;
  group.difference = null;
  group.pValue = null;
  group.pAdjusted = null;
  group.status = 'suppressed';
  group.note = note;
  delete group.rowsNeeded;
  if (group.positives !== undefined) group.positives = null;
}

/**
 * The positives of every group that has them, one cell per group shared by `group.positives` and
 * the group's row in `labels.groups`, so the two can never disagree about what is hidden.
 */
function collectPositiveCells(report: Report, k: number, counts: Map<GroupResult, Cell>): PositiveCells {
  const cells: PositiveCells = { groups: new Map(), labels: new Map(), orphans: new Map() };
  for (const attribute of report.attributes) {
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
        orphans.push(cell);
      }
    }
    if (orphans.length > 0) cells.orphans.set(attribute, orphans);
    for (const g of attribute.groups) {
      const rows = rowsOf.get(g) ?? [];
      const cell = positiveCell(counts.get(g)!, [g.positives, ...rows.map((r) => r.positives)], k);
      if (!cell) continue;
      cells.groups.set(g, cell);
      for (const row of rows) cells.labels.set(row, cell);
    }
    // The label's own margins (all positives, all negatives) are counts too: when one of them is
    // small, every non-zero positives cell is small and the rates of the others would give the
    // margin back (DPL of a group with no positives is the rate of the rest), so all rows go.
    if (attribute.labels && labelMarginIsSmall(attribute.labels, attribute.total, k)) {
      for (const row of attribute.labels.groups) {
        const cell = cells.labels.get(row)!;
        if (!isHidden(cell)) cell.hide = 'small';
      }
    }
  }
  for (const intersection of report.intersections) {
    for (const g of intersection.groups) {
      const cell = positiveCell(counts.get(g)!, [g.positives], k);
      if (cell) cells.groups.set(g, cell);
    }
  }
  return cells;
}

/**
 * The positives cell of one group: hidden with its group, already hidden when any copy of it is
 * null, and small when the positives p or the negatives n − p are in 1..k−1. Undefined when the
 * group carries no positives at all.
 */
function positiveCell(
  group: Cell,
  values: readonly (number | null | undefined)[],
  k: number,
): Cell | undefined {
  const present = values.filter((v): v is number | null => v !== undefined);
  if (present.length === 0) return undefined;
  if (isHidden(group)) return { count: null, hide: 'group-hidden' };
  const known = present.filter((v): v is number => v !== null);
  if (known.length < present.length) return { count: null, hide: undefined };
  const n = group.count ?? 0;
  const small = known.some((p) => isSmall(p, k) || isSmall(n - p, k));
  return { count: known[0]!, hide: small ? 'small' : undefined };
}

function labelMarginIsSmall(labels: Labels, total: number, k: number): boolean {
  if (labels.positiveRate === null) return false;
  const positives = nearZero(labels.positiveRate * total);
  return isSmall(positives, k) || isSmall(nearZero(total - positives), k);
}

/** Rates times totals carry rounding noise: 1e-9 of a row is no row. */
function nearZero(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x;
}

function applyPositiveHiding(report: Report, positives: PositiveCells, counts: Map<GroupResult, Cell>): void {
  for (const [group, cell] of positives.groups) {
    if (isHidden(cell) && group.positives !== undefined) group.positives = null;
  }
  for (const attribute of report.attributes) {
    const hiddenGroups = new Set(
      attribute.groups.filter((g) => isHidden(counts.get(g)!)).map((g) => g.group),
    );
    const known = new Set(attribute.groups.map((g) => g.group));
    for (const row of attribute.labels?.groups ?? []) {
      if (isHidden(positives.labels.get(row)!)) {
        withholdLabelRow(row, hiddenGroups.has(row.group) || !known.has(row.group));
      }
    }
  }
}

/**
 * A label row whose positives are hidden loses them and everything computed from them: the rate
 * (positives over the group's count), its Wilson interval (which gives the rate back), and the
 * Clarify metrics of this group against the rest — DPL, DI, KL, JS, Lp, TVD and KS of a binary
 * label are all functions of the two positive rates, and the rest's rate is published through the
 * margins, so each of them gives the group's rate back (DI and DPL exactly, the distances up to
 * two candidates); the four-fifths verdict goes with DI because it bounds the rate. Class
 * imbalance, (n_a − n_d)/N, uses counts only: it stays unless the group's count is hidden too.
 */
function withholdLabelRow(row: LabelGroup, groupHidden: boolean): void {
  row.positives = null;
  row.positiveRate = null;
  row.ci = null;
  row.dpl = null;
  row.disparateImpact = null;
  row.fourFifths = null;
  row.kl = null;
  row.js = null;
  row.lp = null;
  row.tvd = null;
  row.ks = null;
  if (groupHidden) row.classImbalance = null;
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
function withholdLabelStatistics(labels: Labels, total: number, k: number): void {
  if (labelMarginIsSmall(labels, total, k)) labels.positiveRate = null;
  if (labels.positiveComposition) {
    const composition = labels.positiveComposition;
    const rows = new Map(labels.groups.map((r) => [r.group, r]));
    for (const entry of composition.groups) {
      // A zero share says "no positives", which is never hidden (zeros stay visible).
      const row = rows.get(entry.group);
      const hidden = row === undefined ? entry.share !== 0 : row.positives === null;
      if (hidden) entry.share = null;
    }
    if (composition.groups.some((entry) => entry.share === null)) {
      composition.tvd = null;
      composition.jsDivergence = null;
    }
  }
  if (labels.cdd && k > 1) {
    for (const entry of labels.cdd.groups) entry.value = null;
  }
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

/**
 * The raking summary. The weight of a cell is its reference share over its dataset share, so the
 * smallest and largest weights belong to the most over- and under-represented cells and can give
 * a tiny cell's count back: `minWeight` and `maxWeight` go when any group or intersection cell is
 * hidden (the counts raking works on; hidden positives or source cells do not matter to it).
 * The design effect (and the effective sample size, rows over it) is one more exact function of
 * the counts of the raked attributes; with hidden groups in a raked attribute or hidden cells in
 * an intersection of raked attributes it adds an equation that can close the last degree of
 * freedom of the hidden cells, so it goes in that case too.
 */
function withholdCorrection(correction: Correction, report: Report): void {
  // Per-cell rows and weights are for the data's owners (the lake), never for publication.
  delete correction.cells;
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  if (tables.some((t) => t.groups.some(isSuppressed))) {
    correction.minWeight = null;
    correction.maxWeight = null;
  }
  const raked = new Set(correction.attributes);
  const rakedHidden =
    report.attributes.some((a) => raked.has(a.name) && a.groups.some(isSuppressed)) ||
    report.intersections.some((x) => x.attributes.every((a) => raked.has(a)) && x.groups.some(isSuppressed));
  if (rakedHidden) {
    correction.designEffect = null;
    correction.effectiveSampleSize = null;
  }
}

/** Worst cells name cells only, but a hidden cell listed among them would say it is extreme. */
function dropHiddenWorstCells(intersection: IntersectionResult): void {
  if (intersection.worstCells === undefined) return;
  const hidden = new Set(intersection.groups.filter(isSuppressed).map((g) => g.group));
  intersection.worstCells = intersection.worstCells.filter((name) => !hidden.has(name));
}

function withholdAttributeStatistics(attribute: AttributeResult): void {
  const tests: AttributeResult['tests'] = { chiSquare: null };
  for (const [key, value] of Object.entries(attribute.tests)) {
    if (key === 'chiSquare') {
      const chi = value as AttributeResult['tests']['chiSquare'];
      tests.chiSquare = chi ? { ...chi, statistic: null, pValue: null } : null;
    } else {
      tests[key] = null;
    }
  }
  attribute.tests = tests;
  attribute.distances = nullValues(attribute.distances);
  attribute.diversity = nullValues(attribute.diversity);
  // `labels` are suppressed row by row (see `withholdLabelRow`). `weights` stay: weight sum,
  // Kish's effective N and design effect are sums over all rows of the attribute that never split
  // by group, so they add no equation on a group count (and N_eff already shapes every interval).
}

/** The warnings of a published copy, each a function of the copy itself (so suppression stays idempotent). */
function privacyWarnings(report: Report, k: number, unprotected: readonly string[]): ReportWarning[] {
  const warnings: ReportWarning[] = [];
  for (const attribute of report.attributes) {
    const name = attribute.name;
    if (attribute.groups.some(isSuppressed)) {
      warnings.push({
        code: PRIVACY_WARNING.statisticsWithheld,
        path: name,
        message:
          `Statistics of ${name} computed from all its group counts (chi-square statistic, distances ` +
          'and diversity) are withheld in this published copy because some of its groups are hidden; ' +
          'the checks used the exact counts.',
      });
    }
    const labels = attribute.labels;
    const hiddenPositives =
      attribute.groups.some((g) => g.positives === null) ||
      (labels?.groups ?? []).some((r) => r.positives === null);
    if (hiddenPositives) {
      warnings.push({
        code: PRIVACY_WARNING.labelsWithheld,
        path: name,
        message:
          `Positive counts of some groups of ${name} are hidden in this published copy: the group is ` +
          `hidden, its positives or negatives are fewer than ${k}, or they are hidden so that such a ` +
          'count cannot be worked out from the total. Their positive rates and label metrics, and ' +
          'statistics over all groups’ positives, are withheld with them.',
      });
    }
    if (labels?.cdd && labels.cdd.groups.length > 0 && k > 1) {
      warnings.push({
        code: PRIVACY_WARNING.cddWithheld,
        path: name,
        message:
          `Conditional demographic disparity of ${name} given ${labels.cdd.strata} is withheld in this ` +
          `published copy: it is computed from group × ${labels.cdd.strata} × label counts that the ` +
          `report does not carry, so they cannot be shown to be at least ${k}.`,
      });
    }
  }
  for (const intersection of report.intersections) {
    if (intersection.groups.some((g) => g.positives === null)) {
      warnings.push({
        code: PRIVACY_WARNING.labelsWithheld,
        path: intersection.attributes.join(' × '),
        message:
          `Positive counts of some cells are hidden in this published copy: the cell is hidden, its ` +
          `positives or negatives are fewer than ${k}, or they are hidden so that such a count cannot ` +
          'be worked out from the totals.',
      });
    }
  }
  const sources = report.sources;
  const sourceCounts = [
    ...(sources?.groups ?? []),
    ...(sources?.attributes ?? []).flatMap((t) => t.groups.flatMap((row) => row.sources)),
  ];
  if (sourceCounts.some((s) => s.count === null)) {
    warnings.push({
      code: PRIVACY_WARNING.sourcesWithheld,
      path: 'sources',
      message:
        `Some source counts are hidden in this published copy (fewer than ${k}, or hidden so that ` +
        'such a count cannot be worked out from the totals), with their shares. Statistics over all ' +
        'sources (the effective number of sources, and the largest share when it is a hidden ' +
        'source’s) and a dominant-source finding that involves a hidden cell are withheld.',
    });
  }
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  if (report.correction && tables.some((t) => t.groups.some(isSuppressed))) {
    warnings.push({
      code: PRIVACY_WARNING.correctionWithheld,
      path: 'correction',
      message:
        'The smallest and largest raking weights are withheld in this published copy because some ' +
        'cells are hidden: an extreme weight belongs to an extreme cell and can give its count back. ' +
        'The design effect and effective sample size are withheld too when a raked attribute, or an ' +
        'intersection of raked attributes, has hidden cells.',
    });
  }
  for (const path of unprotected) {
    warnings.push({
      code: PRIVACY_WARNING.cellRecoverable,
      path,
      message:
        `A hidden count in ${path} can still be worked out from a published total ` +
        '(no other non-zero cell is left to hide with it).',
    });
  }
  return warnings;
}

function nullValues<T extends Record<string, unknown>>(record: T): { [K in keyof T]: null } {
  return Object.fromEntries(Object.keys(record).map((key) => [key, null])) as { [K in keyof T]: null };
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}

function dedupeWarnings(warnings: readonly ReportWarning[]): ReportWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    if (!Object.values(PRIVACY_WARNING).includes(w.code as never)) return true;
    const key = `${w.code}\u0000${w.path ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function tableKey(attributes: readonly string[]): string {
  return JSON.stringify([...attributes].sort());
}

/** Order-independent key of a cell: its (attribute, group) pairs sorted by attribute. */
function coordsKey(attributes: readonly string[], groups: readonly string[]): string {
  const pairs = attributes.map((a, i) => [a, groups[i] ?? '']);
  pairs.sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
  return JSON.stringify(pairs);
}

interface ParsedIntersection {
  readonly intersection: IntersectionResult;
  /** Per group, its value in each dimension; undefined when the name cannot be split. */
  readonly coords: (string[] | undefined)[];
}

/**
 * Splits cell names `a|b|…` into one value per attribute. Group names may themselves contain `|`,
 * so a split whose parts are all known groups of their attributes wins; a plain split on `|` is
 * the fallback. A name that fits neither stays out of the lines (it is still in the table's sum).
 */
function parseIntersection(
  intersection: IntersectionResult,
  attributes: readonly AttributeResult[],
): ParsedIntersection {
  const known = intersection.attributes.map((name) => {
    const attribute = attributes.find((a) => a.name === name);
    return attribute ? new Set(attribute.groups.map((g) => g.group)) : undefined;
  });
  const n = intersection.attributes.length;
  const coords = intersection.groups.map((g) => {
    const strict = splitKnown(g.group, known);
    if (strict) return strict;
    const parts = g.group.split('|');
    return parts.length === n ? parts : undefined;
  });
  return { intersection, coords };
}

function splitKnown(name: string, known: readonly (ReadonlySet<string> | undefined)[]): string[] | undefined {
  const [first, ...rest] = known;
  if (rest.length === 0) return first?.has(name) ? [name] : undefined;
  for (let at = name.indexOf('|'); at !== -1; at = name.indexOf('|', at + 1)) {
    const head = name.slice(0, at);
    if (!first?.has(head)) continue;
    const tail = splitKnown(name.slice(at + 1), rest);
    if (tail) return [head, ...tail];
  }
  return undefined;
}
