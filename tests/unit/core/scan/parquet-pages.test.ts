import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanParquet } from '../../../../functions/core/scan/parquet.ts';
import { decodeHybrid } from '../../../../functions/core/scan/parquet-pages.ts';
import { scalarText } from '../../../../functions/core/scan/scalar.ts';
import type { CodedScanSink, RowValues } from '../../../../functions/core/scan/types.ts';
import { memoryRandomAccess, recordingSink } from '../../../fixtures/scan/builders.ts';

/**
 * The page reader that keeps dictionary indices (parquet-pages.ts) against hyparquet's own
 * reading of the same files: every value must come out as the text hyparquet + scalarText give.
 * Files from DuckDB: data pages v1 and v2, every codec, dictionary and plain pages, nulls,
 * required columns, and types the reader leaves to hyparquet.
 */
const ROWS = 6000;
const TABLE = `
  SELECT
    CASE WHEN i % 5 = 0 THEN NULL ELSE ['f', 'm', 'd', ' Female ', 'ü'][(i % 5) + 1] END AS sex,
    'id-' || (i * 7919 % 100003) AS unique_text,
    CASE WHEN i % 9 = 0 THEN NULL ELSE (i % 90)::INTEGER END AS age,
    (i * 3)::BIGINT AS big,
    i % 3 = 0 AS flag,
    (i % 8)::FLOAT / 4 AS ratio,
    CASE WHEN i % 13 = 0 THEN NULL ELSE i / 7 END AS score,
    (i % 4)::TINYINT AS small,
    DATE '2024-01-01' + (i % 30)::INTEGER AS day,
    (i % 100)::DECIMAL(6, 2) / 7 AS amount
  FROM range(${ROWS}) t(i)`;
const REQUIRED = `SELECT * FROM (${TABLE}) WHERE sex IS NOT NULL AND age IS NOT NULL`;
const COLUMNS = ['sex', 'unique_text', 'age', 'big', 'flag', 'ratio', 'score', 'small', 'day', 'amount'];

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'repscope-pages-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function parquet(name: string, sql: string, options: string): Promise<Uint8Array> {
  const file = path.join(dir, name);
  await connection.run(`COPY (${sql}) TO '${file}' (FORMAT parquet, ${options})`);
  return new Uint8Array(readFileSync(file));
}

/** What hyparquet reads, rendered as the profiler renders values. */
async function expected(bytes: Uint8Array): Promise<(string | null)[][]> {
  const rows = (await parquetReadObjects({
    file: bytes.buffer as ArrayBuffer,
    columns: COLUMNS,
    compressors,
  })) as Record<string, unknown>[];
  return rows.map((row) =>
    COLUMNS.map((c) => {
      const value = row[c];
      const text = scalarText(value);
      return value instanceof Date && text ? text.slice(0, 10) : (text ?? null);
    }),
  );
}

/** A sink that takes codes, turning them back into text, so the coded path is checked too. */
function codedSink(): CodedScanSink & { rows: (string | null)[][] } {
  const texts = COLUMNS.map(() => [] as string[]);
  const known = COLUMNS.map(() => new Map<string, number>());
  const rows: (string | null)[][] = [];
  return {
    rows,
    codeOf(column, text) {
      const map = known[column]!;
      let code = map.get(text);
      if (code === undefined) {
        if (map.size >= 50) return -1; // like a full cache: the reader must then pass the text
        code = map.size;
        map.set(text, code);
        texts[column]!.push(text);
      }
      return code;
    },
    rowCodes(codes: Int32Array, values: RowValues) {
      rows.push(COLUMNS.map((_, k) => (codes[k]! >= 0 ? texts[k]![codes[k]!]! : (values[k] ?? null))));
    },
    row: () => {
      throw new Error('a coded sink gets rowCodes');
    },
    malformed: () => {
      throw new Error('no malformed rows here');
    },
  };
}

const VARIANTS: [string, string, string][] = [
  ['v1-snappy', TABLE, 'COMPRESSION snappy, ROW_GROUP_SIZE 2048'],
  ['v1-zstd', TABLE, 'COMPRESSION zstd, ROW_GROUP_SIZE 2048'],
  ['v1-gzip', TABLE, 'COMPRESSION gzip'],
  ['v1-uncompressed', TABLE, 'COMPRESSION uncompressed'],
  ['v2-snappy', TABLE, 'COMPRESSION snappy, PARQUET_VERSION v2, ROW_GROUP_SIZE 2048'],
  ['v2-uncompressed', TABLE, 'COMPRESSION uncompressed, PARQUET_VERSION v2'],
  ['required-v1', REQUIRED, 'COMPRESSION zstd'],
  ['required-v2', REQUIRED, 'COMPRESSION zstd, PARQUET_VERSION v2'],
];

describe('Parquet pages read with dictionary indices kept', () => {
  it.each(VARIANTS)(
    '%s: the same text as hyparquet, through row() and through codes',
    async (name, sql, options) => {
      const bytes = await parquet(`${name}.parquet`, sql, options);
      const want = await expected(bytes);
      const plain = recordingSink();
      await scanParquet(memoryRandomAccess(bytes), { fileName: name, columns: COLUMNS }, plain);
      expect(plain.rows).toEqual(want);
      const coded = codedSink();
      await scanParquet(memoryRandomAccess(bytes), { fileName: name, columns: COLUMNS }, coded);
      expect(coded.rows).toEqual(want);
    },
  );

  it('meets dictionary and plain pages and both page versions in these files', async () => {
    const v1 = parquetMetadata(
      (await parquet('check-v1.parquet', TABLE, 'COMPRESSION snappy')).buffer as ArrayBuffer,
    );
    const encodings = (column: string) =>
      v1.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === column)!.meta_data!.encodings;
    expect(encodings('sex').some((e) => e.endsWith('DICTIONARY'))).toBe(true);
    expect(encodings('unique_text')).toContain('PLAIN');
  });

  it('decodes the RLE / bit-packed hybrid, runs and packed groups, at several widths', () => {
    // A run of 5 × 3 (width 2), then one group of 8 bit-packed 3-bit values 0..7.
    const bytes = Uint8Array.of(0x0a, 0x03, 0x03, 0x88, 0xc6, 0xfa);
    const out = new Int32Array(13);
    decodeHybrid(bytes, 0, 2, 2, out, 5);
    expect([...out.subarray(0, 5)]).toEqual([3, 3, 3, 3, 3]);
    decodeHybrid(bytes, 2, 6, 3, out, 8);
    expect([...out.subarray(0, 8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
