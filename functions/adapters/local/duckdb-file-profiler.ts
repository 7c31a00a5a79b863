import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  VARCHAR,
} from '@duckdb/node-api';
import { InputError, QueryError, RepscopeError } from '../../core/errors.ts';
import type { ObjectStore, ProfiledSource, Profiler, SqlValue } from '../../core/ports.ts';
import {
  duckdbDialect,
  GroupingSetsProfileReader,
  quoteIdentifier,
  renderGroupingSetsSql,
  renderIdentifierSampleSql,
  type TableRef,
} from '../../core/profile/grouping-sets-sql.ts';
import type { CountingPlan } from '../../core/profile/plan.ts';
import type { Profile } from '../../core/profile/profile.ts';
import { concatBytes } from '../../core/scan/byte-buffer.ts';
import { scanCsv } from '../../core/scan/csv.ts';
import { SAMPLE_BYTES } from '../../core/scan/csv-delimiter.ts';
import type { DataFormat } from '../../core/scan/format.ts';
import { isGzipMagic } from '../../core/scan/format.ts';
import { gunzip } from '../../core/scan/gzip.ts';
import { scanJsonlRange } from '../../core/scan/jsonl.ts';
import { gzipParquetMessage, listNames } from '../../core/scan/messages.ts';
import type { ByteStream } from '../../core/scan/types.ts';

export interface DuckDbFileProfileOptions {
  /** DuckDB worker threads. @default - DuckDB's default (all cores) */
  readonly threads?: number;
  /** CSV dialect: the manifest's `csv` can be passed as it is. */
  readonly csv?: {
    /** @default - detected like the streaming reader does (`,` `;` tab `|`) */
    readonly delimiter?: string;
    /** @default true */
    readonly header?: boolean;
    /** Only UTF-8: other encodings fail with INPUT_FORMAT (the streaming engine reads them). @default 'utf-8' */
    readonly encoding?: string;
  };
  /** Used in messages. @default - the path */
  readonly fileName?: string;
}

/** The view the rendered statement reads: one VARCHAR column per plan column, named as in the plan. */
const SOURCE_VIEW = 'repscope_source';

/**
 * Profiles one file with DuckDB by running the counting plan as one `GROUP BY GROUPING SETS`
 * statement (`renderGroupingSetsSql`, DuckDB dialect): the `--engine sql` path, and the local
 * stand-in for profiling a table with Athena.
 *
 * The file becomes a view whose columns are the plan's columns as the streaming readers would
 * hand them over, so both engines count the same text:
 * - CSV: `read_csv` with every column as VARCHAR, the delimiter and header the streaming reader
 *   finds (its own code reads the first MiB, so a missing or duplicated column fails with the
 *   same COLUMN_NOT_FOUND / INPUT_FORMAT message), empty fields as '' and blank lines skipped.
 * - JSON Lines: each line as a JSON object; a column is its top-level key, else the dotted path
 *   into nested objects; strings as they are, booleans as true/false, numbers spelled as
 *   JavaScript's String(number) spells them, null / absent / {} as null.
 * - Parquet: `read_parquet`; a column is a top-level column, else the longest top-level prefix and
 *   struct fields; integers and booleans as text, floating point and decimals as JavaScript spells
 *   the double, DATE as YYYY-MM-DD, timestamps as ISO 8601 in UTC with milliseconds.
 *
 * The SQL engine cannot skip and count records it cannot read (broken CSV quoting, a ragged row,
 * a line that is not a JSON object, an array or object where a scalar is expected, invalid UTF-8):
 * those fail with INPUT_FORMAT, and the streaming engine is the one that counts them. Rows with an
 * invalid weight are counted as malformed by both. `malformedSamples` is always empty.
 *
 * @throws InputError COLUMN_NOT_FOUND, INPUT_FORMAT (unreadable records, gzip-compressed Parquet),
 *   TOO_MANY_GROUPS; QueryError when DuckDB fails otherwise
 */
