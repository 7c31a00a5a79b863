import { withErrorCodes } from './error-codes.ts';
import { type Analysed, type Profiled, profileTable, type RunJob } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/**
 * After profile claimed a run over a registered table: counts the table with one GROUPING SETS
 * query in Athena and writes the run's profile for the compare step. A step of its own, so a
 * transient Athena failure retries this query alone and a failure for good still has the job for
 * the error report.
 */
export function createProfileTableHandler(
  runtime: () => Runtime,
): (input: { job: RunJob }) => Promise<Profiled | Analysed> {
  return withErrorCodes(async ({ job }) => profileTable(runtime(), job));
}

export const handler = createProfileTableHandler(lazyRuntime());
