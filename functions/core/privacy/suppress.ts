import type { Report, ReportWarning, Withheld } from '../report/schema.ts';
import { type AuditedRun, auditAcrossRuns, auditCounts } from './audit.ts';
import {
  type Cell,
  collectCountCells,
  protect,
  type SectionRules,
  type SumSet,
  type SuppressionState,
} from './engine.ts';
import { isPrivacyWarning, withheldWarning } from './messages.ts';
import { attributeRules } from './rules/attributes.ts';
import { comparisonRules } from './rules/comparisons.ts';
import { correctionRules } from './rules/correction.ts';
import { intersectionRules } from './rules/intersections.ts';
import { collectPositiveCells, labelRules, positiveAudit } from './rules/labels.ts';
import { publicTextRules } from './rules/public-text.ts';
import { sourceRules } from './rules/sources.ts';
import { collectTotalCells, totalRules } from './rules/totals.ts';
import {
  cellKeys,
  keepHiddenPattern,
  linkRuns,
  preferHiddenBefore,
  type RunAudit,
  runOrder,
} from './runs.ts';
import { orderWithheld } from './withheld.ts';

/**
 * Small-cell suppression for published copies of a report (HTML, JSON, CSV on the site).
 *
 * Primary suppression hides every count in 1..k−1 (k = minCellSize) together with every field
 * computed from it (by the field's disclosure tag in the schema: share, interval, ratio,
 * difference, p-values, positives, rows needed). Zeros stay visible. Complementary suppression
 * (`engine.ts`) then hides further cells until every set of cells whose sum is published holds
 * either no hidden cell or at least two. Each section of the report brings its own sets, what it
 * withholds and what it says about it in one rules module (`rules/`); adding a section means
 * adding one module to `SECTIONS`.
 *
 * Counts come first (attributes, intersections and sources protected together), positives second,
 * because a hidden group hides its positives. Each section then withholds its statistics over
 * hidden cells. `privacy.withheld` lists what was withheld, and one warning per entry says it in
 * words (`messages.ts`).
 *
 * Totals (rows, N, missing, unmapped, the rows raking used) are cells of the same sums
 * (`rules/totals.ts`), and sentences are rewritten from the copy last (`rules/public-text.ts`).
 */
const SECTIONS: readonly SectionRules[] = [
  attributeRules,
  labelRules,
  intersectionRules,
  sourceRules,
  correctionRules,
  totalRules,
  // After the rules that decide what is hidden: the blocks hide what their attribute hides.
  comparisonRules,
  // Last: sentences are rewritten from what the other sections left visible.
  publicTextRules,
];

/**
 * Returns the copy of `report` that may be published: small cells hidden, complementary cells
 * hidden, `privacy.suppressed` true. Pure: the input is not changed. Idempotent: suppressing a
 * suppressed copy again with the same `minCellSize` returns an equal report. When the input is
 * already a suppressed copy, the larger of its threshold and `minCellSize` is used.
 *
 * @param minCellSize - the smallest count that may be shown (k); counts in 1..k−1 are hidden.
 */
export function suppressReport(report: Report, minCellSize: number): Report {
  return suppressRun(report, minCellSize).report;
}

/** A published copy and what the next run of its dataset needs to be suppressed with it. */
export interface SuppressedRun {
  readonly report: Report;
  readonly audit: RunAudit;
}

/**
 * {@link suppressReport} for one run of a dataset whose previous run was published with `previous`
 * (`runs.ts`): the cells hidden there are chosen first as complementary cells, and the two runs
 * are audited together, hiding further cells of this run only, until no hidden count of either
 * run is narrower than k when the two are differenced. Without `previous` it is `suppressReport`.
 */