export async function profileFileWithDuckDb(
  file: string,
  format: DataFormat,
  plan: CountingPlan,
  options: DuckDbFileProfileOptions = {},
): Promise<Profile> {
  return (await profileWithDuckDb(file, format, plan, options)).profile;
}

/**
 * The DuckDB file profiler behind the Profiler port, for `--engine sql`: the source's key is a
 * local file (`store.uri` a file: URI). DuckDB reads the file itself, so progress comes once the
 * file is counted, and provenance carries the store's etag (no SHA-256 of bytes it never saw).
 */
export function duckDbFileProfiler(
  store: ObjectStore,
  options: { readonly threads?: number } = {},
): Profiler {
  return {
    async profile(plan, source, profilerOptions) {
      const uri = store.uri(source.key);
      if (!uri.startsWith('file:')) {
        throw new InputError(
          'INPUT_UNREADABLE',
          `${source.name}: the SQL engine reads local files, got ${uri}; expected a file: URI`,
        );
      }
      const counted = await profileWithDuckDb(fileURLToPath(uri), source.format, plan, {
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        csv: profilerOptions.csv,
        fileName: source.name,
      });
      profilerOptions.onProgress({ bytes: source.bytes, rows: counted.profile.rows.read });
      return counted;
    },
  };
}

/** The profile, and the columns the file declares as the streaming readers name them. */
async function profileWithDuckDb(
  file: string,
  format: DataFormat,
  plan: CountingPlan,
  options: DuckDbFileProfileOptions,
): Promise<ProfiledSource> {
  const fileName = options.fileName ?? file;
  const gzipped = isGzipMagic(await readHead(file, fileName, 2));
  const instance = await DuckDBInstance.create(':memory:', {
    ...(options.threads === undefined ? {} : { threads: String(options.threads) }),
  });
  try {
    const connection = await instance.connect();
    await run(connection, "SET TimeZone = 'UTC'", fileName);
    await createJsNumberMacro(connection, fileName);
    let source: SourceView;
    switch (format) {
      case 'csv':
        source = await csvSource(connection, file, fileName, gzipped, plan, options.csv ?? {});
        break;
      case 'jsonl':
        source = await jsonlSource(connection, file, fileName, gzipped, plan);
        break;
      case 'parquet':
        if (gzipped) throw new InputError('INPUT_FORMAT', gzipParquetMessage(fileName));
        source = await parquetSource(connection, file, fileName, plan);
        break;
    }
    const table: TableRef = { name: [SOURCE_VIEW] };
    if (source.select === undefined) {
      // No records at all (an empty CSV file): nothing to read, nothing counted.
      return { profile: new GroupingSetsProfileReader(plan).toProfile(), header: source.header };
    }
    await run(connection, `CREATE OR REPLACE TEMP VIEW ${SOURCE_VIEW} AS ${source.select}`, fileName);
    let identifierSample: Record<string, SqlValue>[] | undefined;
    if (plan.sampleValuesForIdentifiers) {
      const sample = renderIdentifierSampleSql(plan, table, duckdbDialect);
      identifierSample = await allRows(connection, sample.sql, sample.params, fileName);
    }
    const statement = renderGroupingSetsSql(plan, table, duckdbDialect);
    const reader = new GroupingSetsProfileReader(plan, identifierSample ? { identifierSample } : {});
    await eachRow(connection, statement.sql, statement.params, fileName, (row) => reader.add(row));
    return { profile: reader.toProfile(), header: source.header };
  } finally {
    instance.closeSync();
  }
}

/** The SELECT the source view is made of (undefined: no records), and the file's own columns. */
interface SourceView {
  readonly select: string | undefined;
  readonly header: readonly string[];
}

/* ----------------------------------------------------------------------------------------------
 * CSV
 */

