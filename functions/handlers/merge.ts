import { mergedPartsProfiler } from '../pipeline/fan-out.ts';
import { withErrorCodes } from './error-codes.ts';
import { type Analysed, type Profiled, profileJob, type RunJob, storeFor } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/**
 * After the Distributed Map: merges the staged range profiles into the run's profile, as one pass
 * would have counted it, for the compare step. A range's input error becomes the run's error
 * report here, with its code.
 */
export function createMergeHandler(
  runtime: () => Runtime,
): (input: { job: RunJob }) => Promise<Profiled | Analysed> {
  return withErrorCodes(async ({ job }) => {
    const rt = runtime();
    return profileJob(rt, job, mergedPartsProfiler(storeFor(rt, job), job));
  });
}

export const handler = createMergeHandler(lazyRuntime());
