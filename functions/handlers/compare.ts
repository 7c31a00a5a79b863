import { withErrorCodes } from './error-codes.ts';
import { type Analysed, compareJob, type RunJob } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/**
 * After profile (one pass) or merge (the ranges): reads the run's profile back from the lake and
 * runs compare — the SQL join in Athena, the statistics, the report. A step of its own, so a
 * transient Athena failure retries this step and not the profiling of the object before it.
 */
export function createCompareHandler(runtime: () => Runtime): (input: { job: RunJob }) => Promise<Analysed> {
  return withErrorCodes(async ({ job }) => compareJob(runtime(), job));
}

export const handler = createCompareHandler(lazyRuntime());
