import type { ColumnMetaData, CompressionCodec, Compressors, SchemaElement } from 'hyparquet';
import { snappyUncompress } from 'hyparquet';

/**
 * A reader for the pages of one flat (top-level, not repeated) Parquet column chunk that keeps
 * dictionary-encoded values as dictionary indices: the profiler then works out what each
 * dictionary entry means once per row group and counts rows by index, without a string per row.
 * hyparquet's public API always looks dictionary values up; this reads the same pages (thrift
 * page headers, RLE/bit-packed levels and indices, PLAIN values) for the cases the profiler meets
 * most, and says "unsupported" for anything else, which then goes through hyparquet.
 *
 * Values become the text hyparquet + scalarText would give: UTF-8 strings (decoded like
 * hyparquet's default parser, BOM stripped, invalid bytes replaced), String() of numbers and
 * bigints, 'true' / 'false'.
 */

/** Per row: a dictionary index ≥ 0, NULL_VALUE, or PLAIN_VALUE (then `plain[row]` holds the text). */
export const NULL_VALUE = -1;
export const PLAIN_VALUE = -2;

export interface ColumnCodes {
  readonly codes: Int32Array;
  /** Dictionary entries as text (empty when no page is dictionary-encoded). */
  readonly dictionary: readonly string[];
  /** Text of rows stored PLAIN (sparse: only where codes[row] === PLAIN_VALUE). */
  readonly plain: (string | undefined)[];
}

type Physical = 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY';

/**
 * The physical type to decode when this reader can turn the column's values into the profiler's
 * text exactly as hyparquet would, else undefined.
 */
export function supportedType(element: SchemaElement): Physical | undefined {
  const converted = element.converted_type;
  const logical = element.logical_type;
  if (element.repetition_type === 'REPEATED') return undefined;
  switch (element.type) {
    case 'BYTE_ARRAY':
      if (converted !== undefined && converted !== 'UTF8' && converted !== 'ENUM') return undefined;
      if (logical !== undefined && logical.type !== 'STRING' && logical.type !== 'ENUM') return undefined;
      return 'BYTE_ARRAY';
    case 'INT32':
    case 'INT64':
      if (converted !== undefined && !['INT_8', 'INT_16', 'INT_32', 'INT_64'].includes(converted))
        return undefined;
      if (logical !== undefined && !(logical.type === 'INTEGER' && logical.isSigned)) return undefined;
      return element.type;
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
      return converted === undefined && logical === undefined ? element.type : undefined;
    default:
      return undefined;
  }
}

/** The byte range of a column chunk in the file, dictionary page included. */
export function chunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const data = Number(meta.data_page_offset);
  const dictionary = meta.dictionary_page_offset === undefined ? data : Number(meta.dictionary_page_offset);
  const start = Math.min(data, dictionary > 0 ? dictionary : data);
  return { start, end: start + Number(meta.total_compressed_size) };
}

const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
const PAGE_DATA_V2 = 3;
const ENCODING_PLAIN = 0;
const ENCODING_PLAIN_DICTIONARY = 2;
const ENCODING_RLE = 3;
const ENCODING_RLE_DICTIONARY = 8;

const utf8 = new TextDecoder();

/**
 * Decodes a column chunk of `rows` rows into per-row codes, or returns undefined when a page uses
 * something this reader does not handle (an encoding, a codec, a page type).
 *
 * @throws Error for bytes that are not valid pages (the caller reports the row group as corrupt)
 */
