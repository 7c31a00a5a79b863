export { scanCsv } from './csv.ts';
export type { Compression, DataFormat, DetectedFormat } from './format.ts';
export { detectFormat, isGzipMagic } from './format.ts';
export type { GunzipOptions } from './gzip.ts';
export { gunzip } from './gzip.ts';
export type { JsonlLimits } from './jsonl.ts';
export { scanJsonl } from './jsonl.ts';
export { scanParquet } from './parquet.ts';
export type { ScanFileOptions, ScanInput } from './scan-file.ts';
export { scanFile } from './scan-file.ts';
export type {
  ByteStream,
  CsvOptions,
  RandomAccessSource,
  RowValues,
  ScanOptions,
  ScanSink,
  ScanSummary,
} from './types.ts';
