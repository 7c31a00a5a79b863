import { createHash } from 'node:crypto';
import type { ObjectStore } from '../core/ports.ts';
import type { CountingPlan } from '../core/profile/plan.ts';
import { type Profile, ProfileBuilder } from '../core/profile/profile.ts';
import { concatBytes } from '../core/scan/byte-buffer.ts';
import { type CsvLayout, scanCsvRange } from '../core/scan/csv.ts';
import type { Compression, DataFormat } from '../core/scan/format.ts';
import { scanJsonlRange } from '../core/scan/jsonl.ts';
import { scanFile } from '../core/scan/scan-file.ts';
import type { ByteStream, RandomAccessSource, TextRange } from '../core/scan/types.ts';
import { inflateWithZlib } from './inflate.ts';

/**
 * "Profile this part of this file": the unit of parallel work, as plain JSON both ways, so the
 * same task runs in this thread, in a worker thread, or (later) in a Lambda invocation that
 * reads the range from S3 with a ranged GET.
 */
export interface RangeTask {
  /** The counting plan, made JSON by {@link encodePlan}. */
  readonly plan: PlanJson;
  readonly file: {
    readonly key: string;
    /** Shown in messages. */
    readonly name: string;
    readonly format: DataFormat;
    readonly compression: Compression;
    readonly bytes: number;
  };
  /** The manifest's `csv` options (the layout's delimiter is filled in for ranges). */
  readonly csv: { readonly delimiter?: string; readonly header?: boolean; readonly encoding?: string };
  readonly range: RangeSpec;
}

/**
 * `whole`: the file as one stream (gzip, small or unsplittable files), hashed with SHA-256.
 * `text`: a byte range of CSV or JSON Lines (see TextRange); `index` orders the ranges, `layout`
 * (CSV) carries what the file's first bytes say. `row-groups`: Parquet row groups [start, end).
 */
export type RangeSpec =
  | { readonly kind: 'whole' }
  | (TextRange & { readonly kind: 'text'; readonly index: number; readonly layout?: CsvLayout })
  | { readonly kind: 'row-groups'; readonly start: number; readonly end: number };

export interface RangeResult {
  /**
   * The range's partial profile. Line numbers of malformed rows count from 1 at the range's
   * `begin` for text ranges after the first; {@link mergeRangeResults} turns them into file lines.
   */
  readonly profile: Profile;
  /** Columns the file declares, as this range saw them (CSV header, Parquet schema, first JSON keys). */
  readonly header: readonly string[];
  readonly bytesRead: number;
  /** Text ranges: where counting began and ended, and the line breaks in between. */
  readonly text?: { readonly begin: number; readonly end: number; readonly lineBreaks: number };
  /** JSON Lines: objects seen and which projected columns they had (for the column check). */
  readonly jsonl?: { readonly objects: number; readonly seen: readonly number[] };
  /** `whole` ranges of CSV and JSON Lines: the SHA-256 of the file's bytes. */
  readonly sha256?: string;
}

/** Progress of one task since its last report. */
export interface RangeProgress {
  readonly bytes: number;
  readonly rows: number;
}

/** How far past a range's end the first read goes to finish its last record (more if needed). */
const READ_AHEAD_BYTES = 256 * 1024;
/** Progress is reported about this often (bytes). */
const PROGRESS_BYTES = 4 * 1024 * 1024;

/**
 * Profiles one range of one file: reads it through the store (ranged reads for `text` ranges,
 * random access for Parquet), counts it with a fresh ProfileBuilder and returns the partial
 * profile with what the merge needs. Plain JSON in, plain JSON out.
 */
