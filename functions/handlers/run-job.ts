import { QueryError, RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import type { Report } from '../core/report/schema.ts';
import { analyse, type DatasetEntry } from '../pipeline/analyse.ts';
import { pinnedStore } from '../pipeline/pinned-store.ts';
import { writeReferenceTable } from '../pipeline/references.ts';
import type { Runtime } from './runtime.ts';

/** One run as it travels between the state machine's steps: plain JSON, no data. */
export interface RunJob {
  readonly dataset: string;
  readonly version: string;
  readonly run: string;
  readonly reason: Report['run']['reason'];
  readonly manifestKey: string;
  readonly fileKey: string;
  /** The ETag of the object version the run was claimed for; every read of it is checked. */
  readonly etag: string | null;
}

/** The lake as this run must read it: its data object pinned to the claimed version. */
export function storeFor(runtime: Runtime, job: RunJob): ObjectStore {
  return job.etag ? pinnedStore(runtime.store, job.fileKey, job.etag) : runtime.store;
}

/** What the analyse step hands on: the job and the verdict (`error` fails the execution). */
export interface Analysed {
  readonly status: 'analysed';
  readonly job: RunJob;
  readonly verdict: Report['status'];
}

export function entryOf(job: RunJob): DatasetEntry {
  return {
    id: job.dataset,
    manifestKey: job.manifestKey,
    version: job.version,
    files: [{ key: job.fileKey, name: job.fileKey }],
  };
}

/** Errors that mean "the infrastructure failed, try again": the state machine retries them. */
function isTransient(error: RepscopeError): boolean {
  return error.code === 'STORE_FAILED' || (error instanceof QueryError && error.retryable);
}

/**
 * The analyse step of a run in AWS: the reference table written, then profile → compare with the
 * given profiler (streaming for one pass, the merged parts after a fan-out). Bad input becomes
 * the run's `error` report (verdict `error`); a failing store or engine is thrown, so the state
 * machine retries it.
 */
export async function analyseJob(runtime: Runtime, job: RunJob, profiler: Profiler): Promise<Analysed> {
  const catalogue = await runtime.catalogue();
  await writeReferenceTable(runtime.store, catalogue);
  const store = storeFor(runtime, job);
  const outcome = await analyse(
    entryOf(job),
    {
      store,
      engine: runtime.engine,
      profiler,
      catalogue,
      clock: runtime.clock,
      logger: runtime.logger,
      codeVersion: runtime.config.codeVersion,
    },
    { id: job.run, reason: job.reason },
  );
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
