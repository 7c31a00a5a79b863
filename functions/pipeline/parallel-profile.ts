import type { ObjectStore } from '../core/ports.ts';
import type { CountingPlan } from '../core/profile/plan.ts';
import { checkGroupLimits, mergeProfiles, type Profile } from '../core/profile/profile.ts';
import { readCsvLayout } from '../core/scan/csv.ts';
import { SAMPLE_BYTES } from '../core/scan/csv-delimiter.ts';
import { isGzipMagic } from '../core/scan/format.ts';
import { checkJsonlColumns } from '../core/scan/jsonl.ts';
import { readRange } from './io.ts';
import {
  encodePlan,
  profileRange,
  type RangeProgress,
  type RangeResult,
  type RangeSpec,
  type RangeTask,
} from './parallel-task.ts';

/**
 * Worker threads (or, later, remote invocations) that run range tasks. Each of the `size`
 * workers takes tasks from `next` until it returns undefined, as soon as it is ready.
 */
export interface RangeWorkers {
  readonly size: number;
  drain(
    next: () => RangeTask | undefined,
    onResult: (task: RangeTask, result: RangeResult) => void,
    onProgress: (progress: RangeProgress) => void,
    /** Resolves once `next` has run dry: workers still starting then take nothing. */
    exhausted: Promise<void>,
  ): Promise<void>;
}

/** How the profile stage may spread one file over threads. */
export interface ProfileParallelism {
  /** Threads that count at the same time, the calling one included. @default 1 */
  readonly threads: number;
  /**
   * Starts `count` workers that can read `store`; called only when a file is split. Returns
   * undefined when it cannot (the ranges then run in the calling thread).
   * @default - none: every range runs in the calling thread
   */
  readonly startWorkers?: (count: number, store: ObjectStore) => RangeWorkers | undefined;
  /** A file is split only into ranges at least this big. @default 16 MiB */
  readonly minRangeBytes?: number;
  /**
   * Files smaller than this are read in one pass: a worker thread is ready ~50–90 ms after it is
   * asked for, and each thread's first range runs cold (its code not yet optimised, while the
   * other thread competes for the cores), which a small file does not earn back. Measured on two
   * cores (docs/BENCHMARKS.md): a 95 MB CSV takes as long on two threads as on one, 238 MB 1.4×
   * less.
   * @default - DEFAULT_MIN_SPLIT_BYTES for the format (128 MiB for CSV, 64 MiB for JSON Lines,
   *   which is read at half CSV's speed, 192 MiB for Parquet, whose bytes hold more rows)
   */
  readonly minSplitBytes?: number;
  /** Ranges per thread, so that a slow range (a thread still warming up) does not hold up the end. @default 8 */
  readonly rangesPerThread?: number;
}

export const DEFAULT_MIN_RANGE_BYTES = 16 * 1024 * 1024;
/** Below these sizes a split costs more (worker start-up) than it saves; measured in bench/. */
export const DEFAULT_MIN_SPLIT_BYTES: Readonly<Record<SplitFile['format'], number>> = {
  csv: 128 * 1024 * 1024,
  jsonl: 64 * 1024 * 1024,
  parquet: 192 * 1024 * 1024,
};
const DEFAULT_RANGES_PER_THREAD = 8;

export interface SplitFile {
  readonly key: string;
  readonly name: string;
  readonly format: RangeTask['file']['format'];
  readonly compression: RangeTask['file']['compression'];
  readonly bytes: number;
}

export interface FileProfile {
  readonly profile: Profile;
  readonly header: readonly string[];
  /** Set when the file was read as one stream (CSV and JSON Lines). */
  readonly sha256?: string;
  /** How many ranges were counted (1: one pass). */
  readonly ranges: number;
}

/**
 * Profiles one file: split into ranges when it is big enough and `parallelism` has more than
 * one thread (CSV and JSON Lines by byte range, Parquet by row group; gzip never), counted on
 * the calling thread and the workers, and merged. A CSV split is checked afterwards: each range
 * must begin exactly where the one before it ended (a quoted line break across a split point
 * breaks that); when it does not, or a CSV range fails, the file is read again in one pass,
 * whose result (or error) stands.
 */
