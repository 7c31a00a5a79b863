/** Keys longer than this are not kept (grouping values are short: "female", "18-24", "Bayern"). */
export const MAX_INTERNED_KEY_BYTES = 64;

/** What {@link ByteInterner.get} returns for a key it does not hold. */
export const MISS = -0x80000000;

/**
 * A bounded hash table from short byte strings to numbers, for readers that meet the same few
 * values over and over: a field's bytes are hashed and compared in place, without decoding them
 * or allocating anything. Open addressing with linear probing; at most `maxEntries` keys, so a
 * column of unique values cannot grow it past a fixed size (the caller then works per value).
 *
 * Use: `const value = t.get(bytes, start, end)`; on MISS, `t.set(bytes, start, end, value)`
 * (right after the `get`) keeps the key when there is room.
 */
export class ByteInterner {
  private readonly mask: number;
  private readonly hashes: Int32Array;
  /** Key length per slot; -1 when the slot is empty. */
  private readonly lengths: Int32Array;
  private readonly offsets: Int32Array;
  private readonly values: Int32Array;
  private keys: Uint8Array;
  private used = 0;
  private count = 0;
  private readonly maxEntries: number;
  /** Keys of up to 3 bytes, packed with their length into one non-zero int: no byte compare. */
  private readonly shortKeys: Int32Array;
  private readonly shortValues: Int32Array;
  /** Slot and hash (or packed short key) of the last `get` that missed, for `set`. */
  private freeSlot = -1;
  private freeShort = false;
  private lastHash = 0;

  constructor(maxEntries = 8192) {
    this.maxEntries = maxEntries;
    let slots = 16;
    while (slots < maxEntries * 2) slots *= 2;
    this.mask = slots - 1;
    this.hashes = new Int32Array(slots);
    this.lengths = new Int32Array(slots).fill(-1);
    this.offsets = new Int32Array(slots);
    this.values = new Int32Array(slots);
    this.keys = new Uint8Array(Math.min(maxEntries, 1024) * 16);
    this.shortKeys = new Int32Array(slots);
    this.shortValues = new Int32Array(slots);
  }

  /** The value kept for `bytes[start, end)`, or MISS. */
  get(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length <= 3) {
      let key = length + 1;
      if (length > 0) key |= bytes[start]! << 8;
      if (length > 1) key |= bytes[start + 1]! << 16;
      if (length > 2) key |= bytes[start + 2]! << 24;
      const mask = this.mask;
      const shortKeys = this.shortKeys;
      let slot = (Math.imul(key, 0x9e3779b1) >>> 15) & mask;
      for (;;) {
        const k = shortKeys[slot]!;
        if (k === key) return this.shortValues[slot]!;
        if (k === 0) {
          this.freeSlot = slot;
          this.freeShort = true;
          this.lastHash = key;
          return MISS;
        }
        slot = (slot + 1) & mask;
      }
    }
    this.freeShort = false;
    if (length > MAX_INTERNED_KEY_BYTES) {
      this.freeSlot = -1;
      return MISS;
    }
    // Multiplicative hashing of 4 bytes at a time (every byte counts), then the tail bytes.
    let hash = Math.imul(length, 0x9e3779b1);
    let i = start;
    for (; i + 4 <= end; i += 4) {
      hash = Math.imul(
        hash ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)),
        0x85ebca6b,
      );
      hash ^= hash >>> 13;
    }
    for (; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const mask = this.mask;
    const lengths = this.lengths;
    const keys = this.keys;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const l = lengths[slot]!;
      if (l === -1) {
        this.freeSlot = slot;
        this.lastHash = hash;
        return MISS;
      }
      if (l === length && this.hashes[slot] === hash) {
        const offset = this.offsets[slot]! - start;
        let k = start;
        while (k < end && keys[offset + k] === bytes[k]) k++;
        if (k === end) return this.values[slot]!;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Keeps `bytes[start, end)` → `value` after a `get` that missed; false when full or too long. */
  set(bytes: Uint8Array, start: number, end: number, value: number): boolean {
    const slot = this.freeSlot;
    if (slot < 0 || this.count >= this.maxEntries) return false;
    this.freeSlot = -1;
    this.count++;
    if (this.freeShort) {
      this.shortKeys[slot] = this.lastHash;
      this.shortValues[slot] = value;
      return true;
    }
    const length = end - start;
    if (this.used + length > this.keys.length) this.grow(this.used + length);
    this.keys.set(bytes.subarray(start, end), this.used);
    this.offsets[slot] = this.used;
    this.used += length;
    this.lengths[slot] = length;
    this.hashes[slot] = this.lastHash;
    this.values[slot] = value;
    return true;
  }

  private grow(needed: number): void {
    const keys = new Uint8Array(Math.max(needed, this.keys.length * 2));
    keys.set(this.keys.subarray(0, this.used));
    this.keys = keys;
  }
}
