import { type Correction, correctionSchema, type GroupResult, type Report } from '../../report/schema.ts';
import { isSuppressed, type SectionRules } from '../engine.ts';
import { withholdSpanning } from '../withhold.ts';

/**
 * The raking summary. Raking works on the counts of the raked cross-table, so each number it
 * reports over them (tagged `spanning`: iterations, the largest margin error, the design effect
 * and effective sample size, the smallest and largest weights) is one more equation on its hidden
 * counts: all of them go when a raked attribute, or an intersection of raked attributes, has a
 * hidden cell. The smallest and largest weights go whenever any group or intersection cell is
 * hidden: an extreme weight belongs to an extreme cell. Hidden positives or source cells do not
 * matter to raking. Per-cell rows and weights are for the data's owners (the lake), never for
 * publication.
 */
export const correctionRules: SectionRules = {
  withhold: (report) => {
    if (report.correction) withholdCorrection(report.correction, report);
  },
  withheld: (report) =>
    report.correction && anyHiddenCell(report)
      ? [{ section: 'correction', subject: 'correction', reason: 'hidden-cells' }]
      : [],
};

function anyHiddenCell(report: Report): boolean {
  const tables: { groups: GroupResult[] }[] = [...report.attributes, ...report.intersections];
  return tables.some((t) => t.groups.some(isSuppressed));
}

function withholdCorrection(correction: Correction, report: Report): void {
  delete correction.cells;
  if (anyHiddenCell(report)) {
    correction.minWeight = null;
    correction.maxWeight = null;
  }
  const raked = new Set(correction.attributes);
  const rakedHidden =
    report.attributes.some((a) => raked.has(a.name) && a.groups.some(isSuppressed)) ||
    report.intersections.some((x) => x.attributes.every((a) => raked.has(a)) && x.groups.some(isSuppressed));
  if (rakedHidden) withholdSpanning(correctionSchema, correction);
}
