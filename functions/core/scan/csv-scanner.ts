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
 * Slot `s` occupies `bytes[base + starts[s], base + ends[s])`, without its surrounding quotes;
 * `escaped[s]` is 1 when the quoted field contains doubled quotes (`""`) still to be undone.
 * Without a projection, slot `i` is field `i`; with one, slot `s` is field `projection[s]`
 * (when the record has that many fields).
 */
export interface CsvRecord {
  bytes: Uint8Array;
  base: number;
  /** Number of fields in the record. */
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  escaped: Uint8Array;
  /** True when the slots follow a projection, false when slot i is field i. */
  projected: boolean;
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
  /** Field indices to report, in slot order. @default - every field, slot i = field i */
  readonly projection?: readonly number[];
  /** Absolute offset of the first byte pushed (for `stopAt`). @default 0 */
  readonly offset?: number;
  /**
   * Stop before a record that starts at or after this absolute offset right after a line feed
   * (the first record of the next byte range). @default - never
   */
  readonly stopAt?: number;
  /** True when the byte before the first one pushed was a line feed (a range start). @default false */
  readonly afterLineFeed?: boolean;
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
 *
 * With a projection, a line without quotes (and without a CR other than a CRLF's) takes a fast
 * lane: one pass that splits it, mostly one comparison per byte, keeping the boundaries of
 * projected fields only. Lines with quotes go through the state machine.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly fileName: string;
  private readonly maxRecordBytes: number;
  private readonly onRecord: (record: CsvRecord) => void;
  private readonly carry = new ByteBuffer();
  private readonly record: CsvRecord;
  private readonly stopAt: number;
  /** Slot of each field index, -1 for fields not projected; null without a projection. */
  private slotOf: Int32Array | null = null;

  private state = RECORD_START;
  /** Absolute offset of the next chunk. */
  private consumed: number;
  /** Last byte of the previous chunk (to recognise CRLF split across chunks, and range stops). */
  private lastByte: number;
  private currentLine: number;
  private recordLine = 0;
  /** Absolute offset of the current record's first byte. */
  private recordAbs = 0;
  /** Start of the current field, relative to the record. */
  private fieldStart = 0;
  private fieldIndex = 0;
  private fieldEscaped = 0;
  private problem: string | null = null;
  private stoppedAt = -1;
  private quotedBreaks = 0;

  constructor(options: CsvScannerOptions) {
    this.delimiter = options.delimiter;
    this.fileName = options.fileName;
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
    this.onRecord = options.onRecord;
    this.currentLine = options.firstLine ?? 1;
    this.consumed = options.offset ?? 0;
    this.stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
    this.lastByte = options.afterLineFeed ? LF : -1;
    this.record = {
      bytes: new Uint8Array(0),
      base: 0,
      count: 0,
      starts: new Int32Array(64),
      ends: new Int32Array(64),
      escaped: new Uint8Array(64),
      projected: false,
      line: 0,
      problem: null,
    };
    if (options.projection) this.setProjection(options.projection);
  }

  /** Reports only these fields from the next record on (slot s = field projection[s]). */
  setProjection(projection: readonly number[]): void {
    const slotOf = new Int32Array(projection.length === 0 ? 0 : Math.max(...projection) + 1).fill(-1);
    projection.forEach((field, slot) => {
      slotOf[field] = slot;
    });
    this.slotOf = slotOf;
    this.ensureSlots(projection.length);
  }

  /** The line number the next byte is on. */
  get line(): number {
    return this.currentLine;
  }

  /** Absolute offset after the last byte scanned (where it stopped, once stopped). */
  get position(): number {
    return this.consumed;
  }

  /** Line breaks seen inside quoted fields so far. */
  get quotedLineBreaks(): number {
    return this.quotedBreaks;
  }

  /**
   * The line of the record whose quoted field is still open (the input so far ends inside it), or
   * undefined. At the end of a file this is a fault of the whole file, not of one record: every
   * line after the quote was read as part of one field.
   */
  get openQuoteLine(): number | undefined {
    return this.state === QUOTED && this.stoppedAt < 0 ? this.recordLine : undefined;
  }

  /** Absolute offset where the scanner stopped (`stopAt` reached), or -1. */
  get stopped(): number {
    return this.stoppedAt;
  }

  /**
   * Scans one chunk; complete records are handed to `onRecord`, a partial one is kept.
   * @returns false once the scanner has stopped at `stopAt` (push nothing more)
   */
  push(chunk: Uint8Array): boolean {
    if (this.stoppedAt >= 0) return false;
    const n = chunk.length;
    if (n === 0) return true;
    const d = this.delimiter;
    const chunkAbs = this.consumed;
    const stopAt = this.stopAt;
    let state = this.state;
    let line = this.currentLine;
    let recordAbs = this.recordAbs;
    let fieldStart = this.fieldStart;
    let fieldIndex = this.fieldIndex;
    let escaped = this.fieldEscaped;
    /** Bytes above this are never special to the fast lane (delimiter, LF, CR, quote). */
    const special = Math.max(d, LF, CR, QUOTE);
    let i = 0;

    while (i < n) {
      if (state === RECORD_START) {
        const b = chunk[i]!;
        const previous = i === 0 ? this.lastByte : chunk[i - 1]!;
        if (chunkAbs + i >= stopAt && previous === LF) {
          this.stoppedAt = chunkAbs + i;
          break;
        }
        if (b === LF) {
          // The LF of a CRLF was counted with its CR.
          if (previous !== CR) line++;
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
        const slotOf = this.slotOf;
        if (slotOf !== null) {
          // Fast lane: split the line in one pass while it has no quote and no lone CR; at a
          // quote, a lone CR or the end of the chunk, hand the record over to the state machine
          // where the fast lane stopped (the fields before are already placed).
          const record = this.record;
          const starts = record.starts;
          const ends = record.ends;
          const flags = record.escaped;
          const slots = slotOf.length;
          let field = 0;
          let start = i;
          let end = -1;
          let j = i;
          for (; j < n; j++) {
            const c = chunk[j]!;
            if (c > special) continue;
            if (c === d) {
              if (field < slots) {
                const slot = slotOf[field]!;
                if (slot >= 0) {
                  starts[slot] = start - i;
                  ends[slot] = j - i;
                  flags[slot] = 0;
                }
              }
              field++;
              start = j + 1;
            } else if (c === LF) {
              end = j;
              break;
            } else if (c === CR) {
              if (j + 1 < n && chunk[j + 1] === LF) end = j;
              break;
            } else if (c === QUOTE) break;
          }
          if (end >= 0) {
            if (end - i > this.maxRecordBytes) throw this.tooLong();
            if (field < slots) {
              const slot = slotOf[field]!;
              if (slot >= 0) {
                starts[slot] = start - i;
                ends[slot] = end - i;
                flags[slot] = 0;
              }
            }
            record.bytes = chunk;
            record.base = i;
            record.count = field + 1;
            record.projected = true;
            record.line = line;
            record.problem = null;
            this.onRecord(record);
            line++;
            i = chunk[end] === CR ? end + 2 : end + 1;
            continue;
          }
          fieldIndex = field;
          escaped = 0;
          if (j === start) {
            // At the start of a field (maybe a quoted one, maybe in the next chunk).
            state = FIELD_START;
          } else {
            // Inside an unquoted field: a quote there is literal, a CR ends the record.
            fieldStart = start - i;
            state = UNQUOTED;
          }
          i = j;
          continue;
        }
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
            this.quotedBreaks++;
          } else if (b === CR) {
            line++;
            this.quotedBreaks++;
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

    this.state = state;
    this.currentLine = line;
    this.recordAbs = recordAbs;
    this.fieldStart = fieldStart;
    this.fieldIndex = fieldIndex;
    this.fieldEscaped = escaped;
    if (this.stoppedAt >= 0) {
      this.lastByte = i === 0 ? this.lastByte : chunk[i - 1]!;
      this.consumed = chunkAbs + i;
      return false;
    }
    this.lastByte = chunk[n - 1]!;
    this.consumed = chunkAbs + n;
    if (state !== RECORD_START) {
      this.carry.append(chunk, Math.max(recordAbs - chunkAbs, 0), n);
      if (this.carry.length > this.maxRecordBytes) throw this.tooLong();
    }
    return true;
  }

  /** Ends the input: a last record without a trailing line break is handed over. */
  finish(): void {
    const state = this.state;
    if (state === RECORD_START || this.stoppedAt >= 0) return;
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
    let slot = index;
    const slotOf = this.slotOf;
    if (slotOf !== null) {
      if (index >= slotOf.length) return;
      slot = slotOf[index]!;
      if (slot < 0) return;
    } else this.ensureSlots(index + 1);
    const record = this.record;
    record.starts[slot] = start;
    record.ends[slot] = end;
    record.escaped[slot] = escaped;
  }

  private ensureSlots(count: number): void {
    const record = this.record;
    if (count <= record.starts.length) return;
    let capacity = record.starts.length * 2;
    while (capacity < count) capacity *= 2;
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
    record.projected = this.slotOf !== null;
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
