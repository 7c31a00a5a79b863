import type { Report, ReportWarning, Withheld } from '../report/schema.ts';
import { auditCounts } from './audit.ts';
import {
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
  if (!Number.isInteger(minCellSize) || minCellSize < 0) {
    throw new RangeError(`minCellSize must be an integer >= 0, received ${String(minCellSize)}`);
  }
  const out = structuredClone(report);
  const k = out.privacy.suppressed ? Math.max(out.privacy.minCellSize, minCellSize) : minCellSize;
  const counts = collectCountCells(out, k, collectTotalCells(out, report, k));
  const state: SuppressionState = { k, exact: report, counts };

  const weighted = out.attributes.some((a) => a.weights !== undefined);
  const countSets = SECTIONS.flatMap((s) => s.countSets?.(out, state.counts) ?? []);
  const unprotected = protect(countSets);
  unprotected.push(...auditCounts(countSets, k, { weighted }));
  for (const section of SECTIONS) section.hideCounts?.(out, state);

  const positives = collectPositiveCells(out, report, k, counts.groups);
  const positiveSets = SECTIONS.flatMap((s) => s.positiveSets?.(out, positives, counts) ?? []);
  unprotected.push(...protect(positiveSets));
  const audited = auditCounts([...countSets, ...positiveSets], k, positiveAudit(out, counts, positives));
  unprotected.push(...audited.filter((s) => !unprotected.includes(s)));
  for (const section of SECTIONS) section.hidePositives?.(out, positives, state);

  for (const section of SECTIONS) section.withhold?.(out, state);
  const withheld = orderWithheld(out, [
    ...(out.privacy.withheld ?? []),
    ...SECTIONS.flatMap((s) => s.withheld(out, k)),
    ...unprotected.map(recoverable),
  ]);
  out.warnings = dedupeWarnings([...out.warnings, ...withheld.map((w) => withheldWarning(w, out, k))]);
  out.privacy = { minCellSize: k, suppressed: true, withheld };
  return out;
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
