import { InputError } from '../errors.ts';
import { concatBytes, startsWithUtf8Bom } from './byte-buffer.ts';
import { ByteInterner, MISS } from './byte-interner.ts';
import { DELIMITER_CANDIDATES, detectDelimiter, SAMPLE_BYTES } from './csv-delimiter.ts';
import { type CsvRecord, CsvScanner } from './csv-scanner.ts';
import { FieldDecoder, NulInFieldError } from './field-decoder.ts';
import { listNames } from './messages.ts';
import { createFieldDecoder, encodingLabel } from './text-encoding.ts';
import {
  type ByteStream,
  type CodedScanSink,
  type CsvOptions,
  isCodedSink,
  NO_CODE,
  type RangeSummary,
  type ScanSink,
  type ScanSummary,
  type TextRange,
} from './types.ts';

/** Bytes read before the delimiter is detected (more when the chunks are larger). */
export const HEAD_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * What the start of a CSV file says about all of it: enough to read any byte range of the file
 * without seeing its start again. JSON-serialisable.
 */
export interface CsvLayout {
  readonly delimiter: string;
  /** The header's names, or '1' … 'n' without a header. */
  readonly header: readonly string[];
  readonly hasHeader: boolean;
  /** Offset after the line feed that ends the first record (the header): ranges start past it. */
  readonly dataStart: number;
  /**
   * Why the file cannot be split at line feeds, or null when it can: quoted fields that hold
   * line breaks, or lone carriage returns as line breaks, seen in the first bytes. (Splits are
   * verified afterwards too: see CsvRangeSummary.)
   */
  readonly unsplittable: string | null;
}

/**
 * Streams a CSV file once and hands the sink the projected columns of each record.
 *
 * Field boundaries are found on bytes ({@link CsvScanner}); only the projected fields are decoded,
 * and for a sink that takes codes ({@link CodedScanSink}) each distinct field value is decoded
 * once: later occurrences are matched on their bytes.
 * The first record is the header unless `header: false` (then columns are named "1", "2", … and
 * the first record's field count is the expected one). Empty lines are skipped; a record with the
 * wrong number of fields, invalid text in a projected field, or a broken quote goes to
 * `sink.malformed` with the line where it starts.
 *
 * @throws InputError COLUMN_NOT_FOUND when a column is not in the header;
 *   INPUT_FORMAT for a bad delimiter or encoding option, an unreadable or ambiguous header, or a
 *   record over 16 MiB (an unbalanced quote)
 */
export async function scanCsv(source: ByteStream, options: CsvOptions, sink: ScanSink): Promise<ScanSummary> {
  const summary = await scanCsvRange(source, options, sink, {
    offset: 0,
    skipToLineStart: false,
    stopAt: Number.POSITIVE_INFINITY,
  });
  const { records, header, delimiter } = summary;
  return delimiter === undefined
    ? { records, header: header ?? [] }
    : { records, header: header ?? [], delimiter };
}

/**
 * Scans one byte range of a CSV file (see {@link TextRange}). The first range (offset 0) reads
 * the header itself; a later range needs `options.delimiter` and `layout` (from
 * {@link readCsvLayout}), skips the partial line it starts in, and numbers lines from 1 at its
 * `begin`. Every range reads past `stopAt` to the end of its last record.
 */
