import { lakeKeys } from '../core/lake/layout.ts';
import { claimUploadRun } from '../pipeline/claim-run.ts';
import { planFanOut } from '../pipeline/fan-out.ts';
import { streamingProfiler } from '../pipeline/streaming-profiler.ts';
import { type Analysed, analyseJob, createdAt, type RunJob, storeFor, withErrorCodes } from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';
import { parseObjectCreated } from './s3-event.ts';

export type ProfileOutput =
  | { readonly status: 'ignored'; readonly reason: string }
  | { readonly status: 'duplicate'; readonly job: RunJob }
  | { readonly status: 'fan-out'; readonly job: RunJob; readonly ranges: readonly number[] }
  | Analysed;

/**
 * The first step of a run: reads the S3 event, ignores what is not a dataset file with a manifest
 * (one log line, no run), claims the run once per set of inputs — the object's ETag, the manifest, the
 * references it uses (a duplicated event, or the same bytes uploaded again, stops here),
 * then either analyses the object in one pass or, when it is big, plans its ranges for the
 * Distributed Map.
 */
export interface ProfileInput {
  readonly event: unknown;
  /** The state machine execution (`$$.Execution.Id`): a retry of the same execution keeps its claim. */
  readonly execution?: string;
}

export function createProfileHandler(
  runtime: () => Runtime,
): (input: ProfileInput) => Promise<ProfileOutput> {
  return withErrorCodes(async (input) => {
    const rt = runtime();
    const trigger = parseObjectCreated(input.event);
    if (trigger.kind === 'ignored') {
      rt.logger.info('event ignored', { reason: trigger.reason });
      return { status: 'ignored', reason: trigger.reason };
    }
    const { upload } = trigger;
    if (upload.bucket !== rt.config.bucket) {
      const reason = `the object is in another bucket than ${rt.config.bucket}`;
      rt.logger.info('event ignored', { reason });
      return { status: 'ignored', reason };
    }
    const manifestKey = lakeKeys.manifest(upload.dataset);
    if (!(await rt.store.head(manifestKey))) {
      const reason = `no manifest at ${manifestKey}`;
      rt.logger.info('event ignored', { dataset: upload.dataset, reason });
      return { status: 'ignored', reason };
    }
    const at = createdAt(upload.createdAt, rt);
    const claim = await claimUploadRun(rt.store, await rt.catalogue(), upload, at, input.execution);
    const job: RunJob = {
      dataset: upload.dataset,
      version: upload.version,
      run: claim.run,
      reason: upload.trigger,
      manifestKey,
      fileKey: upload.key,
      etag: upload.etag,
    };
    if (!claim.fresh) {
      rt.logger.info('duplicate event', { dataset: job.dataset, run: job.run });
      return { status: 'duplicate', job };
    }
    const ranges = await planFanOut(storeFor(rt, job), job, await rt.catalogue(), {
      thresholdBytes: rt.config.fanOutThresholdBytes,
      rangeBytes: rt.config.rangeBytes,
    });
    if (ranges.length > 0) {
      rt.logger.info('fanning out', { dataset: job.dataset, run: job.run, ranges: ranges.length });
      return { status: 'fan-out', job, ranges };
    }
    return analyseJob(rt, job, streamingProfiler(storeFor(rt, job)));
  });
}

export const handler = createProfileHandler(lazyRuntime());