export function decodeColumnChunk(
  bytes: Uint8Array,
  type: Physical,
  optional: boolean,
  codec: CompressionCodec,
  rows: number,
  compressors: Compressors,
): ColumnCodes | undefined {
  const codes = new Int32Array(rows);
  const plain: (string | undefined)[] = [];
  let dictionary: string[] = [];
  const reader = new ThriftReader(bytes);
  let row = 0;
  while (row < rows && reader.offset < bytes.length) {
    const header = reader.struct();
    const pageType = header.get(1) as number;
    const uncompressedSize = header.get(2) as number;
    const compressedSize = header.get(3) as number;
    const body = bytes.subarray(reader.offset, reader.offset + compressedSize);
    if (body.length !== compressedSize) throw new Error('a page runs past its column chunk');
    reader.offset += compressedSize;
    if (pageType === PAGE_DICTIONARY) {
      const page = decompress(body, uncompressedSize, codec, compressors);
      if (page === undefined) return undefined;
      const count = (header.get(7) as Map<number, unknown>).get(1) as number;
      dictionary = [];
      readPlain(page, 0, type, count, (text) => dictionary.push(text));
      continue;
    }
    let values: Uint8Array;
    let valueCount: number;
    let encoding: number;
    let defined: Uint8Array | undefined;
    if (pageType === PAGE_DATA) {
      const page = decompress(body, uncompressedSize, codec, compressors);
      if (page === undefined) return undefined;
      const dph = header.get(5) as Map<number, unknown>;
      valueCount = dph.get(1) as number;
      encoding = dph.get(2) as number;
      let at = 0;
      if (optional) {
        const length = readUint32(page, 0);
        defined = new Uint8Array(valueCount);
        decodeHybrid(page, 4, 4 + length, 1, defined, valueCount);
        at = 4 + length;
      }
      values = page.subarray(at);
    } else if (pageType === PAGE_DATA_V2) {
      const dph = header.get(8) as Map<number, unknown>;
      valueCount = dph.get(1) as number;
      encoding = dph.get(4) as number;
      const definitionBytes = dph.get(5) as number;
      const repetitionBytes = dph.get(6) as number;
      const compressed = dph.get(7) !== false;
      if (optional) {
        defined = new Uint8Array(valueCount);
        decodeHybrid(body, repetitionBytes, repetitionBytes + definitionBytes, 1, defined, valueCount);
      }
      const rest = body.subarray(repetitionBytes + definitionBytes);
      const size = uncompressedSize - definitionBytes - repetitionBytes;
      const page = compressed && size > 0 ? decompress(rest, size, codec, compressors) : rest;
      if (page === undefined) return undefined;
      values = page;
    } else continue; // an index page: nothing to count
    const present = defined === undefined ? valueCount : countOnes(defined);
    if (row + valueCount > rows) throw new Error('pages hold more values than the row group has rows');
    if (encoding === ENCODING_PLAIN_DICTIONARY || encoding === ENCODING_RLE_DICTIONARY) {
      const indices = new Int32Array(present);
      if (present > 0) decodeHybrid(values, 1, values.length, values[0]!, indices, present);
      let v = 0;
      for (let i = 0; i < valueCount; i++) {
        codes[row++] = defined !== undefined && defined[i] === 0 ? NULL_VALUE : indices[v++]!;
      }
      for (let i = 0; i < present; i++) {
        if (indices[i]! >= dictionary.length)
          throw new Error('a dictionary index points past the dictionary');
      }
    } else if (encoding === ENCODING_PLAIN || (encoding === ENCODING_RLE && type === 'BOOLEAN')) {
      const texts: string[] = [];
      if (encoding === ENCODING_PLAIN) readPlain(values, 0, type, present, (text) => texts.push(text));
      else {
        const bits = new Uint8Array(present);
        decodeHybrid(values, 4, 4 + readUint32(values, 0), 1, bits, present);
        for (const bit of bits) texts.push(bit === 1 ? 'true' : 'false');
      }
      let v = 0;
      for (let i = 0; i < valueCount; i++) {
        if (defined !== undefined && defined[i] === 0) codes[row++] = NULL_VALUE;
        else {
          plain[row] = texts[v++];
          codes[row++] = PLAIN_VALUE;
        }
      }
    } else return undefined;
  }
  if (row !== rows) throw new Error(`the column chunk holds ${row} values for ${rows} rows`);
  return { codes, dictionary, plain };
}

function decompress(
  page: Uint8Array,
  size: number,
  codec: CompressionCodec,
  compressors: Compressors,
): Uint8Array | undefined {
  if (codec === 'UNCOMPRESSED') return page;
  const custom = compressors[codec];
  let out: Uint8Array;
  if (custom) out = custom(page, size);
  else if (codec === 'SNAPPY') {
    out = new Uint8Array(size);
    snappyUncompress(page, out);
  } else return undefined;
  if (out.length !== size) throw new Error(`a page decompressed to ${out.length} bytes, not ${size}`);
  return out;
}

