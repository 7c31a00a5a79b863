import { InputError } from '../errors.ts';
import { gzipParquetMessage } from './messages.ts';

export type DataFormat = 'csv' | 'jsonl' | 'parquet';
export type Compression = 'none' | 'gzip';

export interface DetectedFormat {
  readonly format: DataFormat;
  readonly compression: Compression;
}

/** File name extensions (lower case, without the optional `.gz`) and the format they mean. */
export const FORMAT_BY_EXTENSION: Readonly<Record<string, DataFormat>> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
};

/**
 * The format and compression of a data file from its name (`data.csv.gz` → csv, gzip).
 * A declared format (the manifest's `format`) wins over the extension; the `.gz` suffix still
 * decides the compression.
 *
 * @param fileName a file name, path or object key; only the last segment is looked at
 * @param declared the manifest's `format`
 * @throws InputError INPUT_FORMAT when the format cannot be told from the name, or for gzip-compressed
 *   Parquet (Parquet compresses its pages itself, and needs random access)
 */
export function detectFormat(fileName: string, declared?: DataFormat): DetectedFormat {
  const base = fileName.split(/[/\\]/).pop()!.toLowerCase();
  const compression: Compression = base.endsWith('.gz') ? 'gzip' : 'none';
  const stem = compression === 'gzip' ? base.slice(0, -'.gz'.length) : base;
  const dot = stem.lastIndexOf('.');
  const format = declared ?? (dot === -1 ? undefined : FORMAT_BY_EXTENSION[stem.slice(dot + 1)]);
  if (format === undefined) {
    const accepted = Object.keys(FORMAT_BY_EXTENSION)
      .map((extension) => `.${extension}`)
      .join(', ');
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: cannot tell the format from the file name; expected one of ${accepted} ` +
        `(optionally followed by .gz), or set format (csv, jsonl or parquet) in the manifest`,
    );
  }
  if (format === 'parquet' && compression === 'gzip') {
    throw new InputError('INPUT_FORMAT', gzipParquetMessage(fileName));
  }
  return { format, compression };
}

/** True when the bytes start with the gzip magic number 1F 8B. */
export function isGzipMagic(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}
