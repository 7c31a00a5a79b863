import { ReferencePopulationError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { toJsonLines } from '../core/lake/tables.ts';
import type { ObjectStore } from '../core/ports.ts';
import {
  mergeCatalogues,
  type PopulationInfo,
  parseReferenceCsv,
  populationsOfRows,
  type ReferenceCatalogue,
  type ReferenceRow,
} from '../core/references/reference.ts';
import { parseReferenceProvenance, provenanceInfo } from '../core/references/reference-provenance.ts';
import { readText } from './io.ts';

/** Built-in populations: `<dir>/populations.json` lists them and names each one's CSV file. */
export async function loadBuiltInReferences(store: ObjectStore): Promise<ReferenceCatalogue> {
  const index = JSON.parse(await readText(store, 'populations.json')) as (PopulationInfo & {
    file: string;
  })[];
  const catalogues: ReferenceCatalogue[] = [];
  for (const info of index) {
    const rows = await parseReferenceCsv(store.read(info.file), `references/${info.file}`);
    const foreign = rows.find((r) => r.population !== info.id);
    if (foreign) {
      throw new ReferencePopulationError(
        'REFERENCE_INVALID',
        `references/${info.file}: population '${foreign.population}' found; expected only '${info.id}'`,
      );
    }
    catalogues.push({ populations: [{ ...info, file: `references/${info.file}` }], rows });
  }
  return mergeCatalogues(catalogues);
}

/** A user's own reference CSV in the long format; its `population` column names the ids. */
export async function loadReferenceFile(
  store: ObjectStore,
  key: string,
  displayName: string,
): Promise<ReferenceCatalogue> {
  const rows = await parseReferenceCsv(store.read(key), displayName);
  if (rows.length === 0) {
    throw new ReferencePopulationError(
      'REFERENCE_INVALID',
      `${displayName}: no reference rows; expected population,attribute,group,count,share,source_year lines`,
    );
  }
  return { populations: await populationsOf(store, key, rows, displayName), rows };
}

/**
 * A user reference's citation: its provenance file (`<name>.json` beside the CSV, written by
 * `references add`) when there is one, else the ids of its rows with the file name.
 */
async function populationsOf(
  store: ObjectStore,
  key: string,
  rows: readonly ReferenceRow[],
  displayName: string,
): Promise<PopulationInfo[]> {
  const provenanceKey = key.replace(/\.csv$/i, '.json');
  if (provenanceKey === key || (await store.head(provenanceKey)) === undefined) {
    return populationsOfRows(rows, displayName);
  }
  const where = displayName.replace(/\.csv$/i, '.json');
  const provenance = parseReferenceProvenance(await readText(store, provenanceKey), where);
  const foreign = rows.find((r) => r.population !== provenance.id);
  if (foreign) {
    throw new ReferencePopulationError(
      'REFERENCE_INVALID',
      `${displayName}: population '${foreign.population}' found; expected only '${provenance.id}' as ${where} says`,
    );
  }
  return [provenanceInfo(provenance, displayName)];
}

/** User references dropped into `<root>/references/` (top level *.csv), as `run` picks them up. */
export async function loadDroppedReferences(store: ObjectStore): Promise<ReferenceCatalogue[]> {
  const objects = await store.list(lakeKeys.references);
  return Promise.all(
    objects
      .filter((o) => /^references\/[^/]+\.csv$/i.test(o.key))
      .map((o) => loadReferenceFile(store, o.key, o.key)),
  );
}

/** Writes the catalogue as the reference_populations table: one JSON Lines file per population. */
export async function writeReferenceTable(store: ObjectStore, catalogue: ReferenceCatalogue): Promise<void> {
  const byPopulation = new Map<string, ReferenceRow[]>();
  for (const r of catalogue.rows)
    byPopulation.set(r.population, [...(byPopulation.get(r.population) ?? []), r]);
  for (const [population, rows] of byPopulation) {
    const lines = rows.map((r) => ({
      attribute: r.attribute,
      group: r.group,
      count: r.count,
      share: r.share,
      source_year: r.sourceYear,
    }));
    await store.write(lakeKeys.referenceTable(population), toJsonLines(lines));
  }
}
