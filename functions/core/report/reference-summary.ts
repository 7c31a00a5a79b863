import type { AttributeResult, ReferenceComparison, ReferenceKind } from './schema.ts';

/** How the page and the text output name each kind of reference population. */
export const REFERENCE_KIND_LABEL: Readonly<Record<ReferenceKind, string>> = {
  official: 'official statistic',
  market: 'market estimate',
  customers: 'own customers',
};

/** `market estimate, primary, checked`: what a block is, in words. */
export function comparisonRole(block: ReferenceComparison): string {
  const kind = block.kind === null ? 'kind not stated' : REFERENCE_KIND_LABEL[block.kind];
  const role = block.primary
    ? 'primary'
    : block.checked
      ? 'checked with its own thresholds'
      : 'for information';
  return `${kind}, ${role}`;
}

/**
 * One sentence per reference of an attribute (issue #18), from a published copy's block: the
 * groups it finds under- and over-represented (visible ones only: a hidden group is named as
 * hidden by the attribute's own summary) and its total variation distance when published.
 */
export function comparisonSentence(
  attribute: Pick<AttributeResult, 'name'>,
  block: ReferenceComparison,
): string {
  const named = (status: string) => block.groups.filter((g) => g.status === status).map((g) => g.group);
  const under = named('under');
  const over = named('over');
  const parts: string[] = [];
  if (under.length > 0) parts.push(`under-represented: ${under.join(', ')}`);
  if (over.length > 0) parts.push(`over-represented: ${over.join(', ')}`);
  if (parts.length === 0) parts.push('no group clearly under- or over-represented');
  const tvd = block.distances.tvd;
  if (tvd !== null) parts.push(`total variation distance ${tvd.toFixed(3)}`);
  return `Against ${block.reference} (${comparisonRole(block)}), ${attribute.name} is ${block.status === 'pass' ? 'within the thresholds' : block.status === 'warn' ? 'worth a look' : 'outside the thresholds'}: ${parts.join('; ')}.`;
}

/**
 * The groups of an attribute and of all its references, in the attribute's order then each
 * reference's: a reference may have a group the data lacks (and the other way round).
 */
export function comparedGroups(attribute: Pick<AttributeResult, 'groups' | 'comparisons'>): string[] {
  return [
    ...new Set([
      ...attribute.groups.map((g) => g.group),
      ...(attribute.comparisons ?? []).flatMap((b) => b.groups.map((g) => g.group)),
    ]),
  ];
}