export async function scanCsvRange(
  source: ByteStream,
  options: CsvOptions,
  sink: ScanSink,
  range: TextRange,
  layout?: CsvLayout,
): Promise<RangeSummary> {
  const { fileName } = options;
  const decoder = createFieldDecoder(options.encoding ?? 'utf-8', fileName);
  const explicitDelimiter =
    options.delimiter === undefined ? undefined : checkDelimiter(options.delimiter, fileName);
  if (range.skipToLineStart && (explicitDelimiter === undefined || layout === undefined)) {
    throw new Error('scanCsvRange: a range after the first needs the delimiter and the layout');
  }
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    let offset = range.offset;
    let head: Uint8Array = new Uint8Array(0);
    if (range.skipToLineStart) {
      // Skip up to and including the first line feed: that line belongs to the previous range.
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        const lf = next.value.indexOf(LF);
        if (lf === -1) {
          offset += next.value.length;
          continue;
        }
        head = next.value.subarray(lf + 1);
        offset += lf + 1;
        break;
      }
    } else {
      const headChunks: Uint8Array[] = [];
      let headBytes = 0;
      const wanted = explicitDelimiter === undefined ? HEAD_BYTES : 3;
      while (headBytes < wanted) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        if (next.value.length === 0) continue;
        headChunks.push(next.value);
        headBytes += next.value.length;
      }
      head = headChunks.length === 0 ? new Uint8Array(0) : concatBytes(headChunks);
      if (offset === 0 && startsWithUtf8Bom(head)) {
        head = head.subarray(3);
        offset = 3;
      }
    }
    const begin = offset;
    const delimiter =
      explicitDelimiter ??
      detectDelimiter(head.subarray(0, SAMPLE_BYTES), done && head.length <= SAMPLE_BYTES);

    const reader = new CsvRecordReader(options, decoder, sink);
    const scanner = new CsvScanner({
      delimiter: delimiter.charCodeAt(0),
      fileName,
      offset,
      stopAt: range.stopAt,
      afterLineFeed: range.skipToLineStart,
      onRecord: (record) => reader.accept(record),
    });
    reader.attach(scanner);
    if (layout !== undefined && range.skipToLineStart) reader.useLayout(layout, scanner);
    let going = scanner.push(plainBytes(head));
    while (going && !done) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      going = scanner.push(plainBytes(next.value));
    }
    // (An open quote in the header itself is the header's error, which `finish` reports.)
    const openQuote =
      done && !options.headOnly && reader.header !== undefined ? scanner.openQuoteLine : undefined;
    if (openQuote !== undefined) {
      const later = scanner.line - openQuote;
      throw new InputError(
        'INPUT_FORMAT',
        `${fileName}: line ${openQuote}: a quote opened here is never closed; the file ends inside the ` +
          `quoted field${later > 0 ? ` ${later} line${later === 1 ? '' : 's'} later` : ''}, so the rest of ` +
          'the file cannot be read as records (is the file cut short, or a quote unbalanced?)',
      );
    }
    scanner.finish();
    const end = scanner.position;
    return {
      records: reader.records,
      header: reader.header ?? [],
      delimiter,
      begin,
      end,
      lineBreaks: scanner.line - 1,
    };
  } finally {
    if (!done) await iterator.return?.();
  }
}

/**
 * The same bytes as a plain Uint8Array: chunks may be Node Buffers (a Uint8Array subclass), and
 * one element type keeps the scanner's byte loads monomorphic.
 */
