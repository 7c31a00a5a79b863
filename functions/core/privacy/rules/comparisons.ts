import { intersectionName } from '../../profile/plan.ts';
import {
  type AttributeResult,
  type Check,
  type ComparisonGroup,
  comparisonGroupSchema,
  type IntersectionResult,
  type ReferenceComparison,
  referenceComparisonSchema,
} from '../../report/schema.ts';
import { isSuppressed, type SectionRules } from '../engine.ts';
import { HIDDEN_NOTE, PUBLIC_TEXT } from '../messages.ts';
import { withholdCell, withholdOverTotal, withholdSpanning } from '../withhold.ts';
import { withholdHiddenPositiveShares } from './labels.ts';

/**
 * The comparison blocks of attributes with several references, and of intersections whose
 * members share a further population (issue #18). A block's numbers are
 * the attribute's cells against another reference share, which is public: a group's ratio,
 * difference and test are its share over that public number. So a block adds no sum of its own
 * and hides what the attribute hides: a hidden group's fields go by the same tags (and its status
 * says suppressed), ratios to a hidden total go, and with any hidden group the block's spanning
 * statistics (χ², distances, adjusted p, the positive class's distances) go. The positive-class
 * composition hides the shares the attribute's labels hide. A block's own check (a population
 * with thresholds of its own) is said again from the copy, as the attribute's is. Runs after the
 * attribute, label and total rules have decided what is hidden.
 */
export const comparisonRules: SectionRules = {
  withhold: (report) => {
    for (const table of [...report.attributes, ...report.intersections]) {
      if (table.comparisons === undefined) continue;
      const hidden = new Set(table.groups.filter(isSuppressed).map((g) => g.group));
      for (const block of table.comparisons) withholdBlock(table, block, hidden);
    }
    for (const attribute of report.attributes) {
      if (attribute.groups.some(isSuppressed) && attribute.comparisons !== undefined)
        report.checks = report.checks.map((c) => publicCheck(c, attribute));
    }
    for (const x of report.intersections) {
      if (x.groups.some(isSuppressed) && x.comparisons !== undefined)
        report.checks = report.checks.map((c) => publicIntersectionCheck(c, x));
    }
  },
  withheld: () => [],
};

function withholdBlock(
  table: Pick<AttributeResult, 'total' | 'labels'>,
  block: ReferenceComparison,
  hidden: ReadonlySet<string>,
): void {
  for (const group of block.groups) {
    if (hidden.has(group.group)) hideGroup(group);
    else if (table.total === null) withholdOverTotal(comparisonGroupSchema, group);
  }
  if (hidden.size > 0) withholdSpanning(referenceComparisonSchema, block);
  if (block.positiveComposition) {
    if (table.labels?.positiveComposition == null) block.positiveComposition = null;
    else withholdHiddenPositiveShares(block.positiveComposition, table.labels);
  }
}

function hideGroup(group: ComparisonGroup): void {
  withholdCell(comparisonGroupSchema, group, ['count', 'positives']);
  group.status = 'suppressed';
  group.note = HIDDEN_NOTE;
}

/** A further reference's check, naming visible groups only, as `public-text.ts` does for the primary's. */
function publicCheck(check: Check, attribute: AttributeResult): Check {
  const block = attribute.comparisons?.find(
    (b) => check.id === `representation:${attribute.name}@${b.reference}`,
  );
  if (block === undefined) return check;
  const named = (status: string) => block.groups.filter((g) => g.status === status).map((g) => g.group);
  const parts: string[] = [];
  if (named('under').length) parts.push(`under-represented: ${named('under').join(', ')}`);
  if (named('over').length) parts.push(`over-represented: ${named('over').join(', ')}`);
  parts.push(PUBLIC_TEXT.hiddenGroups);
  return { ...check, message: `${attribute.name} vs ${block.reference}: ${parts.join('; ')}` };
}

/** A further population's intersection check (thresholds of its own), naming visible cells only. */
function publicIntersectionCheck(check: Check, x: IntersectionResult): Check {
  const name = intersectionName(x.attributes);
  const block = x.comparisons?.find((b) => !b.primary && check.id === `intersection:${name}@${b.reference}`);
  if (block === undefined) return check;
  const flagged = block.groups.filter((g) => g.status === 'under' || g.status === 'over');
  const cells = flagged.length > 0 ? `${flagged.map((g) => `${g.group} ${g.status}`).join(', ')}; ` : '';
  return {
    ...check,
    message: `${x.attributes.join(' × ')} vs ${block.reference}: ${cells}${PUBLIC_TEXT.hiddenCells}`,
  };
}
