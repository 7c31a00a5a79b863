import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { type GunzipOptions, gunzip, type Inflater } from '../../../../functions/core/scan/gzip.ts';
import type { ByteStream } from '../../../../functions/core/scan/types.ts';
import { inflateWithZlib } from '../../../../functions/pipeline/inflate.ts';
import { chunkedStream, rejection } from '../../../fixtures/scan/builders.ts';

async function collect(stream: ByteStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

const text = 'sex,age\n'.concat('female,34\nmale,51\n'.repeat(5000));
const compressed = new Uint8Array(gzipSync(text));

/**
 * Every case runs with both inflaters: the core's default (the web-standard DecompressionStream)
 * and the pipeline's node:zlib one, which must behave the same behind gunzip.
 */
describe.each<[string, Inflater | undefined]>([
  ['DecompressionStream (core default)', undefined],
  ['node:zlib (pipeline)', inflateWithZlib],
])('gunzip with %s', (_name, inflate) => {
  const gz = (source: ByteStream, options: GunzipOptions) =>
    gunzip(source, inflate ? { ...options, inflate } : options);

  it.each([1, 7, 4096, compressed.length])('decompresses a stream in %i-byte chunks', async (size) => {
    const out = await collect(gz(chunkedStream(compressed, size), { fileName: 'a.csv.gz' }));
    expect(new TextDecoder().decode(out)).toBe(text);
  });

  it('joins concatenated gzip members', async () => {
    const members = new Uint8Array(
      Buffer.concat([gzipSync('a,b\n1,2\n'), gzipSync('3,4\n'), gzipSync('5,6\n')]),
    );
    const out = await collect(gz(chunkedStream(members, 5), { fileName: 'cat.csv.gz' }));
    expect(new TextDecoder().decode(out)).toBe('a,b\n1,2\n3,4\n5,6\n');
  });

  it.each([
    ['truncated', compressed.subarray(0, compressed.length - 10)],
    ['cut in the header', compressed.subarray(0, 6)],
    ['empty', new Uint8Array(0)],
    ['not gzip', new TextEncoder().encode('plain text, not gzip')],
  ])('refuses a %s stream with GZIP_INVALID naming the file', async (_label, bytes) => {
    const error = await rejection(collect(gz(chunkedStream(bytes, 1024), { fileName: 'broken.csv.gz' })));
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_INVALID');
    expect(error.message).toBe('broken.csv.gz: truncated or corrupt gzip stream');
  });

  it('refuses a stream whose checksum is wrong', async () => {
    const corrupt = compressed.slice();
    corrupt[corrupt.length - 6]! ^= 0xff;
    const error = await rejection(collect(gz(chunkedStream(corrupt, 1024), { fileName: 'crc.csv.gz' })));
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_INVALID');
    expect(error.message).toContain('crc.csv.gz');
  });

  it('refuses a decompression bomb once the output passes the threshold', async () => {
    const zeros = new Uint8Array(gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 }));
    const error = await rejection(
      collect(
        gz(chunkedStream(zeros, 65536), {
          fileName: 'bomb.csv.gz',
          maxRatio: 100,
          minBytesForRatio: 1024 * 1024,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('GZIP_BOMB');
    expect(error.message).toMatch(/^bomb\.csv\.gz: gzip stream expands more than 100× /);
  });

  it('lets a highly compressed file pass below minBytesForRatio (default 64 MiB)', async () => {
    const zeros = new Uint8Array(gzipSync(Buffer.alloc(4 * 1024 * 1024), { level: 9 }));
    const out = await collect(gz(chunkedStream(zeros, 65536), { fileName: 'zeros.gz' }));
    expect(out.length).toBe(4 * 1024 * 1024);
  });

  it('passes errors of the source through unchanged', async () => {
    const failure = new Error('disk gone');
    const source: ByteStream = {
      async *[Symbol.asyncIterator]() {
        yield compressed.subarray(0, 100);
        throw failure;
      },
    };
    await expect(collect(gz(source, { fileName: 'a.csv.gz' }))).rejects.toBe(failure);
  });

  it('closes the source when the reader stops early', async () => {
    let closed = false;
    const source: ByteStream = {
      async *[Symbol.asyncIterator]() {
        try {
          for (let i = 0; i < compressed.length; i += 64) yield compressed.subarray(i, i + 64);
        } finally {
          closed = true;
        }
      },
    };
    for await (const chunk of gz(source, { fileName: 'a.csv.gz' })) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    // cancellation travels through the pipe asynchronously
    await vi.waitFor(() => expect(closed).toBe(true));
  });

  it('reads the source only a little ahead of the reader', async () => {
    // 16 MiB of incompressible bytes: the compressed stream is as big as the text.
    const random = new Uint8Array(16 * 1024 * 1024);
    let state = 42;
    for (let i = 0; i < random.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // an LCG: no repeats deflate can use
      random[i] = state >>> 24;
    }
    const big = new Uint8Array(gzipSync(random, { level: 1 }));
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    let yielded = 0;
    const source: ByteStream = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < big.length; i += 65536) {
          yielded += Math.min(65536, big.length - i);
          yield big.subarray(i, i + 65536);
        }
      },
    };
    for await (const chunk of gz(source, { fileName: 'big.gz' })) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(yielded).toBeLessThan(4 * 1024 * 1024);
  });
});
