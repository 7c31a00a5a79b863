import {
  type AttributeResult,
  attributeResultSchema,
  type GroupResult,
  type Report,
  type Withheld,
} from '../../report/schema.ts';
import { type Cell, isSuppressed, type SectionRules, type SumSet } from '../engine.ts';
import { withholdSpanning } from '../withhold.ts';
import { dropRows, hideMarkedGroups, withholdOverHiddenTotals } from './groups.ts';

/**
 * Attributes: an attribute's groups sum to its `total`, for counts and for positives (with the
 * label rows whose group is not in the table, which are hidden). Statistics computed over several
 * groups (tagged `spanning`: χ² and its Monte-Carlo p, BH-adjusted p-values, distances, diversity,
 * CDD, the positive class's distances, Kish's N) are each one more equation on the hidden counts,
 * so all of them are withheld in an attribute that has a hidden group. The verdict and check
 * statuses are kept: they were decided on the exact counts, which stay in the lake.
 */
export const attributeRules: SectionRules = {
  countSets: (report, counts) => attributeSets(report, (g) => counts.groups.get(g)),
  hideCounts: (report, state) => hideMarkedGroups(report.attributes, state.counts),
  positiveSets: (report, positives) =>
    attributeSets(
      report,
      (g) => positives.groups.get(g),
      (a) => positives.orphans.get(a) ?? [],
      ' (positives)',
    ),
  withhold: (report) => {
    dropRows(report.attributes);
    withholdOverHiddenTotals(report.attributes);
    for (const attribute of report.attributes) {
      if (attribute.groups.some(isSuppressed)) withholdSpanning(attributeResultSchema, attribute);
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
