import { InputError } from '../core/errors.ts';
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
 * range tasks the worker threads run locally, with the task's shared part (plan, file, CSV
 * options) staged once in the lake so each map item carries only its range. Three steps:
 * {@link planFanOut} (split, or say the object is small enough for one pass), {@link profilePart}
 * (one range, its partial profile staged), and {@link mergedPartsProfiler} (the parts merged, as a
 * Profiler the analyse step plugs in, so compare and the report are the usual ones).
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

/** One item of the map: which range, in file order. */
export interface FanOutItem {
  readonly index: number;
  readonly range: RangeSpec;
}

type TaskTemplate = Omit<RangeTask, 'range'>;

const TASK = 'task.json';
const partName = (index: number) => `part-${String(index).padStart(5, '0')}.json`;

/**
 * Splits the object into ranges when it is big enough and splittable (not gzip; CSV without
 * quoted line breaks near the split points), staging the shared task; returns the items, or
 * an empty list when one pass is the way (small, gzip, unsplittable).
 */
export async function planFanOut(
  store: ObjectStore,
  job: FanOutJob,
  catalogue: ReferenceCatalogue,
  options: FanOutOptions,
): Promise<FanOutItem[]> {
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
  const maxRanges = options.maxRanges ?? 1000;
  const specs = await splitFile(store, file, plan, csv, {
    threads: maxRanges,
    rangesPerThread: 1,
    minRangeBytes: options.rangeBytes,
    minSplitBytes: options.thresholdBytes,
  });
  if (specs.length < 2) return [];
  const template: TaskTemplate = { plan: encodePlan(plan), file, csv };
  await store.write(
    lakeKeys.staging(job.dataset, job.run, TASK),
    JSON.stringify(template),
    'application/json',
  );
  return specs.map((range, index) => ({ index, range }));
}

/** Profiles one range of the staged task and stages its partial profile; returns the part's key. */
export async function profilePart(store: ObjectStore, job: FanOutJob, item: FanOutItem): Promise<string> {
  const template = JSON.parse(
    await readText(store, lakeKeys.staging(job.dataset, job.run, TASK)),
  ) as TaskTemplate;
  // Only the first range samples values for identifier hints (as on threads).
  const plan =
    item.index === 0
      ? template.plan
      : encodePlan({ ...decodePlan(template.plan), sampleValuesForIdentifiers: false });
  const result = await profileRange(store, { ...template, plan, range: item.range });
  const key = lakeKeys.staging(job.dataset, job.run, partName(item.index));
  await store.write(key, JSON.stringify(result), 'application/json');
  return key;
}

/**
 * A Profiler that merges the staged parts of a fanned-out object instead of reading it: the
 * analyse step runs with it, so the report is built exactly as for a one-pass profile. When
 * text ranges do not join up (a quoted line break crossed a split point), it reads the object in
 * one pass, as the threads do.
 */
export function mergedPartsProfiler(store: ObjectStore, parts: readonly string[]): Profiler {
  return {
    async profile(plan, source, options) {
      const results: RangeResult[] = [];
      for (const key of [...parts].sort())
        results.push(JSON.parse(await readText(store, key)) as RangeResult);
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