export async function profileRange(
  store: ObjectStore,
  task: RangeTask,
  onProgress: (progress: RangeProgress) => void = () => {},
): Promise<RangeResult> {
  const plan = decodePlan(task.plan);
  const builder = new ProfileBuilder(plan);
  const { file, range } = task;
  const options = { columns: plan.columns, fileName: file.name };
  let bytesRead = 0;
  let pendingBytes = 0;
  let reportedRows = 0;
  const count = (bytes: number) => {
    bytesRead += bytes;
    pendingBytes += bytes;
    if (pendingBytes >= PROGRESS_BYTES) flush();
  };
  const flush = () => {
    const rows = builder.rowsRead;
    if (pendingBytes === 0 && rows === reportedRows) return;
    onProgress({ bytes: pendingBytes, rows: rows - reportedRows });
    pendingBytes = 0;
    reportedRows = rows;
  };
  const counted = (source: AsyncIterable<Uint8Array>): ByteStream => ({
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        count(chunk.byteLength);
        yield chunk;
      }
    },
  });

  if (range.kind === 'whole') {
    const hash = createHash('sha256');
    const summary = await scanFile(
      {
        fileName: file.name,
        format: file.format,
        compression: file.compression,
        stream: () =>
          counted({
            async *[Symbol.asyncIterator]() {
              for await (const chunk of store.read(file.key)) {
                hash.update(chunk);
                yield chunk;
              }
            },
          }),
        random: randomAccess(store, file.key, file.bytes, count),
      },
      { columns: plan.columns, csv: task.csv, gzip: { inflate: inflateWithZlib } },
      builder,
    );
    flush();
    return {
      profile: builder.toProfile(),
      header: [...(summary.header ?? [])],
      bytesRead,
      ...(file.format === 'parquet' ? {} : { sha256: hash.digest('hex') }),
    };
  }

  if (range.kind === 'row-groups') {
    const { scanParquet } = await import('../core/scan/parquet.ts');
    const summary = await scanParquet(randomAccess(store, file.key, file.bytes, count), options, builder, {
      start: range.start,
      end: range.end,
    });
    flush();
    return { profile: builder.toProfile(), header: [...(summary.header ?? [])], bytesRead };
  }

  const source = counted(readFrom(store, file.key, range.offset, range.stopAt, file.bytes));
  const textRange: TextRange = {
    offset: range.offset,
    skipToLineStart: range.skipToLineStart,
    stopAt: range.stopAt,
  };
  if (file.format === 'jsonl') {
    const summary = await scanJsonlRange(source, options, builder, textRange);
    flush();
    return {
      profile: builder.toProfile(),
      header: [...(summary.header ?? [])],
      bytesRead,
      text: { begin: summary.begin, end: summary.end, lineBreaks: summary.lineBreaks },
      jsonl: { objects: summary.objects, seen: [...summary.seen] },
    };
  }
  const summary = await scanCsvRange(
    source,
    { ...options, ...task.csv, ...(range.layout ? { delimiter: range.layout.delimiter } : {}) },
    builder,
    textRange,
    range.layout,
  );
  flush();
  return {
    profile: builder.toProfile(),
    header: [...(summary.header ?? [])],
    bytesRead,
    text: { begin: summary.begin, end: summary.end, lineBreaks: summary.lineBreaks },
  };
}

/**
 * The bytes of `key` from `start` on, read in ranges: first up to a little past `softEnd`, then
 * further only while the consumer keeps reading (a range's last record ends past its end).
 */
export async function* readFrom(
  store: ObjectStore,
  key: string,
  start: number,
  softEnd: number,
  size: number,
): AsyncGenerator<Uint8Array> {
  let at = start;
  let end = Math.min(size, Math.max(softEnd, start) + READ_AHEAD_BYTES);
  let ahead = READ_AHEAD_BYTES;
  while (at < size) {
    for await (const chunk of store.read(key, { start: at, end })) {
      at += chunk.byteLength;
      yield chunk;
    }
    if (at < end) break; // the object is shorter than its size said
    ahead *= 2;
    end = Math.min(size, at + ahead);
  }
}

function randomAccess(
  store: ObjectStore,
  key: string,
  byteLength: number,
  count: (bytes: number) => void,
): RandomAccessSource {
  return {
    byteLength,
    read: async (start, end) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const c of store.read(key, { start, end })) {
        chunks.push(c);
        size += c.byteLength;
      }
      count(size);
      return concatBytes(chunks);
    },
  };
}

/** A CountingPlan as plain JSON: Maps and Sets become tagged arrays. */
export type PlanJson = { readonly planJson: 1; readonly value: unknown };

/**
 * Turns a plan into plain JSON. Generic over the plan's shape (objects, arrays, Maps, Sets,
 * strings, finite numbers, booleans, null), so fields added to the plan travel without changes
 * here; anything else (a function, a class instance, NaN) is refused loudly.
 */
export function encodePlan(plan: CountingPlan): PlanJson {
  return { planJson: 1, value: encodeValue(plan, 'plan') };
}

export function decodePlan(json: PlanJson): CountingPlan {
  return decodeValue(json.value) as CountingPlan;
}

function encodeValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`encodePlan: ${path} is ${value}, not a finite number`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${path}[${i}]`));
  if (value instanceof Map) {
    return {
      $map: [...value.entries()].map(([k, v], i) => [
        encodeValue(k, `${path}.key${i}`),
        encodeValue(v, `${path}.${String(k)}`),
      ]),
    };
  }
  if (value instanceof Set) return { $set: [...value].map((v, i) => encodeValue(v, `${path}{${i}}`)) };
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$map' || k === '$set') throw new Error(`encodePlan: ${path} has a reserved key ${k}`);
      if (v !== undefined) out[k] = encodeValue(v, `${path}.${k}`);
    }
    return out;
  }
  throw new Error(
    `encodePlan: ${path} is ${typeof value === 'object' ? 'a class instance' : `a ${typeof value}`}, not plain data`,
  );
}

function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['$map'])) {
    return new Map(
      (record['$map'] as [unknown, unknown][]).map(([k, v]) => [decodeValue(k), decodeValue(v)]),
    );
  }
  if (Array.isArray(record['$set'])) return new Set((record['$set'] as unknown[]).map(decodeValue));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = decodeValue(v);
  return out;
}
