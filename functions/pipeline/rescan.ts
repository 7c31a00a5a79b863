import { RepscopeError, UsageError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { declaredTable, parseManifest } from '../core/manifest/parse.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { DatasetEntry } from './analyse.ts';
import { readText } from './io.ts';
import { discoverDatasets, type RunRootContext, type RunRootResult, runRoot } from './run-root.ts';

/**
 * The datasets a rescan re-profiles: those whose manifest has a `schedule`, or, when `named` is
 * given, exactly those (a manifest that does not parse is due when named, so its error report
 * says why; unnamed, it is left alone).
 *
 * @throws UsageError when a named dataset has no manifest in the lake
 */
export async function dueDatasets(
  store: ObjectStore,
  entries: readonly DatasetEntry[],
  named: readonly string[] = [],
): Promise<DatasetEntry[]> {
  if (named.length > 0) {
    const missing = named.filter((id) => !entries.some((e) => e.id === id));
    if (missing.length > 0) {
      throw new UsageError(
        `no dataset ${missing.map((m) => `'${m}'`).join(', ')} in the lake; expected one of: ${entries.map((e) => e.id).join(', ') || 'none'}`,
      );
    }
    return entries.filter((e) => named.includes(e.id));
  }
  const due: DatasetEntry[] = [];
  for (const entry of entries) {
    try {
      if (parseManifest(await readText(store, entry.manifestKey), entry.manifestKey).schedule)
        due.push(entry);
    } catch (error) {
      if (!(error instanceof RepscopeError)) throw error;
    }
  }
  return due;
}

/**
 * The `rescan` stage: re-profiles the latest version of every scheduled (or named) dataset as a
 * `schedule` run. Unchanged inputs are duplicates (no run); a changed reference, manifest or data
 * makes a new run, which is how a revised reference population reaches every dataset using it.
 */
export async function rescan(context: RunRootContext, named: readonly string[] = []): Promise<RunRootResult> {
  return runRoot(context, 'schedule', (entries) => dueDatasets(context.store, entries, named));
}

/** The newest data object of a dataset, as the rescan handler announces it to the state machine. */
export interface DueObject {
  readonly dataset: string;
  readonly key: string;
  readonly bytes: number;
  readonly etag: string;
}

/** A due dataset the rescan cannot announce, and why (said in the handler's output and log). */
export interface SkippedDataset {
  readonly dataset: string;
  readonly reason: string;
}

/**
 * For each due dataset (scheduled, or named), its newest data object: the last file of its newest
 * version. The state machine's profile step then claims it by its inputs, so an unchanged dataset
 * is a duplicate there and a changed reference or manifest makes a new run. A dataset registered as
 * a table is announced by its manifest, as its upload was (a sample file uploaded beside it is not
 * the dataset): the profile step counts the table again. A dataset with neither (its uploads
 * expired) is returned as skipped, with the reason: nothing is left out silently.
 */
export async function dueObjects(
  store: ObjectStore,
  named: readonly string[] = [],
): Promise<{ readonly objects: DueObject[]; readonly skipped: SkippedDataset[] }> {
  const due = await dueDatasets(store, await discoverDatasets(store), named);
  const objects: DueObject[] = [];
  const skipped: SkippedDataset[] = [];
  for (const entry of due) {
    const last = (await tableManifest(store, entry.manifestKey)) ?? entry.files.at(-1)?.key;
    const info = last ? await store.head(last) : undefined;
    if (info) objects.push({ dataset: entry.id, key: info.key, bytes: info.bytes, etag: info.etag });
    else
      skipped.push({
        dataset: entry.id,
        reason: `no data file under ${lakeKeys.datasetsPrefix}${entry.id}/<version>/ (expired or never uploaded) and no table in its manifest`,
      });
  }
  return { objects, skipped };
}

/** The manifest's key when it registers a table, else undefined. */
async function tableManifest(store: ObjectStore, manifestKey: string): Promise<string | undefined> {
  try {
    return declaredTable(await readText(store, manifestKey))?.name === undefined ? undefined : manifestKey;
  } catch (error) {
    if (error instanceof RepscopeError) return undefined;
    throw error;
  }
}
