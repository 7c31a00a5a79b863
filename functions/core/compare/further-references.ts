import type { Manifest } from '../manifest/schema.ts';

// Apart from compare.ts because the reference mappings (pipeline/reference-mappings.ts), which run
// claims need, use it without loading the comparison and its statistics.

/**
 * The populations, besides the primary references', that every member of an intersection
 * compares with (issue #18), each with the name of its joint reference (`market-2026/sex_x_age_band`)
 * and its marginal references. Empty when there is none: the intersection then has no blocks.
 */
export function furtherIntersectionReferences(
  manifest: Manifest,
  names: readonly string[],
): { population: string; joint: string; marginals: string[] }[] {
  const specs = names.map((n) => manifest.attributes.find((a) => a.name === n)!);
  const populationOf = (reference: string) => reference.split('/')[0]!;
  const primaries = new Set(specs.map((s) => (s.reference ? populationOf(s.reference) : '')));
  const shared = primaries.size === 1 ? [...primaries][0] : undefined;
  const common = specs[0]!.references
    .map(populationOf)
    .filter((p) => p !== shared && specs.every((s) => s.references.some((r) => populationOf(r) === p)));
  return common.map((population) => {
    const marginals = specs.map((s) => s.references.find((r) => populationOf(r) === population)!);
    return {
      population,
      joint: `${population}/${marginals.map((r) => r.split('/')[1]).join('_x_')}`,
      marginals,
    };
  });
}