export async function profileFileInRanges(
  store: ObjectStore,
  file: SplitFile,
  plan: CountingPlan,
  csv: RangeTask['csv'],
  parallelism: ProfileParallelism,
  onProgress: (progress: RangeProgress) => void,
): Promise<FileProfile> {
  if (worthSplitting(file, parallelism)) {
    // Start the workers now: they load while the file's head is read and split.
    parallelism.startWorkers?.(workerCount(file, parallelism), store);
  }
  const specs = await splitFile(store, file, plan, csv, parallelism);
  const task = (range: RangeSpec, first: boolean): RangeTask => ({
    plan: encodePlan(first ? plan : { ...plan, sampleValuesForIdentifiers: false }),
    file,
    csv,
    range,
  });
  const whole = async (): Promise<FileProfile> => {
    const [result] = await runRangeTasks(store, [task({ kind: 'whole' }, true)], parallelism, onProgress);
    const profile = result!.profile;
    checkGroupLimits(profile, plan);
    return {
      profile,
      header: result!.header,
      ranges: 1,
      ...(result!.sha256 ? { sha256: result!.sha256 } : {}),
    };
  };
  if (specs.length === 1 && specs[0]!.kind === 'whole') return whole();

  const tasks = specs.map((spec, i) => task(spec, i === 0));
  let results: RangeResult[];
  try {
    results = await runRangeTasks(store, tasks, parallelism, onProgress);
  } catch (error) {
    if (file.format === 'csv') return whole();
    throw error;
  }
  const merged = mergeRangeResults(plan, file, results);
  if (merged === undefined) return whole();
  return { ...merged, ranges: tasks.length };
}

/** The ranges of a file for `parallelism`: one `whole` range unless splitting is worth it and safe. */
export async function splitFile(
  store: ObjectStore,
  file: SplitFile,
  plan: CountingPlan,
  csv: RangeTask['csv'],
  parallelism: ProfileParallelism,
): Promise<RangeSpec[]> {
  const whole: RangeSpec[] = [{ kind: 'whole' }];
  if (!worthSplitting(file, parallelism)) return whole;
  const threads = Math.floor(parallelism.threads);
  const minRange = Math.max(1, parallelism.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES);
  const perThread = parallelism.rangesPerThread ?? DEFAULT_RANGES_PER_THREAD;
  const wanted = Math.min(Math.floor(file.bytes / minRange), threads * perThread);

  if (file.format === 'parquet') {
    // A gzip file named .parquet: one pass, so that scanFile says what is wrong with it.
    if (isGzipMagic(await readRange(store, file.key, 0, Math.min(2, file.bytes)))) return whole;
    const random = {
      byteLength: file.bytes,
      read: async (start: number, end: number) => readRange(store, file.key, start, end),
    };
    const { readParquetLayout } = await import('../core/scan/parquet.ts');
    const { rowGroups } = await readParquetLayout(random, file.name);
    if (rowGroups.length < 2) return [{ kind: 'row-groups', start: 0, end: rowGroups.length }];
    // Row groups are dense work (compressed columns): split into as many as there are, up to the cap.
    return groupRowGroups(
      rowGroups.map((g) => g.bytes),
      threads * perThread,
    ).map(([start, end]) => ({ kind: 'row-groups', start, end }));
  }

  const head = await readRange(store, file.key, 0, Math.min(file.bytes, SAMPLE_BYTES));
  if (isGzipMagic(head)) return whole;
  let dataStart = 0;
  let layout: Extract<RangeSpec, { kind: 'text' }>['layout'];
  if (file.format === 'csv') {
    layout = readCsvLayout(head, head.length === file.bytes, {
      columns: plan.columns,
      fileName: file.name,
      ...csv,
    });
    if (layout === undefined || layout.unsplittable !== null) return whole;
    dataStart = layout.dataStart;
  }
  const points = splitPoints(dataStart, file.bytes, wanted);
  if (points.length < 3) return whole;
  return points.slice(0, -1).map((start, index) => {
    const first = index === 0;
    return {
      kind: 'text',
      index,
      offset: first ? 0 : start - 1,
      skipToLineStart: !first,
      stopAt: points[index + 1]!,
      ...(layout ? { layout } : {}),
    };
  });
}

/**
 * More than one thread, a file of at least two minimum ranges and of the minimum split size, and
 * not gzip (a compressed stream has no ranges).
 */
function worthSplitting(file: SplitFile, parallelism: ProfileParallelism): boolean {
  const minRange = Math.max(1, parallelism.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES);
  const minSplit = parallelism.minSplitBytes ?? DEFAULT_MIN_SPLIT_BYTES[file.format];
  return (
    Math.floor(parallelism.threads) > 1 &&
    file.bytes >= Math.max(2 * minRange, minSplit) &&
    file.compression !== 'gzip'
  );
}

/** Workers worth starting for a file: one per minimum range beyond the first, at most threads − 1. */
function workerCount(file: SplitFile, parallelism: ProfileParallelism): number {
  const minRange = Math.max(1, parallelism.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES);
  return Math.max(0, Math.min(Math.floor(parallelism.threads) - 1, Math.floor(file.bytes / minRange) - 1));
}

