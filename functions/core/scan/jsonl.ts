import { InputError } from '../errors.ts';
import { ByteBuffer, startsWithUtf8Bom } from './byte-buffer.ts';
import { listNames } from './messages.ts';
import { describeJsonType, describeNonScalar, scalarText } from './scalar.ts';
import type { ByteStream, RangeSummary, ScanOptions, ScanSink, ScanSummary, TextRange } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;

/**
 * A line longer than this is refused, so a file without line breaks cannot fill the memory.
 * Generous: JSON Lines training sets carry long texts in columns nobody projects.
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Marks a path that does not exist in an object (as opposed to a null value). */
const ABSENT: unique symbol = Symbol('absent');

export interface JsonlLimits {
  /** @default - MAX_LINE_BYTES (256 MiB) */
  readonly maxLineBytes?: number;
}

interface ColumnPath {
  readonly name: string;
  /** The dotted path split into keys, or null when the name has no dot. */
  readonly keys: readonly string[] | null;
}

/**
 * Streams a JSON Lines file once and hands the sink the projected columns of each object.
 *
 * Lines are split on LF (CRLF tolerated), blank lines skipped, each line parsed as UTF-8 JSON.
 * Columns are dotted paths into nested objects (`address.state`); a top-level key that literally
 * contains the dots wins. Strings pass as they are, numbers and booleans through String(), null
 * and absent values as null (so is a path under a null object). A line that is not a JSON object,
 * or that holds an object or array at a projected path, goes to `sink.malformed`.
 *
 * @throws InputError COLUMN_NOT_FOUND after the scan when the file has objects but a column was
 *   never present in any of them; INPUT_FORMAT for a line over `limits.maxLineBytes`
 */
export async function scanJsonl(
  source: ByteStream,
  options: ScanOptions,
  sink: ScanSink,
  limits: JsonlLimits = {},
): Promise<ScanSummary> {
  const summary = await scanJsonlRange(
    source,
    options,
    sink,
    { offset: 0, skipToLineStart: false, stopAt: Number.POSITIVE_INFINITY },
    limits,
  );
  checkJsonlColumns([summary], options);
  return { records: summary.records, header: summary.header ?? [] };
}

/** What a JSON Lines range saw, for the column check across ranges ({@link checkJsonlColumns}). */
export interface JsonlRangeSummary extends RangeSummary {
  /** Lines that held a JSON object. */
  readonly objects: number;
  /** Per projected column: 1 when some object had it (even as null). */
  readonly seen: readonly number[];
}

/**
 * Scans one byte range of a JSON Lines file (see TextRange): a range after the first skips the
 * partial line it starts in and numbers lines from 1 at its `begin`; every range reads past
 * `stopAt` to the end of its last line. Does not check that the columns exist: call
 * {@link checkJsonlColumns} with the summaries of all ranges.
 */
