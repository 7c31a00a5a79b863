import { profilePart } from '../pipeline/fan-out.ts';
import { withErrorCodes } from './error-codes.ts';
import { type RunJob, storeFor } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/**
 * One item of the Distributed Map: profiles range `index` of the staged task and stages its
 * partial profile (or the input error it met). Returns nothing: the parts stay in the lake, so
 * the map's results add nothing to the state machine's state.
 */
export function createProfileRangeHandler(
  runtime: () => Runtime,
): (input: { job: RunJob; index: number }) => Promise<{ index: number }> {
  return withErrorCodes(async ({ job, index }) => {
    await profilePart(storeFor(runtime(), job), job, index);
    return { index };
  });
}

export const handler = createProfileRangeHandler(lazyRuntime());
