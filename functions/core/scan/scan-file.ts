import { InputError } from '../errors.ts';
import { scanCsv } from './csv.ts';
import type { Compression, DataFormat } from './format.ts';
import { isGzipMagic } from './format.ts';
import { type GunzipOptions, gunzip } from './gzip.ts';
import { scanJsonl } from './jsonl.ts';
import { gzipParquetMessage } from './messages.ts';
import type { ByteStream, RandomAccessSource, ScanSink, ScanSummary } from './types.ts';

/** A data file as the scanners need it: a stream for CSV and JSON Lines, random access for Parquet. */
export interface ScanInput {
  /** Used in error messages. */
  readonly fileName: string;
  readonly format: DataFormat;
  /** As declared or inferred from the name; the gzip magic bytes are checked either way. */
  readonly compression: Compression;
  /** Opens the file as a byte stream (called once, not for Parquet). */
  stream(): ByteStream;
  /** Random access to the file: required for Parquet. */
  readonly random?: RandomAccessSource;
}

export interface ScanFileOptions {
  /** The projection. */
  readonly columns: readonly string[];
  /** CSV dialect. @default - detected (delimiter), header row, UTF-8 */
  readonly csv?: {
    readonly delimiter?: string;
    readonly header?: boolean;
    readonly encoding?: string;
    readonly headOnly?: boolean;
  };
  /** Decompression-bomb limits and the inflater. @default - see GunzipOptions */
  readonly gzip?: Omit<GunzipOptions, 'fileName'>;
}

/**
 * Scans one data file with the reader for its format. A stream declared gzip must start with the
 * gzip magic bytes (else GZIP_INVALID); a stream that starts with them is decompressed even when
 * not declared gzip. Parquet is read through `input.random` and must not be gzip-compressed.
 *
 * @throws InputError GZIP_INVALID, INPUT_FORMAT, INPUT_UNREADABLE (Parquet without random access),
 *   and whatever the format reader throws
 */
export async function scanFile(
  input: ScanInput,
  options: ScanFileOptions,
  sink: ScanSink,
): Promise<ScanSummary> {
  const { fileName } = input;
  const scanOptions = { columns: options.columns, fileName };
  if (input.format === 'parquet') {
    const random = input.random;
    if (random === undefined) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `${fileName}: Parquet needs random access to the file, none was given`,
      );
    }
    if (input.compression === 'gzip' || (random.byteLength >= 2 && isGzipMagic(await random.read(0, 2)))) {
      throw new InputError('INPUT_FORMAT', gzipParquetMessage(fileName));
    }
    // Loaded on first use: CSV and JSON Lines readers (and worker threads) start faster without it.
    const { scanParquet } = await import('./parquet.ts');
    return scanParquet(random, scanOptions, sink);
  }

  const { head, rest, cancel } = await peek(input.stream(), 2);
  const gzipped = isGzipMagic(head);
  if (input.compression === 'gzip' && !gzipped) {
    await cancel();
    throw new InputError(
      'GZIP_INVALID',
      `${fileName}: declared gzip (by its .gz name or the manifest) but it does not start with the gzip ` +
        'magic bytes 1F 8B; name it without .gz or compress it with gzip',
    );
  }
  const raw: ByteStream = { [Symbol.asyncIterator]: () => rest };
  const bytes = gzipped ? gunzip(raw, { fileName, ...options.gzip }) : raw;
  if (input.format === 'jsonl') return scanJsonl(bytes, scanOptions, sink);
  return scanCsv(bytes, { ...scanOptions, ...options.csv }, sink);
}

/**
 * Reads chunks until at least `count` bytes (or the end) are seen, and returns those first bytes
 * with a generator that replays the chunks read and then continues the stream.
 */
async function peek(
  source: ByteStream,
  count: number,
): Promise<{ head: Uint8Array; rest: AsyncGenerator<Uint8Array, void, undefined>; cancel(): Promise<void> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  let ended = false;
  while (seen < count) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    seen += next.value.length;
  }
  const head = new Uint8Array(Math.min(seen, count));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= head.length) break;
    const part = chunk.subarray(0, head.length - offset);
    head.set(part, offset);
    offset += part.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array, void, undefined> {
    let done = ended;
    try {
      yield* chunks;
      while (!done) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!done) await iterator.return?.();
    }
  }
  const cancel = async (): Promise<void> => {
    if (!ended) await iterator.return?.();
  };
  return { head, rest: replay(), cancel };
}