async function csvSource(
  connection: DuckDBConnection,
  file: string,
  fileName: string,
  gzipped: boolean,
  plan: CountingPlan,
  csv: NonNullable<DuckDbFileProfileOptions['csv']>,
): Promise<SourceView> {
  const header = csv.header ?? true;
  if (csv.encoding !== undefined && !/^utf-?8$/i.test(csv.encoding.trim())) {
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: the SQL engine reads UTF-8 CSV only, the manifest declares csv.encoding '${csv.encoding}'; profile this file with the streaming engine`,
    );
  }
  // The streaming reader's own code on the first MiB: the same delimiter, header and errors.
  const head = headStream(file, fileName, gzipped, SAMPLE_BYTES);
  const summary = await scanCsv(
    head,
    {
      columns: plan.columns,
      fileName,
      header,
      ...(csv.delimiter === undefined ? {} : { delimiter: csv.delimiter }),
    },
    { row: () => {}, malformed: () => {} },
  );
  const names = summary.header ?? [];
  if (names.length === 0) return { select: undefined, header: [] };
  const delimiter = summary.delimiter ?? ',';
  const relation = `read_csv(${literal(file)}, all_varchar = true, header = ${header}, delim = ${literal(delimiter)}, quote = '"', escape = '"', skip = 0, allow_quoted_nulls = false, strict_mode = true, null_padding = false, encoding = 'utf-8', compression = ${gzipped ? "'gzip'" : "'none'"}, max_line_size = ${16 * 1024 * 1024})`;
  const described = await allRows(connection, `DESCRIBE SELECT * FROM ${relation}`, [], fileName);
  const duckNames = described.map((r) => String(r['column_name']));
  if (duckNames.length !== names.length) {
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: DuckDB reads ${duckNames.length} columns where the header has ${names.length}; profile this file with the streaming engine`,
    );
  }
  const columns = plan.columns.map((column) => {
    const position = names.indexOf(column);
    const name = quoteIdentifier(duckNames[position]!);
    // A one-column file: DuckDB reads a blank line as an empty record, the streaming reader skips it.
    const value = names.length === 1 ? name : `COALESCE(${name}, '')`;
    return `${value} AS ${quoteIdentifier(column)}`;
  });
  const where = names.length === 1 ? ` WHERE ${quoteIdentifier(duckNames[0]!)} IS NOT NULL` : '';
  return { select: `SELECT ${columns.join(', ')} FROM ${relation}${where}`, header: names };
}

/* ----------------------------------------------------------------------------------------------
 * JSON Lines
 */

async function jsonlSource(
  connection: DuckDBConnection,
  file: string,
  fileName: string,
  gzipped: boolean,
  plan: CountingPlan,
): Promise<SourceView> {
  const relation = `read_ndjson_objects(${literal(file)}, compression = ${gzipped ? "'gzip'" : "'uncompressed'"})`;
  const notObject = `error(${literal(`${fileName}: a line is not a JSON object; the SQL engine cannot skip malformed records, profile this file with the streaming engine`)})`;
  const columns = plan.columns.map((column) => {
    const value = jsonScalar(jsonLookup(column), column, fileName);
    return `CASE WHEN json_type(json) <> 'OBJECT' THEN ${notObject} ELSE ${value} END AS ${quoteIdentifier(column)}`;
  });
  // Like the streaming reader: a column never present in any object is an error, not all-missing.
  const seen = plan.columns.map((column, c) => `bool_or(${jsonSeen(column)}) AS s${c}`);
  const [check] = await allRows(
    connection,
    `SELECT count(*) AS objects, ${seen.join(', ')} FROM ${relation} WHERE json_type(json) = 'OBJECT'`,
    [],
    fileName,
  );
  const objects = Number(check?.['objects'] ?? 0);
  const absent = plan.columns.findIndex((_, c) => check?.[`s${c}`] !== true);
  if (objects > 0 && absent !== -1) {
    const [first] = await allRows(
      connection,
      `SELECT json_keys(json) AS keys FROM ${relation} WHERE json_type(json) = 'OBJECT' LIMIT 1`,
      [],
      fileName,
    );
    const keys = Array.isArray(first?.['keys']) ? (first['keys'] as unknown[]).map(String) : [];
    throw new InputError(
      'COLUMN_NOT_FOUND',
      `${fileName}: column '${plan.columns[absent]}' not found in any of the ${objects} JSON objects ` +
        `(use a dotted path such as 'address.state' for nested keys); the first object has keys ` +
        listNames(keys),
    );
  }
  return {
    select: `SELECT ${columns.join(', ')} FROM ${relation}`,
    header: await firstJsonKeys(file, fileName, gzipped, plan),
  };
}

