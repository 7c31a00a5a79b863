import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { scanParquet } from '../../../../functions/core/scan/parquet.ts';
import { memoryRandomAccess, recordingSink, rejection } from '../../../fixtures/scan/builders.ts';

const ROWS = 5000;
const CODECS = ['snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw', 'uncompressed'] as const;
const SEXES = ['female', 'male', 'diverse'];

/** A table with nulls, int64, booleans, a struct (sometimes null), dates, timestamps and a list. */
const PEOPLE_SQL = `
  SELECT
    i::INTEGER AS id,
    (i * 10000000000)::BIGINT AS big,
    i % 2 = 0 AS flag,
    CASE WHEN i % 7 = 0 THEN NULL ELSE ['female', 'male', 'diverse'][(i % 3) + 1] END AS sex,
    CASE WHEN i % 11 = 0 THEN NULL ELSE {'state': 'st' || (i % 16), 'zip': i} END AS address,
    DATE '2024-01-01' + (i % 365)::INTEGER AS born,
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS seen,
    (i % 4) / 2 AS score,
    [i, i + 1] AS tags,
    'literal' AS "address.state"
  FROM range(${ROWS}) t(i)`;

function expectedRow(i: number): (string | null)[] {
  const born = new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
  return [
    String(i),
    String(BigInt(i) * 10_000_000_000n),
    i % 2 === 0 ? 'true' : 'false',
    i % 7 === 0 ? null : SEXES[i % 3]!,
    i % 11 === 0 ? null : `st${i % 16}`,
    i % 11 === 0 ? null : String(i),
    born,
    new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    String((i % 4) / 2),
  ];
}
const COLUMNS = ['id', 'big', 'flag', 'sex', 'address.state', 'address.zip', 'born', 'seen', 'score'];
// 'address.state' exists as a literal top-level column too: it wins, so read the struct through 'address.zip' only.
const STRUCT_COLUMNS = COLUMNS.filter((column) => column !== 'address.state');

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function writeParquet(name: string, sql: string, codec = 'zstd'): Promise<Uint8Array> {
  const file = path.join(dir, name);
  await connection.run(
    `COPY (${sql}) TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`,
  );
  return new Uint8Array(readFileSync(file));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'repscope-parquet-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('scanParquet', () => {
  it.each(CODECS)('reads every row group of a %s file with the values converted', async (codec) => {
    const bytes = await writeParquet(`people-${codec}.parquet`, PEOPLE_SQL, codec);
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(metadata.row_groups.length).toBeGreaterThanOrEqual(3);
    expect(metadata.row_groups[0]!.columns[0]!.meta_data?.codec).toBe(codec.toUpperCase());

    const sink = recordingSink();
    const summary = await scanParquet(
      memoryRandomAccess(bytes),
      { fileName: `people-${codec}.parquet`, columns: STRUCT_COLUMNS },
      sink,
    );
    expect(summary.records).toBe(ROWS);
    expect(summary.header).toContain('address');
    expect(sink.events).toHaveLength(ROWS);
    const structIndex = COLUMNS.indexOf('address.state');
    for (let i = 0; i < ROWS; i++) {
      const expected = expectedRow(i).filter((_, k) => k !== structIndex);
      expect(sink.events[i]).toEqual({ line: i + 1, values: expected });
    }
  });

  it('prefers a top-level column whose name contains the dots', async () => {
    const bytes = await writeParquet('people-literal.parquet', `${PEOPLE_SQL} LIMIT 3`);
    const sink = recordingSink();
    await scanParquet(
      memoryRandomAccess(bytes),
      { fileName: 'p.parquet', columns: ['address.state', 'sex'] },
      sink,
    );
    expect(sink.rows).toEqual([
      ['literal', null],
      ['literal', 'male'],
      ['literal', 'diverse'],
    ]);
  });

  it('reaches struct fields by dotted path', async () => {
    const bytes = await writeParquet(
      'nested.parquet',
      `SELECT {'home': {'state': 'BY'}, 'n': 1} AS person UNION ALL SELECT {'home': NULL, 'n': 2}`,
    );
    const sink = recordingSink();
    await scanParquet(
      memoryRandomAccess(bytes),
      { fileName: 'n.parquet', columns: ['person.home.state', 'person.n'] },
      sink,
    );
    expect(sink.rows).toEqual([
      ['BY', '1'],
      [null, '2'],
    ]);
  });

  it('reports a struct or list at a projected column as malformed, without values', async () => {
    const bytes = await writeParquet('people-small.parquet', `${PEOPLE_SQL} LIMIT 2 OFFSET 1`);
    const sink = recordingSink();
    await scanParquet(memoryRandomAccess(bytes), { fileName: 'p.parquet', columns: ['tags'] }, sink);
    expect(sink.events).toEqual([
      { line: 1, malformed: "column 'tags' holds an array, expected a scalar" },
      { line: 2, malformed: "column 'tags' holds an array, expected a scalar" },
    ]);
    const structSink = recordingSink();
    await scanParquet(memoryRandomAccess(bytes), { fileName: 'p.parquet', columns: ['address'] }, structSink);
    expect(structSink.events[0]).toEqual({
      line: 1,
      malformed: "column 'address' holds an object, expected a scalar",
    });
  });

  it('reads a file without rows as zero records', async () => {
    const bytes = await writeParquet('empty.parquet', `${PEOPLE_SQL} LIMIT 0`);
    const sink = recordingSink();
    expect(
      await scanParquet(memoryRandomAccess(bytes), { fileName: 'e.parquet', columns: ['sex'] }, sink),
    ).toMatchObject({
      records: 0,
    });
    expect(sink.events).toEqual([]);
  });

  it('refuses a column missing from the schema, listing the top-level columns', async () => {
    const bytes = await writeParquet('people-cols.parquet', `${PEOPLE_SQL} LIMIT 1`);
    const error = await rejection(
      scanParquet(
        memoryRandomAccess(bytes),
        { fileName: 'people.parquet', columns: ['gender'] },
        recordingSink(),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('COLUMN_NOT_FOUND');
    expect(error.message).toBe(
      "people.parquet: column 'gender' not found; the file has columns 'id', 'big', 'flag', 'sex', 'address', " +
        "'born', 'seen', 'score', 'tags', 'address.state'",
    );
  });

  it('refuses a struct field missing from the schema, listing the struct fields', async () => {
    const bytes = await writeParquet('people-fields.parquet', `${PEOPLE_SQL} LIMIT 1`);
    const missingField = await rejection(
      scanParquet(
        memoryRandomAccess(bytes),
        { fileName: 'people.parquet', columns: ['address.country'] },
        recordingSink(),
      ),
    );
    expect(missingField.code).toBe('COLUMN_NOT_FOUND');
    expect(missingField.message).toBe(
      "people.parquet: column 'address.country' not found; 'address' has fields 'state', 'zip'",
    );
    const notStruct = await rejection(
      scanParquet(
        memoryRandomAccess(bytes),
        { fileName: 'people.parquet', columns: ['sex.code'] },
        recordingSink(),
      ),
    );
    expect(notStruct).toBeInstanceOf(InputError);
    expect(notStruct.code).toBe('COLUMN_NOT_FOUND');
    expect(notStruct.message).toBe(
      "people.parquet: column 'sex.code' not found; 'sex' has no fields (it is not a struct)",
    );
  });

  it.each([
    ['a truncated footer', (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 100)],
    ['a cut-off file', (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['a file too short to hold a footer', () => new TextEncoder().encode('PAR1')],
    ['a CSV file', () => new TextEncoder().encode('id,sex\n1,female\n'.repeat(10))],
    [
      'a corrupt footer length',
      (bytes: Uint8Array) => {
        const copy = bytes.slice();
        copy.set([0xff, 0xff, 0xff, 0x7f], copy.length - 8);
        return copy;
      },
    ],
  ])('refuses %s with PARQUET_INVALID naming the file', async (_label, mangle) => {
    const bytes = mangle(await writeParquet('people-corrupt.parquet', `${PEOPLE_SQL} LIMIT 100`));
    const error = await rejection(
      scanParquet(
        memoryRandomAccess(bytes),
        { fileName: 'broken.parquet', columns: ['sex'] },
        recordingSink(),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('PARQUET_INVALID');
    expect(error.message).toMatch(/^broken\.parquet: not a readable Parquet file: /);
  });

  it('refuses a corrupt row group with PARQUET_INVALID naming the row group', async () => {
    const bytes = (await writeParquet('people-pages.parquet', PEOPLE_SQL, 'zstd')).slice();
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    const chunk = metadata.row_groups[1]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'sex')!
      .meta_data!;
    const start = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
    bytes.fill(0xee, start + 20, start + Number(chunk.total_compressed_size));
    const error = await rejection(
      scanParquet(
        memoryRandomAccess(bytes),
        { fileName: 'pages.parquet', columns: ['sex'] },
        recordingSink(),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('PARQUET_INVALID');
    expect(error.message).toMatch(
      /^pages\.parquet: not a readable Parquet file: row group 2 \(rows 2049 to 4096\)/,
    );
  });

  it('passes errors of the file source through unchanged', async () => {
    const bytes = await writeParquet('people-io.parquet', `${PEOPLE_SQL} LIMIT 10`);
    const failure = new Error('connection reset');
    const source = { byteLength: bytes.length, read: async () => Promise.reject(failure) };
    await expect(
      scanParquet(source, { fileName: 'io.parquet', columns: ['sex'] }, recordingSink()),
    ).rejects.toBe(failure);
  });
});
