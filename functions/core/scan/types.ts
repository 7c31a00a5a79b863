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

/** Random access to a file (Parquet footers, byte-range splits). */
export interface RandomAccessSource {
  readonly byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export type ByteStream = AsyncIterable<Uint8Array>;