/**
 * The keys of the first JSON object, found by the streaming reader's own code on the first MiB
 * (DuckDB's row order is not the file's once it reads in parallel).
 */
async function firstJsonKeys(
  file: string,
  fileName: string,
  gzipped: boolean,
  plan: CountingPlan,
): Promise<readonly string[]> {
  const summary = await scanJsonlRange(
    headStream(file, fileName, gzipped, SAMPLE_BYTES),
    { columns: plan.columns, fileName },
    { row: () => {}, malformed: () => {} },
    { offset: 0, skipToLineStart: false, stopAt: Number.POSITIVE_INFINITY },
  );
  return summary.header ?? [];
}

/** RFC 6901 pointer to a key path. */
function pointer(keys: readonly string[]): string {
  return literal(keys.map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''));
}

/** The JSON value of a column: the top-level key if present, else the dotted path (streaming's rule). */
function jsonLookup(column: string): string {
  const whole = `json_extract(json, ${pointer([column])})`;
  if (!column.includes('.')) return whole;
  return `CASE WHEN json_exists(json, ${pointer([column])}) THEN ${whole} ELSE json_extract(json, ${pointer(column.split('.'))}) END`;
}

/** True when the streaming reader would count the column as present in this object. */
function jsonSeen(column: string): string {
  const tests = [`json_exists(json, ${pointer([column])})`];
  if (column.includes('.')) {
    const keys = column.split('.');
    tests.push(`json_exists(json, ${pointer(keys)})`);
    // A path under a null object is a null value, not an absent one.
    for (let n = 1; n < keys.length; n++) {
      tests.push(`json_type(json_extract(json, ${pointer(keys.slice(0, n))})) = 'NULL'`);
    }
  }
  return `(${tests.join(' OR ')})`;
}

function jsonScalar(value: string, column: string, fileName: string): string {
  const refuse = `error(${literal(`${fileName}: column '${column}' holds an array or object, expected a scalar; the SQL engine cannot skip malformed records, profile this file with the streaming engine`)})`;
  return `(CASE json_type(${value})
    WHEN 'VARCHAR' THEN json_extract_string(${value}, '$')
    WHEN 'BOOLEAN' THEN CAST(${value} AS VARCHAR)
    WHEN 'NULL' THEN NULL
    WHEN 'OBJECT' THEN CASE WHEN len(json_keys(${value})) = 0 THEN NULL ELSE ${refuse} END
    WHEN 'ARRAY' THEN ${refuse}
    ELSE js_number(CAST(${value} AS DOUBLE)) END)`;
}

/* ----------------------------------------------------------------------------------------------
 * Parquet
 */