export async function scanJsonlRange(
  source: ByteStream,
  options: ScanOptions,
  sink: ScanSink,
  range: TextRange,
  limits: JsonlLimits = {},
): Promise<JsonlRangeSummary> {
  const { columns, fileName } = options;
  const maxLineBytes = limits.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const paths: ColumnPath[] = columns.map((name) => ({
    name,
    keys: name.includes('.') ? name.split('.') : null,
  }));
  const seen = new Uint8Array(columns.length);
  const values: (string | null)[] = columns.map(() => null);
  let line = 0;
  let records = 0;
  let objects = 0;
  let firstKeys: string[] | undefined;
  const atFileStart = range.offset === 0 && !range.skipToLineStart;

  const readLine = (bytes: Uint8Array, start: number, end: number): void => {
    line++;
    if (end - start > maxLineBytes) throw tooLong(fileName, line, maxLineBytes);
    let from = start;
    let to = end;
    if (to > from && bytes[to - 1] === CR) to--;
    if (line === 1 && atFileStart && startsWithUtf8Bom(bytes, from)) from += 3;
    if (isBlank(bytes, from, to)) return;
    records++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(bytes.subarray(from, to)));
    } catch (error) {
      sink.malformed(line, error instanceof SyntaxError ? 'not valid JSON' : 'invalid UTF-8');
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      sink.malformed(line, `expected a JSON object, found ${describeJsonType(parsed)}`);
      return;
    }
    const object = parsed as Record<string, unknown>;
    objects++;
    firstKeys ??= Object.keys(object);
    for (let i = 0; i < paths.length; i++) {
      const value = lookup(object, paths[i]!);
      if (value === ABSENT) {
        values[i] = null;
        continue;
      }
      seen[i] = 1;
      const text = scalarText(value);
      if (text === undefined) {
        sink.malformed(line, `column '${columns[i]}' holds ${describeNonScalar(value)}, expected a scalar`);
        return;
      }
      values[i] = text;
    }
    sink.row(values, line);
  };

  const carry = new ByteBuffer();
  let position = range.offset;
  let skipping = range.skipToLineStart;
  let begin = range.offset;
  let stopped = false;
  /** Absolute offset of the first byte of the line being carried or read. */
  let lineStart = range.offset;
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    while (!stopped) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = next.value;
      const chunkAbs = position;
      position += chunk.length;
      let start = 0;
      if (skipping) {
        const lf = chunk.indexOf(LF);
        if (lf === -1) continue;
        skipping = false;
        start = lf + 1;
        begin = chunkAbs + start;
        lineStart = begin;
      }
      for (;;) {
        if (carry.length === 0 && lineStart >= range.stopAt) {
          stopped = true;
          break;
        }
        const newline = chunk.indexOf(LF, start);
        if (newline === -1) {
          if (carry.length + chunk.length - start > maxLineBytes)
            throw tooLong(fileName, line + 1, maxLineBytes);
          carry.append(chunk, start, chunk.length);
          break;
        }
        if (carry.length > 0) {
          carry.append(chunk, start, newline);
          readLine(carry.bytes, 0, carry.length);
          carry.clear();
        } else {
          readLine(chunk, start, newline);
        }
        start = newline + 1;
        lineStart = chunkAbs + start;
      }
    }
    if (!stopped && carry.length > 0) readLine(carry.bytes, 0, carry.length);
  } finally {
    if (!done) await iterator.return?.();
  }
  if (skipping) begin = position;
  const end = stopped ? lineStart : position;
  return {
    records,
    header: firstKeys ?? [],
    begin,
    end,
    lineBreaks: line - (!stopped && end > lineStart ? 1 : 0),
    objects,
    seen: [...seen],
  };
}

/**
 * The column check of JSON Lines over all ranges of a file, in order: a projected column must
 * be present (even as null) in at least one object when the file has objects.
 *
 * @throws InputError COLUMN_NOT_FOUND naming the column, the object count and the first keys
 */
export function checkJsonlColumns(
  ranges: readonly Pick<JsonlRangeSummary, 'objects' | 'seen' | 'header'>[],
  options: ScanOptions,
): void {
  const objects = ranges.reduce((n, r) => n + r.objects, 0);
  if (objects === 0) return;
  const missing = options.columns.findIndex((_, i) => ranges.every((r) => r.seen[i] !== 1));
  if (missing === -1) return;
  const firstKeys = ranges.find((r) => r.objects > 0)?.header ?? [];
  throw new InputError(
    'COLUMN_NOT_FOUND',
    `${options.fileName}: column '${options.columns[missing]}' not found in any of the ${objects} JSON objects ` +
      `(use a dotted path such as 'address.state' for nested keys); the first object has keys ` +
      listNames(firstKeys),
  );
}

/** The value at `path`, null when an enclosing object is null, ABSENT when the path does not exist. */
function lookup(object: Record<string, unknown>, path: ColumnPath): unknown {
  if (Object.hasOwn(object, path.name)) return object[path.name];
  if (path.keys === null) return ABSENT;
  let current: unknown = object;
  for (const key of path.keys) {
    if (current === null) return null;
    if (typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return ABSENT;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

function tooLong(fileName: string, line: number, maxLineBytes: number): InputError {
  return new InputError(
    'INPUT_FORMAT',
    `${fileName}: line ${line}: a line is longer than ${maxLineBytes} bytes; JSON Lines needs one object per line`,
  );
}
