import { describe, expect, it } from 'vitest';
import {
  addToGroup,
  addToTally,
  emptyTally,
  mergeTally,
  sortedGroups,
  TALLY_FIELDS,
  type Tally,
} from '../../../../functions/core/profile/tally.ts';

const keys = TALLY_FIELDS.map((f) => f.key);

describe('tally', () => {
  it('has exactly the fields of TALLY_FIELDS, in their order, in every operation', () => {
    const t = emptyTally();
    expect(Object.keys(t)).toEqual(keys);
    addToTally(t, 2, true);
    expect(Object.keys(t)).toEqual(keys);
    expect(Object.keys(mergeTally(t, t))).toEqual(keys);
  });

  it('counts a row: one row, its weight, squared weight, and the positives', () => {
    const t = emptyTally();
    addToTally(t, 2, true);
    addToTally(t, 0.5, false);
    expect(t).toEqual({ count: 2, weightSum: 2.5, weightSqSum: 4.25, positives: 1, positiveWeightSum: 2 });
  });

  it('merges field by field, so counting two halves and merging equals counting all', () => {
    const rows: [number, boolean][] = [
      [1, true],
      [3, false],
      [0.25, true],
      [2, true],
    ];
    const all = emptyTally();
    const first = emptyTally();
    const second = emptyTally();
    rows.forEach(([w, p], i) => {
      addToTally(all, w, p);
      addToTally(i < 2 ? first : second, w, p);
    });
    expect(mergeTally(first, second)).toEqual(all);
  });

  it('adds into a named group and lists groups in code unit order', () => {
    const groups = new Map<string, Tally>();
    const one: Tally = { count: 1, weightSum: 2, weightSqSum: 4, positives: 1, positiveWeightSum: 2 };
    addToGroup(groups, 'b', one);
    addToGroup(groups, 'B', one);
    addToGroup(groups, 'b', one);
    expect(sortedGroups(groups)).toEqual([
      { group: 'B', ...one },
      { group: 'b', count: 2, weightSum: 4, weightSqSum: 8, positives: 2, positiveWeightSum: 4 },
    ]);
  });

  it('names every field with a distinct snake_case lake column and an aggregate', () => {
    const columns = TALLY_FIELDS.map((f) => f.column);
    expect(new Set(columns).size).toBe(columns.length);
    for (const f of TALLY_FIELDS) {
      expect(f.column).toMatch(/^[a-z][a-z_]*$/);
      expect(f.aggregate).toMatch(/^(count|sum)\(/);
    }
  });
});