function plainBytes(chunk: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(chunk) === Uint8Array.prototype
    ? chunk
    : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reads the header (or, without one, the first record's width) and the dialect from the first
 * bytes of a CSV file, and tells whether the file can be split at line feeds. Returns undefined
 * when `head` does not hold the whole first record (the file is then read in one pass).
 *
 * @param head the first bytes of the file (at least HEAD_BYTES, or all of it)
 * @param complete true when `head` is the whole file
 * @throws InputError as scanCsv does for the header and the options
 */
export function readCsvLayout(
  head: Uint8Array,
  complete: boolean,
  options: CsvOptions,
): CsvLayout | undefined {
  const { fileName } = options;
  const decoder = createFieldDecoder(options.encoding ?? 'utf-8', fileName);
  const bom = startsWithUtf8Bom(head) ? 3 : 0;
  const bytes = head.subarray(bom);
  const delimiter =
    options.delimiter === undefined
      ? detectDelimiter(bytes.subarray(0, SAMPLE_BYTES), complete && bytes.length <= SAMPLE_BYTES)
      : checkDelimiter(options.delimiter, fileName);
  const hasHeader = options.header ?? true;
  let header: string[] | undefined;
  let firstEnd = -1;
  const reader = new CsvRecordReader(options, decoder, { row: () => {}, malformed: () => {} });
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const scanner = new CsvScanner({
    delimiter: delimiter.charCodeAt(0),
    fileName,
    onRecord: (record) => {
      if (header !== undefined) return;
      reader.accept(record);
      header = reader.header;
      // The record lies in `sample` (one chunk): its line feed follows its last field.
      const lf = sample.indexOf(LF, record.base + record.ends[record.count - 1]!);
      firstEnd = lf === -1 ? -1 : bom + lf + 1;
      // The rest is scanned only for quoted line breaks: no fields needed.
      scanner.setProjection([]);
    },
  });
  scanner.push(sample);
  if (header === undefined) {
    if (!complete || sample.length < bytes.length) return undefined;
    scanner.finish();
  }
  let unsplittable: string | null = null;
  if (header === undefined) unsplittable = 'the file has no records';
  else if (scanner.quotedLineBreaks > 0) unsplittable = 'quoted fields hold line breaks';
  else if (hasLoneCr(sample)) unsplittable = 'lines end with a lone carriage return';
  else if (firstEnd === -1) unsplittable = 'no line feed after the first record';
  return { delimiter, header: header ?? [], hasHeader, dataStart: Math.max(firstEnd, bom), unsplittable };
}

function hasLoneCr(sample: Uint8Array): boolean {
  for (let i = sample.indexOf(CR); i !== -1 && i < sample.length - 1; i = sample.indexOf(CR, i + 1)) {
    if (sample[i + 1] !== LF) return true;
  }
  return false;
}

/** Marks a field value whose bytes are not valid text in the encoding. */
const INVALID = -2;
/** A field value holding a NUL character: text files have none, so the row is malformed. */
const HAS_NUL = -3;

/** Turns scanned records into sink calls: header, projection, field-count check, decoding. */
class CsvRecordReader {
  records = 0;
  header: string[] | undefined;
  private readonly columns: readonly string[];
  private readonly fileName: string;
  private readonly hasHeader: boolean;
  private readonly decoder: TextDecoder;
  private readonly invalidText: string[];
  private readonly nulText: string[];
  private readonly sink: ScanSink;
  private readonly coded: CodedScanSink | null;
  private readonly values: (string | null)[];
  private readonly codes: Int32Array;
  private readonly fieldDecoders: FieldDecoder[];
  private readonly interners: ByteInterner[];
  private projection: number[] = [];
  private expectedFields = 0;
  private scanner: CsvScanner | undefined;

  constructor(options: CsvOptions, decoder: TextDecoder, sink: ScanSink) {
    this.columns = options.columns;
    this.fileName = options.fileName;
    this.hasHeader = options.header ?? true;
    this.decoder = decoder;
    this.sink = sink;
    this.coded = isCodedSink(sink) ? sink : null;
    this.values = options.columns.map(() => '');
    this.codes = new Int32Array(options.columns.length);
    this.fieldDecoders = options.columns.map(() => new FieldDecoder(decoder));
    this.interners = this.coded ? options.columns.map(() => new ByteInterner()) : [];
    this.invalidText = options.columns.map(
      (column) => `invalid ${encodingLabel(decoder)} in column '${column}'`,
    );
    this.nulText = options.columns.map(
      (column) => `a NUL character in column '${column}' (not text: a binary or UTF-16 file?)`,
    );
  }

  /** The scanner whose projection follows the header. */
  attach(scanner: CsvScanner): void {
    this.scanner = scanner;
  }

  /** For a range after the first: the header is known, every record is data. */
  useLayout(layout: CsvLayout, scanner: CsvScanner): void {
    this.header = [...layout.header];
    this.resolveProjection(this.header, 1);
    scanner.setProjection(this.projection);
  }

  accept(record: CsvRecord): void {
    if (this.header === undefined) {
      if (this.hasHeader) {
        this.readHeader(record);
        this.scanner?.setProjection(this.projection);
        return;
      }
      this.header = Array.from({ length: record.count }, (_, i) => String(i + 1));
      this.resolveProjection(this.header, record.line);
      this.scanner?.setProjection(this.projection);
    }
    this.records++;
    if (record.problem !== null) {
      this.sink.malformed(record.line, record.problem);
      return;
    }
    if (record.count !== this.expectedFields) {
      this.sink.malformed(record.line, `expected ${this.expectedFields} fields, found ${record.count}`);
      return;
    }
    if (this.coded !== null) this.acceptCoded(record, this.coded);
    else this.acceptText(record);
  }

  private acceptText(record: CsvRecord): void {
    const { bytes, base, starts, ends, escaped } = record;
    const projection = this.projection;
    const values = this.values;
    for (let k = 0; k < projection.length; k++) {
      const slot = record.projected ? k : projection[k]!;
      const start = starts[slot]!;
      const end = ends[slot]!;
      if (start === end) {
        values[k] = '';
        continue;
      }
      let text: string;
      try {
        text = this.fieldDecoders[k]!.decode(bytes, base + start, base + end);
      } catch (error) {
        this.sink.malformed(
          record.line,
          (error instanceof NulInFieldError ? this.nulText : this.invalidText)[k]!,
        );
        return;
      }
      values[k] = escaped[slot] === 1 ? text.replaceAll('""', '"') : text;
    }
    this.sink.row(values, record.line);
  }

  /** Each distinct field value is decoded once per column; later ones are matched on their bytes. */
  private acceptCoded(record: CsvRecord, sink: CodedScanSink): void {
    const { bytes, base, starts, ends, escaped } = record;
    const projection = this.projection;
    const projected = record.projected;
    const codes = this.codes;
    const interners = this.interners;
    for (let k = 0; k < projection.length; k++) {
      const slot = projected ? k : projection[k]!;
      const start = base + starts[slot]!;
      const end = base + ends[slot]!;
      let code: number;
      if (escaped[slot] === 1) {
        code = this.decodeCode(sink, k, bytes, start, end, true);
      } else {
        const interner = interners[k]!;
        code = interner.get(bytes, start, end);
        if (code === MISS) {
          code = this.decodeCode(sink, k, bytes, start, end, false);
          if (code !== NO_CODE) interner.set(bytes, start, end, code);
        }
      }
      if (code < 0 && code !== NO_CODE) {
        sink.malformed(record.line, (code === HAS_NUL ? this.nulText : this.invalidText)[k]!);
        return;
      }
      codes[k] = code;
    }
    sink.rowCodes(codes, this.values, record.line);
  }

  /** Decodes one field; its code, INVALID, HAS_NUL, or NO_CODE with the text left in `values[k]`. */
  private decodeCode(
    sink: CodedScanSink,
    k: number,
    bytes: Uint8Array,
    start: number,
    end: number,
    escaped: boolean,
  ): number {
    let text: string;
    try {
      text = start === end ? '' : this.decoder.decode(bytes.subarray(start, end));
    } catch {
      return INVALID;
    }
    // Checked once per distinct value: the interner remembers the verdict with the bytes.
    if (text.includes('\0')) return HAS_NUL;
    if (escaped) text = text.replaceAll('""', '"');
    const code = sink.codeOf(k, text);
    if (code === NO_CODE) this.values[k] = text;
    return code;
  }

  private readHeader(record: CsvRecord): void {
    const where = `${this.fileName}: line ${record.line}`;
    if (record.problem !== null) {
      throw new InputError('INPUT_FORMAT', `${where}: cannot read the header: ${record.problem}`);
    }
    const names: string[] = [];
    for (let i = 0; i < record.count; i++) {
      const start = record.starts[i]!;
      const end = record.ends[i]!;
      try {
        const name = this.decoder.decode(record.bytes.subarray(record.base + start, record.base + end));
        names.push(record.escaped[i] === 1 ? name.replaceAll('""', '"') : name);
      } catch (cause) {
        throw new InputError(
          'INPUT_FORMAT',
          `${where}: header field ${i + 1} is not valid ${encodingLabel(this.decoder)}; ` +
            `set csv.encoding in the manifest if the file is not UTF-8`,
          { cause },
        );
      }
    }
    this.header = names;
    this.resolveProjection(names, record.line);
  }

  private resolveProjection(names: readonly string[], line: number): void {
    this.expectedFields = names.length;
    this.projection = this.columns.map((column) => {
      const index = names.indexOf(column);
      if (index === -1) {
        const found = this.hasHeader
          ? `the header has ${listNames(names)}`
          : `without a header (csv.header: false) columns are named '1' to '${names.length}'`;
        throw new InputError('COLUMN_NOT_FOUND', `${this.fileName}: column '${column}' not found; ${found}`);
      }
      const again = names.indexOf(column, index + 1);
      if (again !== -1) {
        throw new InputError(
          'INPUT_FORMAT',
          `${this.fileName}: line ${line}: column '${column}' appears more than once in the header ` +
            `(fields ${index + 1} and ${again + 1}); rename one of them`,
        );
      }
      return index;
    });
  }
}

/** The delimiter option must be one ASCII character other than the quote and line breaks. */
function checkDelimiter(delimiter: string, fileName: string): string {
  const code = delimiter.charCodeAt(0);
  if (
    delimiter.length !== 1 ||
    code >= 0x80 ||
    delimiter === '"' ||
    delimiter === '\n' ||
    delimiter === '\r'
  ) {
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: csv.delimiter must be one ASCII character other than a quote or a line break ` +
        `(such as ${DELIMITER_CANDIDATES.map((d) => JSON.stringify(d)).join(', ')}), got ${JSON.stringify(delimiter)}`,
    );
  }
  return delimiter;
}
