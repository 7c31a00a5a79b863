import { QueryError, RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import type { Report } from '../core/report/schema.ts';
import {
  type CompareContext,
  compareRun,
  type DatasetEntry,
  type DatasetOutcome,
  profileRun,
} from '../pipeline/analyse.ts';
import { pinnedStore } from '../pipeline/pinned-store.ts';
import { writeReferenceTable } from '../pipeline/references.ts';
import { readProfiledRun } from '../pipeline/staged-run.ts';
import { tableProfiler } from '../pipeline/table-profile.ts';
import type { Runtime } from './runtime.ts';

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

/** The lake as this run must read it: its data object pinned to the claimed version. */
export function storeFor(runtime: Runtime, job: RunJob): ObjectStore {
  return job.etag ? pinnedStore(runtime.store, job.fileKey, job.etag) : runtime.store;
}

/** What the compare step (or a step that found bad input) hands on: the job and the verdict (`error` fails the execution). */
export interface Analysed {
  readonly status: 'analysed';
  readonly job: RunJob;
  readonly verdict: Report['status'];
}

/** What the profile and merge steps hand on when the data was counted: compare comes next. */
export interface Profiled {
  readonly status: 'profiled';
  readonly job: RunJob;
}

export function entryOf(job: RunJob): DatasetEntry {
  return {
    id: job.dataset,
    manifestKey: job.manifestKey,
    version: job.version,
    // No files: the profile half reads the table the manifest names.
    files: job.table ? [] : [{ key: job.fileKey, name: job.fileKey }],
  };
}

/** Errors that mean "the infrastructure failed, try again": the state machine retries them. */
function isTransient(error: RepscopeError): boolean {
  return error.code === 'STORE_FAILED' || (error instanceof QueryError && error.retryable);
}

/**
 * The profile half of a run in AWS, with the given profiler (streaming for one pass, the merged
 * parts after a fan-out): the profile and the rest of the hand-over kept in the lake for the
 * compare step. Bad input becomes the run's `error` report and an already decided verdict
 * (the state machine then publishes at once); a failing store is thrown, so the state machine
 * retries this step.
 */
export async function profileJob(
  runtime: Runtime,
  job: RunJob,
  profiler: Profiler,
): Promise<Profiled | Analysed> {
  const outcome = await profileRun(
    entryOf(job),
    { ...(await contextOf(runtime, job)), profiler },
    { id: job.run, reason: job.reason, ...(job.claim === undefined ? {} : { claim: job.claim }) },
  );
  // The profile half kept the profile and its record in the lake: compare reads them back.
  if (!outcome.profiled) return decided(runtime, job, outcome);
  return { status: 'profiled', job };
}

/**
 * The profile half of a run over a registered table: the counting plan as one GROUPING SETS query
 * in Athena, where the table is (the path for data that outgrows one Lambda). As for files, the
 * profile is written and staged for {@link compareJob}; a transient Athena failure is thrown for
 * the state machine to retry; a table Athena cannot count is the run's error report.
 */
export function profileTable(runtime: Runtime, job: RunJob): Promise<Profiled | Analysed> {
  // A table job has no files: profileRun counts the table the manifest names through the engine
  // (profileTableStage), so no file profiler is called; this one is the same kind of profiler.
  return profileJob(runtime, job, tableProfiler(runtime.engine));
}

/**
 * The compare half of a run in AWS: the reference table written, the staged profile read back,
 * then the compare SQL in Athena and the report. A transient Athena or S3 failure is thrown, so the
 * state machine retries this step alone (the data is not read again); bad input (a statement
 * Athena rejects) becomes the `error` report.
 */
export async function compareJob(runtime: Runtime, job: RunJob): Promise<Analysed> {
  const context = await contextOf(runtime, job);
  await writeReferenceTable(runtime.store, context.catalogue);
  const { profiled, profile } = await readProfiledRun(runtime.store, job.dataset, job.run);
  const outcome = await compareRun(
    entryOf(job),
    context,
    { id: job.run, reason: job.reason },
    profiled,
    profile,
  );
  return decided(runtime, job, outcome);
}

async function contextOf(runtime: Runtime, job: RunJob): Promise<CompareContext> {
  return {
    store: storeFor(runtime, job),
    engine: runtime.engine,
    catalogue: await runtime.catalogue(),
    clock: runtime.clock,
    logger: runtime.logger,
    codeVersion: runtime.config.codeVersion,
  };
}

/** The verdict of a finished half, or its error thrown when it means "try again". */
function decided(runtime: Runtime, job: RunJob, outcome: DatasetOutcome): Analysed {
  if (outcome.error && isTransient(outcome.error)) throw outcome.error;
  runtime.logger.info('run analysed', {
    dataset: job.dataset,
    run: job.run,
    status: outcome.report.status,
    ...(outcome.error ? { code: outcome.error.code } : {}),
  });
  return { status: 'analysed', job, verdict: outcome.report.status };
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

/**
 * Wraps a handler so that a RepscopeError reaches Step Functions with its stable code in the
 * message (`[INPUT_FORMAT] …`): Lambda passes on only the error's name and message, and the
 * failure step writes the code into the error report. A query the engine rejected is renamed
 * `QueryRejectedError`, so the state machine's retry (on `QueryError`) leaves it alone.
 */
export function withErrorCodes<I, O>(handler: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      if (error instanceof RepscopeError && !error.message.startsWith(`[${error.code}] `)) {
        error.message = `[${error.code}] ${error.message}`;
      }
      if (error instanceof QueryError && !error.retryable) error.name = 'QueryRejectedError';
      throw error;
    }
  };
}
