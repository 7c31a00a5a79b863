import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { detectFormat } from '../../../../functions/core/scan/format.ts';
import { type ScanInput, scanFile } from '../../../../functions/core/scan/scan-file.ts';
import type { ByteStream } from '../../../../functions/core/scan/types.ts';
import {
  chunkedStream,
  fixtureBytes,
  memoryRandomAccess,
  recordingSink,
  rejection,
} from '../../../fixtures/scan/builders.ts';

const encoder = new TextEncoder();

/** A ScanInput over bytes in memory, with the format and compression taken from the name. */
function input(fileName: string, bytes: Uint8Array, overrides: Partial<ScanInput> = {}): ScanInput {
  return {
    fileName,
    ...detectFormat(fileName),
    stream: () => chunkedStream(bytes, 1000),
    random: memoryRandomAccess(bytes),
    ...overrides,
  };
}

let dir: string;
let parquet: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'repscope-scan-file-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const file = path.join(dir, 'people.parquet');
  await connection.run(
    `COPY (SELECT * FROM (VALUES ('female', 34), ('male', 51)) t(sex, age)) TO '${file}' (FORMAT parquet)`,
  );
  parquet = new Uint8Array(readFileSync(file));
  connection.closeSync();
  instance.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanFile', () => {
  const csv = encoder.encode('sex;age\nfemale;34\nmale;51\n');
  const jsonl = encoder.encode('{"sex": "female", "age": 34}\n{"sex": "male", "age": 51}\n');
  const expected = [
    ['female', '34'],
    ['male', '51'],
  ];

  it.each([
    ['people.csv', csv],
    ['people.csv.gz', new Uint8Array(gzipSync(csv))],
    ['people.jsonl', jsonl],
    ['people.ndjson.gz', new Uint8Array(gzipSync(jsonl))],
  ])('scans %s', async (name, bytes) => {
    const sink = recordingSink();
    const summary = await scanFile(input(name, bytes), { columns: ['sex', 'age'] }, sink);
    expect(sink.rows).toEqual(expected);
    expect(summary.records).toBe(2);
  });

  it('scans Parquet through random access', async () => {
    const sink = recordingSink();
    const summary = await scanFile(
      input('people.parquet', parquet, {
        stream: () => {
          throw new Error('Parquet must not be streamed');
        },
      }),
      { columns: ['sex', 'age'] },
      sink,
    );
    expect(sink.rows).toEqual(expected);
    expect(summary.records).toBe(2);
  });

  it('passes the CSV dialect through', async () => {
    const sink = recordingSink();
    const summary = await scanFile(
      input('people.csv', encoder.encode('female|34\nmale|51\n')),
      { columns: ['1', '2'], csv: { delimiter: '|', header: false, encoding: 'utf-8' } },
      sink,
    );
    expect(sink.rows).toEqual(expected);
    expect(summary.delimiter).toBe('|');
  });

  it('decompresses a stream that starts with the gzip magic though not declared gzip', async () => {
    const sink = recordingSink();
    await scanFile(input('people.csv', new Uint8Array(gzipSync(csv))), { columns: ['sex', 'age'] }, sink);
    expect(sink.rows).toEqual(expected);
  });

  it('reads concatenated gzip members as one file', async () => {
    const members = new Uint8Array(Buffer.concat([gzipSync('sex;age\nfemale;34\n'), gzipSync('male;51\n')]));
    const sink = recordingSink();
    await scanFile(input('people.csv.gz', members), { columns: ['sex', 'age'] }, sink);
    expect(sink.rows).toEqual(expected);
  });

  it('reads a gzip stream split into 1-byte chunks', async () => {
    const bytes = new Uint8Array(gzipSync(fixtureBytes('quoted-newlines.csv')));
    const sink = recordingSink();
    await scanFile(
      input('q.csv.gz', bytes, { stream: () => chunkedStream(bytes, 1) }),
      { columns: ['comment'] },
      sink,
    );
    expect(sink.rows).toEqual([['first line\nsecond line'], ['a\n\nb'], ['plain']]);
  });

  it('refuses a file declared gzip that does not start with the magic bytes, and closes it', async () => {
    let closed = false;
    const stream: ByteStream = {
      async *[Symbol.asyncIterator]() {
        try {
          yield csv;
        } finally {
          closed = true;
        }
      },
    };
    const error = await rejection(
      scanFile(input('people.csv.gz', csv, { stream: () => stream }), { columns: ['sex'] }, recordingSink()),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_INVALID');
    expect(error.message).toMatch(
      /^people\.csv\.gz: declared gzip .* does not start with the gzip magic bytes/,
    );
    expect(closed).toBe(true);
  });

  it('refuses an empty file declared gzip', async () => {
    const error = await rejection(
      scanFile(input('empty.csv.gz', new Uint8Array(0)), { columns: ['sex'] }, recordingSink()),
    );
    expect(error.code).toBe('GZIP_INVALID');
    expect(error.message).toContain('empty.csv.gz');
  });

  it('refuses a truncated gzip file with GZIP_INVALID naming it', async () => {
    const whole = gzipSync(encoder.encode('sex;age\n'.concat('female;34\n'.repeat(2000))));
    const truncated = new Uint8Array(whole.subarray(0, Math.floor(whole.length * 0.7)));
    const error = await rejection(
      scanFile(input('cut.csv.gz', truncated), { columns: ['sex'] }, recordingSink()),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_INVALID');
    expect(error.message).toBe('cut.csv.gz: truncated or corrupt gzip stream');
  });

  it('applies the decompression-bomb limits', async () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x61)));
    const error = await rejection(
      scanFile(
        input('bomb.csv.gz', bomb),
        { columns: ['sex'], gzip: { maxRatio: 50, minBytesForRatio: 1024 * 1024 } },
        recordingSink(),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_BOMB');
    expect(error.message).toContain('bomb.csv.gz');
  });

  it('refuses Parquet without random access', async () => {
    const error = await rejection(
      scanFile(
        { ...input('people.parquet', parquet), random: undefined },
        { columns: ['sex'] },
        recordingSink(),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toMatch(/^people\.parquet: Parquet needs random access/);
  });

  it('refuses gzip-compressed Parquet, declared or by its magic bytes', async () => {
    const gzipped = new Uint8Array(gzipSync(parquet));
    for (const file of [
      input('people.parquet', gzipped),
      { ...input('people.parquet', parquet), compression: 'gzip' as const },
    ]) {
      const error = await rejection(scanFile(file, { columns: ['sex'] }, recordingSink()));
      expect(error).toBeInstanceOf(InputError);
      expect(error.code).toBe('INPUT_FORMAT');
      expect(error.message).toMatch(/^people\.parquet: gzip-compressed Parquet is not supported/);
    }
  });

  it('lets the format readers report their own errors', async () => {
    const missing = await rejection(
      scanFile(input('people.csv', csv), { columns: ['gender'] }, recordingSink()),
    );
    expect(missing.code).toBe('COLUMN_NOT_FOUND');
    expect(missing.message).toContain("people.csv: column 'gender' not found");
    const corrupt = await rejection(
      scanFile(input('people.parquet', csv), { columns: ['sex'] }, recordingSink()),
    );
    expect(corrupt.code).toBe('PARQUET_INVALID');
  });
});
