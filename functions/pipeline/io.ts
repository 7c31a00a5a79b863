import { createHash } from 'node:crypto';
import { StoreError } from '../core/errors.ts';
import type { ObjectStore } from '../core/ports.ts';
import { concatBytes } from '../core/scan/byte-buffer.ts';

/** Hex SHA-256 of a text (manifests in provenance). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads a whole (small) object as UTF-8 text. */
export async function readText(store: ObjectStore, key: string, maxBytes = 16 << 20): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of store.read(key)) {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new StoreError(`${key} is larger than ${maxBytes} bytes; expected a small text file`);
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8').decode(concatBytes(chunks));
}

/** The bytes of `key` in [start, end), as one array (a file's head, a Parquet footer). */
export async function readRange(
  store: ObjectStore,
  key: string,
  start: number,
  end: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(key, { start, end })) chunks.push(chunk);
  return concatBytes(chunks);
}
