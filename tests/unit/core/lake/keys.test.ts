import { describe, expect, it } from 'vitest';
import { lakeKeys, parseDatasetKey, parseLakeKey, runId } from '../../../../functions/core/lake/layout.ts';

describe('lake keys', () => {
  it('parses what lakeKeys spells for datasets', () => {
    expect(parseDatasetKey(lakeKeys.manifest('leads'))).toEqual({ kind: 'manifest', dataset: 'leads' });
    expect(parseDatasetKey(lakeKeys.dataFile('leads', '2026-01-01', 'part-1.csv'))).toEqual({
      kind: 'data',
      dataset: 'leads',
      version: '2026-01-01',
      file: 'part-1.csv',
    });
  });

  it('ignores hidden files, deeper folders, other files and other prefixes', () => {
    for (const key of [
      'datasets/leads/v1/.DS_Store',
      'datasets/leads/v1/nested/a.csv',
      'datasets/leads/notes.txt',
      'datasets//repscope.yaml',
      'lake/reports/dataset=leads/run=x/report.json',
      'references/my-pop.csv',
    ]) {
      expect(parseDatasetKey(key), key).toBeUndefined();
    }
  });

  it('parses every partition key of the lake back to its table, dataset and run', () => {
    const run = runId(new Date('2026-11-29T11:05:00Z'), '2');
    expect(run).toBe('20261129T110500Z-2');
    expect(parseLakeKey(lakeKeys.report('leads', run))).toEqual({
      table: 'reports',
      dataset: 'leads',
      run,
      file: 'report.json',
    });
    expect(parseLakeKey(lakeKeys.groupCounts('leads', run))).toMatchObject({ table: 'group_counts', run });
    expect(parseLakeKey(lakeKeys.groupMetrics('leads', run))).toMatchObject({ table: 'group_metrics' });
    expect(parseLakeKey(lakeKeys.profile('leads', run))).toMatchObject({
      table: 'profiles',
      file: 'profile.json',
    });
    expect(parseLakeKey('lake/reports/dataset=leads/report.json')).toBeUndefined();
    expect(parseLakeKey('site/datasets/leads/index.html')).toBeUndefined();
  });
});
