import type { Correction, GroupResult, Report } from '../../report/schema.ts';
import { isSuppressed, type SectionRules } from '../engine.ts';

/**
 * The raking summary. The weight of a cell is its reference share over its dataset share, so the
 * smallest and largest weights belong to the most over- and under-represented cells and can give
 * a tiny cell's count back: `minWeight` and `maxWeight` go when any group or intersection cell is
 * hidden (the counts raking works on; hidden positives or source cells do not matter to it).
 * The design effect (and the effective sample size, rows over it) is one more exact function of
 * the counts of the raked attributes; with hidden groups in a raked attribute or hidden cells in
 * an intersection of raked attributes it adds an equation that can close the last degree of
 * freedom of the hidden cells, so it goes in that case too. Per-cell rows and weights are for the
 * data's owners (the lake), never for publication.
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
  if (rakedHidden) {
    correction.designEffect = null;
    correction.effectiveSampleSize = null;
  }
}
