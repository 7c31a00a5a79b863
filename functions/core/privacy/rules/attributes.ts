import type { AttributeResult, GroupResult, Report, Withheld } from '../../report/schema.ts';
import { type Cell, isSuppressed, type SectionRules, type SumSet } from '../engine.ts';
import { hideMarkedGroups } from './groups.ts';

/**
 * Attributes: an attribute's groups sum to its `total`, for counts and for positives (with the
 * label rows whose group is not in the table, which are hidden). Statistics that are exact
 * functions of all counts of an attribute (χ² statistic, distances, diversity) would let a reader
 * solve for the hidden counts, so they are withheld in any attribute that has a hidden group. The
 * verdict and checks are kept: they were decided on the exact counts, which stay in the lake.
 */
export const attributeRules: SectionRules = {
  countSets: (report, counts) => attributeSets(report, (g) => counts.groups.get(g)),
  hideCounts: (report, state) => hideMarkedGroups(report.attributes, state.counts, state.k),
  positiveSets: (report, positives) =>
    attributeSets(
      report,
      (g) => positives.groups.get(g),
      (a) => positives.orphans.get(a) ?? [],
      ' (positives)',
    ),
  withhold: (report) => {
    for (const attribute of report.attributes) {
      if (attribute.groups.some(isSuppressed)) withholdAttributeStatistics(attribute);
    }
  },
  withheld: (report) =>
    report.attributes
      .filter((a) => a.groups.some(isSuppressed))
      .map((a): Withheld => ({ section: 'attributes', subject: a.name, reason: 'hidden-cells' })),
};

/** One set per attribute whose groups all have a cell: the groups (and `extra` cells) sum to `total`. */
function attributeSets(
  report: Report,
  cellOf: (g: GroupResult) => Cell | undefined,
  extra: (a: AttributeResult) => readonly Cell[] = () => [],
  suffix = '',
): SumSet[] {
  const sets: SumSet[] = [];
  for (const attribute of report.attributes) {
    const cells = attribute.groups.map(cellOf);
    if (!cells.every((c) => c !== undefined)) continue;
    sets.push({
      section: 'attributes',
      path: `${attribute.name}${suffix}`,
      members: [...cells, ...extra(attribute)],
    });
  }
  return sets;
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
  // `labels` are suppressed row by row (see `labelRules`). `weights` stay: weight sum, Kish's
  // effective N and design effect are sums over all rows of the attribute that never split by
  // group, so they add no equation on a group count (and N_eff already shapes every interval).
}

function nullValues<T extends Record<string, unknown>>(record: T): { [K in keyof T]: null } {
  return Object.fromEntries(Object.keys(record).map((key) => [key, null])) as { [K in keyof T]: null };
}
