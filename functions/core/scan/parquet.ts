import type { AsyncBuffer, FileMetaData, SchemaTree } from 'hyparquet';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../errors.ts';
import { listNames } from './messages.ts';
import {
  type ColumnCodes,
  chunkRange,
  decodeColumnChunk,
  NULL_VALUE,
  supportedType,
} from './parquet-pages.ts';
import { describeNonScalar, scalarText } from './scalar.ts';
import {
  isCodedSink,
  NO_CODE,
  type RandomAccessSource,
  type ScanOptions,
  type ScanSink,
  type ScanSummary,
} from './types.ts';

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
  rowGroups?: RowGroupRange,
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
  // Flat columns of plain types are read page by page, dictionary indices kept (parquet-pages.ts).
  const flatTypes = picks.map((pick) => {
    const node = schema.children[pick.top]!;
    return pick.keys.length === 0 && node.children.length === 0 && !pick.dateOnly
      ? supportedType(node.element)
      : undefined;
  });
  const coded = isCodedSink(sink) ? sink : null;
  const values: (string | null)[] = picks.map(() => null);
  const codes = new Int32Array(picks.length);
  const first = rowGroups?.start ?? 0;
  const end = Math.min(rowGroups?.end ?? metadata.row_groups.length, metadata.row_groups.length);
  let records = 0;
  let rowStart = 0;
  for (let groupIndex = 0; groupIndex < first; groupIndex++) {
    rowStart += Number(metadata.row_groups[groupIndex]!.num_rows);
  }
  for (let groupIndex = first; groupIndex < end; groupIndex++) {
    const group = metadata.row_groups[groupIndex]!;
    const groupRows = Number(group.num_rows);
    if (groupRows === 0) continue;
    const corrupt = (cause: unknown) =>
      invalid(
        `row group ${groupIndex + 1} (rows ${rowStart + 1} to ${rowStart + groupRows}) is corrupt`,
        cause,
      );

    const fast: (FastColumn | undefined)[] = [];
    for (const [k, pick] of picks.entries()) {
      const type = flatTypes[k];
      const meta = group.columns.find(
        (c) =>
          c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === topNames[pick.top],
      )?.meta_data;
      let column: FastColumn | undefined;
      if (type !== undefined && meta !== undefined && meta.type === type) {
        const range = chunkRange(meta);
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await buffer.slice(range.start, range.end));
        } catch (cause) {
          throw corrupt(cause);
        }
        try {
          const optional = schema.children[pick.top]!.element.repetition_type !== 'REQUIRED';
          const decoded = decodeColumnChunk(bytes, type, optional, meta.codec, groupRows, compressors);
          if (decoded)
            column = { ...decoded, sinkCodes: new Int32Array(decoded.dictionary.length).fill(UNSET) };
        } catch (cause) {
          throw corrupt(cause);
        }
      }
      fast.push(column);
    }

    // The other columns through hyparquet, column by column (no row objects), as page-sized chunks.
    const readNames = [
      ...new Set(picks.filter((_, k) => fast[k] === undefined).map((pick) => topNames[pick.top]!)),
    ];
    const chunks: { start: number; data: ArrayLike<unknown> }[][] = readNames.map(() => []);
    if (readNames.length > 0) {
      try {
        await parquetRead({
          file: buffer,
          metadata,
          columns: readNames,
          rowStart,
          rowEnd: rowStart + groupRows,
          compressors,
          onChunk: (chunk) => {
            chunks[readNames.indexOf(chunk.columnName)]!.push({
              start: chunk.rowStart - rowStart,
              data: chunk.columnData,
            });
          },
        });
      } catch (cause) {
        throw corrupt(cause);
      }
    }
    for (const list of chunks) list.sort((a, b) => a.start - b.start);
    const cursors = picks.map((pick, k) =>
      fast[k] === undefined ? new ColumnCursor(chunks[readNames.indexOf(topNames[pick.top]!)]!) : undefined,
    );

    for (let r = 0; r < groupRows; r++) {
      const line = rowStart + r + 1;
      records++;
      let problem: string | undefined;
      for (let k = 0; k < picks.length; k++) {
        const column = fast[k];
        if (column !== undefined) {
          const index = column.codes[r]!;
          if (index >= 0) {
            const text = column.dictionary[index]!;
            let code = coded ? column.sinkCodes[index]! : NO_CODE;
            if (code === UNSET) {
              code = coded!.codeOf(k, text);
              column.sinkCodes[index] = code;
            }
            codes[k] = code;
            values[k] = text;
          } else if (index === NULL_VALUE) {
            codes[k] = NO_CODE;
            values[k] = null;
          } else {
            const text = column.plain[r]!;
            codes[k] = coded ? coded.codeOf(k, text) : NO_CODE;
            values[k] = text;
          }
          continue;
        }
        const pick = picks[k]!;
        const raw = cursors[k]!.at(r);
        let text: string | null | undefined;
        if (typeof raw === 'string' && pick.keys.length === 0) text = raw;
        else {
          const value = walk(raw, pick.keys);
          text = scalarText(value);
          if (text === undefined) {
            problem = `column '${pick.name}' holds ${describeNonScalar(value)}, expected a scalar`;
            break;
          }
          if (pick.dateOnly && text !== null && value instanceof Date) text = text.slice(0, 10);
        }
        values[k] = text;
        codes[k] = coded && text !== null ? coded.codeOf(k, text) : NO_CODE;
      }
      if (problem !== undefined) sink.malformed(line, problem);
      else if (coded) coded.rowCodes(codes, values, line);
      else sink.row(values, line);
    }
    rowStart += groupRows;
  }
  return { records, header: topNames };
}

