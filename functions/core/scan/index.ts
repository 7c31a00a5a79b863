export type { CsvLayout } from './csv.ts';
export { readCsvLayout, scanCsv, scanCsvRange } from './csv.ts';
export type { Compression, DataFormat, DetectedFormat } from './format.ts';
export { detectFormat, isGzipMagic } from './format.ts';
export type { GunzipOptions } from './gzip.ts';
export { gunzip } from './gzip.ts';
export type { JsonlLimits, JsonlRangeSummary } from './jsonl.ts';
export { checkJsonlColumns, scanJsonl, scanJsonlRange } from './jsonl.ts';
export type { ParquetLayout, RowGroupRange } from './parquet.ts';
export { readParquetLayout, scanParquet } from './parquet.ts';
export type { ScanFileOptions, ScanInput } from './scan-file.ts';
export { scanFile } from './scan-file.ts';
export type {
  ByteStream,
  CodedScanSink,
  CsvOptions,
  RandomAccessSource,
  RangeSummary,
  RowValues,
  ScanOptions,
  ScanSink,
  ScanSummary,
  TextRange,
} from './types.ts';
export { isCodedSink, NO_CODE } from './types.ts';
