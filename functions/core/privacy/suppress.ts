import type {
  AttributeResult,
  GroupResult,
  IntersectionResult,
  Report,
  ReportWarning,
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
 * Statistics that are exact functions of all counts of an attribute (χ² statistic, distances,
 * diversity, label and weight summaries) would let a reader solve for the hidden counts, so they
 * are withheld (null, with a warning) in any attribute that has a hidden group. The verdict and
 * checks are kept: they were decided on the exact counts, which stay in the lake.
 *
 * Not covered (the report@1 schema has no way to say "hidden" there): `missing`, `unmapped` and
 * `total` are numbers, never null, so they are published as they are.
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

  const cells = collectCells(out, k);
  const sets = collectSumSets(out, cells);
  const unprotected = protect(sets);

  for (const cell of cells.values()) {
    if (cell.hide !== undefined)
      hideGroup(cell.group, cell.hide === 'small' ? smallCellNote(k) : COMPLEMENTARY_NOTE);
    else if (cell.group.status === 'suppressed') hideGroup(cell.group, cell.group.note ?? smallCellNote(k));
    else hideSmallPositives(cell.group, k);
  }
  const warnings = [...out.warnings];
  for (const attribute of out.attributes) {
    if (attribute.groups.some((g) => g.status === 'suppressed')) {
      withholdAttributeStatistics(attribute);
      warnings.push({
        code: PRIVACY_WARNING.statisticsWithheld,
        path: attribute.name,
        message:
          `Statistics of ${attribute.name} computed from all its group counts (chi-square statistic, ` +
          'distances, diversity, label and weight summaries) are withheld in this published copy ' +
          'because some of its groups are hidden; the checks used the exact counts.',
      });
    }
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
  out.warnings = dedupeWarnings(warnings);
  out.privacy = { minCellSize: k, suppressed: true };
  return out;
}

type HideReason = 'small' | 'complementary';

interface Cell {
  readonly group: GroupResult;
  /** Published count, or null when it is not shown (hidden before, or not computed). */
  readonly count: number | null;
  hide: HideReason | undefined;
}

interface SumSet {
  /** Names the table (and line) for warnings, e.g. `sex` or `sex × age_band`. */
  readonly path: string;
  readonly members: readonly Cell[];
}

function isHidden(cell: Cell): boolean {
  return cell.count === null || cell.group.status === 'suppressed' || cell.hide !== undefined;
}

function isSmall(count: number | null, k: number): boolean {
  return count !== null && count > 0 && count < k;
}

/** One cell per group of every attribute and intersection, small ones marked for hiding. */
function collectCells(report: Report, k: number): Map<GroupResult, Cell> {
  const cells = new Map<GroupResult, Cell>();
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  for (const table of tables) {
    for (const group of table.groups) {
      const hide = group.status !== 'suppressed' && isSmall(group.count, k) ? 'small' : undefined;
      cells.set(group, { group, count: group.status === 'suppressed' ? null : group.count, hide });
    }
  }
  return cells;
}

/**
 * Every set of cells whose sum is published, directly or as another cell: an attribute's groups
 * (sum: `total`), an intersection's cells (sum: `total`), and each line of an intersection (sum:
 * the matching cell of the table without that dimension, when the report has that table).
 */
function collectSumSets(report: Report, cells: Map<GroupResult, Cell>): SumSet[] {
  const cellOf = (g: GroupResult): Cell => cells.get(g)!;
  const lookup = new Map<string, Map<string, Cell>>();
  const sets: SumSet[] = [];

  for (const attribute of report.attributes) {
    const byCoords = new Map<string, Cell>();
    for (const g of attribute.groups) byCoords.set(coordsKey([attribute.name], [g.group]), cellOf(g));
    lookup.set(tableKey([attribute.name]), byCoords);
    sets.push({ path: attribute.name, members: attribute.groups.map(cellOf) });
  }

  const parsed = report.intersections.map((x) => parseIntersection(x, report.attributes));
  parsed.forEach(({ intersection, coords }) => {
    const byCoords = new Map<string, Cell>();
    intersection.groups.forEach((g, j) => {
      const c = coords[j];
      if (c !== undefined) byCoords.set(coordsKey(intersection.attributes, c), cellOf(g));
    });
    lookup.set(tableKey(intersection.attributes), byCoords);
  });

  for (const { intersection, coords } of parsed) {
    const names = intersection.attributes;
    const title = names.join(' × ');
    sets.push({ path: title, members: intersection.groups.map(cellOf) });
    names.forEach((name, d) => {
      const rest = names.filter((_, i) => i !== d);
      const margins = lookup.get(tableKey(rest));
      const lines = new Map<string, Cell[]>();
      intersection.groups.forEach((g, j) => {
        const c = coords[j];
        if (c === undefined) return;
        const key = coordsKey(
          rest,
          c.filter((_, i) => i !== d),
        );
        const line = lines.get(key) ?? [];
        line.push(cellOf(g));
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
  const unprotected = sets.filter((s) => s.members.filter(isHidden).length === 1).map((s) => s.path);
  return [...new Set(unprotected)];
}

function smallestVisible(members: readonly Cell[]): Cell | undefined {
  let best: Cell | undefined;
  for (const cell of members) {
    if (isHidden(cell) || cell.count === null || cell.count <= 0) continue;
    if (best === undefined || cell.count < (best.count ?? Number.POSITIVE_INFINITY)) best = cell;
  }
  return best;
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

/** Positives (and so negatives, count − positives) in 1..k−1 are small cells too. */
function hideSmallPositives(group: GroupResult, k: number): void {
  const { count, positives } = group;
  if (positives === undefined || positives === null || count === null) return;
  if (isSmall(positives, k) || isSmall(count - positives, k)) group.positives = null;
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
  delete attribute.labels;
  delete attribute.weights;
}

function nullValues<T extends Record<string, unknown>>(record: T): { [K in keyof T]: null } {
  return Object.fromEntries(Object.keys(record).map((key) => [key, null])) as { [K in keyof T]: null };
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
