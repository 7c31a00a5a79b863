import { InputError } from '../errors.ts';
import { concatBytes, startsWithUtf8Bom } from './byte-buffer.ts';
import { DELIMITER_CANDIDATES, detectDelimiter, SAMPLE_BYTES } from './csv-delimiter.ts';
import { type CsvRecord, CsvScanner } from './csv-scanner.ts';
import { FieldDecoder } from './field-decoder.ts';
import { listNames } from './messages.ts';
import { createFieldDecoder, encodingLabel } from './text-encoding.ts';
import type { ByteStream, CsvOptions, ScanSink, ScanSummary } from './types.ts';

/** Bytes read before the delimiter is detected (more when the chunks are larger). */
const HEAD_BYTES = 64 * 1024;

/**
 * Streams a CSV file once and hands the sink the projected columns of each record.
 *
 * Field boundaries are found on bytes ({@link CsvScanner}); only the projected fields are decoded.
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
  const { fileName } = options;
  const decoder = createFieldDecoder(options.encoding ?? 'utf-8', fileName);
  const explicitDelimiter =
    options.delimiter === undefined ? undefined : checkDelimiter(options.delimiter, fileName);
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
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
    let head = headChunks.length === 0 ? new Uint8Array(0) : concatBytes(headChunks);
    if (startsWithUtf8Bom(head)) head = head.subarray(3);
    const delimiter =
      explicitDelimiter ??
      detectDelimiter(head.subarray(0, SAMPLE_BYTES), done && head.length <= SAMPLE_BYTES);

    const reader = new CsvRecordReader(options, decoder, sink);
    const scanner = new CsvScanner({
      delimiter: delimiter.charCodeAt(0),
      fileName,
      onRecord: (record) => reader.accept(record),
    });
    scanner.push(head);
    while (!done) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      scanner.push(next.value);
    }
    scanner.finish();
    return { records: reader.records, header: reader.header ?? [], delimiter };
  } finally {
    if (!done) await iterator.return?.();
  }
}

/** Turns scanned records into sink calls: header, projection, field-count check, decoding. */
class CsvRecordReader {
  records = 0;
  header: string[] | undefined;
  private readonly columns: readonly string[];
  private readonly fileName: string;
  private readonly hasHeader: boolean;
  private readonly decoder: TextDecoder;
  private readonly invalidText: string[];
  private readonly sink: ScanSink;
  private readonly values: (string | null)[];
  private readonly fieldDecoders: FieldDecoder[];
  private projection: number[] = [];
  private expectedFields = 0;

  constructor(options: CsvOptions, decoder: TextDecoder, sink: ScanSink) {
    this.columns = options.columns;
    this.fileName = options.fileName;
    this.hasHeader = options.header ?? true;
    this.decoder = decoder;
    this.sink = sink;
    this.values = options.columns.map(() => '');
    this.fieldDecoders = options.columns.map(() => new FieldDecoder(decoder));
    this.invalidText = options.columns.map(
      (column) => `invalid ${encodingLabel(decoder)} in column '${column}'`,
    );
  }

  accept(record: CsvRecord): void {
    if (this.header === undefined) {
      if (this.hasHeader) {
        this.readHeader(record);
        return;
      }
      this.header = Array.from({ length: record.count }, (_, i) => String(i + 1));
      this.resolveProjection(this.header, record.line);
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
    const { bytes, base, starts, ends, escaped } = record;
    const projection = this.projection;
    const values = this.values;
    for (let k = 0; k < projection.length; k++) {
      const field = projection[k]!;
      const start = starts[field]!;
      const end = ends[field]!;
      if (start === end) {
        values[k] = '';
        continue;
      }
      let text: string;
      try {
        text = this.fieldDecoders[k]!.decode(bytes, base + start, base + end);
      } catch {
        this.sink.malformed(record.line, this.invalidText[k]!);
        return;
      }
      values[k] = escaped[field] === 1 ? text.replaceAll('""', '"') : text;
    }
    this.sink.row(values, record.line);
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
