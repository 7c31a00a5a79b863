import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteInterner, MAX_INTERNED_KEY_BYTES, MISS } from '../../../../functions/core/scan/byte-interner.ts';

const encoder = new TextEncoder();

/** Looks `text` up, embedded at a random offset of a bigger buffer, keeping it when new. */
function lookup(table: ByteInterner, text: string, value: number, pad = 3): { got: number; kept: boolean } {
  const key = encoder.encode(text);
  const bytes = new Uint8Array(key.length + 2 * pad).fill(0x2c);
  bytes.set(key, pad);
  const got = table.get(bytes, pad, pad + key.length);
  return { got, kept: got === MISS ? table.set(bytes, pad, pad + key.length, value) : false };
}

describe('ByteInterner', () => {
  it('maps any byte strings, short and long, to what was kept for exactly those bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 300 }), (texts) => {
        const table = new ByteInterner(1000);
        const expected = new Map<string, number>();
        texts.forEach((text, i) => {
          const { got } = lookup(table, text, i, i % 5);
          const bytes = encoder.encode(text).join(','); // texts with lone surrogates share bytes
          if (expected.has(bytes)) expect(got).toBe(expected.get(bytes));
          else {
            expect(got).toBe(MISS);
            expected.set(bytes, i);
          }
        });
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('keeps at most maxEntries keys and none longer than the limit', () => {
    const table = new ByteInterner(10);
    for (let i = 0; i < 10; i++) expect(lookup(table, `value ${i}`, i).kept).toBe(true);
    expect(lookup(table, 'one more', 10)).toEqual({ got: MISS, kept: false });
    expect(lookup(table, 'value 3', 0).got).toBe(3);
    const long = 'x'.repeat(MAX_INTERNED_KEY_BYTES + 1);
    expect(lookup(new ByteInterner(), long, 1)).toEqual({ got: MISS, kept: false });
    expect(lookup(new ByteInterner(), long, 1).got).toBe(MISS);
  });

  it('tells apart keys that differ only in length or in zero bytes', () => {
    const table = new ByteInterner();
    const keys = ['', '\0', '\0\0', '\0\0\0', 'a', 'a\0', 'ab', 'abc', 'abcd', 'abcd\0'];
    for (const [i, k] of keys.entries()) expect(lookup(table, k, i).kept).toBe(true);
    for (const [i, k] of keys.entries()) expect(lookup(table, k, -1).got).toBe(i);
  });
});