async function parquetSource(
  connection: DuckDBConnection,
  file: string,
  fileName: string,
  plan: CountingPlan,
): Promise<SourceView> {
  const relation = `read_parquet(${literal(file)})`;
  const top = (await allRows(connection, `DESCRIBE SELECT * FROM ${relation}`, [], fileName)).map((r) =>
    String(r['column_name']),
  );
  const paths = plan.columns.map((column) => parquetPath(column, top, fileName));
  let types: string[];
  try {
    types = (
      await allRows(
        connection,
        `DESCRIBE SELECT ${paths.map((p, c) => `${p} AS c${c}`).join(', ')} FROM ${relation}`,
        [],
        fileName,
      )
    ).map((r) => String(r['column_type']));
  } catch (error) {
    throw new InputError(
      'COLUMN_NOT_FOUND',
      `${fileName}: a column of the manifest is not in the Parquet schema (${plan.columns.join(', ')}): ${firstLine(error)}`,
      { cause: error },
    );
  }
  const columns = plan.columns.map(
    (column, c) => `${parquetText(paths[c]!, types[c]!, column, fileName)} AS ${quoteIdentifier(column)}`,
  );
  return { select: `SELECT ${columns.join(', ')} FROM ${relation}`, header: top };
}

/** A top-level column of that name, else the longest top-level prefix and struct fields. */
function parquetPath(column: string, top: readonly string[], fileName: string): string {
  if (top.includes(column)) return quoteIdentifier(column);
  let best: string | undefined;
  for (const name of top) {
    if (column.startsWith(`${name}.`) && (best === undefined || name.length > best.length)) best = name;
  }
  if (best === undefined) {
    throw new InputError(
      'COLUMN_NOT_FOUND',
      `${fileName}: column '${column}' not found; the file has columns ${listNames(top)}`,
    );
  }
  return [best, ...column.slice(best.length + 1).split('.')].map(quoteIdentifier).join('.');
}

