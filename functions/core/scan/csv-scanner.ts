import { InputError } from '../errors.ts';
import { ByteBuffer } from './byte-buffer.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Scanner states (numbers, not an enum: the hot loop compares small integers). */
const RECORD_START = 0;
const FIELD_START = 1;
const UNQUOTED = 2;
const QUOTED = 3;
const QUOTE_IN_QUOTED = 4;

/** A record longer than this is refused: it is almost always an unbalanced quote. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * One complete record, as field boundaries into bytes. The object and its arrays are reused
 * between records: read what you need inside `onRecord`.
 * Field `i` occupies `bytes[base + starts[i], base + ends[i])`, without its surrounding quotes;
 * `escaped[i]` is 1 when the quoted field contains doubled quotes (`""`) still to be undone.
 */
export interface CsvRecord {
  bytes: Uint8Array;
  base: number;
  /** Number of fields in the record. */
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  escaped: Uint8Array;
  /** 1-based physical line where the record starts. */
  line: number;
  /** Why the record cannot be read (no row data), or null. */
  problem: string | null;
}

export interface CsvScannerOptions {
  /** The delimiter byte (ASCII). */
  readonly delimiter: number;
  /** Used only in error messages. */
  readonly fileName: string;
  /** @default - MAX_RECORD_BYTES (16 MiB) */
  readonly maxRecordBytes?: number;
  /** The line number of the first byte pushed. @default 1 */
  readonly firstLine?: number;
  readonly onRecord: (record: CsvRecord) => void;
}

