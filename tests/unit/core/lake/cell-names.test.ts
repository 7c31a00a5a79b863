import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinCell, splitCell } from '../../../../functions/core/lake/cell-names.ts';

/** Every way `name` can be written as one known group per dimension, in the order splitCell prefers. */
function allSplits(name: string, dimensions: readonly (readonly string[])[]): string[][] {
  let splits: string[][] = [[]];
  for (const dimension of dimensions) splits = splits.flatMap((s) => dimension.map((g) => [...s, g]));
  return splits
    .filter((s) => joinCell(s) === name)
    .sort((x, y) => {
      for (let d = 0; d < x.length; d++)
        if (x[d]!.length !== y[d]!.length) return x[d]!.length - y[d]!.length;
      return 0;
    });
}

/** Group names from a small alphabet with `|`, so names with `|` and near-collisions are common. */
const groupName = fc.stringMatching(/^[ab|]{1,4}$/);
const dimension = fc.uniqueArray(groupName, { minLength: 1, maxLength: 5 });

describe('splitCell', () => {
  it('splits cell names by the known groups, even when a group contains |', () => {
    expect(splitCell('a|b|c', [['a|b', 'a'], ['c']])).toEqual(['a|b', 'c']);
    expect(splitCell('a|b|c', [['a'], ['b|c', 'b']])).toEqual(['a', 'b|c']);
    expect(splitCell('x|y', [['a'], ['y']])).toBeNull();
  });

  it('resolves an ambiguous name to the shortest first part', () => {
    expect(
      splitCell('a|b|c', [
        ['a', 'a|b'],
        ['b|c', 'c'],
      ]),
    ).toEqual(['a', 'b|c']);
  });

  it('splits a dimension without known groups at its first | (its part has no |)', () => {
    expect(splitCell('x|y|z', [undefined, undefined, undefined])).toEqual(['x', 'y', 'z']);
    expect(splitCell('x|y|z', [undefined, ['y|z']])).toEqual(['x', 'y|z']);
    expect(splitCell('x|y', [undefined, undefined, undefined])).toBeNull();
    expect(splitCell('', [])).toEqual([]);
  });

  it('accepts known groups as a set', () => {
    expect(splitCell('female|18-24', [new Set(['female', 'male']), new Set(['18-24'])])).toEqual([
      'female',
      '18-24',
    ]);
  });

  it('round-trips join then split for group names with |, whenever the name has one reading', () => {
    fc.assert(
      fc.property(
        fc
          .array(dimension, { minLength: 1, maxLength: 3 })
          .chain((dims) => fc.tuple(fc.constant(dims), fc.tuple(...dims.map((d) => fc.constantFrom(...d))))),
        ([dims, groups]) => {
          const name = joinCell(groups);
          const readings = allSplits(name, dims);
          const split = splitCell(name, dims);
          // The joined groups are always one reading; splitCell picks the preferred one.
          expect(readings).toContainEqual(groups);
          expect(split).toEqual(readings[0]);
          if (readings.length === 1) expect(split).toEqual(groups);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips every cell of dimensions whose groups contain | but cannot collide', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}(\|[a-z]{1,3})?$/), { minLength: 1, maxLength: 4 }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.nat(),
        (raw, seed) => {
          // Tag each dimension's groups so no group of one dimension is a prefix of another's reading.
          const dims = raw.map((d, i) => d.map((g) => `${i}${g}`));
          const groups = dims.map((d, i) => d[(seed + i) % d.length]!);
          expect(splitCell(joinCell(groups), dims)).toEqual(groups);
        },
      ),
    );
  });
});
