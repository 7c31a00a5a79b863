import { lakeKeys } from '../core/lake/layout.ts';
import type { Report } from '../core/report/schema.ts';
import type { DatasetEntry } from '../pipeline/analyse.ts';
import type { Runtime } from './runtime.ts';

// A run's job and the small facts derived from it, apart from run-job.ts (which runs the analyse
// stage) so that the publish handler's failure path can use them without loading the analysis.

/** One run as it travels between the state machine's steps: plain JSON, no data. */
export interface RunJob {
  readonly dataset: string;
  readonly version: string;
  readonly run: string;
  readonly reason: Report['run']['reason'];
  readonly manifestKey: string;
  /** The uploaded data file; for a table run, the manifest whose upload started it. */
  readonly fileKey: string;
  /** The ETag of the object version the run was claimed for; every read of it is checked. */
  readonly etag: string | null;
  /** A run over the table the manifest registers (`table: { name }`) rather than a file. */
  readonly table?: true;
  /** The key of the run's claim, kept with its profile (its inputs name the data a re-compare reuses). */
  readonly claim?: string;
}

/**
 * The job of a run over a dataset's registered table: no data file (the manifest names the
 * table), the table's name as the version. For the profile handler (a manifest upload) and for
 * rescans, which then call {@link profileTable} and {@link compareJob}.
 *
 * @param table - the name the manifest declares; @default - 'table' when it declares none readable
 */
export function tableJob(
  dataset: string,
  run: string,
  reason: Report['run']['reason'],
  table?: string,
): RunJob {
  const manifestKey = lakeKeys.manifest(dataset);
  return {
    dataset,
    version: table ?? 'table',
    run,
    reason,
    manifestKey,
    fileKey: manifestKey,
    etag: null,
    table: true,
  };
}

/** The dataset entry the analyse stage takes for this run. */
export function entryOf(job: RunJob): DatasetEntry {
  return {
    id: job.dataset,
    manifestKey: job.manifestKey,
    version: job.version,
    // No files: the profile half reads the table the manifest names.
    files: job.table ? [] : [{ key: job.fileKey, name: job.fileKey }],
  };
}

/** When the object was created (the event's time), or now when the event does not say or says nonsense. */
export function createdAt(time: string | null, rt: Runtime): Date {
  const at = time ? new Date(time) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : rt.clock.now();
}

/** The key of a run's report in the lake. */
export function reportKeyOf(job: Pick<RunJob, 'dataset' | 'run'>): string {
  return lakeKeys.report(job.dataset, job.run);
}
