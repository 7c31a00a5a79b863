import { lakeKeys } from '../core/lake/layout.ts';
import { declaredTable } from '../core/manifest/parse.ts';
import { claimRun, claimUploadRun } from '../pipeline/claim-run.ts';
import { planFanOut } from '../pipeline/fan-out.ts';
import { readText } from '../pipeline/io.ts';
import { keepRecomparedRun, keptRuns, planRecompare } from '../pipeline/recompare.ts';
import { streamingProfiler } from '../pipeline/streaming-profiler.ts';
import { withErrorCodes } from './error-codes.ts';
import { parseRecompareEvent } from './recompare-event.ts';
import {
  type Analysed,
  createdAt,
  type Profiled,
  profileJob,
  type RunJob,
  storeFor,
  tableJob,
} from './run-job.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';
import { type ManifestUpload, parseDatasetEvent } from './s3-event.ts';

export type ProfileOutput =
  | { readonly status: 'ignored'; readonly reason: string }
  | { readonly status: 'duplicate'; readonly job: RunJob }
  | { readonly status: 'fan-out'; readonly job: RunJob; readonly ranges: readonly number[] }
  | { readonly status: 'table'; readonly job: RunJob }
  | Profiled
  | Analysed;

/**
 * The first step of a run: reads the S3 event, ignores what is not a dataset file with a manifest
 * (one log line, no run), claims the run once per set of inputs — the object's ETag, the manifest,
 * the references it uses (a duplicated event, or the same bytes uploaded again, stops here),
 * then either profiles the object in one pass (compare is the next step) or, when it is big, plans
 * its ranges for the Distributed Map. Bad input found here is the run's error report at once. The
 * upload of a manifest that registers a table starts a run over that table (`table`: profiled by
 * the next step, in Athena).
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
    const recompare = parseRecompareEvent(input.event);
    if (recompare) {
      if (recompare.bucket !== rt.config.buckets.datasets) return foreignBucket(rt, recompare.bucket);
      return startRecompare(rt, recompare, input.execution);
    }
    const trigger = parseDatasetEvent(input.event);
    if (trigger.kind === 'ignored') return ignore(rt, trigger.reason);
    const bucket = trigger.kind === 'manifest' ? trigger.manifest.bucket : trigger.upload.bucket;
    if (bucket !== rt.config.buckets.datasets) return foreignBucket(rt, bucket);
    if (trigger.kind === 'manifest') return startTableRun(rt, trigger.manifest, input.execution);
    const { upload } = trigger;
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
      claim: claim.claimKey,
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
    return profileJob(rt, job, streamingProfiler(storeFor(rt, job)));
  });
}

/**
 * Uploads arrive in the datasets bucket only (the upload rule matches it); an event naming another
 * bucket is a misrouted rule or a hand-made event, and is logged as a warning rather than run on
 * the datasets bucket's object of the same key.
 */
function foreignBucket(rt: Runtime, bucket: string): ProfileOutput {
  const reason = `the object is in bucket ${bucket}, not in the datasets bucket ${rt.config.buckets.datasets}`;
  rt.logger.warn('event ignored', { reason });
  return { status: 'ignored', reason };
}

function ignore(rt: Runtime, reason: string, dataset?: string): ProfileOutput {
  rt.logger.info('event ignored', { ...(dataset ? { dataset } : {}), reason });
  return { status: 'ignored', reason };
}

/**
 * A manifest upload starts a run only when the manifest registers its dataset as a table (read
 * without validating the rest, so an invalid one gets its error report): the run is claimed once
 * per manifest version, like a data file's, and its table is profiled in the next step. Other
 * manifests start nothing: their data files do.
 */
async function startTableRun(
  rt: Runtime,
  manifest: ManifestUpload,
  execution: string | undefined,
): Promise<ProfileOutput> {
  const declared = declaredTable(await readText(rt.store, manifest.key));
  if (!declared) return ignore(rt, 'a manifest without a table: its data files start runs', manifest.dataset);
  // A table's rows are not an object with an ETag, so nothing says whether they changed: each
  // version of the manifest is new input (uploading it again profiles the table again), and so is
  // each scheduled rescan (its time joins the identity), where a file dataset's unchanged object
  // would be a duplicate.
  const at = createdAt(manifest.createdAt, rt);
  const identity =
    manifest.trigger === 'schedule' ? `${manifest.identity}@${at.toISOString()}` : manifest.identity;
  const claim = await claimUploadRun(
    rt.store,
    await rt.catalogue(),
    { dataset: manifest.dataset, key: manifest.key, identity, etag: identity },
    at,
    execution,
  );
  const job = {
    ...tableJob(manifest.dataset, claim.run, manifest.trigger, declared.name),
    claim: claim.claimKey,
  };
  if (!claim.fresh) {
    rt.logger.info('duplicate event', { dataset: job.dataset, run: job.run });
    return { status: 'duplicate', job };
  }
  rt.logger.info('profiling the table', { dataset: job.dataset, run: job.run, table: job.version });
  return { status: 'table', job };
}

/**
 * A rescan's compare-only run (the dataset's uploads expired): claimed like an upload's run, with
 * the kept run's data part and today's manifest and references as inputs (unchanged ones: a
 * duplicate), then the kept profile copied to the new run and handed to Compare as `profiled`. No
 * data is read; the report says where its counts came from.
 */
async function startRecompare(
  rt: Runtime,
  event: NonNullable<ReturnType<typeof parseRecompareEvent>>,
  execution: string | undefined,
): Promise<ProfileOutput> {
  const { dataset } = event;
  const from = (await keptRuns(rt.store, dataset)).get(dataset);
  const decision = await planRecompare(rt.store, dataset, from, await rt.catalogue());
  if (!decision.recompare) return ignore(rt, decision.reason, dataset);
  const at = createdAt(event.time, rt);
  const claim = await claimRun(
    rt.store,
    { dataset, inputs: decision.recompare.inputs },
    at,
    execution === undefined ? {} : { owner: execution },
  );
  const job: RunJob = {
    dataset,
    version: decision.recompare.profiled.version,
    run: claim.run,
    reason: 'schedule',
    manifestKey: lakeKeys.manifest(dataset),
    fileKey: lakeKeys.profile(dataset, decision.recompare.from),
    etag: null,
    claim: claim.claimKey,
  };
  if (!claim.fresh) {
    rt.logger.info('duplicate event', { dataset, run: job.run });
    return { status: 'duplicate', job };
  }
  await keepRecomparedRun(
    rt.store,
    decision.recompare,
    { id: job.run, claim: claim.claimKey },
    rt.clock.now(),
  );
  rt.logger.info('comparing a kept profile again', { dataset, run: job.run, from: decision.recompare.from });
  return { status: 'profiled', job };
}

export const handler = createProfileHandler(lazyRuntime());
