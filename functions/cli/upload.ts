import { createReadStream } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { InputError, UsageError } from '../core/errors.ts';
import { lakeKeys, parseDatasetKey, sitePath } from '../core/lake/layout.ts';
import { mergeCatalogues } from '../core/references/reference.ts';
import { objectRunKey } from '../pipeline/claim-run.ts';
import { preflight } from '../pipeline/preflight.ts';
import { loadBuiltInReferences, loadDroppedReferences } from '../pipeline/references.ts';
import { loadManifest } from './analyse-file.ts';
import type { CliEnvironment } from './env.ts';
import { verdictLines } from './format-report.ts';
import { BUILT_IN_REFERENCES, systemClock } from './local.ts';
import { uploadProgress } from './progress.ts';
import { waitForReport } from './wait-for-report.ts';

export interface UploadCommandOptions {
  /** @default - repscope.yaml next to the data file */
  readonly manifest?: string;
  /** Where uploads go (`datasets/`): the deployment's datasets bucket. */
  readonly datasetsBucket: string;
  /** Where the references, the run claim and the report are read (`references/`, `lake/`). */
  readonly lakeBucket: string;
  /** @default - the upload's UTC time, such as 2026-12-06T031500Z */
  readonly datasetVersion?: string;
  /** @default - the SDK's endpoint for the region */
  readonly endpoint?: string;
  readonly wait?: boolean;
  readonly timeoutSec: number;
}

export interface UploadIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes as main.ts's EXIT: 0 pass or warn (or no --wait), 1 fail, 2 error or timeout. */
const EXIT = { ok: 0, fail: 1, error: 2 } as const;

/** A version folder: one key segment that sorts and reads well. */
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * `repscope upload`: validates the manifest against the data file's head (as `check` would; the
 * references are the built-in ones and the lake bucket's `references/*.csv`, as the deployed
 * pipeline sees them), then uploads the manifest and the file to the datasets bucket and says
 * where the report will appear in the lake bucket. With `wait`, polls the lake bucket for the run
 * the upload started and returns its verdict as an exit code. Credentials and region come from
 * the SDK's default chain.
 */