/** A column read by parquet-pages.ts, with the sink's code for each dictionary entry once known. */
interface FastColumn extends ColumnCodes {
  readonly sinkCodes: Int32Array;
}

/** A dictionary entry whose sink code is not asked for yet. */
const UNSET = -3;

/** Reads a column's values by row number, from its chunks in row order (rows only increase). */
class ColumnCursor {
  private index = 0;
  private start = 0;
  private data: ArrayLike<unknown> = [];

  constructor(private readonly chunks: readonly { start: number; data: ArrayLike<unknown> }[]) {
    const first = chunks[0];
    if (first) {
      this.start = first.start;
      this.data = first.data;
    }
  }

  at(row: number): unknown {
    let offset = row - this.start;
    while (offset >= this.data.length && this.index + 1 < this.chunks.length) {
      const next = this.chunks[++this.index]!;
      this.start = next.start;
      this.data = next.data;
      offset = row - this.start;
    }
    return offset >= 0 && offset < this.data.length ? this.data[offset] : undefined;
  }
}

/** Row groups `[start, end)` of a Parquet file: the unit Parquet files are split into. */
export interface RowGroupRange {
  readonly start: number;
  readonly end: number;
}

/** Sizes of a Parquet file's row groups, from its footer, for splitting the file. */
export interface ParquetLayout {
  readonly rowGroups: readonly { readonly rows: number; readonly bytes: number }[];
}

/**
 * Reads the footer of a Parquet file: its row groups' row counts and compressed sizes.
 * @throws InputError PARQUET_INVALID when the footer cannot be read
 */
export async function readParquetLayout(file: RandomAccessSource, fileName: string): Promise<ParquetLayout> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync({
      byteLength: file.byteLength,
      slice: async (start, end) => toArrayBuffer(await file.read(start, end ?? file.byteLength)),
    });
  } catch (cause) {
    throw new InputError(
      'PARQUET_INVALID',
      `${fileName}: not a readable Parquet file: the footer (file metadata) is missing, truncated or corrupt`,
      { cause },
    );
  }
  return {
    rowGroups: metadata.row_groups.map((group) => ({
      rows: Number(group.num_rows),
      bytes: Number(group.total_byte_size),
    })),
  };
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
