import type { GroupResult, Report, Withheld } from '../../report/schema.ts';
import { parseIntersection } from '../cell-coords.ts';
import {
  type Cell,
  type CountCells,
  countCell,
  isSmall,
  type SectionRules,
  type SumSet,
  type TotalCell,
} from '../engine.ts';
import { DATA_SIZE_SUBJECT } from '../messages.ts';

/**
 * Totals are cells too (issue #17): `rows.*`, each attribute's `total`, `missing` and `unmapped`,
 * each intersection's `total`, and the rows raking used. Published unprotected, they give hidden
 * cells back by differencing (`correction.rows` 596 against `rows.used` 600 pins a 4-row group).
 * Each is a member of the sums it takes part in:
 *
 * - rows read = used + excluded for lack of consent + malformed;
 * - an attribute's groups sum to its total, and (unweighted) total + missing + unmapped = used;
 * - an intersection's cells sum to its total;
 * - the source totals sum to the rows used;
 * - raking's rows + the rows it left out = used, where the rows left out (never published on
 *   their own) are a cell of their own: hidden when small, or when a raked attribute has a small
 *   group without a reference share (raking leaves exactly those out).
 *
 * A total the protection loop hides is published as null (with the weighted total of its
 * attribute), and `privacy.withheld` says where.
 */
export const totalRules: SectionRules = {
  countSets: (report, counts) => totalSets(report, counts),
  hideCounts: (report, state) => {
    for (const cell of state.counts.totals.values()) if (cell.hide !== undefined) cell.withhold();
    // The file's size sums the rows' byte lengths, which differ by group ("diverse" is longer than
    // "male"): with a hidden cell it is withheld, like any statistic over several cells.
    const anyHidden = [...state.counts.groups.values(), ...state.counts.totals.values()].some(
      (cell) => cell.hide !== undefined || cell.count === null,
    );
    if (anyHidden) report.dataset.source.bytes = null;
  },
  withheld: (report) => withheldTotals(report),
};

const ROWS = ['read', 'used', 'excludedNoConsent', 'malformed'] as const;

/** The totals of the copy `report` as cells, counted from `exact` (the input, as it came in). */
export function collectTotalCells(report: Report, exact: Report, k: number): Map<string, TotalCell> {
  const cells = new Map<string, TotalCell>();
  // A hidden total may be 0 to a reader: zeros are only kept visible among groups.
  const add = (key: string, cell: Cell, withhold: () => void) =>
    cells.set(key, { ...cell, mayBeZero: true, withhold });
  for (const key of ROWS) {
    add(`rows.${key}`, countCell(exact.rows[key], k), () => {
      report.rows[key] = null;
    });
  }
  report.attributes.forEach((a, i) => {
    for (const key of ['total', 'missing', 'unmapped'] as const) {
      add(`${a.name}.${key}`, countCell(exact.attributes[i]?.[key] ?? null, k), () => {
        a[key] = null;
        if (key === 'total' && a.weights) a.weights.weightSum = null;
      });
    }
  });
  report.intersections.forEach((x, i) => {
    add(`${title(x.attributes)}.total`, countCell(exact.intersections[i]?.total ?? null, k), () => {
      x.total = null;
    });
  });
  const sources = exact.sources?.groups;
  const weighted = exact.attributes.some((a) => a.weights !== undefined);
  if (sources && !weighted && exact.rows.used !== null && sources.every((s) => s.count !== null)) {
    // The rows without a source, never published on their own: what a source row may fall short of its group by.
    const unsourced = exact.rows.used - sources.reduce((sum, s) => sum + (s.count ?? 0), 0);
    add('sources.unsourced', { count: unsourced, hide: undefined, free: true }, () => {});
  }
  const correction = report.correction;
  const rows = exact.correction?.rows ?? null;
  const used = exact.rows.used;
  if (correction && rows !== null && used !== null) {
    add('correction.rows', countCell(rows, k), () => {
      correction.rows = null;
    });
    const leftOut = countCell(used - rows, k);
    if (leftOut.count !== 0 && smallUnreferencedGroup(exact, correction.attributes, k))
      leftOut.hide = 'small';
    add('correction.left-out', { ...leftOut, free: true }, () => {});
  }
  return cells;
}