export async function uploadCommand(
  dataFile: string,
  options: UploadCommandOptions,
  io: UploadIo,
  env: CliEnvironment,
): Promise<number> {
  if (options.datasetsBucket === options.lakeBucket) {
    throw new UsageError(
      `--datasets-bucket and --lake-bucket both name '${options.lakeBucket}'; expected the deployment's two buckets (the RepscopeStateful stack's outputs DatasetsBucketName and LakeBucketName)`,
    );
  }
  const loaded = await loadManifest(dataFile, options.manifest);
  const dataset = loaded.manifest.dataset;
  const version = options.datasetVersion ?? versionAt(systemClock.now());
  const fileName = path.basename(dataFile);
  const dataKey = dataKeyOf(dataset, version, fileName);
  const local = new FileObjectStore(path.dirname(path.resolve(dataFile)));
  // Before the bucket is asked for its references: a mistyped path needs no network to be told.
  if (!(await local.head(fileName))) throw new InputError('INPUT_UNREADABLE', `${dataFile}: no such file`);
  const client = new S3Client(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {});
  try {
    const datasets = new S3ObjectStore({ bucket: options.datasetsBucket, client });
    const lake = new S3ObjectStore({ bucket: options.lakeBucket, client });
    const catalogue = mergeCatalogues([
      await loadBuiltInReferences(new FileObjectStore(BUILT_IN_REFERENCES)),
      ...(await loadDroppedReferences(lake)),
    ]);
    // After the listing, which names a bucket that does not exist (a HEAD's 404 cannot).
    await refuseUnlessLake(lake);
    const checked = await preflight({
      store: local,
      file: { key: fileName, name: dataFile },
      manifest: loaded.manifest,
      catalogue,
    });

    await datasets.write(lakeKeys.manifest(dataset), loaded.text, 'application/yaml');
    const bar = uploadProgress(env, checked.bytes);
    const stored = await datasets
      .upload(dataKey, createReadStream(path.resolve(dataFile)), { onProgress: bar.update })
      .finally(bar.stop);
    const claim = objectRunKey({
      dataset,
      key: dataKey,
      identity: stored.versionId ?? stored.etag.replaceAll('"', ''),
    });
    io.stdout(
      `uploaded ${datasets.uri(lakeKeys.manifest(dataset))}\n` +
        `uploaded ${datasets.uri(dataKey)} (${checked.bytes} bytes)\n` +
        `report:  ${lake.uri(lakeKeys.report(dataset, '<run>'))}\n` +
        `page:    ${lakeKeys.site}${sitePath.run(dataset, '<run>')}\n` +
        `run id:  written by the pipeline to ${lake.uri(claim)}\n`,
    );
    if (!options.wait) return EXIT.ok;

    const outcome = await waitForReport({
      store: lake,
      dataset,
      claimKey: claim,
      timeoutSec: options.timeoutSec,
      onRun: (run) => io.stdout(`run ${run}: waiting for ${lake.uri(lakeKeys.report(dataset, run))}\n`),
    });
    if (outcome.kind === 'timeout') {
      const what = outcome.run
        ? `the report of run ${outcome.run}`
        : `the pipeline to claim a run for ${datasets.uri(dataKey)}`;
      io.stderr(
        `repscope: timed out after ${options.timeoutSec} s waiting for ${what}; ${lake.uri(outcome.waitedFor)} did not appear\n`,
      );
      return EXIT.error;
    }
    const { report, run } = outcome;
    if (report.status === 'error') {
      const failed = report.checks.find((c) => c.status === 'fail');
      io.stderr(
        `repscope: run ${run} of ${dataset} ended in error: ${failed?.message ?? 'no failed check'}\n`,
      );
      return EXIT.error;
    }
    io.stdout(verdictLines(report, `${lakeKeys.site}${sitePath.run(dataset, run)}`));
    return report.status === 'fail' ? EXIT.fail : EXIT.ok;
  } finally {
    client.destroy();
  }
}

/**
 * The deployment puts the built-in references into the lake bucket and nowhere else, so their
 * index tells the lake bucket from the datasets bucket (or another bucket of the account) before
 * anything is uploaded: swapped or mistyped names stop here with the name that was wrong.
 */
/** Refuses a bucket that is not the deployment's lake bucket (no built-in references' index in it). */
export async function refuseUnlessLake(lake: S3ObjectStore): Promise<void> {
  const marker = `${lakeKeys.builtInReferences}populations.json`;
  if (!(await lake.head(marker))) {
    throw new UsageError(
      `--lake-bucket ${lake.bucket}: ${lake.uri(marker)} does not exist; expected the deployment's lake bucket (the RepscopeStateful stack's output LakeBucketName), where it puts the built-in references`,
    );
  }
}

/** The default version folder: the upload's UTC time to the second, `2026-12-06T031500Z`. */
export function versionAt(at: Date): string {
  return at
    .toISOString()
    .replace(/:/g, '')
    .replace(/\.\d{3}/, '');
}

/** `datasets/<id>/<version>/<file>`, refused unless the pipeline reads it as a data file. */
function dataKeyOf(dataset: string, version: string, fileName: string): string {
  if (!VERSION_PATTERN.test(version)) {
    throw new UsageError(
      `--dataset-version: expected 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit; got '${version}'`,
    );
  }
  const key = lakeKeys.dataFile(dataset, version, fileName);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (parseDatasetKey(key)?.kind !== 'data' || /[\u0000-\u001f\u007f\\]/.test(fileName)) {
    throw new UsageError(
      `${fileName}: the pipeline ignores this file name; expected one without a leading '.', control characters or backslashes`,
    );
  }
  return key;
}
