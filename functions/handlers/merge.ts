import { mergedPartsProfiler } from '../pipeline/fan-out.ts';
import { type Analysed, analyseJob, type RunJob, withErrorCodes } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/** After the Distributed Map: merges the range profiles and runs compare on the whole, as one pass would. */
export function createMergeHandler(
  runtime: () => Runtime,
): (input: { job: RunJob; parts: readonly { part: string }[] }) => Promise<Analysed> {
  return withErrorCodes(async ({ job, parts }) => {
    const rt = runtime();
    return analyseJob(
      rt,
      job,
      mergedPartsProfiler(
        rt.store,
        parts.map((p) => p.part),
      ),
    );
  });
}

export const handler = createMergeHandler(lazyRuntime());