function title(attributes: readonly string[]): string {
  return attributes.join(' × ');
}

function smallUnreferencedGroup(exact: Report, raked: readonly string[], k: number): boolean {
  return exact.attributes.some(
    (a) => raked.includes(a.name) && a.groups.some((g) => g.referenceShare === null && isSmall(g.count, k)),
  );
}

function totalSets(report: Report, counts: CountCells): SumSet[] {
  const total = (key: string): Cell | undefined => counts.totals.get(key);
  const group = (g: GroupResult): Cell | undefined => counts.groups.get(g);
  const sets: SumSet[] = [];
  /** `parts` add up to `sum`; a set with a cell that is not known is left out. */
  const push = (path: string, parts: readonly (Cell | undefined)[], sum: Cell | undefined) => {
    const members = [...parts, sum];
    if (sum !== undefined && members.every((m) => m !== undefined && m.count !== null))
      sets.push({ section: 'rows', path, members: members as Cell[], sum });
  };
  const used = total('rows.used');
  push('rows', [used, total('rows.excludedNoConsent'), total('rows.malformed')], total('rows.read'));
  for (const a of report.attributes) {
    push(`${a.name} (total)`, a.groups.map(group), total(`${a.name}.total`));
    if (!a.weights)
      push(
        `${a.name} (rows used)`,
        [total(`${a.name}.total`), total(`${a.name}.missing`), total(`${a.name}.unmapped`)],
        used,
      );
  }
  for (const x of report.intersections)
    push(`${title(x.attributes)} (total)`, x.groups.map(group), total(`${title(x.attributes)}.total`));
  if (report.sources)
    push(
      'sources (rows used)',
      [...report.sources.groups.map((s) => counts.sources.get(s)), total('sources.unsourced')],
      used,
    );
  if (report.correction) {
    push('correction (rows used)', [total('correction.rows'), total('correction.left-out')], used);
    const raked = rakedTable(report, report.correction.attributes);
    if (raked && !report.attributes.some((a) => a.weights))
      push(
        `${raked.title} (raked)`,
        [total('correction.rows'), ...raked.unreferenced.map(group)],
        total(`${raked.title}.total`),
      );
  }
  return sets;
}

/**
 * The table over exactly the raked attributes (the attribute itself when one is raked), with its
 * cells in a group that has no reference share: raking uses the rest, so its rows are that table's
 * total less those cells (a reader can work that out, so the audit must too).
 */
function rakedTable(
  report: Report,
  raked: readonly string[],
): { title: string; unreferenced: GroupResult[] } | undefined {
  const unreferenced = raked.map((name) => {
    const attribute = report.attributes.find((a) => a.name === name);
    return new Set(attribute?.groups.filter((g) => g.referenceShare === null).map((g) => g.group));
  });
  if (raked.length === 1) {
    const attribute = report.attributes.find((a) => a.name === raked[0]);
    if (!attribute) return undefined;
    return {
      title: attribute.name,
      unreferenced: attribute.groups.filter((g) => unreferenced[0]!.has(g.group)),
    };
  }
  const x = report.intersections.find(
    (i) => i.attributes.length === raked.length && i.attributes.every((a) => raked.includes(a)),
  );
  if (!x) return undefined;
  const { coords } = parseIntersection(x, report.attributes);
  if (coords.some((c) => c === undefined)) return undefined;
  const dimension = x.attributes.map((a) => raked.indexOf(a));
  return {
    title: title(x.attributes),
    unreferenced: x.groups.filter((_, j) => coords[j]!.some((v, d) => unreferenced[dimension[d]!]!.has(v))),
  };
}

function withheldTotals(report: Report): Withheld[] {
  const subjects: string[] = [];
  if (Object.values(report.rows).some((v) => v === null)) subjects.push('rows');
  for (const a of report.attributes)
    if (a.total === null || a.missing === null || a.unmapped === null) subjects.push(a.name);
  for (const x of report.intersections) if (x.total === null) subjects.push(title(x.attributes));
  if (report.correction && report.correction.rows === null) subjects.push('correction');
  if (report.dataset.source.bytes === null) subjects.push(DATA_SIZE_SUBJECT);
  return subjects.map((subject) => ({ section: 'rows', subject, reason: 'hidden-cells' }));
}