/** `count` + 1 cut points from `start` to `end`, evenly spaced; the first range also holds [0, start). */
function splitPoints(start: number, end: number, count: number): number[] {
  const n = Math.max(1, count);
  const points = [0];
  for (let i = 1; i < n; i++) points.push(start + Math.floor(((end - start) * i) / n));
  points.push(end);
  return [...new Set(points)].filter((p, i, all) => i === 0 || p > all[i - 1]!);
}

/** Consecutive runs of row groups with about equal byte sums, at most `count` of them. */
function groupRowGroups(bytes: readonly number[], count: number): [number, number][] {
  const total = bytes.reduce((s, b) => s + b, 0);
  const n = Math.max(1, Math.min(count, bytes.length));
  const runs: [number, number][] = [];
  let start = 0;
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) {
    sum += bytes[i]!;
    const remainingGroups = bytes.length - i - 1;
    const remainingRuns = n - runs.length - 1;
    if ((sum >= (total * (runs.length + 1)) / n && remainingRuns > 0) || remainingGroups < remainingRuns) {
      runs.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < bytes.length) runs.push([start, bytes.length]);
  return runs;
}

/**
 * Runs tasks on the calling thread and, when there is more than one task and more than one
 * thread, on workers too; each takes the next task as soon as it is free. The first failure
 * stops handing out tasks and is thrown once the running ones have finished.
 */
export async function runRangeTasks(
  store: ObjectStore,
  tasks: readonly RangeTask[],
  parallelism: ProfileParallelism,
  onProgress: (progress: RangeProgress) => void,
): Promise<RangeResult[]> {
  const results: (RangeResult | undefined)[] = tasks.map(() => undefined);
  const index = new Map(tasks.map((t, i) => [t, i]));
  let nextIndex = 0;
  let failure: { error: unknown } | undefined;
  let dry: () => void = () => {};
  const exhausted = new Promise<void>((resolve) => {
    dry = resolve;
  });
  const next = (): RangeTask | undefined => {
    if (failure || nextIndex >= tasks.length) {
      dry();
      return undefined;
    }
    return tasks[nextIndex++];
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    dry();
  };
  const lanes: Promise<void>[] = [];
  const threads = Math.max(1, Math.floor(parallelism.threads));
  if (tasks.length > 1 && threads > 1 && parallelism.startWorkers) {
    const workers = parallelism.startWorkers(Math.min(threads - 1, tasks.length - 1), store);
    if (workers) {
      lanes.push(
        workers
          .drain(
            next,
            (task, result) => {
              results[index.get(task)!] = result;
            },
            onProgress,
            exhausted,
          )
          .catch(fail),
      );
    }
  }
  const here = async () => {
    for (let task = next(); task !== undefined; task = next()) {
      results[index.get(task)!] = await profileRange(store, task, onProgress);
    }
  };
  lanes.unshift(here().catch(fail));
  await Promise.all(lanes);
  if (failure) throw failure.error;
  return results.map((r, i) => {
    if (r === undefined) throw new Error(`range task ${i} produced no result`);
    return r;
  });
}

/**
 * Merges the partial profiles of one file's ranges, in file order: shifts the line numbers of
 * later text ranges by the line breaks before them, applies the group limit to the whole, and
 * for JSON Lines checks that every column was seen somewhere. Returns undefined when text
 * ranges do not join up (each must begin where the previous one ended).
 */
export function mergeRangeResults(
  plan: CountingPlan,
  file: SplitFile,
  results: readonly RangeResult[],
): { profile: Profile; header: readonly string[] } | undefined {
  let lineShift = 0;
  let profile: Profile | undefined;
  for (const [i, result] of results.entries()) {
    let part = result.profile;
    if (result.text) {
      const previous = results[i - 1]?.text;
      if (previous && previous.end !== result.text.begin) return undefined;
      if (lineShift > 0) part = shiftLines(part, lineShift);
      lineShift += result.text.lineBreaks;
    }
    profile = profile ? mergeProfiles(profile, part) : part;
  }
  if (profile === undefined) throw new Error('mergeRangeResults: no results');
  checkGroupLimits(profile, plan);
  let header = results[0]!.header;
  if (file.format === 'jsonl') {
    checkJsonlColumns(
      results.map((r) => ({ objects: r.jsonl?.objects ?? 0, seen: r.jsonl?.seen ?? [], header: r.header })),
      { columns: plan.columns, fileName: file.name },
    );
    header = results.find((r) => (r.jsonl?.objects ?? 0) > 0)?.header ?? [];
  }
  return { profile, header };
}

/** The profile with its malformed rows' line numbers moved down by `lines`. */
export function shiftLines(profile: Profile, lines: number): Profile {
  return {
    ...profile,
    malformedSamples: profile.malformedSamples.map((s) => ({ line: s.line + lines, reason: s.reason })),
  };
}
