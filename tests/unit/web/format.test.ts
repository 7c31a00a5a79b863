import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../../web/format.ts';

describe('formatCount', () => {
  it('formats as Number.toLocaleString in en-US does (its formatters are made once)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.double({ min: 0, max: 1e7 })),
        (n) => {
          const expected = Number.isInteger(n)
            ? n.toLocaleString('en-US')
            : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
          expect(formatCount(n)).toBe(expected);
        },
      ),
      { seed: 9, numRuns: 2000 },
    );
  });

  it('separates thousands and keeps one decimal of a weighted count', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(11204.35)).toBe('11,204.4');
    expect(formatCount(null)).toBe('—');
  });
});
