/** Fields up to this many bytes are cached (group values are short: "female", "18-24", "Bayern"). */
const MAX_CACHED_BYTES = 32;
/** Slots per cache (a power of two). */
const SLOTS = 256;

/** A field holds a NUL character, which no text file has (a binary or UTF-16 file read as text). */
export class NulInFieldError extends Error {
  constructor() {
    super('a NUL character in a field');
    this.name = 'NulInFieldError';
  }
}

/**
 * Decodes field bytes to strings, remembering recent short values: profiled columns have few
 * distinct values, and a hash plus a byte compare is about twice as fast as calling TextDecoder
 * for every field. A collision only costs a decode. Use one instance per column.
 */
export class FieldDecoder {
  private readonly decoder: TextDecoder;
  private readonly hashes = new Int32Array(SLOTS);
  private readonly lengths = new Int32Array(SLOTS).fill(-1);
  private readonly keys = new Uint8Array(SLOTS * MAX_CACHED_BYTES);
  private readonly texts: string[] = new Array<string>(SLOTS).fill('');

  constructor(decoder: TextDecoder) {
    this.decoder = decoder;
  }

  /**
   * The text of `bytes[start, end)`.
   * @throws TypeError when the bytes are not valid in the decoder's encoding (a fatal decoder)
   * @throws NulInFieldError when the text holds a NUL character (such a text is never cached)
   */
  decode(bytes: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_CACHED_BYTES) return withoutNul(this.decoder.decode(bytes.subarray(start, end)));
    // FNV-1a, 32 bit
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    if (
      this.lengths[slot] === length &&
      this.hashes[slot] === hash &&
      this.sameKey(slot, bytes, start, length)
    ) {
      return this.texts[slot]!;
    }
    const text = withoutNul(this.decoder.decode(bytes.subarray(start, end)));
    this.lengths[slot] = length;
    this.hashes[slot] = hash;
    this.keys.set(bytes.subarray(start, end), slot * MAX_CACHED_BYTES);
    this.texts[slot] = text;
    return text;
  }

  private sameKey(slot: number, bytes: Uint8Array, start: number, length: number): boolean {
    const keys = this.keys;
    const offset = slot * MAX_CACHED_BYTES;
    for (let i = 0; i < length; i++) if (keys[offset + i] !== bytes[start + i]) return false;
    return true;
  }
}

function withoutNul(text: string): string {
  if (text.includes('\0')) throw new NulInFieldError();
  return text;
}
