import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { detectFormat, isGzipMagic } from '../../../../functions/core/scan/format.ts';

describe('detectFormat', () => {
  it.each([
    ['data.csv', 'csv', 'none'],
    ['data.TSV', 'csv', 'none'],
    ['export.txt', 'csv', 'none'],
    ['rows.jsonl', 'jsonl', 'none'],
    ['rows.ndjson', 'jsonl', 'none'],
    ['rows.json', 'jsonl', 'none'],
    ['table.parquet', 'parquet', 'none'],
    ['table.pq', 'parquet', 'none'],
    ['data.csv.gz', 'csv', 'gzip'],
    ['rows.JSONL.GZ', 'jsonl', 'gzip'],
    ['datasets/leads/v1/part.0.csv.gz', 'csv', 'gzip'],
    ['C:\\data\\leads.tsv', 'csv', 'none'],
  ])('reads %s as %s, compression %s', (name, format, compression) => {
    expect(detectFormat(name)).toEqual({ format, compression });
  });

  it('lets a declared format win over the extension, keeping the .gz compression', () => {
    expect(detectFormat('export.dat', 'csv')).toEqual({ format: 'csv', compression: 'none' });
    expect(detectFormat('export.dat.gz', 'jsonl')).toEqual({ format: 'jsonl', compression: 'gzip' });
    expect(detectFormat('rows.json', 'csv')).toEqual({ format: 'csv', compression: 'none' });
  });

  it.each(['data.xlsx', 'README', 'archive.gz', 'data.csv.zip'])(
    'refuses %s, naming the file and the accepted extensions',
    (name) => {
      let error: unknown;
      try {
        detectFormat(name);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('INPUT_FORMAT');
      expect((error as InputError).message).toBe(
        `${name}: cannot tell the format from the file name; expected one of .csv, .tsv, .txt, .jsonl, ` +
          '.ndjson, .json, .parquet, .pq (optionally followed by .gz), or set format (csv, jsonl or parquet) in the manifest',
      );
    },
  );

  it.each([
    ['table.parquet.gz', undefined],
    ['table.gz', 'parquet' as const],
  ])('refuses gzip-compressed Parquet (%s)', (name, declared) => {
    expect(() => detectFormat(name, declared)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        code: 'INPUT_FORMAT',
        message: expect.stringContaining(`${name}: gzip-compressed Parquet is not supported`),
      }),
    );
  });
});

describe('isGzipMagic', () => {
  it('recognises 1F 8B and nothing else', () => {
    expect(isGzipMagic(Uint8Array.of(0x1f, 0x8b, 0x08))).toBe(true);
    expect(isGzipMagic(Uint8Array.of(0x1f, 0x8b))).toBe(true);
    expect(isGzipMagic(Uint8Array.of(0x1f))).toBe(false);
    expect(isGzipMagic(new Uint8Array(0))).toBe(false);
    expect(isGzipMagic(new TextEncoder().encode('PAR1'))).toBe(false);
  });
});
