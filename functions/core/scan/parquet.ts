import type { AsyncBuffer, FileMetaData, SchemaTree } from 'hyparquet';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../errors.ts';
import { listNames } from './messages.ts';
import { describeNonScalar, scalarText } from './scalar.ts';
import type { RandomAccessSource, ScanOptions, ScanSink, ScanSummary } from './types.ts';

/** Where one projected column is found in the rows hyparquet assembles. */
interface ColumnPick {
  readonly name: string;
  /** Index into the top-level columns that are read. */
  readonly top: number;
  /** Keys into struct values below the top-level column. */
  readonly keys: readonly string[];
  /** A DATE column: rendered as YYYY-MM-DD rather than a full timestamp. */
  readonly dateOnly: boolean;
}

/**
 * Reads the projected columns of a Parquet file, one row group at a time (memory bounded by the
 * largest row group), with every codec of hyparquet-compressors (snappy, gzip, brotli, zstd, lz4,
 * lz4_raw). Values are rendered like JSON Lines values: bigint and numbers with String(), booleans
 * as 'true' / 'false', timestamps as ISO 8601 (DATE columns as YYYY-MM-DD), null as null.
 * Struct fields are reached by dotted paths (`address.state`); a top-level column whose name
 * contains the dots wins. The line number handed to the sink is the 1-based row number.
 *
 * @throws InputError PARQUET_INVALID when the footer or a row group cannot be decoded;
 *   COLUMN_NOT_FOUND when a column is not in the schema. Errors of `file.read` pass through.
 */
export async function scanParquet(
  file: RandomAccessSource,
  options: ScanOptions,
  sink: ScanSink,
): Promise<ScanSummary> {
  const { fileName } = options;
  let readFailure: { error: unknown } | undefined;
  const buffer: AsyncBuffer = {
    byteLength: file.byteLength,
    async slice(start, end) {
      try {
        return toArrayBuffer(await file.read(start, end ?? file.byteLength));
      } catch (error) {
        readFailure ??= { error };
        throw error;
      }
    },
  };
  const invalid = (what: string, cause: unknown): unknown =>
    readFailure?.error ??
    new InputError('PARQUET_INVALID', `${fileName}: not a readable Parquet file: ${what}`, { cause });

  let metadata: FileMetaData;
  let schema: SchemaTree;
  try {
    metadata = await parquetMetadataAsync(buffer);
    schema = parquetSchema(metadata);
  } catch (cause) {
    throw invalid('the footer (file metadata) is missing, truncated or corrupt', cause);
  }
  const topNames = schema.children.map((child) => child.element.name);
  const picks = options.columns.map((column) => pickColumn(schema, column, fileName));
  const readNames = [...new Set(picks.map((pick) => topNames[pick.top]!))];
  const readIndex = picks.map((pick) => readNames.indexOf(topNames[pick.top]!));

  const values: (string | null)[] = picks.map(() => null);
  let records = 0;
  let rowStart = 0;
  for (const [groupIndex, group] of metadata.row_groups.entries()) {
    const groupRows = Number(group.num_rows);
    if (groupRows === 0) continue;
    let rows: unknown[][] = [];
    if (readNames.length === 0) {
      rows = Array.from({ length: groupRows }, () => []);
    } else {
      try {
        await parquetRead({
          file: buffer,
          metadata,
          columns: readNames,
          rowStart,
          rowEnd: rowStart + groupRows,
          compressors,
          onComplete: (read) => {
            rows = read;
          },
        });
      } catch (cause) {
        throw invalid(
          `row group ${groupIndex + 1} (rows ${rowStart + 1} to ${rowStart + groupRows}) is corrupt`,
          cause,
        );
      }
    }
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const line = rowStart + r + 1;
      records++;
      let problem: string | undefined;
      for (let k = 0; k < picks.length; k++) {
        const pick = picks[k]!;
        const value = walk(row[readIndex[k]!], pick.keys);
        const text = scalarText(value);
        if (text === undefined) {
          problem = `column '${pick.name}' holds ${describeNonScalar(value)}, expected a scalar`;
          break;
        }
        values[k] = pick.dateOnly && text !== null && value instanceof Date ? text.slice(0, 10) : text;
      }
      if (problem === undefined) sink.row(values, line);
      else sink.malformed(line, problem);
    }
    rowStart += groupRows;
  }
  return { records, header: topNames };
}

/** Finds `column` in the schema: a top-level name, else the longest top-level prefix plus struct keys. */
function pickColumn(schema: SchemaTree, column: string, fileName: string): ColumnPick {
  const top = schema.children;
  let index = top.findIndex((child) => child.element.name === column);
  let keys: string[] = [];
  if (index === -1) {
    for (const [i, child] of top.entries()) {
      const name = child.element.name;
      if (column.startsWith(`${name}.`) && (index === -1 || name.length > top[index]!.element.name.length))
        index = i;
    }
    if (index === -1) {
      throw new InputError(
        'COLUMN_NOT_FOUND',
        `${fileName}: column '${column}' not found; the file has columns ` +
          listNames(top.map((child) => child.element.name)),
      );
    }
    keys = column.slice(top[index]!.element.name.length + 1).split('.');
  }
  let node = top[index]!;
  let path = node.element.name;
  for (const key of keys) {
    const child = node.children.find((candidate) => candidate.element.name === key);
    if (child === undefined) {
      throw new InputError(
        'COLUMN_NOT_FOUND',
        `${fileName}: column '${column}' not found; '${path}' has ` +
          (node.children.length === 0
            ? 'no fields (it is not a struct)'
            : `fields ${listNames(node.children.map((c) => c.element.name))}`),
      );
    }
    node = child;
    path = `${path}.${key}`;
  }
  const element = node.element;
  const dateOnly = element.logical_type?.type === 'DATE' || element.converted_type === 'DATE';
  return { name: column, top: index, keys, dateOnly };
}

/** Follows struct keys; a null struct gives null, a non-struct value is returned for the caller to refuse. */
function walk(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || current === undefined) return null;
    if (typeof current !== 'object' || Array.isArray(current) || current instanceof Date) return current;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes.buffer;
  }
  return bytes.slice().buffer;
}