/** PLAIN values → text, handed to `push` in order. */
function readPlain(
  bytes: Uint8Array,
  start: number,
  type: Physical,
  count: number,
  push: (text: string) => void,
) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new Error('PLAIN values run past their page');
  };
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 'BYTE_ARRAY': {
        need(4);
        const length = view.getUint32(at, true);
        at += 4;
        need(length);
        push(utf8.decode(bytes.subarray(at, at + length)));
        at += length;
        break;
      }
      case 'INT32':
        need(4);
        push(String(view.getInt32(at, true)));
        at += 4;
        break;
      case 'INT64':
        need(8);
        push(String(view.getBigInt64(at, true)));
        at += 8;
        break;
      case 'FLOAT':
        need(4);
        push(String(view.getFloat32(at, true)));
        at += 4;
        break;
      case 'DOUBLE':
        need(8);
        push(String(view.getFloat64(at, true)));
        at += 8;
        break;
      case 'BOOLEAN':
        if (start + (i >>> 3) >= bytes.length) throw new Error('PLAIN values run past their page');
        push((bytes[start + (i >>> 3)]! >>> (i & 7)) & 1 ? 'true' : 'false');
        break;
    }
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) throw new Error('a length runs past its page');
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function countOnes(levels: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < levels.length; i++) n += levels[i]!;
  return n;
}

/**
 * The RLE / bit-packed hybrid encoding of `count` values of `width` bits from bytes[start, end)
 * into `out` (levels and dictionary indices).
 */
export function decodeHybrid(
  bytes: Uint8Array,
  start: number,
  end: number,
  width: number,
  out: Uint8Array | Int32Array,
  count: number,
): void {
  if (width > 32) throw new Error(`a bit width of ${width}`);
  let at = start;
  let n = 0;
  const byteWidth = (width + 7) >>> 3;
  while (n < count) {
    if (at >= end) throw new Error('RLE/bit-packed values run past their end');
    let header = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      header += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    if (header % 2 === 1) {
      // Bit-packed: groups of 8 values, least significant bit first.
      const values = Math.floor(header / 2) * 8;
      if (width <= 24) {
        const mask = (1 << width) - 1;
        let buffer = 0;
        let bits = 0;
        for (let i = 0; i < values; i++) {
          while (bits < width) {
            buffer |= (bytes[at++] ?? 0) << bits;
            bits += 8;
          }
          if (n < count) out[n++] = buffer & mask;
          buffer >>>= width;
          bits -= width;
        }
      } else {
        let buffer = 0;
        let bits = 0;
        for (let i = 0; i < values; i++) {
          while (bits < width) {
            buffer += (bytes[at++] ?? 0) * 2 ** bits;
            bits += 8;
          }
          const value = buffer % 2 ** width;
          buffer = Math.floor(buffer / 2 ** width);
          bits -= width;
          if (n < count) out[n++] = value;
        }
      }
    } else {
      const run = Math.floor(header / 2);
      let value = 0;
      for (let i = 0; i < byteWidth; i++) value += bytes[at++]! * 2 ** (8 * i);
      for (let i = 0; i < run && n < count; i++) out[n++] = value;
    }
  }
}

/** The compact Thrift protocol, enough for page headers: structs become Maps of field id → value. */
class ThriftReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  struct(): Map<number, unknown> {
    const fields = new Map<number, unknown>();
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === 0) return fields;
      const delta = header >>> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      fields.set(id, this.value(type));
    }
  }

  private value(type: number): unknown {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return (this.byte() << 24) >> 24;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.offset += 8;
        return undefined;
      case 8: {
        const length = this.varint();
        this.offset += length;
        return undefined;
      }
      case 9:
      case 10: {
        const header = this.byte();
        const size = header >>> 4 === 15 ? this.varint() : header >>> 4;
        const element = header & 0x0f;
        for (let i = 0; i < size; i++) {
          if (element === 1 || element === 2) this.byte();
          else this.value(element);
        }
        return undefined;
      }
      case 11: {
        const size = this.varint();
        if (size > 0) {
          const types = this.byte();
          for (let i = 0; i < size; i++) {
            this.value(types >>> 4);
            this.value(types & 0x0f);
          }
        }
        return undefined;
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`thrift type ${type} in a page header`);
    }
  }

  private byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('a page header runs past its column chunk');
    return this.bytes[this.offset++]!;
  }

  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}
