import { type FanOutItem, profilePart } from '../pipeline/fan-out.ts';
import { type RunJob, withErrorCodes } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/** One item of the Distributed Map: profiles one range of the object and stages its partial profile. */
export function createProfileRangeHandler(
  runtime: () => Runtime,
): (input: { job: RunJob; range: FanOutItem }) => Promise<{ part: string }> {
  return withErrorCodes(async ({ job, range }) => ({ part: await profilePart(runtime().store, job, range) }));
}

export const handler = createProfileRangeHandler(lazyRuntime());
