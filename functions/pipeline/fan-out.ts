import { type ErrorCode, InputError, isErrorCode, RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import { checkGroupLimits } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { detectFormat } from '../core/scan/format.ts';
import { readText } from './io.ts';
import { mergeRangeResults, type SplitFile, splitFile } from './parallel-profile.ts';
import {
  decodePlan,
  encodePlan,
  profileRange,
  type RangeResult,
  type RangeSpec,
  type RangeTask,
} from './parallel-task.ts';
import { planFor } from './profile-stage.ts';

/**
 * Profiling one big object over many machines (Step Functions' Distributed Map in AWS): the same
 * range tasks the worker threads run locally. The task — plan, file, CSV options and every
 * range — is staged once in the lake, so the state machine carries only range numbers (its state
 * is limited to 256 KB; a range of a CSV carries the file's header). Three steps: {@link
 * planFanOut} (split, or say one pass is the way), {@link profilePart} (one range, its partial
 * profile or its error staged), and {@link mergedPartsProfiler} (the parts merged, as a Profiler
 * the profile half of the run plugs in, so the profile, compare and the report are the usual ones).
 */
export interface FanOutJob {
  readonly dataset: string;
  readonly run: string;
  readonly manifestKey: string;
  readonly fileKey: string;
}

export interface FanOutOptions {
  /** Objects of at least this many bytes are split. */
  readonly thresholdBytes: number;
  /** Bytes of one range (the split aims at ranges of about this size). */
  readonly rangeBytes: number;
  /**
   * Most ranges of one object.
   * @default 1000
   */
  readonly maxRanges?: number;
}

/** The staged task: what every range shares, and the ranges in file order. */
interface StagedTask extends Omit<RangeTask, 'range'> {
  readonly ranges: readonly RangeSpec[];
}

/** A staged part: the range's partial profile, or the input error that stopped it. */
type StagedPart = { readonly result: RangeResult } | { readonly error: { code: ErrorCode; message: string } };

const TASK = 'task.json';
const partKey = (job: FanOutJob, index: number) =>
  lakeKeys.staging(job.dataset, job.run, `part-${String(index).padStart(5, '0')}.json`);

/**
 * Splits the object into ranges when it is big enough and splittable (not gzip; CSV without
 * quoted line breaks near the split points) and stages the task; returns the range numbers
 * (0 … n−1), or an empty list when one pass is the way (small, gzip, unsplittable).
 */
export async function planFanOut(
  store: ObjectStore,
  job: FanOutJob,
  catalogue: ReferenceCatalogue,
  options: FanOutOptions,
): Promise<number[]> {
  const head = await store.head(job.fileKey);
  if (!head) throw new InputError('INPUT_UNREADABLE', `${job.fileKey}: no such object`);
  if (head.bytes < options.thresholdBytes) return [];
  const manifest = parseManifest(await readText(store, job.manifestKey), job.manifestKey);
  const plan = planFor(manifest, catalogue);
  const detected = detectFormat(job.fileKey, manifest.format);
  const file: SplitFile = {
    key: job.fileKey,
    name: job.fileKey,
    format: detected.format,
    compression: detected.compression,
    bytes: head.bytes,
  };
  const csv = manifest.csv ?? {};
  const ranges = await splitFile(store, file, plan, csv, {
    threads: options.maxRanges ?? 1000,
    rangesPerThread: 1,
    minRangeBytes: options.rangeBytes,
    minSplitBytes: options.thresholdBytes,
  });
  if (ranges.length < 2) return [];
  const task: StagedTask = { plan: encodePlan(plan), file, csv, ranges };
  await store.write(lakeKeys.staging(job.dataset, job.run, TASK), JSON.stringify(task), 'application/json');
  return ranges.map((_, index) => index);
}

async function stagedTask(store: ObjectStore, job: FanOutJob): Promise<StagedTask> {
  return JSON.parse(await readText(store, lakeKeys.staging(job.dataset, job.run, TASK))) as StagedTask;
}

/**
 * Profiles range `index` of the staged task and stages its partial profile. Bad input found in
 * the range (a malformed file, an unknown column, too many groups) is staged as the part's error
 * for the merge to report with its code; a failing store is thrown, so the map item is retried.
 */
export async function profilePart(store: ObjectStore, job: FanOutJob, index: number): Promise<void> {
  const task = await stagedTask(store, job);
  const range = task.ranges[index];
  if (range === undefined) throw new RangeError(`${job.fileKey}: no range ${index} in the staged task`);
  // Only the first range samples values for identifier hints (as on threads).
  const plan =
    index === 0 ? task.plan : encodePlan({ ...decodePlan(task.plan), sampleValuesForIdentifiers: false });
  let part: StagedPart;
  try {
    part = { result: await profileRange(store, { plan, file: task.file, csv: task.csv, range }) };
  } catch (error) {
    if (!(error instanceof RepscopeError) || error.code === 'STORE_FAILED') throw error;
    part = { error: { code: error.code, message: error.message } };
  }
  await store.write(partKey(job, index), JSON.stringify(part), 'application/json');
}

/**
 * A Profiler that merges the staged parts of a fanned-out object instead of reading it: the
 * profile half of the run (`profileRun`) runs with it, so the profile is the one a single pass
 * gives. A part's error is raised with its code. When text ranges do not join up (a quoted line
 * break crossed a split point), it reads the object in one pass, as the threads do.
 */
export function mergedPartsProfiler(store: ObjectStore, job: FanOutJob): Profiler {
  return {
    async profile(plan, source, options) {
      const task = await stagedTask(store, job);
      const results: RangeResult[] = [];
      for (let index = 0; index < task.ranges.length; index++) {
        const part = JSON.parse(await readText(store, partKey(job, index))) as StagedPart;
        if ('error' in part) {
          const code = isErrorCode(part.error.code) ? part.error.code : 'INPUT_FORMAT';
          throw new RepscopeError(code, part.error.message);
        }
        results.push(part.result);
      }
      const merged = mergeRangeResults(plan, source, results);
      const bytes = results.reduce((sum, r) => sum + r.bytesRead, 0);
      options.onProgress({ bytes: Math.min(bytes, source.bytes), rows: 0 });
      if (merged) return { profile: merged.profile, header: merged.header };
      const whole = await profileRange(store, {
        plan: encodePlan(plan),
        file: source,
        csv: options.csv,
        range: { kind: 'whole' },
      });
      checkGroupLimits(whole.profile, plan);
      return {
        profile: whole.profile,
        header: whole.header,
        ...(whole.sha256 ? { sha256: whole.sha256 } : {}),
      };
    },
  };
}