/** A Parquet value as the streaming reader renders it (hyparquet's value through String()). */
function parquetText(path: string, type: string, column: string, fileName: string): string {
  const refuse = `CASE WHEN ${path} IS NULL THEN NULL ELSE error(${literal(`${fileName}: column '${column}' holds ${type}, expected a scalar; the SQL engine cannot skip malformed records, profile this file with the streaming engine`)}) END`;
  if (type === 'VARCHAR') return path;
  if (/^(STRUCT|MAP|UNION)\(|\[\d*\]$|^BLOB$/.test(type)) return refuse;
  if (type === 'DATE') return `strftime(${path}, '%Y-%m-%d')`;
  if (type.startsWith('TIMESTAMP')) return `strftime(CAST(${path} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`;
  if (type === 'FLOAT' || type === 'DOUBLE' || type.startsWith('DECIMAL')) {
    return `js_number(CAST(${path} AS DOUBLE))`;
  }
  return `CAST(${path} AS VARCHAR)`;
}

/* ----------------------------------------------------------------------------------------------
 * Shared
 */

/**
 * `js_number(x)`: a DOUBLE spelled as JavaScript's String(x): integers without `.0`, plain
 * notation for 1e-6 ≤ |x| < 1e21, else `1.5e-7` / `1e+21`, NaN and ±Infinity. DuckDB itself
 * writes the same shortest digits, in plain notation only for 1e-5 ≤ |x| < 1e16.
 */
async function createJsNumberMacro(connection: DuckDBConnection, fileName: string): Promise<void> {
  await run(
    connection,
    `CREATE OR REPLACE TEMP MACRO js_number_sci(s, neg, m, e) AS (CASE
      WHEN e BETWEEN -6 AND -1 THEN neg || '0.' || repeat('0', -e - 1) || replace(m, '.', '')
      WHEN e BETWEEN 0 AND 20 THEN neg || CASE
        WHEN length(replace(m, '.', '')) <= e + 1 THEN rpad(replace(m, '.', ''), e + 1, '0')
        ELSE left(replace(m, '.', ''), e + 1) || '.' || substr(replace(m, '.', ''), e + 2) END
      ELSE neg || m || 'e' || CASE WHEN e > 0 THEN '+' ELSE '-' END || CAST(abs(e) AS VARCHAR) END)`,
    fileName,
  );
  await run(
    connection,
    `CREATE OR REPLACE TEMP MACRO js_number(x) AS (CASE
      WHEN x IS NULL THEN NULL
      WHEN isnan(x) THEN 'NaN'
      WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
      WHEN x = 0 THEN '0'
      WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
      WHEN NOT contains(CAST(x AS VARCHAR), 'e') THEN regexp_replace(CAST(x AS VARCHAR), '\\.0$', '')
      ELSE js_number_sci(CAST(x AS VARCHAR), CASE WHEN x < 0 THEN '-' ELSE '' END,
        regexp_extract(CAST(x AS VARCHAR), '^-?([0-9.]+)e', 1),
        CAST(regexp_extract(CAST(x AS VARCHAR), 'e([+-][0-9]+)$', 1) AS INTEGER)) END)`,
    fileName,
  );
}

async function run(connection: DuckDBConnection, sql: string, fileName: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (error) {
    throw duckDbError(error, fileName);
  }
}

async function allRows(
  connection: DuckDBConnection,
  sql: string,
  params: readonly SqlValue[],
  fileName: string,
): Promise<Record<string, SqlValue>[]> {
  const rows: Record<string, SqlValue>[] = [];
  await eachRow(connection, sql, params, fileName, (row) => rows.push(row));
  return rows;
}

/** Streams the result chunk by chunk, so a huge result (a free-text column) fails early. */
async function eachRow(
  connection: DuckDBConnection,
  sql: string,
  params: readonly SqlValue[],
  fileName: string,
  onRow: (row: Record<string, SqlValue>) => void,
): Promise<void> {
  try {
    // Numbers bind as DOUBLE: bin edges are compared as doubles (an integer edge such as 1e20 would
    // otherwise bind as a BIGINT out of range).
    const types: DuckDBType[] = params.map((v) =>
      typeof v === 'number' ? DOUBLE : typeof v === 'boolean' ? BOOLEAN : VARCHAR,
    );
    const result = await connection.stream(sql, params as SqlValue[], types);
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) {
        const out: Record<string, SqlValue> = {};
        for (const [key, value] of Object.entries(row)) out[key] = toSqlValue(value);
        onRow(out);
      }
    }
  } catch (error) {
    throw duckDbError(error, fileName);
  }
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function duckDbError(error: unknown, fileName: string): Error {
  if (error instanceof RepscopeError) return error;
  const message = firstLine(error);
  const ours = /Invalid Input Error: (.*)$/.exec(message);
  if (ours?.[1]?.startsWith(fileName)) return new InputError('INPUT_FORMAT', ours[1], { cause: error });
  if (/^(Invalid Input|Conversion|IO) Error/.test(message) || /CSV|JSON|Parquet|UTF-8/i.test(message)) {
    return new InputError(
      'INPUT_FORMAT',
      `${fileName}: DuckDB cannot read the file (${message}); the SQL engine cannot skip malformed records, profile this file with the streaming engine`,
      { cause: error },
    );
  }
  return new QueryError(`${fileName}: DuckDB could not run the profile statement: ${message}`, {
    cause: error,
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function readHead(file: string, fileName: string, bytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of createReadStream(file, { start: 0, end: Math.max(bytes - 1, 0) })) {
      chunks.push(chunk as Uint8Array);
    }
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(
      'INPUT_UNREADABLE',
      `${fileName}: ${missing ? 'no such file' : 'cannot read the file'}`,
      {
        cause,
      },
    );
  }
  return concatBytes(chunks);
}

/** The first `limit` bytes of the (decompressed) file as a stream. */
function headStream(file: string, fileName: string, gzipped: boolean, limit: number): ByteStream {
  const raw: ByteStream = {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of createReadStream(file)) yield chunk as Uint8Array;
    },
  };
  const bytes = gzipped ? gunzip(raw, { fileName }) : raw;
  return {
    async *[Symbol.asyncIterator]() {
      let seen = 0;
      for await (const chunk of bytes) {
        if (seen + chunk.length >= limit) {
          yield chunk.subarray(0, limit - seen);
          return;
        }
        seen += chunk.length;
        yield chunk;
      }
    },
  };
}
