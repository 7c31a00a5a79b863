/** Formats names (header fields, schema columns: metadata, never row values) for an error message. */
export function listNames(names: readonly string[], limit = 20): string {
  if (names.length === 0) return '(none)';
  const shown = names
    .slice(0, limit)
    .map((name) => `'${name}'`)
    .join(', ');
  return names.length > limit ? `${shown}, … (${names.length - limit} more)` : shown;
}

export function gzipParquetMessage(fileName: string): string {
  return (
    `${fileName}: gzip-compressed Parquet is not supported; Parquet compresses its pages itself, ` +
    'so upload the .parquet file as it is'
  );
}
