/**
 * The contract between the format readers (CSV, JSON Lines, Parquet) and the profiler.
 * A reader streams a file once and hands the profiler only the projected columns, as strings
 * (numbers and booleans are rendered with String(); null, absent and empty-object values are
 * `null`). The `values` array passed to `row` is reused between calls: copy what you keep.
 */
export type RowValues = readonly (string | null)[];

export interface ScanSink {
  /** One record; `values[i]` belongs to `columns[i]`; `line` is the 1-based line where it starts. */
  row(values: RowValues, line: number): void;
  /** A record that could not be read; counted, never fatal. `reason` carries no row data. */
  malformed(line: number, reason: string): void;
}

/** A code for "no code: read `values[k]`" in {@link CodedScanSink.rowCodes}. */
export const NO_CODE = -1;

/**
 * A sink that numbers the distinct values of each column, so a reader can hand over a repeated
 * value by its code instead of decoding it again (the CSV reader maps field bytes to codes).
 * Codes are the sink's: stable for its lifetime, per column, dense from 0.
 */
export interface CodedScanSink extends ScanSink {
  /** The code of `text` in projected column `column`, or NO_CODE when the sink numbers no more values there. */
  codeOf(column: number, text: string): number;
  /**
   * Like `row`: `codes[k]` ≥ 0 stands for the text that `codeOf(k, text)` returned it for, and
   * `values[k]` is then not read; where `codes[k]` is NO_CODE, `values[k]` holds the value.
   * Both arrays are reused between calls.
   */
  rowCodes(codes: Int32Array, values: RowValues, line: number): void;
}

/** True when the sink takes codes. */
export function isCodedSink(sink: ScanSink): sink is CodedScanSink {
  return typeof (sink as Partial<CodedScanSink>).rowCodes === 'function';
}

export interface ScanOptions {
  /** The projection: nothing else is decoded. Dotted paths reach into JSON objects. */
  readonly columns: readonly string[];
  /** Used only in error messages. */
  readonly fileName: string;
}

export interface CsvOptions extends ScanOptions {
  /** @default - detected among `,` `;` tab `|` from the first lines */
  readonly delimiter?: string;
  /** @default true */
  readonly header?: boolean;
  /**
   * A WHATWG encoding label; ASCII-compatible encodings only (utf-8, windows-1252 / latin1,
   * iso-8859-*, …), since fields are split on bytes. @default 'utf-8'
   */
  readonly encoding?: string;
  /**
   * The bytes are the head of a longer file (the upload's preflight): a quote still open where they
   * end was cut by the head, not left open by the file, so it is not refused. @default false
   */
  readonly headOnly?: boolean;
}

export interface ScanSummary {
  /** Records handed to the sink (good and malformed). */
  readonly records: number;
  /**
   * The columns the file declares, for data-minimisation hints by name: the CSV header, the
   * Parquet schema's top-level columns, the keys of the first JSON object. Names only, no values.
   */
  readonly header?: readonly string[];
  /** CSV: the delimiter used. */
  readonly delimiter?: string;
}

/** Where a byte range of a CSV or JSON Lines file starts and stops. */
export interface TextRange {
  /** Absolute offset of the first byte the source yields. */
  readonly offset: number;
  /**
   * True for every range but the first: the source starts one byte before the range, and
   * everything up to and including the first line feed belongs to the previous range.
   */
  readonly skipToLineStart: boolean;
  /** Records that start at or after this offset, right after a line feed, belong to the next range. */
  readonly stopAt: number;
}

/** What a range scan saw, so that ranges can be checked against each other and put in order. */
export interface RangeSummary extends ScanSummary {
  /** Absolute offset of the first byte counted (after the skipped partial line). */
  readonly begin: number;
  /** Absolute offset where the scan stopped: the next range's `begin`, or the end of the file. */
  readonly end: number;
  /** Line breaks in [begin, end): add them up to turn range line numbers into file line numbers. */
  readonly lineBreaks: number;
}

/** Random access to a file (Parquet footers, byte-range splits). */
export interface RandomAccessSource {
  readonly byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export type ByteStream = AsyncIterable<Uint8Array>;
