import type { RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import { claimUploadRun } from '../pipeline/claim-run.ts';
import { errorReport } from '../pipeline/error-report.ts';
import { readText } from '../pipeline/io.ts';
import { createdAt, entryOf, type RunJob, reportKeyOf } from './job.ts';
import type { Runtime } from './runtime.ts';
import { parseObjectCreated } from './s3-event.ts';

// The publish handler's failure path (handlers/publish.ts): loaded by it only after a caught
// failure, so a publish's cold start neither compiles nor runs the analyse stage, the YAML
// parser and the run claims it needs.

/** The run of an event whose first step failed before it said: claimed now, or found claimed. */
export async function jobOfEvent(
  rt: Runtime,
  event: unknown,
  execution: string | undefined,
): Promise<RunJob | undefined> {
  const trigger = parseObjectCreated(event);
  if (trigger.kind === 'ignored') return undefined;
  const { upload } = trigger;
  const at = createdAt(upload.createdAt, rt);
  const claim = await claimUploadRun(rt.store, await rt.catalogue(), upload, at, execution);
  // Another execution owns this object's run: its failure is not this one's to report.
  if (!claim.fresh) return undefined;
  return {
    dataset: upload.dataset,
    version: upload.version,
    run: claim.run,
    reason: upload.trigger,
    manifestKey: lakeKeys.manifest(upload.dataset),
    fileKey: upload.key,
    etag: upload.etag,
  };
}

/**
 * Writes the run's error report unless the run already has a report: a run that was analysed
 * (even into an error report of its own) and then failed to publish keeps what it found.
 */
export async function writeErrorReport(
  rt: Runtime,
  job: RunJob,
  error: RepscopeError,
): Promise<string | undefined> {
  let manifest: Manifest | undefined;
  try {
    manifest = parseManifest(await readText(rt.store, job.manifestKey), job.manifestKey);
  } catch {
    // The manifest may be what failed; the report then uses the default thresholds.
  }
  const now = rt.clock.now().toISOString();
  const report = errorReport(
    entryOf(job),
    { id: job.run, reason: job.reason },
    { startedAt: now, finishedAt: now },
    error,
    manifest,
    rt.config.codeVersion,
  );
  const key = reportKeyOf(job);
  const written = await rt.store.writeIf(
    key,
    `${JSON.stringify(report, null, 2)}\n`,
    { ifAbsent: true },
    'application/json',
  );
  return written ? key : undefined;
}
