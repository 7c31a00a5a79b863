import { InputError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore } from '../core/ports.ts';
import { ProfileBuilder } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { concatBytes } from '../core/scan/byte-buffer.ts';
import { SAMPLE_BYTES } from '../core/scan/csv-delimiter.ts';
import { type Compression, type DataFormat, detectFormat, isGzipMagic } from '../core/scan/format.ts';
import { gunzip } from '../core/scan/gzip.ts';
import { gzipParquetMessage } from '../core/scan/messages.ts';
import { scanFile } from '../core/scan/scan-file.ts';
import type { ByteStream } from '../core/scan/types.ts';
import { inflateWithZlib } from './inflate.ts';
import { readRange } from './io.ts';
import { type DataFile, planFor } from './profile-stage.ts';

export interface PreflightInput {
  /** Where the data file is (the user's folder, before the upload). */
  readonly store: ObjectStore;
  readonly file: DataFile;
  readonly manifest: Manifest;
  readonly catalogue: ReferenceCatalogue;
  /**
   * CSV and JSON Lines: at least this many (decompressed) bytes are read, up to the next line
   * feed. The delimiter detection of `check` samples as much, so both detect the same delimiter.
   * @default SAMPLE_BYTES (1 MiB)
   */
  readonly headBytes?: number;
}

export interface PreflightResult {
  readonly format: DataFormat;
  readonly compression: Compression;
  /** The file's size. */
  readonly bytes: number;
  /** Columns the file declares (CSV header, Parquet schema, the first JSON object's keys). */
  readonly header: readonly string[];
}

const LF = 0x0a;
/** A head without a line feed is not read past this: the CSV reader refuses longer records. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Validates a manifest against a data file by reading only its head, before the file is uploaded:
 * the manifest's references (as the profile stage checks them), the format, and the file's head
 * counted by the same readers and profile builder as `check`, so every refusal has `check`'s
 * message and code (unknown column, invalid UTF-8 in the header, a gzip that is not gzip, too many
 * groups, a Parquet footer that cannot be read). CSV and JSON Lines (plain or gzip): the first
 * `headBytes`, cut after a line feed; Parquet: the footer and schema, no row group.
 *
 * A JSON Lines column must appear in the head's objects: a column that only later rows hold is
 * refused here, though `check` over the whole file would find it.
 *
 * @throws RepscopeError as `check` would: REFERENCE_NOT_FOUND, INPUT_UNREADABLE, INPUT_FORMAT,
 *   COLUMN_NOT_FOUND, GZIP_INVALID, PARQUET_INVALID, TOO_MANY_GROUPS
 */
export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { store, file, manifest } = input;
  const plan = planFor(manifest, input.catalogue);
  const info = await store.head(file.key);
  if (!info) throw new InputError('INPUT_UNREADABLE', `${file.name}: no such file`);
  const detected = detectFormat(file.name, manifest.format);
  const builder = new ProfileBuilder(plan);
  const options = { columns: plan.columns, fileName: file.name };
  let header: readonly string[] | undefined;
  if (detected.format === 'parquet') {
    if (isGzipMagic(await readRange(store, file.key, 0, Math.min(2, info.bytes)))) {
      throw new InputError('INPUT_FORMAT', gzipParquetMessage(file.name));
    }
    const { scanParquet } = await import('../core/scan/parquet.ts');
    const random = {
      byteLength: info.bytes,
      read: (start: number, end: number) => readRange(store, file.key, start, end),
    };
    // No row group: the footer names the columns, which is all that is checked.
    ({ header } = await scanParquet(random, options, builder, { start: 0, end: 0 }));
  } else {
    const head = await readHead(store, file, input.headBytes ?? SAMPLE_BYTES);
    ({ header } = await scanFile(
      {
        fileName: file.name,
        format: detected.format,
        // A gzip file's head is already inflated; a file named .gz without the magic bytes keeps
        // its declared compression, so the reader refuses it with `check`'s message.
        compression: head.inflated ? 'none' : detected.compression,
        stream: () => once(head.bytes),
      },
      { columns: plan.columns, csv: { ...manifest.csv, headOnly: !head.whole } },
      builder,
    ));
  }
  return { ...detected, bytes: info.bytes, header: header ?? [] };
}

/**
 * The first `headBytes` of the (inflated) text, and on to the next line feed, so the head ends
 * with a whole record; the whole text when it is shorter. The read stops there: a big file is
 * not read further.
 */
async function readHead(
  store: ObjectStore,
  file: DataFile,
  headBytes: number,
): Promise<{ bytes: Uint8Array; inflated: boolean; whole: boolean }> {
  const inflated = isGzipMagic(await readRange(store, file.key, 0, 2));
  const raw = store.read(file.key);
  const text: ByteStream = inflated ? gunzip(raw, { fileName: file.name, inflate: inflateWithZlib }) : raw;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of text) {
    const before = size;
    chunks.push(chunk);
    size += chunk.byteLength;
    const lineFeed = chunk.indexOf(LF, Math.max(0, headBytes - before));
    if (lineFeed !== -1) {
      return { bytes: concatBytes(chunks).subarray(0, before + lineFeed + 1), inflated, whole: false };
    }
    if (size >= headBytes + MAX_RECORD_BYTES) return { bytes: concatBytes(chunks), inflated, whole: false };
  }
  return { bytes: concatBytes(chunks), inflated, whole: true };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
