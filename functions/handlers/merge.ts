import { mergedPartsProfiler } from '../pipeline/fan-out.ts';
import { type Analysed, analyseJob, type RunJob, storeFor, withErrorCodes } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/**
 * After the Distributed Map: merges the staged range profiles and runs compare on the whole, as
 * one pass would. A range's input error is raised here with its code.
 */
export function createMergeHandler(runtime: () => Runtime): (input: { job: RunJob }) => Promise<Analysed> {
  return withErrorCodes(async ({ job }) => {
    const rt = runtime();
    return analyseJob(rt, job, mergedPartsProfiler(storeFor(rt, job), job));
  });
}

export const handler = createMergeHandler(lazyRuntime());
