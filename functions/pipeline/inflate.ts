import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Inflater } from '../core/scan/gzip.ts';
import type { ByteStream } from '../core/scan/types.ts';

/** Output chunk size: big chunks keep the per-chunk cost of streams out of the way. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Inflates gzip with node:zlib in 1 MiB output chunks, on libuv's thread pool. The core's
 * default (the web-standard DecompressionStream, 16–64 KiB chunks through web streams) spends
 * ~1.7 s on 73 MB of gzip that zlib inflates in ~0.5 s here. Concatenated members come out as
 * one stream. Errors (truncated or corrupt data, or the source's own) are thrown as they are:
 * `gunzip` in the core maps them.
 */
export const inflateWithZlib: Inflater = (compressed: ByteStream) => ({
  async *[Symbol.asyncIterator]() {
    const input = Readable.from(compressed, { objectMode: false });
    const inflater = createGunzip({ chunkSize: CHUNK_BYTES });
    input.on('error', (error) => inflater.destroy(error));
    input.pipe(inflater);
    try {
      for await (const chunk of inflater) yield chunk as Uint8Array;
    } finally {
      input.unpipe(inflater);
      input.destroy();
      inflater.destroy();
    }
  },
});
