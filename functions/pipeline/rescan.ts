import { RepscopeError, UsageError } from '../core/errors.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { DatasetEntry } from './analyse.ts';
import { readText } from './io.ts';
import { type RunRootContext, type RunRootResult, runRoot } from './run-root.ts';

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
