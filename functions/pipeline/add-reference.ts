import { ReferencePopulationError } from '../core/errors.ts';
import { lakeKeys, parseDatasetKey } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore } from '../core/ports.ts';
import { binLabels } from '../core/profile/plan.ts';
import { mergeCatalogues, type ReferenceCatalogue } from '../core/references/reference.ts';
import {
  parseUserReference,
  type ReferenceProvenance,
  toReferenceCsv,
} from '../core/references/user-reference.ts';
import { readText } from './io.ts';
import { loadDroppedReferences, loadReferenceFile } from './references.ts';

export interface AddReferenceInput {
  /** The bucket: the reference lands in its `references/` area, beside the dropped CSVs `run` reads. */
  readonly store: ObjectStore;
  readonly bytes: Uint8Array;
  /** Names the file in errors. */
  readonly fileName: string;
  readonly provenance: ReferenceProvenance;
  readonly builtIn: ReferenceCatalogue;
  /** Replace a user reference of the same name. @default false */
  readonly replace?: boolean;
}

export interface AddedReference {
  readonly key: string;
  readonly provenanceKey: string;
  readonly attributes: readonly string[];
  readonly rows: number;
}

/**
 * `repscope references add`: checks a user's shares or counts CSV against the groups the bucket
 * knows (its manifests' attributes and every reference's groups), then stores it as
 * `references/<id>.csv` in the long format with `references/<id>.json` (its provenance) beside it,
 * and reads it back through the loader `run` and the handlers use. A built-in population's id is
 * never taken, and a user one only with `replace`.
 */
export async function addReference(input: AddReferenceInput): Promise<AddedReference> {
  const { store, provenance } = input;
  const id = provenance.id;
  const key = `${lakeKeys.references}${id}.csv`;
  const provenanceKey = `${lakeKeys.references}${id}.json`;
  if (input.builtIn.populations.some((p) => p.id === id)) {
    throw new ReferencePopulationError(
      'REFERENCE_EXISTS',
      `--name ${id}: a built-in population has this id; expected a new id such as ${id}-own`,
    );
  }
  const dropped = (await loadDroppedReferences(store)).filter((c) => !(input.replace && definedIn(c, key)));
  const taken = dropped.flatMap((c) => c.populations).find((p) => p.id === id);
  if (taken) {
    throw new ReferencePopulationError(
      'REFERENCE_EXISTS',
      `--name ${id}: ${taken.file} already defines this population; expected a new id, or --replace to replace ${key}`,
    );
  }
  const catalogue = mergeCatalogues([input.builtIn, ...dropped]);
  const rows = await parseUserReference(input.bytes, {
    fileName: input.fileName,
    population: id,
    year: provenance.year,
    knownGroups: await knownGroups(store, catalogue),
  });
  // The provenance first: the loaders find a population by its CSV, which then has its provenance
  // beside it (a reader in between never cites it without), and a failed write leaves no CSV.
  await store.write(provenanceKey, `${JSON.stringify(provenance, null, 2)}\n`, 'application/json');
  await store.write(key, toReferenceCsv(rows), 'text/csv');
  await loadReferenceFile(store, key, key);
  return { key, provenanceKey, attributes: [...new Set(rows.map((r) => r.attribute))], rows: rows.length };
}

function definedIn(catalogue: ReferenceCatalogue, key: string): boolean {
  return catalogue.populations.some((p) => p.file === key);
}

/**
 * Attribute name → its groups, as the bucket knows them: every reference attribute's groups, and
 * each manifest attribute's declared groups or bin labels, under its own name and under the
 * attribute names of the references it names (a manifest's `age` compared with `…/age_band`).
 */
export async function knownGroups(
  store: ObjectStore,
  catalogue: ReferenceCatalogue,
): Promise<Map<string, string[]>> {
  const known = new Map<string, Set<string>>();
  const add = (attribute: string, groups: readonly string[]) => {
    const set = known.get(attribute) ?? new Set<string>();
    for (const g of groups) set.add(g);
    known.set(attribute, set);
  };
  for (const r of catalogue.rows) add(r.attribute, [r.group]);
  for (const manifest of await bucketManifests(store)) {
    for (const a of manifest.attributes) {
      const own = a.groups ? Object.keys(a.groups) : a.bins ? binLabels(a.bins) : [];
      const fromReferences = catalogue.rows
        .filter((r) => a.references.includes(`${r.population}/${r.attribute}`))
        .map((r) => r.group);
      // An attribute of plain values names no groups of its own to match.
      if (own.length + fromReferences.length === 0) continue;
      for (const name of [a.name, ...a.references.map((r) => r.split('/')[1]!)]) {
        add(name, [...own, ...fromReferences]);
      }
    }
  }
  return new Map([...known].map(([name, groups]) => [name, [...groups]]));
}

/** The bucket's manifests that parse; one that does not is the run's business, not this command's. */
async function bucketManifests(store: ObjectStore): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const object of await store.list(lakeKeys.datasetsPrefix)) {
    if (parseDatasetKey(object.key)?.kind !== 'manifest') continue;
    try {
      out.push(parseManifest(await readText(store, object.key), object.key));
    } catch {
      // An invalid manifest names no groups; `run` reports it.
    }
  }
  return out;
}
