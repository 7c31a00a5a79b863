import { describe, expect, it } from 'vitest';
import { glueTables } from '../../../functions/adapters/aws/glue-tables.ts';
import { LAKE_TABLES, tableFileKey } from '../../../functions/core/lake/tables.ts';

describe('Glue tables from the lake catalogue', () => {
  const tables = glueTables('repscope-lake');

  it('declares every catalogue table with its columns, partitions and JSON SerDe', () => {
    expect(tables.map((t) => t.name)).toEqual([
      'reference_populations',
      'group_counts',
      'group_metrics',
      'runs',
    ]);
    const counts = tables.find((t) => t.name === 'group_counts')!;
    expect(counts.partitionKeys).toEqual([
      { name: 'dataset', type: 'string' },
      { name: 'run', type: 'string' },
    ]);
    expect(counts.storageDescriptor.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'attribute string',
      'group string',
      'count double',
      'weight_sum double',
      'weight_sq_sum double',
      'positives double',
      'positive_weight_sum double',
      'label_missing double',
      'label_missing_weight_sum double',
      'label_other double',
      'label_other_weight_sum double',
      'unlabelled_weight_sq_sum double',
    ]);
    expect(counts.storageDescriptor.serdeInfo.serializationLibrary).toBe(
      'org.openx.data.jsonserde.JsonSerDe',
    );
    expect(counts.storageDescriptor.location).toBe('s3://repscope-lake/lake/group_counts/');
  });

  it('projects every partition, and its location template points at the folders the pipeline writes', () => {
    for (const [i, table] of LAKE_TABLES.entries()) {
      const glue = tables[i]!;
      expect(glue.parameters['projection.enabled']).toBe('true');
      const values = table.partitions.map((p) => `${p.name}-value`);
      for (const p of table.partitions) expect(glue.parameters[`projection.${p.name}.type`]).toBe('injected');
      let folder = glue.parameters['storage.location.template']!;
      table.partitions.forEach((p, j) => {
        folder = folder.replace(`\${${p.name}}`, values[j]!);
      });
      const file = tableFileKey(table, values);
      expect(`s3://repscope-lake/${file}`.startsWith(folder)).toBe(true);
      expect(file.slice(folder.length - 's3://repscope-lake/'.length)).toBe('part-00000.jsonl');
    }
  });
});
