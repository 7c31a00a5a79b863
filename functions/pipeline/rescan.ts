import { RepscopeError, UsageError } from '../core/errors.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import type { DatasetEntry } from './analyse.ts';
import { noDataReason, registeredManifest, type SkippedDataset } from './recompare.ts';
import {
  countsSource,
  discoverDatasets,
  type RunRootContext,
  type RunRootResult,
  runRoot,
} from './run-root.ts';

export type { SkippedDataset } from './recompare.ts';

/**
 * The datasets a rescan re-profiles: those whose manifest has a `schedule`, or, when `named` is
 * given, exactly those (a manifest that does not parse is due when named, so its error report
 * says why; unnamed, it is left alone). A dataset whose manifest expired is read by the manifest
 * its newest kept run profiled with.
 *
 * @throws UsageError when a named dataset is not registered (no manifest, no kept run)
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
      const text = await registeredManifest(store, entry);
      if (text !== undefined && parseManifest(text, entry.manifestKey).schedule) due.push(entry);
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
 * A dataset whose uploads expired has its newest kept profile compared again instead, and one with
 * neither is in the result's `skipped`, with the reason.
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

/** A dataset whose uploads expired, to be compared again from the profile its run `from` kept. */
export interface DueRecompare {
  readonly dataset: string;
  readonly from: string;
}

export interface DueWork {
  readonly objects: DueObject[];
  readonly recompares: DueRecompare[];
  readonly skipped: SkippedDataset[];
}

/**
 * For each due dataset (scheduled, or named), its newest data object: the last file of its newest
 * version. The state machine's profile step then claims it by its inputs, so an unchanged dataset
 * is a duplicate there and a changed reference or manifest makes a new run. A dataset registered as
 * a table is announced by its manifest, as its upload was (a sample file uploaded beside it is not
 * the dataset): the profile step counts the table again. A dataset with neither (its uploads
 * expired) is a compare-only run of its newest kept profile when the plan allows (recompare.ts;
 * the profile step claims it the same way), else skipped, with the reason: nothing is left out
 * silently. The references are loaded only when a recompare is weighed.
 */
export async function dueObjects(
  store: ObjectStore,
  named: readonly string[],
  catalogue: () => Promise<ReferenceCatalogue>,
): Promise<DueWork> {
  const due = await dueDatasets(store, await discoverDatasets(store), named);
  const work: DueWork = { objects: [], recompares: [], skipped: [] };
  for (const entry of due) {
    const source = await countsSource(store, entry, catalogue);
    if (source.kind === 'recompare') {
      work.recompares.push({ dataset: entry.id, from: source.recompare.from });
      continue;
    }
    if (source.kind === 'none') {
      work.skipped.push({ dataset: entry.id, reason: source.reason });
      continue;
    }
    const last = source.table ? entry.manifestKey : entry.files.at(-1)?.key;
    if (last === undefined) continue;
    const info = await store.head(last);
    if (info) work.objects.push({ dataset: entry.id, key: info.key, bytes: info.bytes, etag: info.etag });
    else work.skipped.push({ dataset: entry.id, reason: noDataReason(entry.id) });
  }
  return work;
}
