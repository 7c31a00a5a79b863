import { describe, expect, it } from 'vitest';
import {
  referencesChartSpec,
  referencesChartSummary,
} from '../../../../functions/core/charts/reference-charts.ts';
import { suppressReport } from '../../../../functions/core/privacy/suppress.ts';
import type { AttributeResult } from '../../../../functions/core/report/schema.ts';
import { sampleReport, severalReferencesReport } from '../../../fixtures/reports.ts';
import { compileAndRender, vegaLiteValidator } from './render-spec.ts';

describe('referencesChartSpec', () => {
  const published = suppressReport(severalReferencesReport(), 10).attributes[0]!;
  const validate = vegaLiteValidator();

  it('has no chart for an attribute with one reference', () => {
    expect(referencesChartSpec(sampleReport().attributes[0]!)).toBeUndefined();
  });

  it('validates against the Vega-Lite schema, compiles without warnings and renders', async () => {
    const spec = referencesChartSpec(published)!;
    expect(validate(spec), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const { messages, svg } = await compileAndRender(spec);
    expect(messages).toEqual([]);
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it("draws per group the dataset's share and each reference's, and labels a hidden group", () => {
    const spec = referencesChartSpec(published)! as { data: { values: Record<string, unknown>[] } };
    const rows = spec.data.values;
    const groups = published.groups.length;
    expect(rows).toHaveLength(groups * 3);
    expect(new Set(rows.map((r) => r['series']))).toEqual(
      new Set(['dataset', published.reference, 'market-2026/sex']),
    );
    const hidden = published.groups.filter((g) => g.status === 'suppressed').map((g) => g.group);
    expect(hidden.length).toBeGreaterThan(0);
    for (const row of rows.filter(
      (r) => hidden.includes(r['group'] as string) && r['series'] === 'dataset',
    )) {
      expect(row).toMatchObject({ share: null, hidden: true, hiddenLabel: 'dataset: hidden' });
    }
    expect(referencesChartSummary(published as AttributeResult)).toMatch(
      new RegExp(`${hidden[0]}: dataset hidden, ${published.reference} [\\d.]+ %, market-2026/sex [\\d.]+ %`),
    );
  });

  it('draws no bar for a share the copy withholds (its total hidden), and 0 for a group the data has not', () => {
    const attribute = structuredClone(published);
    const visible = attribute.groups.find((g) => g.status !== 'suppressed')!;
    visible.share = null;
    const absent = attribute.comparisons![0]!.groups.find((g) => g.group !== visible.group)!.group;
    attribute.groups = attribute.groups.filter((g) => g.group !== absent);
    const rows = (referencesChartSpec(attribute)! as { data: { values: Record<string, unknown>[] } }).data
      .values;
    const own = (group: string) => rows.find((r) => r['group'] === group && r['series'] === 'dataset');
    expect(own(visible.group)).toMatchObject({ share: null, hidden: true, hiddenLabel: 'dataset: withheld' });
    expect(own(absent)).toMatchObject({ share: 0, hidden: false });
  });
});