export function suppressRun(report: Report, minCellSize: number, previous?: RunAudit): SuppressedRun {
  if (!Number.isInteger(minCellSize) || minCellSize < 0) {
    throw new RangeError(`minCellSize must be an integer >= 0, received ${String(minCellSize)}`);
  }
  const out = structuredClone(report);
  const k = out.privacy.suppressed ? Math.max(out.privacy.minCellSize, minCellSize) : minCellSize;
  const counts = collectCountCells(out, k, collectTotalCells(out, report, k));
  const state: SuppressionState = { k, exact: report, counts };

  const weighted = out.attributes.some((a) => a.weights !== undefined);
  const countSets = SECTIONS.flatMap((s) => s.countSets?.(out, state.counts) ?? []);
  const countCells = cellKeys(out, counts);
  if (previous) {
    preferHiddenBefore(previous.cells, countCells);
    keepHiddenPattern(previous.cells, countCells, countSets);
  }
  const unprotected = protect(countSets);
  unprotected.push(...auditCounts(countSets, k, { weighted }));
  const countRun: AuditedRun = { sets: countSets, k, options: { weighted } };
  if (previous) unprotected.push(...acrossRuns(countRun, previous.counts, previous.cells, countCells));
  for (const section of SECTIONS) section.hideCounts?.(out, state);

  const positives = collectPositiveCells(out, report, k, counts.groups);
  const cells = cellKeys(out, counts, positives);
  const positiveSets = SECTIONS.flatMap((s) => s.positiveSets?.(out, positives, counts) ?? []);
  if (previous) {
    preferHiddenBefore(previous.cells, cells);
    keepHiddenPattern(previous.cells, cells, positiveSets);
  }
  unprotected.push(...protect(positiveSets));
  const allSets = [...countSets, ...positiveSets];
  const positiveOptions = positiveAudit(out, counts, positives);
  unprotected.push(...auditCounts(allSets, k, positiveOptions));
  const allRun: AuditedRun = { sets: allSets, k, options: positiveOptions };
  if (previous) unprotected.push(...acrossRuns(allRun, previous.all, previous.cells, cells));
  for (const section of SECTIONS) section.hidePositives?.(out, positives, state);

  for (const section of SECTIONS) section.withhold?.(out, state);
  const withheld = orderWithheld(out, [
    ...(out.privacy.withheld ?? []),
    ...SECTIONS.flatMap((s) => s.withheld(out, k)),
    ...[...new Set(unprotected)].map(recoverable),
  ]);
  out.warnings = dedupeWarnings([...out.warnings, ...withheld.map((w) => withheldWarning(w, out, k))]);
  out.privacy = { minCellSize: k, suppressed: true, withheld };
  return { report: out, audit: { counts: countRun, all: allRun, cells } };
}

/** The joint audit of this run's sums with the previous run's, over the cells both have. */
function acrossRuns(
  current: AuditedRun,
  previous: AuditedRun,
  previousCells: ReadonlyMap<string, Cell>,
  cells: ReadonlyMap<string, Cell>,
): SumSet[] {
  const { links, change } = linkRuns(previousCells, cells);
  return auditAcrossRuns(current, previous, links, change);
}

/**
 * The published copies of `reports` (any datasets, any order), returned in the order given. Each
 * dataset's runs are suppressed oldest first (`runOrder`), each with the previous run's state, so
 * a copy depends only on its run and the runs before it: a new run never changes a published one.
 * A run with no cells (an error report) passes the state before it on.
 */
export function suppressRuns(reports: readonly Report[]): Report[] {
  const out = new Map<Report, Report>();
  const byDataset = new Map<string, Report[]>();
  for (const r of reports) byDataset.set(r.dataset.id, [...(byDataset.get(r.dataset.id) ?? []), r]);
  for (const runs of byDataset.values()) {
    let previous: RunAudit | undefined;
    for (const report of [...runs].sort(runOrder)) {
      const run = suppressRun(report, report.privacy.minCellSize, previous);
      out.set(report, run.report);
      if (run.audit.cells.size > 0) previous = run.audit;
    }
  }
  return reports.map((r) => out.get(r)!);
}

function recoverable(set: SumSet): Withheld {
  return { section: set.section, subject: set.path, reason: 'recoverable-cell' };
}

function dedupeWarnings(warnings: readonly ReportWarning[]): ReportWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    if (!isPrivacyWarning(w)) return true;
    const key = `${w.code}\u0000${w.path ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