/**
 * A resumable byte-level CSV state machine (RFC 4180 plus LF, lone CR and empty-line skipping).
 * It finds field boundaries and never decodes text: the caller decodes only the fields it needs.
 * All state lives in the instance, so a scanner can start at any record boundary of a byte range.
 *
 * Lenient where the meaning is unambiguous: a quote inside an unquoted field is literal text.
 * A closing quote followed by anything but a delimiter or a line break makes the record
 * malformed; so does a quote still open at the end of the input.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly fileName: string;
  private readonly maxRecordBytes: number;
  private readonly onRecord: (record: CsvRecord) => void;
  private readonly carry = new ByteBuffer();
  private readonly record: CsvRecord;

  private state = RECORD_START;
  /** Bytes pushed so far: the absolute offset of the next chunk. */
  private consumed = 0;
  /** Last byte of the previous chunk (to recognise CRLF split across chunks). */
  private lastByte = -1;
  private line: number;
  private recordLine = 0;
  /** Absolute offset of the current record's first byte. */
  private recordAbs = 0;
  /** Start of the current field, relative to the record. */
  private fieldStart = 0;
  private fieldIndex = 0;
  private fieldEscaped = 0;
  private problem: string | null = null;

  constructor(options: CsvScannerOptions) {
    this.delimiter = options.delimiter;
    this.fileName = options.fileName;
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
    this.onRecord = options.onRecord;
    this.line = options.firstLine ?? 1;
    this.record = {
      bytes: new Uint8Array(0),
      base: 0,
      count: 0,
      starts: new Int32Array(64),
      ends: new Int32Array(64),
      escaped: new Uint8Array(64),
      line: 0,
      problem: null,
    };
  }

  /** Scans one chunk; complete records are handed to `onRecord`, a partial one is kept. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const d = this.delimiter;
    const chunkAbs = this.consumed;
    let state = this.state;
    let line = this.line;
    let recordAbs = this.recordAbs;
    let fieldStart = this.fieldStart;
    let fieldIndex = this.fieldIndex;
    let escaped = this.fieldEscaped;
    let i = 0;

    while (i < n) {
      if (state === RECORD_START) {
        const b = chunk[i]!;
        if (b === LF) {
          // The LF of a CRLF was counted with its CR.
          if ((i === 0 ? this.lastByte : chunk[i - 1]) !== CR) line++;
          i++;
          continue;
        }
        if (b === CR) {
          line++;
          i++;
          continue;
        }
        recordAbs = chunkAbs + i;
        this.recordLine = line;
        this.problem = null;
        fieldIndex = 0;
        state = FIELD_START;
      }
      if (state === FIELD_START) {
        escaped = 0;
        if (chunk[i] === QUOTE) {
          fieldStart = chunkAbs + i + 1 - recordAbs;
          state = QUOTED;
          i++;
          continue;
        }
        fieldStart = chunkAbs + i - recordAbs;
        state = UNQUOTED;
      }
      if (state === UNQUOTED) {
        let b = 0;
        while (i < n) {
          b = chunk[i]!;
          if (b === d || b === LF || b === CR) break;
          i++;
        }
        if (i === n) break;
        this.setField(fieldIndex++, fieldStart, chunkAbs + i - recordAbs, escaped);
        i++;
        if (b === d) {
          state = FIELD_START;
          continue;
        }
        this.emit(chunk, chunkAbs, recordAbs, fieldIndex, chunkAbs + i - 1);
        line++;
        state = RECORD_START;
        continue;
      }
      if (state === QUOTED) {
        while (i < n) {
          const b = chunk[i]!;
          if (b === QUOTE) break;
          if (b === LF) {
            if ((i === 0 ? this.lastByte : chunk[i - 1]) !== CR) line++;
          } else if (b === CR) {
            line++;
          }
          i++;
        }
        if (i === n) break;
        i++;
        state = QUOTE_IN_QUOTED;
        continue;
      }
      // QUOTE_IN_QUOTED: the previous byte was a quote inside a quoted field.
      const b = chunk[i]!;
      if (b === QUOTE) {
        escaped = 1;
        state = QUOTED;
        i++;
        continue;
      }
      if (b === d || b === LF || b === CR) {
        this.setField(fieldIndex++, fieldStart, chunkAbs + i - 1 - recordAbs, escaped);
        i++;
        if (b === d) {
          state = FIELD_START;
          continue;
        }
        this.emit(chunk, chunkAbs, recordAbs, fieldIndex, chunkAbs + i - 1);
        line++;
        state = RECORD_START;
        continue;
      }
      this.problem ??= `unexpected character after the closing quote of field ${fieldIndex + 1}`;
      state = UNQUOTED; // keep going to find where the record ends
    }

    this.lastByte = chunk[n - 1]!;
    this.consumed = chunkAbs + n;
    this.state = state;
    this.line = line;
    this.recordAbs = recordAbs;
    this.fieldStart = fieldStart;
    this.fieldIndex = fieldIndex;
    this.fieldEscaped = escaped;
    if (state !== RECORD_START) {
      this.carry.append(chunk, Math.max(recordAbs - chunkAbs, 0), n);
      if (this.carry.length > this.maxRecordBytes) throw this.tooLong();
    }
  }

  /** Ends the input: a last record without a trailing line break is handed over. */
  finish(): void {
    const state = this.state;
    if (state === RECORD_START) return;
    const end = this.consumed - this.recordAbs;
    if (state === FIELD_START) {
      this.setField(this.fieldIndex++, end, end, 0);
    } else if (state === QUOTE_IN_QUOTED) {
      this.setField(this.fieldIndex++, this.fieldStart, end - 1, this.fieldEscaped);
    } else {
      if (state === QUOTED)
        this.problem ??= 'unterminated quoted field (a quote opened here is never closed)';
      this.setField(this.fieldIndex++, this.fieldStart, end, this.fieldEscaped);
    }
    this.state = RECORD_START;
    this.emit(new Uint8Array(0), this.consumed, this.recordAbs, this.fieldIndex, this.consumed);
  }

  private setField(index: number, start: number, end: number, escaped: number): void {
    const record = this.record;
    if (index >= record.starts.length) {
      const capacity = record.starts.length * 2;
      const starts = new Int32Array(capacity);
      starts.set(record.starts);
      const ends = new Int32Array(capacity);
      ends.set(record.ends);
      const flags = new Uint8Array(capacity);
      flags.set(record.escaped);
      record.starts = starts;
      record.ends = ends;
      record.escaped = flags;
    }
    record.starts[index] = start;
    record.ends[index] = end;
    record.escaped[index] = escaped;
  }

  /** Hands over the record that ends at absolute offset `endAbs` (exclusive, before the line break). */
  private emit(chunk: Uint8Array, chunkAbs: number, recordAbs: number, count: number, endAbs: number): void {
    if (endAbs - recordAbs > this.maxRecordBytes) throw this.tooLong();
    const record = this.record;
    if (recordAbs >= chunkAbs) {
      record.bytes = chunk;
      record.base = recordAbs - chunkAbs;
    } else {
      this.carry.append(chunk, 0, endAbs - chunkAbs);
      record.bytes = this.carry.bytes;
      record.base = 0;
    }
    record.count = count;
    record.line = this.recordLine;
    record.problem = this.problem;
    this.onRecord(record);
    this.carry.clear();
  }

  private tooLong(): InputError {
    const limit = this.maxRecordBytes;
    const size = limit >= 1024 * 1024 ? `${Math.round(limit / (1024 * 1024))} MiB` : `${limit} bytes`;
    return new InputError(
      'INPUT_FORMAT',
      `${this.fileName}: line ${this.recordLine}: a record is longer than ${size}; ` +
        'a quote is probably never closed (check the quoting from this line on)',
    );
  }
}
