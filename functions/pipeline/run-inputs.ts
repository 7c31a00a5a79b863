import { RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { declaredTable, parseManifest } from '../core/manifest/parse.ts';
import { TABLE_NAME_PATTERN } from '../core/manifest/schema.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { REPORT_SCHEMA_ID } from '../core/report/schema.ts';
import { readText, sha256 } from './io.ts';
import { referenceMappings } from './reference-mappings.ts';

/**
 * Everything a run's result depends on, so that the same inputs are analysed once (issue #11):
 * the data objects (key and identity: the S3 ETag, or the local store's etag of size, mtime and
 * inode), the manifest's bytes, the content of each reference the manifest uses, and the report
 * schema the run writes. Another repscope version with the same schema does not re-run: the
 * numbers are pinned by tests, and a schema change is what makes old reports incomparable.
 */
export interface RunInputs {
  readonly schema: string;
  readonly manifestSha256: string;
  /** Sorted by key. */
  readonly files: readonly { readonly key: string; readonly identity: string }[];
  /** `<population>/<attribute>` with the SHA-256 of its rows, sorted by reference. */
  readonly references: readonly { readonly reference: string; readonly sha256: string }[];
}

/** A data object as a run reads it: its key and, when known, the identity it was claimed by. */
export interface InputFile {
  readonly key: string;
  /** The object's ETag or version id; @default - the store's etag (`head`) */
  readonly identity?: string;
}

/**
 * The inputs of a run over `files` with the manifest at `manifestKey` (no files and a manifest that
 * registers a table: the files of the table's folder). A manifest that cannot be
 * read or parsed still has inputs (its hash, or '' when absent, and no references): its run is the
 * `error` report, and fixing the manifest changes the inputs.
 */
export async function runInputs(
  store: ObjectStore,
  manifestKey: string,
  files: readonly InputFile[],
  catalogue: ReferenceCatalogue,
): Promise<RunInputs> {
  let text = '';
  try {
    text = await readText(store, manifestKey);
  } catch (error) {
    if (!(error instanceof RepscopeError)) throw error;
  }
  // A table dataset without data files reads its table: locally the files of its folder are
  // the data, so a changed table is new input (in AWS the manifest's version stands for it).
  const declared = files.length === 0 && text !== '' ? declaredTable(text)?.name : undefined;
  const table = declared !== undefined && TABLE_NAME_PATTERN.test(declared) ? declared : undefined;
  const read: readonly InputFile[] = table
    ? (await store.list(lakeKeys.tableFolder(table))).map((o) => ({ key: o.key, identity: o.etag }))
    : files;
  const identified = await Promise.all(
    read.map(async (f) => ({
      key: f.key,
      identity: bare(f.identity ?? (await store.head(f.key))?.etag ?? ''),
    })),
  );
  return {
    schema: REPORT_SCHEMA_ID,
    manifestSha256: text === '' ? '' : sha256(text),
    files: identified.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    references: referenceDigests(text, manifestKey, catalogue),
  };
}

/** The content hash of each reference (marginal and joint) the manifest compares with. */
export function referenceDigests(
  manifestText: string,
  manifestKey: string,
  catalogue: ReferenceCatalogue,
): RunInputs['references'] {
  let mappings: ReturnType<typeof referenceMappings>;
  try {
    mappings = referenceMappings(parseManifest(manifestText, manifestKey), catalogue);
  } catch (error) {
    if (error instanceof RepscopeError) return [];
    throw error;
  }
  const references = new Set(mappings.map((m) => `${m.population}/${m.referenceAttribute}`));
  return [...references].sort().map((reference) => {
    const [population, attribute] = reference.split('/') as [string, string];
    const rows = catalogue.rows
      .filter((r) => r.population === population && r.attribute === attribute)
      .map((r) => [r.group, r.count, r.share, r.sourceYear])
      .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    return { reference, sha256: sha256(JSON.stringify(rows)) };
  });
}

/** S3 quotes ETags in some answers and not in events: compared without quotes. */
function bare(identity: string): string {
  return identity.replaceAll('"', '');
}
