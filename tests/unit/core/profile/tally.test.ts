import { describe, expect, it } from 'vitest';
import {
  LABEL_MISSING,
  LABEL_NEGATIVE,
  LABEL_OTHER,
  LABEL_POSITIVE,
  type LabelState,
} from '../../../../functions/core/profile/plan.ts';
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
    addToTally(t, 2, LABEL_POSITIVE);
    addToTally(t, 3, LABEL_MISSING);
    addToTally(t, 4, LABEL_OTHER);
    expect(Object.keys(t)).toEqual(keys);
    expect(Object.keys(mergeTally(t, t))).toEqual(keys);
  });

  it('counts a row: one row, its weight, squared weight, and the positives', () => {
    const t = emptyTally();
    addToTally(t, 2, LABEL_POSITIVE);
    addToTally(t, 0.5, LABEL_NEGATIVE);
    expect(t).toEqual({
      ...emptyTally(),
      count: 2,
      weightSum: 2.5,
      weightSqSum: 4.25,
      positives: 1,
      positiveWeightSum: 2,
    });
  });

  it('counts a row without a label, or with an other label, apart from the negatives', () => {
    const t = emptyTally();
    addToTally(t, 2, LABEL_MISSING);
    addToTally(t, 3, LABEL_OTHER);
    addToTally(t, 1, LABEL_NEGATIVE);
    expect(t).toEqual({
      count: 3,
      weightSum: 6,
      weightSqSum: 14,
      positives: 0,
      positiveWeightSum: 0,
      labelMissing: 1,
      labelMissingWeightSum: 2,
      labelOther: 1,
      labelOtherWeightSum: 3,
      unlabelledWeightSqSum: 13,
    });
  });

  it('merges a tally read from an older profile.json without the label fields as if they were 0', () => {
    const old = { count: 1, weightSum: 1, weightSqSum: 1, positives: 1, positiveWeightSum: 1 } as Tally;
    const t = emptyTally();
    addToTally(t, 1, LABEL_MISSING);
    expect(mergeTally(old, t)).toEqual({
      ...t,
      count: 2,
      weightSum: 2,
      weightSqSum: 2,
      positives: 1,
      positiveWeightSum: 1,
    });
  });

  it('merges field by field, so counting two halves and merging equals counting all', () => {
    const rows: [number, LabelState][] = [
      [1, LABEL_POSITIVE],
      [3, LABEL_NEGATIVE],
      [0.25, LABEL_POSITIVE],
      [2, LABEL_POSITIVE],
      [1.5, LABEL_MISSING],
      [0.5, LABEL_OTHER],
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
    const one: Tally = {
      ...emptyTally(),
      count: 1,
      weightSum: 2,
      weightSqSum: 4,
      positives: 1,
      positiveWeightSum: 2,
    };
    addToGroup(groups, 'b', one);
    addToGroup(groups, 'B', one);
    addToGroup(groups, 'b', one);
    expect(sortedGroups(groups)).toEqual([
      { group: 'B', ...one },
      {
        group: 'b',
        ...emptyTally(),
        count: 2,
        weightSum: 4,
        weightSqSum: 8,
        positives: 2,
        positiveWeightSum: 4,
      },
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
