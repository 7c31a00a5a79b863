import { QueryError, type RepscopeError } from '../core/errors.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import type { Report } from '../core/report/schema.ts';
import { type CompareContext, compareRun, type DatasetOutcome, profileRun } from '../pipeline/analyse.ts';
import { pinnedStore } from '../pipeline/pinned-store.ts';
import { writeReferenceTable } from '../pipeline/references.ts';
import { readProfiledRun } from '../pipeline/staged-run.ts';
import { tableProfiler } from '../pipeline/table-profile.ts';
import { entryOf, type RunJob } from './job.ts';
import type { Runtime } from './runtime.ts';

export { createdAt, entryOf, type RunJob, reportKeyOf, tableJob } from './job.ts';

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
