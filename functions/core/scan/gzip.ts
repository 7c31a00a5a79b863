import { InputError } from '../errors.ts';
import type { ByteStream } from './types.ts';

const MIB = 1024 * 1024;

export interface GunzipOptions {
  /** Used only in error messages. */
  readonly fileName: string;
  /**
   * Largest accepted ratio of decompressed to compressed bytes, once the output is past
   * `minBytesForRatio`. Tabular text compresses 5–50×; deflate's ceiling is about 1032×, which
   * a bomb (one byte repeated) reaches. Streaming keeps memory bounded either way; the limit stops
   * a bomb from burning hours of compute.
   * @default - 250
   */
  readonly maxRatio?: number;
  /**
   * Output size below which the ratio is not checked (small files may compress very well).
   * @default - 64 MiB
   */
  readonly minBytesForRatio?: number;
  /** Inflates the bytes. @default - {@link inflateWeb} (DecompressionStream) */
  readonly inflate?: Inflater;
}

/**
 * Inflates gzip bytes: yields the decompressed bytes of every member, in order, and throws when
 * the stream is truncated or corrupt (any error; {@link gunzip} turns it into GZIP_INVALID unless
 * the source itself failed). Given to gunzip as `options.inflate`.
 */
export type Inflater = (compressed: ByteStream) => AsyncIterable<Uint8Array>;

/**
 * Decompresses a gzip byte stream as it is read. Concatenated gzip members (as `cat a.gz b.gz`
 * makes) come out as one stream. The inflating itself is `options.inflate` (the pipeline passes
 * node:zlib, whose 1 MiB output chunks read ~3× faster), else the web-standard
 * DecompressionStream; the error mapping and the bomb limit here apply to either.
 *
 * @throws InputError GZIP_INVALID (while iterating) for a truncated or corrupt stream;
 *   GZIP_BOMB when the output passes `minBytesForRatio` and exceeds `maxRatio` times the input
 *   read so far. Errors of the source itself pass through unchanged.
 */
export function gunzip(source: ByteStream, options: GunzipOptions): ByteStream {
  return { [Symbol.asyncIterator]: () => gunzipChunks(source, options) };
}

async function* gunzipChunks(source: ByteStream, options: GunzipOptions): AsyncGenerator<Uint8Array> {
  const maxRatio = options.maxRatio ?? 250;
  const minBytesForRatio = options.minBytesForRatio ?? 64 * MIB;
  let inputBytes = 0;
  let outputBytes = 0;
  let sourceFailure: { error: unknown } | undefined;
  const counted: ByteStream = {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of source) {
          inputBytes += chunk.byteLength;
          yield chunk;
        }
      } catch (error) {
        sourceFailure = { error };
        throw error;
      }
    },
  };
  const iterator = (options.inflate ?? inflateWeb)(counted)[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (cause) {
        finished = true; // a failed iterator has cleaned up after itself
        if (sourceFailure !== undefined) throw sourceFailure.error;
        throw new InputError('GZIP_INVALID', `${options.fileName}: truncated or corrupt gzip stream`, {
          cause,
        });
      }
      if (next.done) {
        finished = true;
        break;
      }
      outputBytes += next.value.length;
      if (outputBytes > minBytesForRatio && outputBytes > maxRatio * inputBytes) {
        throw new InputError(
          'GZIP_BOMB',
          `${options.fileName}: gzip stream expands more than ${maxRatio}× (${Math.round(outputBytes / MIB)} MiB ` +
            `from ${inputBytes} compressed bytes); refusing a likely decompression bomb`,
        );
      }
      yield next.value;
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

/** The web-standard DecompressionStream as an {@link Inflater}. */
export const inflateWeb: Inflater = (compressed) => ({
  async *[Symbol.asyncIterator]() {
    const iterator = compressed[Symbol.asyncIterator]();
    let stopped = false;
    // Uint8Array is a BufferSource; the cast only bridges the DOM typings' ArrayBuffer generics.
    const inflate = new DecompressionStream('gzip') as unknown as ReadableWritablePair<
      Uint8Array,
      Uint8Array
    >;
    const writer = inflate.writable.getWriter();
    const reader = inflate.readable.getReader();
    let sourceFailure: { error: unknown } | undefined;
    // Feed the compressed bytes one chunk at a time, each once the last is taken: pipeThrough()
    // would read the whole source into memory ahead of a slower reader.
    const pump = (async () => {
      try {
        for (;;) {
          if (stopped) return;
          let next: IteratorResult<Uint8Array>;
          try {
            next = await iterator.next();
          } catch (error) {
            sourceFailure = { error };
            throw error;
          }
          if (next.done) break;
          if (next.value.length === 0) continue;
          await writer.write(next.value);
        }
        await writer.close();
      } catch (error) {
        await writer.abort(error).catch(() => undefined);
      }
    })();
    let finished = false;
    try {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          finished = true;
          await pump;
          throw sourceFailure !== undefined ? sourceFailure.error : error;
        }
        if (next.done) {
          finished = true;
          break;
        }
        yield next.value;
      }
      await pump;
    } finally {
      stopped = true;
      if (!finished) {
        await reader.cancel().catch(() => undefined);
        await pump;
        await iterator.return?.();
      }
      reader.releaseLock();
    }
  },
});
