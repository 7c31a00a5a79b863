import { type ReferenceMapping, referenceAlias } from '../core/compare/compare-sql.ts';
import { furtherIntersectionReferences } from '../core/compare/further-references.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import { intersectionName } from '../core/profile/plan.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';

// Apart from compare-stage.ts because run claims (run-inputs.ts) need the mappings too, and the
// publish handler's failure path claims runs without loading the comparison and its statistics.

/** Dataset attribute → reference attribute, and joint references for intersections when they exist. */
export function referenceMappings(manifest: Manifest, catalogue: ReferenceCatalogue): ReferenceMapping[] {
  const mappings: ReferenceMapping[] = [];
  const refOf = new Map<string, string>();
  for (const a of manifest.attributes) {
    if (!a.reference) continue;
    const [population, referenceAttribute] = a.reference.split('/') as [string, string];
    refOf.set(a.name, a.reference);
    mappings.push({ attribute: a.name, population, referenceAttribute });
    if (a.references.length < 2) continue;
    // The further references of the attribute (issue #18); the primary's rows are the attribute's.
    for (const reference of a.references.filter((r) => r !== a.reference)) {
      const [further, furtherAttribute] = reference.split('/') as [string, string];
      mappings.push({
        attribute: referenceAlias(a.name, reference),
        population: further,
        referenceAttribute: furtherAttribute,
        counts: a.name,
      });
    }
  }
  for (const names of manifest.intersections) {
    const refs = names.map((n) => refOf.get(n));
    if (refs.some((r) => r === undefined)) continue;
    const populations = new Set(refs.map((r) => r!.split('/')[0]));
    if (populations.size !== 1) continue;
    const population = [...populations][0]!;
    const referenceAttribute = refs.map((r) => r!.split('/')[1]).join('_x_');
    if (catalogue.rows.some((r) => r.population === population && r.attribute === referenceAttribute)) {
      mappings.push({ attribute: intersectionName(names), population, referenceAttribute });
    }
  }
  // The joint references of the further populations every member compares with (#18).
  for (const names of manifest.intersections) {
    for (const { joint } of furtherIntersectionReferences(manifest, names)) {
      const [population, referenceAttribute] = joint.split('/') as [string, string];
      if (!catalogue.rows.some((r) => r.population === population && r.attribute === referenceAttribute))
        continue;
      const attribute = intersectionName(names);
      mappings.push({
        attribute: referenceAlias(attribute, joint),
        population,
        referenceAttribute,
        counts: attribute,
      });
    }
  }
  return mappings;
}
