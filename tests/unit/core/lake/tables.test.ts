import { describe, expect, it } from 'vitest';
import {
  groupCountRows,
  groupCountsTable,
  groupMetricsTable,
  LAKE_TABLES,
  partitionKeys,
  referencePopulationsTable,
  sqlColumn,
  tableFilesGlob,
  toJsonLines,
} from '../../../../functions/core/lake/tables.ts';
import type { Profile } from '../../../../functions/core/profile/profile.ts';
import { TALLY_FIELDS } from '../../../../functions/core/profile/tally.ts';

const tally = {
  count: 3,
  weightSum: 2.5,
  weightSqSum: 2.25,
  positives: 1,
  positiveWeightSum: 0.5,
  labelMissing: 1,
  labelMissingWeightSum: 1.5,
  labelOther: 0,
  labelOtherWeightSum: 0,
  unlabelledWeightSqSum: 2.25,
};
const profile = {
  attributes: [{ name: 'sex', groups: [{ group: 'female', ...tally }] }],
  intersections: [{ name: 'sex_x_age', cells: [{ group: 'female|18-24', ...tally }] }],
} as unknown as Profile;

describe('lake table catalogue', () => {
  it('spells the tables of DESIGN.md with their key prefixes and partitions', () => {
    expect(LAKE_TABLES.map((t) => [t.name, tableFilesGlob(t)])).toEqual([
      ['reference_populations', 'references/population=*/*.jsonl'],
      ['group_counts', 'lake/group_counts/dataset=*/run=*/*.jsonl'],
      ['group_metrics', 'lake/group_metrics/dataset=*/run=*/*.jsonl'],
      ['runs', 'lake/runs/dataset=*/run=*/*.jsonl'],
    ]);
    expect(partitionKeys(referencePopulationsTable)).toEqual([{ name: 'population', type: 'string' }]);
    expect(partitionKeys(groupCountsTable)).toEqual([
      { name: 'dataset', type: 'string' },
      { name: 'run', type: 'string' },
    ]);
    expect(groupMetricsTable.columns.map((c) => c.name)).toEqual([
      'attribute',
      'group',
      'count',
      'share',
      'reference_share',
      'ratio',
      'ci_low',
      'ci_high',
      'p_value',
      'p_adjusted',
      'status',
    ]);
  });

  it('names columns as both engines take them unquoted, except the SQL words', () => {
    for (const t of LAKE_TABLES) {
      const names = [...partitionKeys(t), ...t.columns].map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z_]*$/);
    }
    expect(sqlColumn('group')).toBe('"group"');
    expect(sqlColumn('count')).toBe('"count"');
    expect(sqlColumn('weight_sum')).toBe('weight_sum');
  });

  it('writes group_counts rows with exactly the catalogue columns, one per tally field', () => {
    const rows = groupCountRows(profile);
    expect(rows).toEqual([
      {
        attribute: 'sex',
        group: 'female',
        count: 3,
        weight_sum: 2.5,
        weight_sq_sum: 2.25,
        positives: 1,
        positive_weight_sum: 0.5,
        label_missing: 1,
        label_missing_weight_sum: 1.5,
        label_other: 0,
        label_other_weight_sum: 0,
        unlabelled_weight_sq_sum: 2.25,
      },
      {
        attribute: 'sex_x_age',
        group: 'female|18-24',
        count: 3,
        weight_sum: 2.5,
        weight_sq_sum: 2.25,
        positives: 1,
        positive_weight_sum: 0.5,
        label_missing: 1,
        label_missing_weight_sum: 1.5,
        label_other: 0,
        label_other_weight_sum: 0,
        unlabelled_weight_sq_sum: 2.25,
      },
    ]);
    for (const row of rows) expect(Object.keys(row)).toEqual(groupCountsTable.columns.map((c) => c.name));
    expect(groupCountsTable.columns.slice(2).map((c) => c.name)).toEqual(TALLY_FIELDS.map((f) => f.column));
  });

  it('writes JSON Lines with a newline after every row, and nothing for no rows', () => {
    expect(toJsonLines([{ a: 1 }, { b: 'x' }])).toBe('{"a":1}\n{"b":"x"}\n');
    expect(toJsonLines([])).toBe('');
  });
});
