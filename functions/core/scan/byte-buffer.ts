/** Capacity above which a cleared buffer gives its memory back (one long record should not pin it). */
const RETAINED_CAPACITY_BYTES = 4 * 1024 * 1024;

/**
 * A growable byte buffer for the part of a record (CSV) or line (JSON Lines) that spans chunk
 * boundaries. Appends are amortised O(n): the capacity doubles, so a record split over many small
 * chunks is copied a bounded number of times.
 */
export class ByteBuffer {
  bytes: Uint8Array = new Uint8Array(0);
  length = 0;

  append(source: Uint8Array, start: number, end: number): void {
    const count = end - start;
    if (count <= 0) return;
    const needed = this.length + count;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2, 256));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(source.subarray(start, end), this.length);
    this.length = needed;
  }

  clear(): void {
    this.length = 0;
    if (this.bytes.length > RETAINED_CAPACITY_BYTES) this.bytes = new Uint8Array(0);
  }
}

/** Joins chunks into one array; returns the only chunk itself when there is one. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/** True when `bytes` starts with the UTF-8 byte order mark EF BB BF. */
export function startsWithUtf8Bom(bytes: Uint8Array, start = 0): boolean {
  return bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf;
}
