import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worstCells } from '../../../../functions/core/stats/index.ts';

type Cell = { group: string; pAdjusted: number | null; ratio: number | null };
const cell = (group: string, pAdjusted: number | null, ratio: number | null): Cell => ({
  group,
  pAdjusted,
  ratio,
});

describe('worstCells', () => {
  const cells = [
    cell('f|18-24', 0.04, 0.5),
    cell('m|18-24', 0.001, 1.3),
    cell('f|75+', 0.04, 2.0),
    cell('m|75+', null, 0.1),
    cell('f|25-74', 0.04, 0.25),
    cell('x|empty', 0.001, 0),
  ];

  it('orders by adjusted p, then |ln ratio| (0.25 before 0.5 and 2, which tie and keep input order), nulls last', () => {
    expect(worstCells(cells, 6).map((c) => c.group)).toEqual([
      'x|empty',
      'm|18-24',
      'f|25-74',
      'f|18-24',
      'f|75+',
      'm|75+',
    ]);
  });

  it('k = 0 gives none, k beyond the list gives all, fractional k is floored; fields are kept', () => {
    expect(worstCells(cells, 0)).toEqual([]);
    expect(worstCells(cells, 100)).toHaveLength(6);
    expect(worstCells(cells, Number.POSITIVE_INFINITY)).toHaveLength(6);
    expect(worstCells(cells, 2.9)).toEqual([cells[5], cells[1]]);
    expect(worstCells([], 3)).toEqual([]);
  });

  it('k NaN or negative throws a RangeError naming it', () => {
    expect(() => worstCells(cells, Number.NaN)).toThrow('k must be a number >= 0, received NaN');
    expect(() => worstCells(cells, -1)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const copy = [...cells];
    worstCells(cells, 3);
    expect(cells).toEqual(copy);
  });

  const cellArb = fc.record({
    group: fc.string(),
    pAdjusted: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    ratio: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
  });

  it('property: the result is the first k of the full ranking, and p never decreases along it (nulls last)', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 30 }), fc.nat(40), (list, k) => {
        const all = worstCells(list, list.length);
        expect(worstCells(list, k)).toEqual(all.slice(0, k));
        expect(all).toHaveLength(list.length);
        for (let i = 1; i < all.length; i++) {
          const a = all[i - 1]?.pAdjusted ?? null;
          const b = all[i]?.pAdjusted ?? null;
          if (a === null) expect(b).toBeNull();
          else if (b !== null) expect(b).toBeGreaterThanOrEqual(a);
        }
      }),
      { seed: 61, numRuns: 500 },
    );
  });
});
